/// The regular office hours of each day of the week, before holidays and swapped working days.
package struct WeeklyHours: Hashable, Sendable, CustomStringConvertible {
    /// Hours per weekday, Monday first.
    private var days: [DayHours]

    /// A week with `hours` on the weekdays listed and no office hours on the others.
    package init(_ hours: [Weekday: DayHours]) {
        days = Weekday.allCases.map { hours[$0] ?? .closed }
    }

    /// The same `hours` on each of `weekdays`, closed on the others (e.g. Monday to Friday).
    package init(_ hours: DayHours, on weekdays: [Weekday]) {
        self.init(Dictionary(weekdays.map { ($0, hours) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The hours of `weekday`.
    package subscript(weekday: Weekday) -> DayHours {
        get { days[weekday.isoNumber - 1] }
        set { days[weekday.isoNumber - 1] = newValue }
    }

    /// The working time of a regular week, in microseconds of local clock time.
    package var totalMicroseconds: Int64 { days.reduce(0) { $0 + $1.totalMicroseconds } }

    /// The hours of a normal working day: the non-empty hours shared by most weekdays (the earliest
    /// such weekday wins a tie), or `closed` when no day has office hours.
    ///
    /// A swapped working day works these hours unless its entry says otherwise, and its length is
    /// the default length of "one working day".
    package var normalDayHours: DayHours {
        var best = DayHours.closed
        var bestCount = 0
        for hours in days where !hours.isClosed {
            let count = days.filter { $0 == hours }.count
            if count > bestCount {
                best = hours
                bestCount = count
            }
        }
        return best
    }

    /// One line per weekday with office hours, e.g. `monday: 09:00-12:00, 13:00-17:00`.
    package var description: String {
        Weekday.allCases.filter { !self[$0].isClosed }.map { "\($0): \(self[$0])" }.joined(separator: "\n")
    }
}
