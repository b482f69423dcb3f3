/// Why a calendar could not be loaded or built, and where: printed as
/// `FILE:LINE:COLUMN: error: message`, the form editors and CI logs link to.
public struct CalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is; stable, for tests and tools.
    public enum Code: String, Hashable, Sendable {
        /// The text is not well-formed YAML.
        case syntax
        /// A key the format does not define (often a typo).
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value has the wrong shape (a list where a mapping belongs, text where a number belongs).
        case invalidValue
        /// Not a `YYYY-MM-DD` date, or no such date.
        case invalidDate
        /// Not an `HH:MM-HH:MM` interval, or no such time of day.
        case invalidTime
        /// An interval or a date range ends before (or where) it starts.
        case endBeforeStart
        /// Two intervals of the same day overlap.
        case overlappingIntervals
        /// A date is listed twice, or both as a holiday and as a working day.
        case conflictingDates
        /// The time zone is not in the system's IANA time-zone database.
        case unknownTimeZone
        /// The base calendar named by an override is not known, or has another version.
        case unknownBase
        /// Calendars name each other as bases in a cycle, or two files define the same calendar.
        case invalidBase
        /// The regular week has no office hours, so working time could never accrue.
        case noWorkingTime
    }

    /// What kind of problem it is.
    public var code: Code
    /// What is wrong and how to fix it, in a sentence.
    public var message: String
    /// The file the calendar came from, as the caller named it (`<input>` when built in code).
    public var file: String
    /// 1-based line of the offending node, 0 when the problem has no position.
    public var line: Int
    /// 1-based column of the offending node, 0 when the problem has no position.
    public var column: Int

    /// An error of kind `code`, explained by `message`, at `file:line:column` (0 for no position).
    public init(_ code: Code, _ message: String, file: String = "<input>", line: Int = 0, column: Int = 0) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN: error: message` (just `FILE: error: message` without a position).
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): error: \(message)" : "\(file): error: \(message)"
    }
}

extension CalendarError: DocketError, CodedError {
    public var kind: FailureKind { .invalidInput }
}
