import DocketAnalytics
import Foundation

/// Durations in human units, the same in the CLI's tables and on the pages.
package enum Format {
    /// A duration in human units: `45 s`, `12 min`, `3 h 05 min`, `2 d 14 h`, `1 y 23 d` (a
    /// year is 365 days: `800 d 3 h` would make a reader count).
    package static func duration(seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let negative = seconds < 0
        let s = abs(seconds)
        let text: String
        if s < 60 {
            text = s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
        } else if s < 3600 {
            text = "\(Int(s / 60)) min"
        } else if s < 86_400 {
            let minutes = Int(s / 60)
            text = String(format: "%d h %02d min", minutes / 60, minutes % 60)
        } else if s < 365 * 86_400 {
            let hours = Int(s / 3600)
            text = "\(hours / 24) d \(hours % 24) h"
        } else {
            let days = Int(s / 86_400)
            text = "\(days / 365) y \(days % 365) d"
        }
        return negative ? "-" + text : text
    }
}

extension Format {
    /// Working time in the calendar's units: `4 h 30 min`, `2 working days 3 h` (a working day is
    /// the calendar's own, 7 hours on `cn-2020`, so 24-hour days would mislead).
    package static func workingTime(seconds: Double, workingDaySeconds: Double) -> String {
        guard seconds.isFinite, workingDaySeconds > 0 else { return duration(seconds: seconds) }
        let s = abs(seconds), sign = seconds < 0 ? "-" : ""
        guard s >= workingDaySeconds else { return sign + duration(seconds: s) }
        let days = Int(s / workingDaySeconds)
        let hours = Int((s - Double(days) * workingDaySeconds) / 3600)
        return sign + "\(days) working day\(days == 1 ? "" : "s")" + (hours > 0 ? " \(hours) h" : "")
    }
}

/// Human durations on one clock: wall-clock time in days and hours, working time in working days
/// (of the calendar's length) and hours, so that `2 wd` reads as the authority's "2 working days".
package struct DurationStyle {
    package var measure: TimeMeasure
    /// Seconds in one working day, when known.
    package var workingDay: Double?

    /// Durations on `measure`'s clock; working days of `workingDay` seconds.
    package init(measure: TimeMeasure, workingDay: Double?) {
        self.measure = measure
        self.workingDay = workingDay
    }

    package var clockName: String {
        switch measure {
        case .wall: "wall-clock time"
        case .working: "working time"
        case .statutory: "statutory time"
        }
    }

    package func text(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        guard measure != .wall, let day = workingDay, day > 0, abs(seconds) >= day else {
            return measure == .wall || abs(seconds) < 86_400 ? Format.duration(seconds: seconds) : hoursText(seconds)
        }
        let sign = seconds < 0 ? "-" : ""
        let whole = abs(seconds)
        let days = Int(whole / day)
        let hours = Int((whole - Double(days) * day) / 3600)
        return "\(sign)\(days) wd \(hours) h"
    }

    /// `31 h 20 min`: working time without a known working day is never shown in 24-hour days.
    private func hoursText(_ seconds: Double) -> String {
        let minutes = Int(abs(seconds) / 60)
        return (seconds < 0 ? "-" : "") + String(format: "%d h %02d min", minutes / 60, minutes % 60)
    }
}

