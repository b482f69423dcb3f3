/// A working-time calendar of an authority: an IANA time zone, weekly office hours, holidays, swapped
/// working days and local extra hours or closures, answering working-time questions exactly to the
/// microsecond.
///
/// Working time is the time inside office hours of the local days; intervals include their start
/// and exclude their end, so on `09:00-12:00, 13:00-17:00` 12:00 and 17:00 are already off.
/// "One working day" is ``workingDayMicroseconds`` of working time (7 hours on `cn-2020`): counting
/// working days as a fixed amount of working time makes ``adding(workingMicroseconds:to:)`` the exact
/// inverse of ``workingMicroseconds(from:to:)``.
///
/// Every question costs a few binary searches, whatever the distance between the instants: the
/// calendar keeps the running total of working time as a weekly pattern plus a sorted list of the
/// days that differ from it (holidays, swapped days, days with a clock change), so nothing iterates
/// over days or seconds. Instants before 0001-01-02 or after 9999-12-30 (UTC) count as the nearest of
/// these bounds.
public struct BusinessCalendar: WorkingTimeCalendar, CustomStringConvertible {
    /// The calendar versions this calendar is made of, itself first (`rizhao-2020 v1 on cn-2020 v1`).
    public let provenance: CalendarProvenance
    /// The IANA time zone of the office hours (`Asia/Shanghai`).
    public let timeZoneIdentifier: String
    /// The regular office hours of each weekday.
    package let weeklyHours: WeeklyHours
    /// The dates whose office hours differ from the weekly ones (holidays: `closed`; swapped working
    /// days, extra hours, closures: the hours that apply), after all layers are applied.
    package let dateHours: [CalendarDate: DayHours]
    /// The working time of "one working day", in microseconds.
    public let workingDayMicroseconds: Int64
    /// The local dates whose holidays and working days the calendar knows (`covers:`); `nil` when
    /// the calendar states none, and its weekly pattern is meant to hold for every date (`weekdays`).
    /// Outside it, figures are taken from the weekly hours only and are *provisional*.
    package let coverage: ClosedRange<CalendarDate>?
    /// The notices each year's dates come from (`sources:`), base calendar's first.
    package let sources: [(year: Int, text: String)]

    private let notesByDate: [CalendarDate: [String]]
    let zone: TimeZoneOffsets
    private let index: WorkingTimeIndex

    /// A calendar built in code, without a file.
    ///
    /// - Parameters:
    ///   - name: the calendar's name, reported in ``provenance``.
    ///   - version: its version, reported in ``provenance``.
    ///   - timeZoneIdentifier: an IANA time-zone identifier such as `Asia/Shanghai` or `UTC`.
    ///   - weeklyHours: the regular office hours of each weekday.
    ///   - dateHours: the hours of the dates that differ from the regular week (`.closed` for a day off).
    ///   - workingDayMicroseconds: the length of one working day; by default the length of
    ///     ``WeeklyHours/normalDayHours``.
    /// - Throws: ``CalendarError`` `.unknownTimeZone` for an identifier the system does not know,
    ///   `.noWorkingTime` when the week has no office hours, `.invalidValue` for a non-positive day length.
    package init(
        name: String, version: Int = 1, timeZoneIdentifier: String, weeklyHours: WeeklyHours,
        dateHours: [CalendarDate: DayHours] = [:], workingDayMicroseconds: Int64? = nil,
        coverage: ClosedRange<CalendarDate>? = nil
    ) throws(CalendarError) {
        guard let zone = TimeZoneOffsets(identifier: timeZoneIdentifier) else {
            throw CalendarError(.unknownTimeZone, "unknown time zone '\(timeZoneIdentifier)'; use an IANA name such as Asia/Shanghai or UTC")
        }
        try self.init(
            provenance: CalendarProvenance([CalendarVersion(name: name, version: version)]), zone: zone,
            weeklyHours: weeklyHours, dateHours: dateHours, notes: [:],
            workingDayMicroseconds: workingDayMicroseconds ?? weeklyHours.normalDayHours.totalMicroseconds,
            coverage: coverage)
    }

