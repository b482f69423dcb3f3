/// Why the engine refused a command: a stable ``code`` for programs and a ``message`` a person can
/// act on (it names what is allowed instead, or what is missing).
///
/// A refused command produces no events.
public struct Refusal: DocketError, CodedError, Hashable, Sendable {
    /// The kinds of refusal; raw values are stable (the CLI prints them in `--json` output).
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The event cannot be fired in the case's current state(s); ``allowedEvents`` lists what can.
        case eventNotAllowed = "event_not_allowed"
        /// The actor's role may not fire the event (or is not declared); ``allowedRoles`` says who may.
        case roleNotAllowed = "role_not_allowed"
        /// Required documents were not supplied; ``missingDocuments`` names them.
        case documentsMissing = "documents_missing"
        /// The case reached a final state; nothing more can happen to it.
        case caseClosed = "case_closed"
        /// No case with that id.
        case unknownCase = "unknown_case"
        /// No deployed workflow with that id (or version).
        case unknownWorkflow = "unknown_workflow"
        /// A case with that id already exists.
        case caseAlreadyExists = "case_already_exists"
        /// The actor's role may not act on behalf of others (or not of that role).
        case proxyNotAllowed = "proxy_not_allowed"
        /// The voter is not on the panel, or the panel's seats are taken.
        case notOnPanel = "not_on_panel"
        /// The voter already voted in this vote.
        case alreadyVoted = "already_voted"
        /// The transition needs a reason and none was given.
        case reasonRequired = "reason_required"
        /// A vote was cast but the case's current state holds no vote.
        case noVoteOpen = "no_vote_open"
        /// The event is open in several parallel branches; name the branch.
        case ambiguousEvent = "ambiguous_event"
        /// The definition passed in is not the one the case is pinned to.
        case workflowMismatch = "workflow_mismatch"
        /// Work already started in the current state.
        case workAlreadyStarted = "work_already_started"
        /// The command's time is before the case's last event (back-filling out of order).
        case timeBeforeLastEvent = "time_before_last_event"
        /// A separation-of-duties rule of the workflow forbids the actor (or the person acted
        /// for) this act on this case, given what they did on it before or that it is their own.
        case separationOfDuties = "separation_of_duties"
        /// The command names the actor Docket reserves for itself (``Engine/systemActor``).
        case reservedActor = "reserved_actor"
        /// A correction or void that may not be recorded: it names no event of the case, an
        /// event that cannot be corrected or voided, or changes nothing.
        case correctionRefused = "correction_refused"
        /// A correction would make the case's business times run backwards.
        case timeOutOfOrder = "time_out_of_order"
        /// The case (or branch) is held by someone else (claimed): only they act on it until they
        /// release it or a supervisor reassigns it.
        case heldByOther = "held_by_other"
        /// A release of a case (or branch) nobody holds, or a claim where none can be made.
        case notHeld = "not_held"
        /// The command's case data does not fit the workflow's declaration (`data:`): a field not
        /// declared, a value of the wrong type, a required field missing.
        case invalidData = "invalid_data"
        /// The event has routes (`when:`) and none holds for the case's data, and no default.
        case noRoute = "no_route"
    }

    /// What kind of refusal, for programs (exit codes, JSON output).
    public var code: Code
    /// What was refused and what to do instead, for people.
    public var message: String
    /// The case the command was about.
    public var caseID: String?
    /// For ``Code/eventNotAllowed``: the events that can be fired now.
    public var allowedEvents: [String]
    /// For ``Code/roleNotAllowed``: the roles that may fire the event.
    public var allowedRoles: [String]
    /// For ``Code/documentsMissing``: the documents still missing.
    public var missingDocuments: [String]

    public init(_ code: Code, _ message: String, caseID: String? = nil, allowedEvents: [String] = [],
                allowedRoles: [String] = [], missingDocuments: [String] = []) {
        self.code = code
        self.message = message
        self.caseID = caseID
        self.allowedEvents = allowedEvents
        self.allowedRoles = allowedRoles
        self.missingDocuments = missingDocuments
    }

    public var description: String { message }

    /// A case or workflow that does not exist is not found; a person the rules of who-may-act
    /// exclude is forbidden; anything else the rules refuse.
    public var kind: FailureKind {
        switch code {
        case .unknownCase, .unknownWorkflow: .notFound
        case .separationOfDuties, .reservedActor: .forbidden
        default: .refused
        }
    }

    /// The refusal for a workflow id (and version) that is not deployed; for callers that look
    /// definitions up (the CLI, the store), so every refusal has one shape.
    public static func unknownWorkflow(_ id: String, version: Int? = nil, known: [String] = []) -> Refusal {
        var message = version.map { "workflow '\(id)' version \($0) is not deployed" } ?? "workflow '\(id)' is not deployed"
        if !known.isEmpty { message += "; deployed: " + known.joined(separator: ", ") }
        return Refusal(.unknownWorkflow, message)
    }

    /// The refusal for a case id that has no events.
    public static func unknownCase(_ caseID: String) -> Refusal {
        Refusal(.unknownCase, "no case '\(caseID)': open it first (docket start)", caseID: caseID)
    }
}
