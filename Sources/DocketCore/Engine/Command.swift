/// A request to change a case. The engine answers a command with the events it causes, or with a
/// ``Refusal``; commands are never stored, only the events are.
public enum Command: Hashable, Sendable {
    /// Open a new case in the workflow's initial state.
    case open(OpenCase)
    /// Fire a transition's event (`accept`, `approve`, `send_back`, ...).
    case fire(FireEvent)
    /// Cast a panel member's vote.
    case vote(CastVote)
    /// Record every deadline breach due by a given instant (and fire the breach actions).
    case tick(Tick)
    /// Claim, release or reassign the case's current state (or a branch's): who works it.
    case claim(ClaimCommand)

    /// The case the command is about.
    public var caseID: String {
        switch self {
        case let .open(c): c.caseID
        case let .fire(c): c.caseID
        case let .vote(c): c.caseID
        case let .tick(c): c.caseID
        case let .claim(c): c.caseID
        }
    }
}

/// Opens a case.
public struct OpenCase: Hashable, Sendable {
    public var caseID: String
    /// Who opens it (a person's id).
    public var actor: String
    /// The role they act in, if any; must be one the workflow declares.
    public var role: String?
    /// The applicant a clerk opens the case for (assisted handling).
    public var onBehalfOf: String?
    /// Case attributes, e.g. `channel: online`; analytics filter by them.
    public var data: [String: String]
    /// Business time of the opening.
    public var at: Timestamp

    public init(caseID: String, actor: String, role: String? = nil, onBehalfOf: String? = nil,
                data: [String: String] = [:], at: Timestamp) {
        self.caseID = caseID
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.data = data
        self.at = at
    }
}

/// Fires an event on a case as a person in a role.
public struct FireEvent: Hashable, Sendable {
    public var caseID: String
    /// The event's name as the workflow declares it.
    public var event: String
    /// Who fires it.
    public var actor: String
    /// The role they act in.
    public var role: String
    /// The person they act for, when a role the definition allows acts on another's behalf.
    public var onBehalfOf: String?
    /// Documents supplied with this event; they count for this and every later requirement.
    public var documents: [String]
    /// Why (required by send-backs and by transitions marked `requires_reason`).
    public var reason: String?
    /// The parallel branch meant, when the same event is open to the actor in several branches.
    public var branch: String?
    /// Case data given with the event (`risk: high`): recorded on its event, it adds to (or
    /// replaces fields of) the case's data, and routes the event when it has conditions.
    public var data: [String: String]
    /// Business time of the event.
    public var at: Timestamp
    /// The files of documents supplied (each also named in ``documents``), already kept in the
    /// log's attachment store.
    public var attachments: [DocumentAttachment]

    public init(caseID: String, event: String, actor: String, role: String, onBehalfOf: String? = nil,
                documents: [String] = [], reason: String? = nil, branch: String? = nil, data: [String: String] = [:], at: Timestamp,
                attachments: [DocumentAttachment] = []) {
        self.data = data
        self.attachments = attachments
        self.caseID = caseID
        self.event = event
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.documents = documents
        self.reason = reason
        self.branch = branch
        self.at = at
    }
}

/// A panel member's vote.
public enum Ballot: String, Hashable, Sendable, CaseIterable {
    case approve
    case reject
}

/// Casts a vote in the panel vote of the case's current state.
public struct CastVote: Hashable, Sendable {
    public var caseID: String
    public var ballot: Ballot
    /// Who casts it; the voter, unless ``onBehalfOf`` names the panel member they cast it for.
    public var actor: String
    /// The role they act in (the vote's role, or one allowed to act for it).
    public var role: String
    /// The panel member the vote is cast for (assisted handling).
    public var onBehalfOf: String?
    /// An optional reason, kept with the vote.
    public var reason: String?
    /// Business time of the vote.
    public var at: Timestamp

    public init(caseID: String, ballot: Ballot, actor: String, role: String, onBehalfOf: String? = nil,
                reason: String? = nil, at: Timestamp) {
        self.caseID = caseID
        self.ballot = ballot
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.reason = reason
        self.at = at
    }

    /// The panel member the vote counts for.
    public var voter: String { onBehalfOf ?? actor }
}

/// Asks for every deadline of a case due by `now`.
public struct Tick: Hashable, Sendable {
    public var caseID: String
    /// The instant up to which limits are checked (the caller's clock; the core has none).
    public var now: Timestamp

    public init(caseID: String, now: Timestamp) {
        self.caseID = caseID
        self.now = now
    }
}