    init(
        provenance: CalendarProvenance, zone: TimeZoneOffsets, weeklyHours: WeeklyHours,
        dateHours: [CalendarDate: DayHours], notes: [CalendarDate: [String]], workingDayMicroseconds: Int64,
        coverage: ClosedRange<CalendarDate>? = nil, sources: [(year: Int, text: String)] = []
    ) throws(CalendarError) {
        guard weeklyHours.totalMicroseconds > 0 else {
            throw CalendarError(.noWorkingTime, "the week has no office hours, so no deadline could ever fall due; give at least one weekday office hours")
        }
        guard workingDayMicroseconds > 0 else {
            throw CalendarError(.invalidValue, "the length of a working day must be positive")
        }
        self.provenance = provenance
        self.zone = zone
        self.timeZoneIdentifier = zone.identifier
        self.weeklyHours = weeklyHours
        self.dateHours = dateHours
        self.notesByDate = notes
        self.workingDayMicroseconds = workingDayMicroseconds
        self.coverage = coverage
        self.sources = sources
        self.index = WorkingTimeIndex(zone: zone, weeklyHours: weeklyHours, dateHours: dateHours)
    }

    /// The calendar's name (the first layer of its ``provenance``).
    public var name: String { provenance.layers.first?.name ?? "" }

    /// The calendar's version (the first layer of its ``provenance``).
    public var version: Int { provenance.layers.first?.version ?? 0 }

    /// The provenance, e.g. `rizhao-2020 v1 on cn-2020 v1`.
    public var description: String { provenance.description }

    // MARK: Coverage

    /// Whether every local date from `start` up to `end` (exclusive) lies inside the calendar's coverage (`covers:`): a
    /// working-time figure or deadline between them rests on known holidays only. Always true for
    /// a calendar that states no coverage.
    public func covers(from start: Timestamp, to end: Timestamp) -> Bool {
        guard let coverage else { return true }
        let last = end > start ? Timestamp(microseconds: end.microseconds - 1) : start
        return coverage.contains(date(at: start)) && coverage.contains(date(at: last))
    }

    /// `2019-01-01 to 2026-12-31`, or nil when the calendar states no coverage.
    public var coverageDescription: String? {
        coverage.map { "\($0.lowerBound) to \($0.upperBound)" }
    }

    /// The last covered date as an instant: the end of that local day (the next local midnight).
    public var coverageEnd: Timestamp? {
        coverage.map { range in
            Timestamp(microseconds: zone.instant(atLocal: Int64(range.upperBound.daysSinceEpoch + 1) * OfficeInterval.microsecondsPerDay))
        }
    }

    /// The first covered instant: local midnight of the first covered date.
    public var coverageStart: Timestamp? {
        coverage.map { range in
            Timestamp(microseconds: zone.instant(atLocal: Int64(range.lowerBound.daysSinceEpoch) * OfficeInterval.microsecondsPerDay))
        }
    }

    // MARK: Working time

    /// Working time between two instants, in microseconds; 0 when `end <= start`.
    ///
    /// Exactly additive: for `a <= b <= c`, `working(a, c) == working(a, b) + working(b, c)`.
    public func workingMicroseconds(from start: Timestamp, to end: Timestamp) -> Int64 {
        guard end > start else { return 0 }
        return index.elapsed(at: end.microseconds) - index.elapsed(at: start.microseconds)
    }

    /// The earliest instant at which `amount` microseconds of working time have elapsed since `start`
    /// (`start` itself when `amount <= 0`).
    ///
    /// "Earliest" means a limit that runs out with the office day ends at its closing time: 7 working
    /// hours from Monday 09:00 on `cn-2020` is Monday 17:00, not Tuesday 09:00. When the amount cannot
    /// be reached before 9999-12-30, the result is that bound (or `start`, if later).
    public func adding(workingMicroseconds amount: Int64, to start: Timestamp) -> Timestamp {
        guard amount > 0 else { return start }
        guard let instant = index.instant(reaching: amount, after: start.microseconds) else {
            return max(start, Timestamp(microseconds: WorkingTimeIndex.lastInstant))
        }
        return Timestamp(microseconds: instant)
    }

