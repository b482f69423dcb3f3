/// Why the projections could not be brought up to date or a report not be built: a stable
/// ``Code`` and a message a person can act on. Database failures arrive as the store's
/// `StoreError` instead (saved progress the projection store cannot read back is a `corrupt`
/// one, whose message says to run `docket replay`).
public struct ProjectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; the raw values are stable.
    public enum Code: String, Hashable, Sendable, CaseIterable, Codable {
        /// A deployed calendar does not load (for instance an override whose base moved on).
        case calendarUnreadable
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong and what to do about it.
    public var message: String

    /// An error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
