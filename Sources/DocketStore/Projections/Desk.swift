import DocketAnalytics
import DocketCore

// The desk's part of the projection: a narrow row per case (to search) and per piece of work
// waiting on someone (to list worklists), kept with the analytics tables, in the same
// transactions and under the same checkpoint. The service layer works the rows out from each
// case's state (the engine's fold, its deadlines on the case's calendar); the store only keeps
// and selects them. `Docs/analytics.md` (Desk tables) describes every column.

/// One case, as a search lists it.
package struct DeskCase: Hashable, Sendable, Codable {
    package var caseID: String
    /// The position of the case's first event: cases are listed in the order they were opened.
    package var position: Int64
    package var workflow: WorkflowKey
    package var openedAt: Timestamp
    /// Who opened it (the clerk, for a case opened on someone's behalf).
    package var openedBy: String
    /// The person the case is for (see `CaseDuties.applicant`); `nil` for the authority's own cases.
    package var applicant: String?
    package var channel: String?
    /// The case-level state (the final state once closed).
    package var state: String
    /// `review`, or `verification (health: inspecting, fire: passed)`.
    package var whereabouts: String
    package var outcome: String?
    /// The earliest due time of the limits running (`nil` when none, or closed).
    package var nextDueAt: Timestamp?
    /// Who holds the case-level state now.
    package var holder: String?
    /// The earliest due time of the limits running whose breach is not recorded yet: when a
    /// `tick` will next have something to record for the case (`nil` when none, or closed).
    package var nextBreachAt: Timestamp?

    package init(caseID: String, position: Int64, workflow: WorkflowKey, openedAt: Timestamp, openedBy: String, applicant: String?,
                 channel: String?, state: String, whereabouts: String, outcome: String?, nextDueAt: Timestamp?, holder: String?,
                 nextBreachAt: Timestamp? = nil) {
        self.caseID = caseID
        self.position = position
        self.workflow = workflow
        self.openedAt = openedAt
        self.openedBy = openedBy
        self.applicant = applicant
        self.channel = channel
        self.state = state
        self.whereabouts = whereabouts
        self.outcome = outcome
        self.nextDueAt = nextDueAt
        self.holder = holder
        self.nextBreachAt = nextBreachAt
    }
}

/// One piece of work waiting: an open case's state, or one running branch of its parallel state.
package struct DeskWorkItem: Hashable, Sendable, Codable {
    package var caseID: String
    package var position: Int64
    package var workflow: WorkflowKey
    package var region: String?
    package var branch: String?
    package var state: String
    package var department: String?
    package var enteredAt: Timestamp
    package var holder: String?
    package var heldSince: Timestamp?
    /// When the limit that applies runs out first: the state's (or branch state's) own, or the
    /// statutory limit; `nil` when none runs (or the statutory clock is stopped and there is no other).
    package var dueAt: Timestamp?
    /// `state` or `statutory`: which limit ``dueAt`` is.
    package var deadline: String?
    package var openedAt: Timestamp
    package var applicant: String?

    package init(caseID: String, position: Int64, workflow: WorkflowKey, region: String?, branch: String?, state: String,
                 department: String?, enteredAt: Timestamp, holder: String?, heldSince: Timestamp?, dueAt: Timestamp?,
                 deadline: String?, openedAt: Timestamp, applicant: String?) {
        self.caseID = caseID
        self.position = position
        self.workflow = workflow
        self.region = region
        self.branch = branch
        self.state = state
        self.department = department
        self.enteredAt = enteredAt
        self.holder = holder
        self.heldSince = heldSince
        self.dueAt = dueAt
        self.deadline = deadline
        self.openedAt = openedAt
        self.applicant = applicant
    }
}

/// A case's desk rows after a batch: replaces whatever was kept for it.
package struct DeskUpdate: Hashable, Sendable {
    package var deskCase: DeskCase
    /// The data given at opening, searchable by key and value.
    package var data: [String: String]
    /// The work waiting on the case (none once closed).
    package var work: [DeskWorkItem]

    package init(deskCase: DeskCase, data: [String: String], work: [DeskWorkItem]) {
        self.deskCase = deskCase
        self.data = data
        self.work = work
    }
}

