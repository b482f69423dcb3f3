/// A date on the proleptic Gregorian calendar, without a time zone: the day a holiday falls on, or
/// the local day whose office hours a ``BusinessCalendar`` applies.
///
/// Stored as a day count so that comparing, hashing and stepping through dates is integer work.
/// Calendars accept the years 1 to 9999.
package struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    package let daysSinceEpoch: Int

    /// The date `daysSinceEpoch` days after 1970-01-01.
    package init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The date `year-month-day`, or `nil` when there is no such date or the year is outside 1...9999.
    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilDateTime.daysInMonth(year: year, month: month)
        else { return nil }
        self.daysSinceEpoch = CivilDateTime.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses an ISO 8601 calendar date, exactly `YYYY-MM-DD` (e.g. `2020-01-28`); `nil` for anything
    /// else, an impossible date (`2020-02-30`) included.
    package init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= 0x30, bytes[i] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The year, 1...9999 for dates built from text or components.
    package var year: Int { CivilDateTime.civilFromDays(daysSinceEpoch).year }
    /// The month, 1 = January.
    package var month: Int { CivilDateTime.civilFromDays(daysSinceEpoch).month }
    /// The day of the month, from 1.
    package var day: Int { CivilDateTime.civilFromDays(daysSinceEpoch).day }

    /// The day of the week this date falls on.
    package var weekday: Weekday {
        // isoWeekday is always in 1...7, so the fallback is never taken.
        Weekday(isoNumber: CivilDateTime.isoWeekday(daysSinceEpoch: daysSinceEpoch)) ?? .monday
    }

    /// The date `days` days later (earlier when negative).
    package func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Whether `lhs` is the earlier date.
    package static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// `YYYY-MM-DD`.
    package var description: String {
        let (y, m, d) = CivilDateTime.civilFromDays(daysSinceEpoch)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}