    /// Whether `instant` lies inside office hours (an interval's start counts, its end does not).
    public func isWorkingTime(at instant: Timestamp) -> Bool {
        index.isWorkingTime(at: instant.microseconds)
    }

    /// Whether the calendar has working time on the local date `date` (a weekday that is no holiday,
    /// a swapped working day, a holiday with extra duty hours).
    package func isWorkingDay(_ date: CalendarDate) -> Bool {
        index.workingLength(ofDay: date.daysSinceEpoch) > 0
    }

    /// The office hours that apply on the local date `date`.
    package func hours(on date: CalendarDate) -> DayHours {
        dateHours[date] ?? weeklyHours[date.weekday]
    }

    /// The office hours of `date` as instants, skipping hours a clock change removes.
    package func workingPeriods(on date: CalendarDate) -> [Range<Timestamp>] {
        let midnight = Int64(date.daysSinceEpoch) * OfficeInterval.microsecondsPerDay
        return hours(on: date).intervals.compactMap { interval in
            let start = zone.instant(atLocal: midnight + interval.start)
            let end = zone.instant(atLocal: midnight + interval.end)
            return end > start ? Timestamp(microseconds: start)..<Timestamp(microseconds: end) : nil
        }
    }

    /// The local date whose office hours govern `instant`: its date on the local clock (during the
    /// hour repeated when clocks go back, the later of the two readings).
    package func date(at instant: Timestamp) -> CalendarDate {
        let day = zone.localClock(at: instant.microseconds).floorDivided(by: OfficeInterval.microsecondsPerDay).quotient
        return CalendarDate(daysSinceEpoch: Int(day))
    }

    /// The calendar's offset from UTC at `instant`, in seconds.
    public func utcOffsetSeconds(at instant: Timestamp) -> Int {
        Int(zone.offset(at: instant.microseconds) / 1_000_000)
    }

    /// Why `date` is special, one note per holiday, swapped day, extra hours or closure entry that
    /// names it (base calendar first); empty for an ordinary day.
    package func notes(on date: CalendarDate) -> [String] {
        notesByDate[date] ?? []
    }
}

/// The running total of working time, as a weekly pattern plus the days that differ from it.
///
/// `elapsed(at: t)` is the working time from a fixed origin to `t`; every question is a difference
/// or an inverse of it. The total before local day `d` is `weeks * weekTotal + weekPrefix[weekday]`
/// for the regular pattern, corrected by the sum of `(actual - regular)` over the exceptional days
/// before `d`, found by binary search.
private struct WorkingTimeIndex: Sendable {
    static let day = OfficeInterval.microsecondsPerDay
    /// 0001-01-02T00:00:00Z and 9999-12-30T00:00:00Z: the instants arithmetic is defined between.
    static let firstInstant = Int64(CivilDateTime.daysFromCivil(year: 1, month: 1, day: 2)) * day
    static let lastInstant = Int64(CivilDateTime.daysFromCivil(year: 9999, month: 12, day: 30)) * day

    let zone: TimeZoneOffsets
    /// Interval bounds (start, end, start, end, ...) in microseconds of local day: the regular
    /// weekdays' first, then the exceptional days'.
    let bounds: [Int64]
    /// Intervals of weekday `w` (0 = Monday) are pairs `weekdayFirst[w] ..< weekdayFirst[w + 1]`.
    let weekdayFirst: [Int]
    /// `weekPrefix[w]`: regular working time of the weekdays before `w` (0 = Monday); `weekPrefix[7]` is the week.
    let weekPrefix: [Int64]
    /// The exceptional local days (days since the local epoch), ascending.
    let specialDays: [Int]
    /// Intervals of special day `i` are pairs `specialFirst[i] ..< specialFirst[i + 1]`.
    let specialFirst: [Int]
    /// `deltaPrefix[i]`: the sum of `(actual - regular)` working time over special days `0 ..< i`.
    let deltaPrefix: [Int64]
    /// The local days of ``firstInstant`` and ``lastInstant``.
    let firstDay: Int
    let lastDay: Int

