import DocketCore
import DocketTestSupport
import Testing

/// Algebraic properties of working-time arithmetic, checked on thousands of seeded random cases on
/// the national calendar, an override, and a calendar whose office hours straddle clock changes.
/// Each test also counts the draws that put its property to work (not trivially true, e.g. with
/// no working time in between) and expects enough of them.
@Suite struct CalendarPropertyTests {
    static let cases = 3000

    /// A calendar and the stretch of time its interesting days lie in.
    struct Subject: CustomTestStringConvertible, Sendable {
        var name: String
        var calendar: BusinessCalendar
        var from: Timestamp
        var to: Timestamp
        /// Instants near which the random draw clusters (clock changes, holiday edges).
        var hotSpots: [Timestamp]
        var testDescription: String { name }

        func instant(_ rng: inout SplitMix64) -> Timestamp {
            if !hotSpots.isEmpty, Int.random(in: 0..<3, using: &rng) == 0 {
                let spot = hotSpots[Int.random(in: 0..<hotSpots.count, using: &rng)]
                return spot.adding(microseconds: Int64.random(in: -2 * 86_400_000_000...2 * 86_400_000_000, using: &rng))
            }
            return Timestamp(microseconds: Int64.random(in: from.microseconds...to.microseconds, using: &rng))
        }

