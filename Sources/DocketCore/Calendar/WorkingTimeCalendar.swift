/// Working-time arithmetic, the seam between the engine (deadlines) and business calendars.
///
/// The engine and the analytics ask a calendar only these questions; ``BusinessCalendar`` answers
/// them from office hours, holidays and swapped working days, ``AlwaysWorkingCalendar`` counts every
/// second (for imported logs and tests).
public protocol WorkingTimeCalendar: Sendable {
    /// Working time between two instants, in microseconds; 0 when `end <= start`.
    func workingMicroseconds(from start: Timestamp, to end: Timestamp) -> Int64

    /// The earliest instant at which `amount` microseconds of working time have elapsed since
    /// `start` (`start` itself when `amount <= 0`).
    func adding(workingMicroseconds amount: Int64, to start: Timestamp) -> Timestamp

    /// The length of one working day, in microseconds (7 hours for `cn-2020`): the unit in which
    /// "N working days" is counted.
    var workingDayMicroseconds: Int64 { get }

    /// The calendar's offset from UTC at `instant`, in seconds, for showing times in local time.
    func utcOffsetSeconds(at instant: Timestamp) -> Int

    /// Whether the calendar knows the holidays of every date from `start` to `end`: when not, a
    /// figure or deadline between them is *provisional* (taken from the weekly hours alone, and
    /// it moves when the holidays of those dates are deployed).
    func covers(from start: Timestamp, to end: Timestamp) -> Bool
}

extension WorkingTimeCalendar {
    /// A calendar that states no coverage knows every date.
    public func covers(from start: Timestamp, to end: Timestamp) -> Bool { true }
}

/// A calendar on which every second is working time, at UTC; one working day is 24 hours.
public struct AlwaysWorkingCalendar: WorkingTimeCalendar {
    public init() {}
    public func workingMicroseconds(from start: Timestamp, to end: Timestamp) -> Int64 {
        max(0, end.microseconds - start.microseconds)
    }
    public func adding(workingMicroseconds amount: Int64, to start: Timestamp) -> Timestamp {
        // A limit of a billion working days saturates at the end of time rather than trapping.
        let (due, overflow) = start.microseconds.addingReportingOverflow(max(0, amount))
        return Timestamp(microseconds: overflow ? Int64.max : due)
    }
    public var workingDayMicroseconds: Int64 { 86_400_000_000 }
    public func utcOffsetSeconds(at instant: Timestamp) -> Int { 0 }
}

/// A time limit as definitions state it: `2 working days`, `0.5 working days`, `4 working hours`,
/// `30 working minutes`, or wall-clock `3 days`, `12 hours`, `45 minutes`.
public struct TimeLimit: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Hashable, Sendable {
        case workingDays = "working days"
        case workingHours = "working hours"
        case workingMinutes = "working minutes"
        case days, hours, minutes
    }

    /// How many units; fractions allowed (half a working day is `0.5 working days`).
    public var amount: Double
    public var unit: Unit

    public init(amount: Double, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `2 working days`, `1 working day`, `0.5 working days`, `4 working hours`, `3 days`, ...
    /// Returns `nil` for anything else (a negative or non-finite amount included).
    public init?(parsing text: String) {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2 || words.count == 3, let amount = Double(words[0]), amount.isFinite, amount >= 0 else { return nil }
        var unitWords = words.dropFirst().map(String.init)
        if let last = unitWords.last, last.hasSuffix("s") == false { unitWords[unitWords.count - 1] = last + "s" }
        guard let unit = Unit(rawValue: unitWords.joined(separator: " ")) else { return nil }
        self.init(amount: amount, unit: unit)
    }

    public var description: String {
        let n = amount == amount.rounded() && abs(amount) < 1e15 ? String(Int(amount)) : String(amount)
        // "1 working day", "2 working days", "0.5 working days".
        return "\(n) \(amount == 1 ? String(unit.rawValue.dropLast()) : unit.rawValue)"
    }

    /// Whether the limit counts working time on the workflow's calendar (otherwise wall-clock time).
    public var isWorkingTime: Bool { unit == .workingDays || unit == .workingHours || unit == .workingMinutes }

    /// The limit in microseconds: of working time on `calendar` when ``isWorkingTime``, else wall-clock.
    public func microseconds(on calendar: some WorkingTimeCalendar) -> Int64 {
        let perUnit: Double
        switch unit {
        case .workingDays: perUnit = Double(calendar.workingDayMicroseconds)
        case .workingHours, .hours: perUnit = 3_600_000_000
        case .workingMinutes, .minutes: perUnit = 60_000_000
        case .days: perUnit = 86_400_000_000
        }
        // Saturates instead of trapping: `1e30 working days` parses, and must not crash the engine.
        let value = (amount * perUnit).rounded()
        return value < 9.2e18 ? Int64(value) : Int64.max
    }

    /// The instant the limit runs out for something that started at `start` and never paused.
    public func due(from start: Timestamp, on calendar: some WorkingTimeCalendar) -> Timestamp {
        if isWorkingTime { return calendar.adding(workingMicroseconds: microseconds(on: calendar), to: start) }
        let (due, overflow) = start.microseconds.addingReportingOverflow(microseconds(on: calendar))
        return Timestamp(microseconds: overflow ? Int64.max : due)
    }
}

extension WorkingTimeCalendar {
    /// The earliest instant at which `days` working days (each ``workingDayMicroseconds`` of working
    /// time) have elapsed since `start`; `start` itself when `days <= 0`.
    public func adding(workingDays days: Int, to start: Timestamp) -> Timestamp {
        let (amount, overflow) = Int64(days).multipliedReportingOverflow(by: workingDayMicroseconds)
        return adding(workingMicroseconds: overflow ? Int64.max : amount, to: start)
    }

    /// Working time between two instants in working days (fractions included): 2.0 for a review
    /// accepted on a Sunday evening and certified on the Wednesday morning on `cn-2020`.
    public func workingDays(from start: Timestamp, to end: Timestamp) -> Double {
        Double(workingMicroseconds(from: start, to: end)) / Double(workingDayMicroseconds)
    }
}
