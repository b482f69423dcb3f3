import DocketCore
import DocketStore

/// A case at a glance (`show`, and the case after `start`, `fire` and `vote`).
package struct CaseView: Encodable, Sendable {
    /// A time limit running on the case.
    package struct DeadlineView: Encodable, Sendable {
        package var kind: String
        package var state: String?
        package var branch: String?
        package var limit: String
        /// `nil` while the statutory clock is stopped.
        package var dueAt: String?
        package var overdue: Bool
        /// The due time needs working time on dates the calendar does not cover yet (after its
        /// `covers.to`): counted from the weekly hours alone, it moves when those holidays are deployed.
        package var provisional: Bool
    }

    /// Something that can be done next.
    package struct ActionView: Encodable, Sendable {
        package var event: String
        /// The event's display title (`title:`), when it has one.
        package var title: String?
        package var branch: String?
        package var roles: [String]
        package var requires: [String]
        package var needsReason: Bool
    }

    package var caseID: String
    package var workflow: String
    /// The workflow's display title, when it has one.
    package var workflowTitle: String?
    package var workflowVersion: Int
    package var version: Int
    package var state: String
    /// The state's display title (`title:`), when it has one; ``state`` is the stable id.
    package var stateTitle: String?
    package var whereabouts: String
    package var outcome: String?
    package var openedAt: String
    package var closedAt: String?
    package var data: [String: String]
    package var documents: [String]
    package var sendBackRounds: Int
    package var clockStopped: Bool
    package var deadlines: [DeadlineView]
    package var overdue: Bool
    package var allowed: [ActionView]
    /// What a clerk needs at a glance: applicant, holder, vote, documents owed, working time left.
    package var desk: CaseDeskView

    /// The case `state` of `definition`, its deadlines judged at `now`.
    package init(state s: CaseState, definition: WorkflowDefinition, context: EngineContext, now: Timestamp) {
        let time = TimeText(calendar: context.calendar)
        caseID = s.caseID
        workflow = s.workflowID
        workflowTitle = definition.title
        workflowVersion = s.workflowVersion
        version = s.version
        state = s.current.state
        stateTitle = definition.stateTitle(s.current.state)
        whereabouts = s.whereabouts
        outcome = s.outcome
        openedAt = time(s.openedAt)
        closedAt = s.closedAt.map { time($0) }
        data = s.data
        documents = s.documents
        sendBackRounds = s.sendBackRounds
        clockStopped = s.isClockStopped
        let running = s.deadlines(in: context)
        deadlines = running.map {
            DeadlineView(kind: $0.kind.rawValue, state: $0.state, branch: $0.branch, limit: $0.limit.description,
                         dueAt: $0.dueAt.map { time($0) }, overdue: $0.isOverdue(at: now),
                         provisional: $0.isProvisional(on: context.calendar))
        }
        overdue = running.contains { $0.isOverdue(at: now) }
        desk = CaseDeskView(state: s, context: context, now: now)
        allowed = s.availableActions(in: definition).map {
            ActionView(event: $0.event, title: definition.eventTitle($0.event), branch: $0.branch, roles: $0.roles, requires: $0.requires, needsReason: $0.needsReason)
        }
    }
}

/// What a command did (`start`, `fire`, `vote`): the events it recorded and the case after them.
package struct CommandOutcomeView: Encodable, Sendable {
    /// True when an idempotency key matched an earlier command: nothing was appended this time.
    package var replayed: Bool
    package var events: [EventView]
    package var `case`: CaseView

    package init(_ outcome: CommandOutcome, context: EngineContext, now: Timestamp) {
        let time = TimeText(calendar: context.calendar)
        replayed = outcome.isReplay
        events = outcome.recorded.map { EventView($0, time: time) }
        `case` = CaseView(state: outcome.state, definition: outcome.definition, context: context, now: now)
    }
}

/// One line of a case list (`cases`).
package struct CaseSummaryView: Encodable, Sendable {
    package var caseID: String
    package var workflow: String
    package var workflowVersion: Int
    package var state: String
    /// The case-level state's display title (`title:`), when the definition gives one.
    package var stateTitle: String?
    package var outcome: String?
    package var openedAt: String
    package var overdue: Bool
    package var overdueSince: String?
    /// A running deadline needs dates the calendar does not cover yet (see ``CaseView/DeadlineView/provisional``).
    package var provisional: Bool

    /// The case `state`, overdue (since `overdueSince`) or not, with a provisional deadline or
    /// not; `definition` gives the titles.
    package init(state s: CaseState, time: TimeText, overdue: Bool, overdueSince: Timestamp?, provisional: Bool = false,
                 definition: WorkflowDefinition? = nil) {
        caseID = s.caseID
        workflow = s.workflowID
        workflowVersion = s.workflowVersion
        state = s.whereabouts
        stateTitle = definition?.stateTitle(s.current.state)
        outcome = s.outcome
        openedAt = time(s.openedAt)
        self.overdue = overdue
        self.overdueSince = overdueSince.map { time($0) }
        self.provisional = provisional
    }

    /// The case as the projection's desk tables keep it (searches), overdue since `overdueSince`.
    package init(desk c: DeskCase, time: TimeText, overdueSince: Timestamp?, provisional: Bool = false,
                 definition: WorkflowDefinition? = nil) {
        caseID = c.caseID
        workflow = c.workflow.id
        workflowVersion = c.workflow.version
        state = c.whereabouts
        stateTitle = c.outcome == nil ? definition?.stateTitle(c.state) : nil
        outcome = c.outcome
        openedAt = time(c.openedAt)
        overdue = overdueSince != nil
        self.overdueSince = overdueSince.map { time($0) }
        self.provisional = provisional
    }
}

extension CaseSummaryView: JSONTextWriting {
    /// The fields as JSONEncoder names and sorts them: `cases --format json` streams hundreds of
    /// thousands (every overdue case of a province).
    package func write(to text: inout JSONText) {
        text.beginObject()
        text.field("case_id", caseID)
        text.field("opened_at", openedAt)
        text.field("outcome", outcome)
        text.field("overdue", overdue)
        text.field("overdue_since", overdueSince)
        text.field("provisional", provisional)
        text.field("state", state)
        text.field("state_title", stateTitle)
        text.field("workflow", workflow)
        text.field("workflow_version", workflowVersion)
        text.endObject()
    }
}

extension Deadline {
    /// Whether the due time rests on dates `calendar` does not cover: a working-time limit whose
    /// count from its start to its due time needs an uncovered date. Wall-clock limits never are.
    package func isProvisional(on calendar: any WorkingTimeCalendar) -> Bool {
        guard limit.isWorkingTime, let dueAt else { return false }
        return !calendar.covers(from: startedAt, to: dueAt)
    }
}