        /// An amount of working time: often whole hours, sometimes exact microseconds, up to 40 days.
        func amount(_ rng: inout SplitMix64) -> Int64 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return Int64.random(in: 0...40, using: &rng) * calendar.workingDayMicroseconds
            case 1: return Int64.random(in: 0...300, using: &rng) * hour
            default: return Int64.random(in: 0...(40 * calendar.workingDayMicroseconds), using: &rng)
            }
        }
    }

    static func subjects() throws -> [Subject] {
        [
            Subject(
                name: "cn-2020", calendar: try CalendarFixtures.cn2020(),
                from: instant("2019-12-01T00:00:00Z"), to: instant("2021-02-01T00:00:00Z"),
                hotSpots: [instant("2020-01-19T00:00:00Z"), instant("2020-02-01T00:00:00Z"), instant("2020-10-09T00:00:00Z")]),
            Subject(
                name: "rizhao-2020", calendar: try CalendarFixtures.rizhao2020(),
                from: instant("2020-01-01T00:00:00Z"), to: instant("2020-03-01T00:00:00Z"),
                hotSpots: [instant("2020-01-28T02:00:00Z")]),
            Subject(
                name: "berlin-nights", calendar: try CalendarFixtures.berlinNights(),
                from: instant("2020-01-01T00:00:00Z"), to: instant("2021-01-31T00:00:00Z"),
                hotSpots: [instant("2020-03-29T01:00:00Z"), instant("2020-10-25T01:00:00Z")]),
        ]
    }

    @Test(arguments: try subjects())
    func workingTimeIsMonotoneInTheEnd(_ s: Subject) {
        var rng = SplitMix64(seed: 1)
        var strictlyMore = 0
        for _ in 0..<Self.cases {
            let a = s.instant(&rng)
            let (t1, t2) = { (x: Timestamp, y: Timestamp) in (min(x, y), max(x, y)) }(s.instant(&rng), s.instant(&rng))
            let (w1, w2) = (s.calendar.workingMicroseconds(from: a, to: t1), s.calendar.workingMicroseconds(from: a, to: t2))
            #expect(w1 <= w2, "a=\(a) t1=\(t1) t2=\(t2)")
            if w1 < w2 { strictlyMore += 1 }
        }
        expectExercised(strictlyMore, of: Self.cases, atLeast: 0.1, "had more working time up to the later end")
    }

    @Test(arguments: try subjects())
    func workingTimeIsAdditive(_ s: Subject) {
        var rng = SplitMix64(seed: 2)
        var bothParts = 0
        for _ in 0..<Self.cases {
            let sorted = [s.instant(&rng), s.instant(&rng), s.instant(&rng)].sorted()
            let (a, b, c) = (sorted[0], sorted[1], sorted[2])
            let whole = s.calendar.workingMicroseconds(from: a, to: c)
            let (first, second) = (s.calendar.workingMicroseconds(from: a, to: b), s.calendar.workingMicroseconds(from: b, to: c))
            #expect(whole == first + second, "a=\(a) b=\(b) c=\(c)")
            if first > 0 && second > 0 { bothParts += 1 }
        }
        expectExercised(bothParts, of: Self.cases, atLeast: 0.1, "had working time in both parts")
    }

    @Test(arguments: try subjects())
    func workingTimeUndoesAdding(_ s: Subject) {
        var rng = SplitMix64(seed: 3)
        var added = 0
        for _ in 0..<Self.cases {
            let a = s.instant(&rng)
            let d = s.amount(&rng)
            let due = s.calendar.adding(workingMicroseconds: d, to: a)
            #expect(due >= a)
            #expect(s.calendar.workingMicroseconds(from: a, to: due) == d, "a=\(a) d=\(d) due=\(due)")
            if d > 0 { added += 1 }
        }
        expectExercised(added, of: Self.cases, atLeast: 0.5, "added some working time")
    }

    @Test(arguments: try subjects())
    func addingTheWorkingTimeUpToAnInstantReachesItNoLater(_ s: Subject) {
        var rng = SplitMix64(seed: 4)
        // Draws where b is in working time (reached exactly) and where it is not (reached earlier).
        var exactly = 0
        for _ in 0..<Self.cases {
            let sorted = [s.instant(&rng), s.instant(&rng)].sorted()
            let (a, b) = (sorted[0], sorted[1])
            let reached = s.calendar.adding(workingMicroseconds: s.calendar.workingMicroseconds(from: a, to: b), to: a)
            #expect(reached <= b, "a=\(a) b=\(b) reached=\(reached)")
            // Exactly b when working time runs right up to b.
            if a < b, s.calendar.isWorkingTime(at: b.adding(microseconds: -1)) {
                #expect(reached == b, "a=\(a) b=\(b) reached=\(reached)")
                exactly += 1
            }
        }
        expectExercised(exactly, of: Self.cases, atLeast: 0.1, "ended in working time")
        expectExercised(Self.cases - exactly, of: Self.cases, atLeast: 0.1, "ended outside working time")
    }

    @Test(arguments: try subjects())
    func addingIsMonotoneInTheAmount(_ s: Subject) {
        var rng = SplitMix64(seed: 5)
        var strictlyLater = 0
        for _ in 0..<Self.cases {
            let a = s.instant(&rng)
            let (d1, d2) = { (x: Int64, y: Int64) in (min(x, y), max(x, y)) }(s.amount(&rng), s.amount(&rng))
            let (due1, due2) = (s.calendar.adding(workingMicroseconds: d1, to: a), s.calendar.adding(workingMicroseconds: d2, to: a))
            #expect(due1 <= due2, "a=\(a) d1=\(d1) d2=\(d2)")
            if due1 < due2 { strictlyLater += 1 }
        }
        expectExercised(strictlyLater, of: Self.cases, atLeast: 0.5, "fell due strictly later for the larger amount")
    }

    @Test(arguments: try subjects())
    func aDeadlineIsReachedWhileWorking(_ s: Subject) {
        var rng = SplitMix64(seed: 6)
        var checked = 0
        for _ in 0..<Self.cases {
            let a = s.instant(&rng)
            let d = s.amount(&rng)
            guard d > 0 else { continue }
            let due = s.calendar.adding(workingMicroseconds: d, to: a)
            #expect(s.calendar.isWorkingTime(at: due.adding(microseconds: -1)), "a=\(a) d=\(d) due=\(due)")
            checked += 1
        }
        expectExercised(checked, of: Self.cases, atLeast: 0.5, "set a deadline after some working time")
    }

    /// The prefix-sum index agrees with adding up each day's office hours one by one.
    @Test(arguments: try subjects())
    func workingTimeEqualsTheSumOfEachDaysOfficeHours(_ s: Subject) {
        var rng = SplitMix64(seed: 7)
        var withWork = 0
        for _ in 0..<Self.cases / 3 {
            let a = s.instant(&rng)
            let b = a.adding(microseconds: Int64.random(in: 0...(45 * 86_400_000_000), using: &rng))
            let working = s.calendar.workingMicroseconds(from: a, to: b)
            #expect(working == Self.daySum(s.calendar, a, b), "a=\(a) b=\(b)")
            if working > 0 { withWork += 1 }
        }
        expectExercised(withWork, of: Self.cases / 3, atLeast: 0.5, "spanned some working time")
    }

    static func daySum(_ calendar: BusinessCalendar, _ a: Timestamp, _ b: Timestamp) -> Int64 {
        var total: Int64 = 0
        let first = calendar.date(at: a).daysSinceEpoch - 1
        let last = calendar.date(at: b).daysSinceEpoch + 1
        for day in first...last {
            for period in calendar.workingPeriods(on: CalendarDate(daysSinceEpoch: day)) {
                let low = max(period.lowerBound, a)
                let high = min(period.upperBound, b)
                if high > low { total += low.microseconds(to: high) }
            }
        }
        return total
    }
}
