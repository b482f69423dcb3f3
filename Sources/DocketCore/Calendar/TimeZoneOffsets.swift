import Foundation

/// The UTC offsets of one IANA time zone as a table of transitions, read from Foundation once, so
/// that working-time arithmetic never calls into Foundation (or ICU) again.
///
/// The table covers the transitions from 1900 to 2200 in the system's tz database; before the first
/// one and after the last one, the offset in force at that transition holds.
///
/// Besides the offset, it answers two questions the arithmetic needs across daylight-saving changes:
/// - ``localClock(at:)``: the highest local clock reading shown up to an instant. It is the offset
///   local time, except during the hour repeated after a clock goes back, when it stays at the last
///   reading shown before the change; so it never decreases.
/// - ``instant(atLocal:)``: the first instant the local clock shows a reading (or a later one). A
///   reading skipped when the clock goes forward maps to the instant of the change; a repeated
///   reading to its first occurrence; the reading at which the clock went back (03:00 in Berlin) to
///   the moment it is shown after the repeated hour.
/// The two are inverse in the sense the arithmetic relies on: `instant(atLocal: L) <= t` exactly when
/// `localClock(at: t) >= L`.
struct TimeZoneOffsets: Hashable, Sendable {
    /// The IANA identifier, as Foundation names the zone.
    let identifier: String
    /// The instants (microseconds since the epoch) at which the offset changes, ascending.
    let transitions: [Int64]
    /// `offsets[k]` is the offset (microseconds) in force from `transitions[k - 1]` (or the distant
    /// past) up to `transitions[k]` (or the distant future): `transitions.count + 1` entries.
    let offsets: [Int64]
    /// `localEnds[k] = transitions[k] + offsets[k]`: the local reading at which period `k` ends.
    let localEnds: [Int64]

    /// The offsets of the IANA zone `identifier` (e.g. `Asia/Shanghai`), or `nil` when the system's
    /// time-zone database does not know it.
    init?(identifier: String) {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier) else { return nil }
        let first = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01T00:00:00Z
        let last = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01T00:00:00Z
        var transitions: [Int64] = []
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: first)) * 1_000_000]
        var cursor = first
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < last, next > cursor {
            cursor = next
            let seconds = Int64(next.timeIntervalSince1970.rounded())
            // Asked one second after the change, so that a transition reported a few milliseconds
            // early still yields the new offset.
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds + 1)))) * 1_000_000
            if offset != offsets[offsets.count - 1] {
                transitions.append(seconds * 1_000_000)
                offsets.append(offset)
            }
        }
        self.init(identifier: identifier, transitions: transitions, offsets: offsets)
    }

    /// A zone whose offset from UTC never changes (for tests and `UTC`).
    init(identifier: String, fixedOffsetSeconds: Int) {
        self.init(identifier: identifier, transitions: [], offsets: [Int64(fixedOffsetSeconds) * 1_000_000])
    }

    private init(identifier: String, transitions: [Int64], offsets: [Int64]) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.localEnds = transitions.indices.map { transitions[$0] + offsets[$0] }
    }

    /// The index of the period containing instant `t`: the number of transitions at or before it.
    @inline(__always)
    func period(at t: Int64) -> Int {
        var low = 0
        var high = transitions.count
        while low < high {
            let mid = (low + high) >> 1
            if transitions[mid] <= t { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The offset from UTC (microseconds) in force at instant `t`.
    @inline(__always)
    func offset(at t: Int64) -> Int64 { offsets[period(at: t)] }

    /// The highest local clock reading (microseconds since the local epoch) reached at or before
    /// instant `t`, within period `k` (which must contain `t`).
    @inline(__always)
    func localClock(at t: Int64, period k: Int) -> Int64 {
        let reading = t + offsets[k]
        guard k > 0, offsets[k - 1] > offsets[k] else { return reading }
        // After the clock went back, the readings already shown before the change (the last one a
        // microsecond before it) are not reached anew.
        return max(reading, transitions[k - 1] - 1 + offsets[k - 1])
    }

    /// The highest local clock reading reached at or before instant `t`.
    func localClock(at t: Int64) -> Int64 { localClock(at: t, period: period(at: t)) }

    /// The first instant at which the local clock reads `local` (microseconds since the local epoch).
    func instant(atLocal local: Int64) -> Int64 {
        // The first period whose readings go beyond `local`.
        var low = 0
        var high = localEnds.count
        while low < high {
            let mid = (low + high) >> 1
            if localEnds[mid] <= local { low = mid + 1 } else { high = mid }
        }
        let k = low
        guard k > 0 else { return local - offsets[0] }
        // A reading skipped when the clock went forward is first reached at the change; otherwise it
        // is shown at `local - offset` (after a change back, the readings shown before it, up to a
        // microsecond before the change, belong to the previous period).
        let change = transitions[k - 1]
        return local <= change + max(offsets[k], offsets[k - 1] - 1) ? change : local - offsets[k]
    }

    /// The local days (days since the local epoch) on which the mapping between local readings and
    /// instants is not a plain shift, give or take a day: the days around each transition.
    func daysNearTransitions(microsecondsPerDay day: Int64) -> [Int] {
        var days: [Int] = []
        for k in transitions.indices {
            let low = transitions[k] + min(offsets[k], offsets[k + 1])
            let high = transitions[k] + max(offsets[k], offsets[k + 1])
            let first = Int(low.floorDivided(by: day).quotient) - 1
            let last = Int(high.floorDivided(by: day).quotient) + 1
            days += Array(first...last)
        }
        return days
    }
}
