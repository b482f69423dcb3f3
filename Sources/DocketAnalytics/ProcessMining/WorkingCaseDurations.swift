import DocketCore

/// Case durations in working time on a business calendar (`docket analyze --calendar`): pm4py
/// knows only wall-clock time, so this is Docket's own figure beside its reference ones.
///
/// A case's working duration is the calendar's working time between its earliest and its latest
/// event (a log whose traces run backwards in time measures the span they cover). Memory: one
/// entry per case.
public struct WorkingCaseDurations: Sendable {
    /// The calendar counted on.
    public let calendar: any WorkingTimeCalendar
    private var spans: [String: (first: Timestamp, last: Timestamp)] = [:]

    public init(calendar: any WorkingTimeCalendar) {
        self.calendar = calendar
    }

    /// Counts one event of case `caseID` at `timestamp`.
    public mutating func add(caseID: String, timestamp: Timestamp) {
        if let span = spans[caseID] {
            if timestamp < span.first { spans[caseID]!.first = timestamp }
            if timestamp > span.last { spans[caseID]!.last = timestamp }
        } else {
            spans[caseID] = (timestamp, timestamp)
        }
    }

    /// The summary of the cases' working durations in seconds; `nil` for an empty log.
    public func finish() -> DistributionSummary? {
        DistributionSummary(spans.values.map { Double(calendar.workingMicroseconds(from: $0.first, to: $0.last)) / 1e6 })
    }

    /// One working day of the calendar, in seconds.
    public var workingDaySeconds: Double { Double(calendar.workingDayMicroseconds) / 1e6 }
}

extension DistributionSummary {
    /// The summary as the reference files write one (`n`, `min`, `p25`, `median`, `mean`, `p75`,
    /// `p90`, `max`).
    public var summaryJSON: JSONValue {
        .object([
            ("n", .int(count)), ("min", .double(min)), ("p25", .double(p25)),
            ("median", .double(median)), ("mean", .double(mean)), ("p75", .double(p75)),
            ("p90", .double(p90)), ("max", .double(max)),
        ])
    }
}
