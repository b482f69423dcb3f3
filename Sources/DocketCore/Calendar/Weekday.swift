/// A day of the week, numbered as ISO 8601 does (Monday = 1 ... Sunday = 7).
///
/// The raw value is the English name in lower case, as calendar files spell it (`monday`).
package enum Weekday: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The ISO 8601 number of the day: 1 for Monday ... 7 for Sunday.
    package var isoNumber: Int {
        switch self {
        case .monday: 1
        case .tuesday: 2
        case .wednesday: 3
        case .thursday: 4
        case .friday: 5
        case .saturday: 6
        case .sunday: 7
        }
    }

    /// The weekday with ISO 8601 number `isoNumber` (1 = Monday ... 7 = Sunday), `nil` outside 1...7.
    package init?(isoNumber: Int) {
        guard (1...7).contains(isoNumber) else { return nil }
        self = Weekday.allCases[isoNumber - 1]
    }

    /// The lower-case English name, as calendar files spell it.
    package var description: String { rawValue }
}
