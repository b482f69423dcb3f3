/// One stretch of office hours within a local day, such as 09:00-12:00: from `start` (included) to
/// `end` (excluded), in microseconds since local midnight.
///
/// `end` may be 24:00 (the next midnight), so a round-the-clock day is `00:00-24:00`.
package struct OfficeInterval: Hashable, Sendable, CustomStringConvertible {
    /// Microseconds in a day: the largest allowed `end` (24:00).
    package static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Microseconds since local midnight at which the interval starts (included).
    package let start: Int64
    /// Microseconds since local midnight at which the interval ends (excluded).
    package let end: Int64

    /// The interval from `start` to `end` microseconds after local midnight, or `nil` unless
    /// `0 <= start < end <= 24:00`.
    package init?(start: Int64, end: Int64) {
        guard start >= 0, start < end, end <= OfficeInterval.microsecondsPerDay else { return nil }
        self.start = start
        self.end = end
    }

    /// The interval from `startHour:startMinute` to `endHour:endMinute`, or `nil` unless the times
    /// are valid (the end may be 24:00) and the start comes first.
    package init?(_ startHour: Int, _ startMinute: Int, _ endHour: Int, _ endMinute: Int) {
        guard (0...59).contains(startMinute), (0...59).contains(endMinute) else { return nil }
        self.init(
            start: Int64(startHour * 3600 + startMinute * 60) * 1_000_000,
            end: Int64(endHour * 3600 + endMinute * 60) * 1_000_000)
    }

    /// Its length in microseconds.
    package var length: Int64 { end - start }

    /// `09:00-12:00` (seconds and fractions shown only when present).
    package var description: String { "\(OfficeInterval.format(start))-\(OfficeInterval.format(end))" }

    /// Formats microseconds since midnight as `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ffffff`.
    static func format(_ microseconds: Int64) -> String {
        let seconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var text = "\(pad(seconds / 3600, 2)):\(pad(seconds % 3600 / 60, 2))"
        if seconds % 60 != 0 || fraction != 0 { text += ":\(pad(seconds % 60, 2))" }
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}
