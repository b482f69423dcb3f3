/// The office hours of one local day: sorted, non-overlapping ``OfficeInterval``s (none on a day off).
///
/// Intervals that overlap or touch are merged, so two `DayHours` are equal exactly when they cover
/// the same times of day.
package struct DayHours: Hashable, Sendable, CustomStringConvertible {
    /// The intervals, sorted by start, pairwise separated by a gap.
    package let intervals: [OfficeInterval]

    /// A day without office hours.
    package static let closed = DayHours([])

    /// The union of `intervals`, in any order, overlapping or not.
    package init(_ intervals: [OfficeInterval]) {
        var merged: [OfficeInterval] = []
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, interval.start <= last.end {
                if interval.end > last.end, let joined = OfficeInterval(start: last.start, end: interval.end) {
                    merged[merged.count - 1] = joined
                }
            } else {
                merged.append(interval)
            }
        }
        self.intervals = merged
    }

    /// Whether the day has no office hours.
    package var isClosed: Bool { intervals.isEmpty }

    /// The total length of the office hours, in microseconds of local clock time.
    package var totalMicroseconds: Int64 { intervals.reduce(0) { $0 + $1.length } }

    /// These hours together with `other` (extra duty hours).
    package func union(_ other: DayHours) -> DayHours { DayHours(intervals + other.intervals) }

    /// These hours without the times in `other` (a closure of part of a day).
    package func subtracting(_ other: DayHours) -> DayHours {
        var result: [OfficeInterval] = []
        for interval in intervals {
            var pieces = [interval]
            for cut in other.intervals {
                pieces = pieces.flatMap { piece -> [OfficeInterval] in
                    guard cut.start < piece.end, cut.end > piece.start else { return [piece] }
                    return [OfficeInterval(start: piece.start, end: cut.start), OfficeInterval(start: cut.end, end: piece.end)]
                        .compactMap { $0 }
                }
            }
            result += pieces
        }
        return DayHours(result)
    }

    /// `09:00-12:00, 13:00-17:00`, or `closed`.
    package var description: String {
        isClosed ? "closed" : intervals.map(\.description).joined(separator: ", ")
    }
}
