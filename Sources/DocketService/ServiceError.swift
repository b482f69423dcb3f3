import DocketCore

/// A failure of the application layer that is neither the engine refusing a command
/// (`DocketCore/Refusal`) nor the store failing (`DocketStore/StoreError`): a file that
/// cannot be read, a deployment whose parts do not fit together, an import that would overwrite
/// a case, projections that cannot be brought up to date.
public struct ServiceError: DocketError, CodedError, Hashable, Sendable {
    /// What kind of failure this is; the raw values are stable.
    public enum Code: String, Hashable, Sendable, CaseIterable {
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
        /// A case id an import would use already belongs to a case of another workflow.
        case caseExists = "case_exists"
        /// An argument is out of range (a batch size below 1 ...).
        case invalidArgument = "invalid_argument"
        /// A deployed calendar does not load for the projections (an override whose base moved on).
        case calendarUnreadable = "calendar_unreadable"
        /// A persisted open-case progress row cannot be read back; `docket replay` rebuilds it.
        case progressUnreadable = "progress_unreadable"
        /// A file an option names (a key, a heads file) is not there.
        case fileNotFound = "file_not_found"
        /// A file could not be written (a key, a heads file).
        case unwritableFile = "unwritable_file"
        /// The graph layout engine (Graphviz's `dot`) is missing or failed on a graph.
        case graphLayoutFailed = "graph_layout_failed"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var kind: FailureKind {
        switch code {
        case .unreadableFile, .unknownArtifact, .unknownCalendar, .invalidArgument: .invalidInput
        case .fileNotFound: .notFound
        case .unwritableFile, .graphLayoutFailed: .unavailable
        case .caseExists: .refused
        case .retriesExhausted: .conflict
        // The database holds something this binary cannot use: not the user's input.
        case .invalidDeployment, .calendarUnreadable, .progressUnreadable: .unavailable
        }
    }

    public var description: String { message }
}
