import DocketCore

/// A calendar's working days and hours over one year (`calendar show NAME --year Y`), for checking
/// a calendar file against the holiday notice it transcribes. Dates and hours are local to the
/// calendar's zone; durations are seconds.
package struct CalendarYearView: Encodable, Sendable {
    /// One calendar version, as in a report's `provenance.layers`.
    package struct LayerView: Encodable, Sendable {
        package var name: String
        package var version: Int
    }

    /// One month: how many days have working time, how much, and which days.
    package struct MonthView: Encodable, Sendable {
        package var month: Int
        package var name: String
        package var workingDays: Int
        package var workingSeconds: Int64
        /// The dates with working time, `2020-01-02`, ascending.
        package var workingDates: [String]
    }

    /// A date that differs from the weekly pattern, or that the calendar has a note for.
    package struct SpecialDayView: Encodable, Sendable {
        package var date: String
        package var weekday: String
        /// `holiday` (no working time on a day that has some, or a noted day off), `working_day`
        /// (working time on a day that normally has none), `special_hours` (other hours than the
        /// weekday's), `noted` (the weekday's hours, with a note).
        package var kind: String
        /// `09:00-12:00, 13:00-17:00`, or `closed`.
        package var hours: String
        /// The weekday's regular hours, for comparison.
        package var regularHours: String
        package var workingSeconds: Int64
        package var notes: [String]
    }

    package var calendar: String
    package var version: Int
    package var provenance: [LayerView]
    package var timeZone: String
    package var year: Int
    /// One line per weekday with office hours, `monday: 09:00-12:00, 13:00-17:00`.
    package var weeklyHours: [String]
    package var workingDaySeconds: Int64
    package var months: [MonthView]
    package var specialDays: [SpecialDayView]
    package var workingDays: Int
    package var workingSeconds: Int64
    /// The dates the calendar knows holidays for, `{from, to}`; nil when it states none.
    package var covers: CoversView?
    /// The dates of the year outside ``covers`` (`2027-01-01 to 2027-12-31`), whose figures follow
    /// the weekly hours alone; nil when the whole year is covered.
    package var uncovered: String?
    /// The notices the year's dates come from (`sources:` of the calendar and its bases).
    package var sources: [String]

    /// The first and last covered date.
    package struct CoversView: Encodable, Sendable {
        package var from: String
        package var to: String
    }

    package static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// The view of `calendar` over `year` (callers keep the year inside 1970-2100 or so).
    package init(_ calendar: BusinessCalendar, year: Int) {
        self.calendar = calendar.name
        version = calendar.version
        provenance = calendar.provenance.layers.map { LayerView(name: $0.name, version: $0.version) }
        timeZone = calendar.timeZoneIdentifier
        self.year = year
        weeklyHours = calendar.weeklyHours.description.split(separator: "\n").map(String.init)
        workingDaySeconds = calendar.workingDayMicroseconds / 1_000_000
        var months: [MonthView] = []
        var special: [SpecialDayView] = []
        for month in 1...12 {
            var view = MonthView(month: month, name: Self.monthNames[month - 1], workingDays: 0, workingSeconds: 0, workingDates: [])
            var day = 1
            while let date = CalendarDate(year: year, month: month, day: day) {
                let micros = calendar.workingPeriods(on: date).reduce(Int64(0)) {
                    $0 + ($1.upperBound.microseconds - $1.lowerBound.microseconds)
                }
                let seconds = micros / 1_000_000
                if calendar.isWorkingDay(date) {
                    view.workingDays += 1
                    view.workingDates.append(date.description)
                }
                view.workingSeconds += seconds
                let hours = calendar.hours(on: date)
                let regular = calendar.weeklyHours[date.weekday]
                let notes = calendar.notes(on: date)
                if hours != regular || !notes.isEmpty {
                    let kind: String
                    if hours.isClosed {
                        kind = "holiday"
                    } else if regular.isClosed {
                        kind = "working_day"
                    } else if hours != regular {
                        kind = "special_hours"
                    } else {
                        kind = "noted"
                    }
                    special.append(SpecialDayView(
                        date: date.description, weekday: date.weekday.rawValue, kind: kind, hours: hours.description,
                        regularHours: regular.description, workingSeconds: seconds, notes: notes))
                }
                day += 1
            }
            months.append(view)
        }
        self.months = months
        specialDays = special
        workingDays = months.reduce(0) { $0 + $1.workingDays }
        workingSeconds = months.reduce(0) { $0 + $1.workingSeconds }
        covers = calendar.coverage.map { CoversView(from: $0.lowerBound.description, to: $0.upperBound.description) }
        sources = calendar.sources.filter { $0.year == year }.map { $0.text }
        uncovered = nil
        if let coverage = calendar.coverage, let first = CalendarDate(year: year, month: 1, day: 1),
           let last = CalendarDate(year: year, month: 12, day: 31) {
            if last < coverage.lowerBound || first > coverage.upperBound {
                uncovered = "\(first) to \(last)"
            } else if first < coverage.lowerBound {
                uncovered = "\(first) to \(coverage.lowerBound.adding(days: -1))"
            } else if last > coverage.upperBound {
                uncovered = "\(coverage.upperBound.adding(days: 1)) to \(last)"
            }
        }
    }
}
