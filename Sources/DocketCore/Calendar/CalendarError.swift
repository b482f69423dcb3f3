/// Why a calendar built in code (`BusinessCalendar/init(name:version:timeZoneIdentifier:weeklyHours:dateHours:workingDayMicroseconds:)`)
/// cannot exist.
///
/// Not about a file: a calendar *file*'s problems, these included, are ``FileProblems`` from
/// ``CalendarLoader``, each at its line and column.
public struct CalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is; stable, for tests and tools.
    public enum Code: String, Hashable, Sendable {
        /// The time zone is not in the system's IANA time-zone database.
        case unknownTimeZone = "unknown_time_zone"
        /// The regular week has no office hours, so working time could never accrue.
        case noWorkingTime = "no_working_time"
        /// The length of a working day is not positive.
        case invalidValue = "invalid_value"
    }

    /// What kind of problem it is.
    public var code: Code
    /// What is wrong and how to fix it, in a sentence.
    public var message: String

    /// An error of kind `code`, explained by `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension CalendarError: DocketError, CodedError {
    public var kind: FailureKind { .invalidInput }
}