    init(zone: TimeZoneOffsets, weeklyHours: WeeklyHours, dateHours: [CalendarDate: DayHours]) {
        self.zone = zone
        var bounds: [Int64] = []
        var weekdayFirst: [Int] = []
        var weekPrefix: [Int64] = [0]
        for weekday in Weekday.allCases {
            weekdayFirst.append(bounds.count / 2)
            for interval in weeklyHours[weekday].intervals { bounds += [interval.start, interval.end] }
            weekPrefix.append(weekPrefix[weekPrefix.count - 1] + weeklyHours[weekday].totalMicroseconds)
        }
        weekdayFirst.append(bounds.count / 2)

        let firstDay = Int(zone.localClock(at: Self.firstInstant).floorDivided(by: Self.day).quotient)
        let lastDay = Int(zone.localClock(at: Self.lastInstant).floorDivided(by: Self.day).quotient)
        var special = Set(dateHours.keys.map(\.daysSinceEpoch))
        special.formUnion(zone.daysNearTransitions(microsecondsPerDay: Self.day))
        let specialDays = special.filter { $0 >= firstDay - 1 && $0 <= lastDay + 1 }.sorted()

        var specialFirst: [Int] = []
        var deltaPrefix: [Int64] = [0]
        for d in specialDays {
            specialFirst.append(bounds.count / 2)
            let date = CalendarDate(daysSinceEpoch: d)
            let hours = dateHours[date] ?? weeklyHours[date.weekday]
            let midnight = Int64(d) * Self.day
            var actual: Int64 = 0
            for interval in hours.intervals {
                bounds += [interval.start, interval.end]
                actual += zone.instant(atLocal: midnight + interval.end) - zone.instant(atLocal: midnight + interval.start)
            }
            let regular = weeklyHours[date.weekday].totalMicroseconds
            deltaPrefix.append(deltaPrefix[deltaPrefix.count - 1] + actual - regular)
        }
        specialFirst.append(bounds.count / 2)

        self.bounds = bounds
        self.weekdayFirst = weekdayFirst
        self.weekPrefix = weekPrefix
        self.specialDays = specialDays
        self.specialFirst = specialFirst
        self.deltaPrefix = deltaPrefix
        self.firstDay = firstDay
        self.lastDay = lastDay
    }

