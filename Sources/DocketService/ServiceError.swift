/// A failure of the application layer that is neither the engine refusing a command
/// (``DocketCore/Refusal``) nor the store failing (``DocketStore/StoreError``): a file that
/// cannot be read, a deployment whose parts do not fit together.
public struct ServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A file or directory could not be read.
        case unreadableFile = "unreadable_file"
        /// A file is neither a workflow definition nor a calendar.
        case unknownArtifact = "unknown_artifact"
        /// A workflow names a calendar that is neither deployed nor in the same deployment.
        case unknownCalendar = "unknown_calendar"
        /// A deployed definition or calendar no longer loads (edited behind Docket's back, or
        /// written by a newer Docket).
        case invalidDeployment = "invalid_deployment"
        /// Another writer kept winning the race for the case, even after the retries allowed.
        case retriesExhausted = "retries_exhausted"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