/// A state of a workflow version that work may wait in: a case-level state, or a state of one
/// branch (branches often share state names: every inspection branch has `inspecting`).
package struct WorkState: Hashable, Sendable {
    package var workflow: WorkflowKey
    package var branch: String?
    package var state: String

    package init(workflow: WorkflowKey, branch: String? = nil, state: String) {
        self.workflow = workflow
        self.branch = branch
        self.state = state
    }
}

/// Which work a worklist shows, and in which order.
package struct WorkQuery: Hashable, Sendable {
    package enum Order: String, Hashable, Sendable, CaseIterable {
        /// Soonest due first (work with no limit last), then longest waiting.
        case urgent
        /// Longest waiting first.
        case oldest
    }

    package var workflowID: String?
    package var department: String?
    /// The states the work may be in (those a role acts in); `nil` for any.
    package var states: Set<WorkState>?
    /// Only work this person holds.
    package var holder: String?
    /// Only work nobody holds.
    package var unheldOnly = false
    /// Only work due by these instants (one per workflow version: "2 working days" is counted on
    /// each workflow's own calendar); versions not named are left out.
    package var dueBy: [WorkflowKey: Timestamp]?
    package var order: Order = .urgent
    package var limit: Int = 50

    package init() {}

    /// Whether `item` is selected (the in-memory store's filter; SQLite's `WHERE` says the same).
    package func selects(_ item: DeskWorkItem) -> Bool {
        if let workflowID, item.workflow.id != workflowID { return false }
        if let department, item.department != department { return false }
        if let states, !states.contains(WorkState(workflow: item.workflow, branch: item.branch, state: item.state)) { return false }
        if let holder, item.holder != holder { return false }
        if unheldOnly, item.holder != nil { return false }
        if let dueBy {
            guard let due = item.dueAt, let by = dueBy[item.workflow], due <= by else { return false }
        }
        return true
    }

    /// Whether `a` comes before `b` in ``order``.
    package func precedes(_ a: DeskWorkItem, _ b: DeskWorkItem) -> Bool {
        if order == .urgent, a.dueAt != b.dueAt {
            guard let x = a.dueAt else { return false }
            guard let y = b.dueAt else { return true }
            return x < y
        }
        if a.enteredAt != b.enteredAt { return a.enteredAt < b.enteredAt }
        if a.position != b.position { return a.position < b.position }
        return (a.branch ?? "").utf8.lexicographicallyPrecedes((b.branch ?? "").utf8)
    }
}

/// A worklist: the first ``WorkQuery/limit`` items and how many there are in all.
package struct WorkPage: Hashable, Sendable {
    package var items: [DeskWorkItem]
    package var total: Int

    package init(items: [DeskWorkItem], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Which cases a search finds. Every filter given must hold.
package struct CaseQuery: Hashable, Sendable {
    package var workflowID: String?
    /// The case-level state, or the state of a running branch.
    package var state: String?
    /// A department whose state the case (or a branch) ever entered.
    package var department: String?
    package var applicant: String?
    package var channel: String?
    /// Opening data that must all match.
    package var data: [String: String] = [:]
    /// Opened at or after `openedFrom` and before `openedBefore`.
    package var openedFrom: Timestamp?
    package var openedBefore: Timestamp?
    package var openOnly = false
    /// Only cases with a limit run out by this instant.
    package var overdueAt: Timestamp?
    /// Only cases with a limit whose breach is not recorded yet and runs out by this instant:
    /// the cases a `tick` at that instant records something on.
    package var breachDueBy: Timestamp?
    /// Only cases opened after the case whose opening is at this position (a page's cursor).
    package var afterPosition: Int64?
    /// List the soonest due first (`cases --overdue`), rather than in the order opened.
    package var soonestDueFirst = false
    package var limit: Int?

    package init() {}
}

/// A searchable value of the desk tables, for saying which values a search could have named.
package enum DeskField: Hashable, Sendable {
    case applicant
    case channel
    /// The keys of the opening data.
    case dataKey
    /// The values the opening data holds under a key.
    case dataValue(key: String)
}