    /// The index of the first special day `>= d`.
    @inline(__always)
    private func specialIndex(_ d: Int) -> Int {
        var low = 0
        var high = specialDays.count
        while low < high {
            let mid = (low + high) >> 1
            if specialDays[mid] < d { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Weekday of local day `d`, 0 = Monday (1970-01-01, day 0, was a Thursday).
    @inline(__always)
    private static func weekdayIndex(_ d: Int) -> (weeks: Int, weekday: Int) {
        let (weeks, weekday) = (d + 3).floorDivided(by: 7)
        return (weeks, weekday)
    }

    /// Working time from the origin to the start of local day `d`.
    private func elapsed(beforeDay d: Int) -> Int64 {
        let (weeks, weekday) = Self.weekdayIndex(d)
        return Int64(weeks) * weekPrefix[7] + weekPrefix[weekday] + deltaPrefix[specialIndex(d)]
    }

    /// The interval pairs of local day `d`, given its special index `i`.
    @inline(__always)
    private func pairs(ofDay d: Int, specialIndex i: Int) -> Range<Int> {
        if i < specialDays.count, specialDays[i] == d { return specialFirst[i]..<specialFirst[i + 1] }
        let weekday = Self.weekdayIndex(d).weekday
        return weekdayFirst[weekday]..<weekdayFirst[weekday + 1]
    }

    /// Working time from the origin to instant `t` (microseconds since the epoch).
    func elapsed(at instant: Int64) -> Int64 {
        let t = min(max(instant, Self.firstInstant), Self.lastInstant)
        let period = zone.period(at: t)
        let d = Int(zone.localClock(at: t, period: period).floorDivided(by: Self.day).quotient)
        let (weeks, weekday) = Self.weekdayIndex(d)
        let i = specialIndex(d)
        var total = Int64(weeks) * weekPrefix[7] + weekPrefix[weekday] + deltaPrefix[i]
        let midnight = Int64(d) * Self.day
        if i < specialDays.count, specialDays[i] == d {
            // Possibly a day with a clock change: map each bound through the zone.
            for pair in specialFirst[i]..<specialFirst[i + 1] {
                let start = zone.instant(atLocal: midnight + bounds[2 * pair])
                if t <= start { break }
                total += min(t, zone.instant(atLocal: midnight + bounds[2 * pair + 1])) - start
            }
        } else {
            // A regular day lies within one offset period: a plain shift.
            let shift = midnight - zone.offsets[period]
            for pair in weekdayFirst[weekday]..<weekdayFirst[weekday + 1] {
                let start = shift + bounds[2 * pair]
                if t <= start { break }
                total += min(t, shift + bounds[2 * pair + 1]) - start
            }
        }
        return total
    }

    /// The earliest instant after `start` at which `amount` (> 0) of working time has elapsed, or
    /// `nil` when that is beyond ``lastInstant``.
    func instant(reaching amount: Int64, after start: Int64) -> Int64? {
        let (target, overflow) = elapsed(at: start).addingReportingOverflow(amount)
        guard !overflow, target <= elapsed(at: Self.lastInstant) else { return nil }
        let t = min(max(start, Self.firstInstant), Self.lastInstant)
        let startDay = Int(zone.localClock(at: t).floorDivided(by: Self.day).quotient)
        // Find the day d with elapsed(beforeDay: d) < target <= elapsed(beforeDay: d + 1): gallop
        // forward from the start's day, then bisect.
        var low = startDay
        var high = startDay + 1
        var step = 1
        while high <= lastDay, elapsed(beforeDay: high) < target {
            low = high
            step *= 2
            high = min(startDay + step, lastDay + 1)
        }
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if elapsed(beforeDay: mid) < target { low = mid } else { high = mid }
        }
        var remaining = target - elapsed(beforeDay: low)
        let midnight = Int64(low) * Self.day
        var last = Self.lastInstant
        for pair in pairs(ofDay: low, specialIndex: specialIndex(low)) {
            let from = zone.instant(atLocal: midnight + bounds[2 * pair])
            let to = zone.instant(atLocal: midnight + bounds[2 * pair + 1])
            if remaining <= to - from { return from + remaining }
            remaining -= to - from
            last = to
        }
        // Unreachable when the totals are consistent; the day's end is the safe answer.
        return last
    }

    /// Whether instant `t` is inside the office hours of its local day.
    func isWorkingTime(at t: Int64) -> Bool {
        guard t >= Self.firstInstant, t <= Self.lastInstant else { return false }
        let d = Int(zone.localClock(at: t).floorDivided(by: Self.day).quotient)
        let midnight = Int64(d) * Self.day
        for pair in pairs(ofDay: d, specialIndex: specialIndex(d)) {
            let start = zone.instant(atLocal: midnight + bounds[2 * pair])
            if t < start { return false }
            if t < zone.instant(atLocal: midnight + bounds[2 * pair + 1]) { return true }
        }
        return false
    }

    /// The working time of local day `d`.
    func workingLength(ofDay d: Int) -> Int64 {
        elapsed(beforeDay: d + 1) - elapsed(beforeDay: d)
    }
}
