import DocketCore
import DocketService
import DocketStore

/// JSON shape of one recorded event (`history --json`, `fire --json`). Times are ISO 8601 with
/// the offset of the workflow's calendar.
struct EventView: Encodable {
    var position: Int64
    var version: Int
    var type: String
    var occurredAt: String
    var recordedAt: String
    var actor: String
    var role: String?
    var onBehalfOf: String?
    var workflow: String
    var workflowVersion: Int
    var transition: String?
    var from: String?
    var to: String?
    var region: String?
    var branch: String?
    var documents: [String]?
    var reason: String?
    var vote: String?
    var outcome: String?
    var dueAt: String?
    var data: [String: String]?
    var hash: String

    init(_ r: RecordedEvent, time: (Timestamp) -> String) {
        let e = r.event
        position = r.position
        version = r.version
        type = e.type.rawValue
        occurredAt = time(e.occurredAt)
        recordedAt = time(r.recordedAt)
        actor = e.actor
        role = e.role
        onBehalfOf = e.onBehalfOf
        workflow = e.workflowID
        workflowVersion = e.workflowVersion
        transition = e.payload.transition
        from = e.payload.from
        to = e.payload.to
        region = e.payload.region
        branch = e.payload.branch
        documents = e.payload.documents
        reason = e.payload.reason
        vote = e.payload.vote
        outcome = e.payload.outcome
        dueAt = e.payload.dueAt.map(time)
        data = e.payload.data
        hash = r.hash
    }

    enum CodingKeys: String, CodingKey {
        case position, version, type, occurredAt = "occurred_at", recordedAt = "recorded_at", actor, role
        case onBehalfOf = "on_behalf_of", workflow, workflowVersion = "workflow_version", transition, from, to
        case region, branch, documents, reason, vote, outcome, dueAt = "due_at", data, hash
    }
}

/// JSON shape of a case (`show --json`, and the case after `start`/`fire`/`vote`).
struct CaseView: Encodable {
    struct DeadlineView: Encodable {
        var kind: String
        var state: String?
        var branch: String?
        var limit: String
        var dueAt: String?
        var overdue: Bool
        enum CodingKeys: String, CodingKey { case kind, state, branch, limit, dueAt = "due_at", overdue }
    }
    struct ActionView: Encodable {
        var event: String
        var branch: String?
        var roles: [String]
        var requires: [String]
        var needsReason: Bool
        enum CodingKeys: String, CodingKey { case event, branch, roles, requires, needsReason = "needs_reason" }
    }

    var caseID: String
    var workflow: String
    var workflowVersion: Int
    var version: Int
    var state: String
    var whereabouts: String
    var outcome: String?
    var openedAt: String
    var closedAt: String?
    var data: [String: String]
    var documents: [String]
    var sendBackRounds: Int
    var clockStopped: Bool
    var deadlines: [DeadlineView]
    var overdue: Bool
    var allowed: [ActionView]

    init(state s: CaseState, definition: WorkflowDefinition, context: EngineContext, now: Timestamp, time: (Timestamp) -> String) {
        caseID = s.caseID
        workflow = s.workflowID
        workflowVersion = s.workflowVersion
        version = s.version
        state = s.current.state
        whereabouts = s.whereabouts
        outcome = s.outcome
        openedAt = time(s.openedAt)
        closedAt = s.closedAt.map(time)
        data = s.data
        documents = s.documents
        sendBackRounds = s.sendBackRounds
        clockStopped = s.isClockStopped
        let running = s.deadlines(in: context)
        deadlines = running.map {
            DeadlineView(kind: $0.kind.rawValue, state: $0.state, branch: $0.branch, limit: $0.limit.description,
                         dueAt: $0.dueAt.map(time), overdue: $0.isOverdue(at: now))
        }
        overdue = running.contains { $0.isOverdue(at: now) }
        allowed = s.availableActions(in: definition).map {
            ActionView(event: $0.event, branch: $0.branch, roles: $0.roles, requires: $0.requires, needsReason: $0.needsReason)
        }
    }

    enum CodingKeys: String, CodingKey {
        case caseID = "case_id", workflow, workflowVersion = "workflow_version", version, state, whereabouts, outcome
        case openedAt = "opened_at", closedAt = "closed_at", data, documents, sendBackRounds = "send_back_rounds"
        case clockStopped = "clock_stopped", deadlines, overdue, allowed
    }
}

/// One line describing an event, for tables: `approve: review → approved`.
func describe(_ e: CaseEvent) -> String {
    let p = e.payload
    var text: String
    switch e.type {
    case .caseOpened: text = "opened in \(p.to ?? "?")"
    case .transitionFired:
        text = "\(p.transition ?? "?"): \(p.from ?? "?") → \(p.to ?? "?")"
    case .voteCast: text = "vote \(p.vote ?? "?")" + (p.approvals.map { " (\($0) approve, \(p.rejections ?? 0) reject)" } ?? "")
    case .deadlineBreached: text = "deadline breached: \(p.deadline == "statutory" ? "statutory limit" : p.state ?? "?")" + (p.limit.map { " (\($0))" } ?? "")
    default: text = e.type.rawValue.replacingOccurrences(of: "_", with: " ") + (p.state.map { " \($0)" } ?? "")
    }
    if let branch = p.branch { text = "[\(branch)] " + text }
    if let outcome = p.outcome { text += " ⇒ \(outcome)" }
    if let reason = p.reason { text += " — \"\(reason)\"" }
    if let docs = p.documents, !docs.isEmpty { text += " +docs: " + docs.joined(separator: ", ") }
    return text
}
