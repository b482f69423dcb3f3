/// What happened to a case: one entry of the event log, before the store gives it a position.
///
/// An event is a fact, never a request: the engine's `decide` produces events from a command and
/// the current state, and `evolve` folds them back into state. The store appends them and never
/// interprets the ``payload``; everything a projection or `verify` needs is in these fields.
public struct CaseEvent: Hashable, Sendable, Codable {
    /// The case this event belongs to.
    public var caseID: String
    /// What kind of fact this is.
    public var type: CaseEventType
    /// The workflow definition the case is pinned to.
    public var workflowID: String
    /// The version of that definition the case started on.
    public var workflowVersion: Int
    /// Who did it: a person's id, or `system` for timers.
    public var actor: String
    /// The role the actor acted in, as declared by the workflow.
    public var role: String?
    /// The party the actor acted for (assisted handling), if any.
    public var onBehalfOf: String?
    /// Business time: when it happened in the world (settable when back-filling).
    public var occurredAt: Timestamp
    /// The details of the fact; which fields are set depends on ``type``.
    public var payload: EventPayload

    public init(
        caseID: String, type: CaseEventType, workflowID: String, workflowVersion: Int,
        actor: String, role: String? = nil, onBehalfOf: String? = nil,
        occurredAt: Timestamp, payload: EventPayload = EventPayload()
    ) {
        self.caseID = caseID
        self.type = type
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.occurredAt = occurredAt
        self.payload = payload
    }
}

/// The kinds of fact the event log records. The raw values are stored in the database and are
/// part of the event schema (`Docs/events.md`): never rename one.
public enum CaseEventType: String, Hashable, Sendable, Codable, CaseIterable {
    /// A case was opened in the workflow's initial state.
    case caseOpened = "case_opened"
    /// A transition fired: the case (or one parallel branch of it) moved from one state to another.
    case transitionFired = "transition_fired"
    /// A panel member voted.
    case voteCast = "vote_cast"
    /// A state's or region's time limit passed; recorded once, by `tick`, with its due time.
    case deadlineBreached = "deadline_breached"
    /// The statutory clock stopped (waiting for the applicant).
    case clockStopped = "clock_stopped"
    /// The statutory clock resumed.
    case clockResumed = "clock_resumed"
    /// Someone started working on the case in its current state (or branch state): dwell before it
    /// is waiting, after it is work.
    case workStarted = "work_started"
    /// A parallel branch started in its initial state (the case entered the branch's region).
    case branchStarted = "branch_started"
    /// A parallel branch was stopped before it finished (its region ended early or was left).
    case branchCancelled = "branch_cancelled"
    /// A person claimed the case's current state (or a branch's): until it moves on, is released or
    /// reassigned, only they act on it. `person` is the holder; `state`, `region`, `branch` say what.
    case caseClaimed = "case_claimed"
    /// The holder (or a supervisor) released a claim; `person` is who held it.
    case claimReleased = "claim_released"
    /// A supervisor gave the claim to `person` (taking it from whoever held it).
    case caseReassigned = "case_reassigned"
    /// A directory change (only in a directory's reserved stream `@directory:NAME`, never in a
    /// case): a person was granted a role in a unit, from and until dates.
    case roleGranted = "role_granted"
    /// A directory change: a person's role in a unit was revoked from a date on.
    case roleRevoked = "role_revoked"
    /// A directory change: a person left the authority on a date; every role they held ends.
    case personLeft = "person_left"
    /// A directory change: a person joined the directory.
    case personAdded = "person_added"
    /// A correction of an earlier event of the case (payload `corrects`: its version), recorded
    /// by a corrector with a reason: the corrected business time, actor, documents or data. The
    /// event corrected stays in the log as written; the case's state uses the corrected facts.
    case eventCorrected = "event_corrected"
    /// A mistaken act voided (payload `corrects`: the version of the act), with a reason: the act
    /// and what it set off no longer count, and the case is where it was before it.
    case eventVoided = "event_voided"

    /// Whether this is a directory change, which belongs to no case.
    public var isDirectoryChange: Bool {
        switch self {
        case .roleGranted, .roleRevoked, .personLeft, .personAdded: true
        default: false
        }
    }

    /// Whether this is a correction or void: a record about another event of the case, not a
    /// fact of the case's course (see ``CaseHistory``).
    public var isCorrection: Bool { self == .eventCorrected || self == .eventVoided }
}

/// The details of an event. Every field is optional; `Docs/events.md` says which are set for each
/// ``CaseEventType``. New fields may be added (old events simply lack them); none is ever renamed.
public struct EventPayload: Hashable, Sendable, Codable {
    /// The transition's event name, as declared in the workflow (`accept`, `approve`, ...).
    public var transition: String?
    /// The state the case (or branch) left.
    public var from: String?
    /// The state the case (or branch) entered.
    public var to: String?
    /// The parallel region the event happened in, if any.
    public var region: String?
    /// The branch of that region, if any (e.g. `health`, `fire`).
    public var branch: String?
    /// Documents supplied with the command.
    public var documents: [String]?
    /// Why: the reason given for a send-back, rejection or withdrawal.
    public var reason: String?
    /// A vote: `approve` or `reject`.
    public var vote: String?
    /// The outcome, when the case reached a final state (`approved`, `rejected`, ...).
    public var outcome: String?
    /// When a breached limit was due.
    public var dueAt: Timestamp?
    /// The case's attributes at opening (e.g. `channel: online`).
    public var data: [String: String]?
    /// The department of the state entered (`case_opened`, `transition_fired`, `branch_started`).
    public var department: String?
    /// The state a deadline breach, clock stop or resume, work start or vote concerns.
    public var state: String?
    /// Set when Docket itself fired the transition, and why: `deadline`, `join` or `vote`.
    public var trigger: String?
    /// On a send-back: the case's send-back round this transition starts (1 for the first).
    public var round: Int?
    /// On a vote (and the transition it decides): approvals so far, this vote included.
    public var approvals: Int?
    /// On a vote (and the transition it decides): rejections so far, this vote included.
    public var rejections: Int?
    /// On a deadline breach: the limit as the definition states it (`2 working days`).
    public var limit: String?
    /// On a deadline breach: which limit, `state` (a state's or branch state's `within`) or
    /// `statutory` (the case-level limit).
    public var deadline: String?
    /// On `case_opened`: the name of the business calendar the workflow counts working time on.
    public var calendar: String?
    /// On an imported event: the log's lifecycle transition as written (`start`, `complete`, ...).
    public var lifecycle: String?
    /// On an imported event: the activity instance that pairs its start and complete events
    /// (`concept:instance`).
    public var instance: String?
    /// On an imported event: when the activity instance started, for logs that carry it on the
    /// event (`start_timestamp`).
    public var startedAt: Timestamp?
    /// On an imported event: the log's other event attributes as text, when the import kept them.
    public var attributes: [String: String]?
    /// On an imported event: the log named no resource, so ``CaseEvent/actor`` is the placeholder
    /// `unknown` (an event needs an actor) and an export leaves the resource out.
    public var actorUnknown: Bool?
    /// On the `case_opened` of an imported case: the log it came from, as
    /// `FILE sha256:HEX` (the file name and the SHA-256 of its bytes). Absent on Docket's own cases.
    public var source: String?
    /// On a directory change: the person granted, revoked, leaving or added. On a claim, release
    /// or reassignment: the person who holds (or held) the case.
    public var person: String?
    /// On `role_granted` and `role_revoked`: the role (not the actor's own, which is the event's).
    public var role: String?
    /// On `role_granted` and `role_revoked`: the unit the role is held in; on `person_added`: the
    /// person's unit.
    public var scope: String?
    /// On a directory change: the first day it takes effect (`YYYY-MM-DD`, the directory's local date).
    public var validFrom: String?
    /// On `role_granted`: the last day the role is held (`YYYY-MM-DD`), if it ends.
    public var validUntil: String?
    /// On the events of a command dated more than ten minutes after the clock (`--allow-future`):
    /// `true`, so the log shows the future date was meant, not mistyped. Absent otherwise.
    public var futureAllowed: Bool?
    /// The files of documents supplied with the event (by name in ``documents``): each one's
    /// SHA-256, size and media type; the bytes are in the log's attachment store.
    public var attachments: [DocumentAttachment]?
    /// On `event_corrected` and `event_voided`: the version (position in the case) of the event
    /// corrected or voided.
    public var corrects: Int?
    /// On `event_corrected`: the corrected business time of the event (and of what it set off).
    public var correctedAt: Timestamp?

    public init(
        transition: String? = nil, from: String? = nil, to: String? = nil,
        region: String? = nil, branch: String? = nil, documents: [String]? = nil,
        reason: String? = nil, vote: String? = nil, outcome: String? = nil,
        dueAt: Timestamp? = nil, data: [String: String]? = nil,
        department: String? = nil, state: String? = nil, trigger: String? = nil, round: Int? = nil,
        approvals: Int? = nil, rejections: Int? = nil, limit: String? = nil, deadline: String? = nil,
        calendar: String? = nil, lifecycle: String? = nil, instance: String? = nil, startedAt: Timestamp? = nil,
        attributes: [String: String]? = nil, actorUnknown: Bool? = nil, source: String? = nil,
        person: String? = nil, role: String? = nil, scope: String? = nil, validFrom: String? = nil, validUntil: String? = nil,
        futureAllowed: Bool? = nil,
        attachments: [DocumentAttachment]? = nil, corrects: Int? = nil, correctedAt: Timestamp? = nil
    ) {
        self.transition = transition
        self.from = from
        self.to = to
        self.region = region
        self.branch = branch
        self.documents = documents
        self.reason = reason
        self.vote = vote
        self.outcome = outcome
        self.dueAt = dueAt
        self.data = data
        self.department = department
        self.state = state
        self.trigger = trigger
        self.round = round
        self.approvals = approvals
        self.rejections = rejections
        self.limit = limit
        self.deadline = deadline
        self.calendar = calendar
        self.lifecycle = lifecycle
        self.instance = instance
        self.startedAt = startedAt
        self.attributes = attributes
        self.actorUnknown = actorUnknown
        self.source = source
        self.person = person
        self.role = role
        self.scope = scope
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.futureAllowed = futureAllowed
        self.attachments = attachments
        self.corrects = corrects
        self.correctedAt = correctedAt
    }
}

/// A document's file, as an event records it: the bytes themselves are kept in the log's
/// attachment store under their SHA-256, never in the log.
public struct DocumentAttachment: Hashable, Sendable, Codable {
    /// The document's name, as the workflow requires it (`site_photos`).
    public var document: String
    /// The SHA-256 of the file's bytes, 64 lowercase hexadecimal digits.
    public var sha256: String
    /// The file's size in bytes.
    public var size: Int64
    /// The file's media type (`image/jpeg`, `application/pdf`, ...).
    public var mediaType: String

    public init(document: String, sha256: String, size: Int64, mediaType: String) {
        self.document = document
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
    }
}
