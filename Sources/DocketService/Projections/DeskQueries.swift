import DocketAnalytics
import DocketCore
import DocketStore
import Foundation

/// What a worklist asks for (`docket worklist`, `GET /v1/worklist`).
package struct WorklistRequest: Sendable {
    package var workflowID: String?
    /// Work waiting in a state of this department.
    package var department: String?
    /// Work a person in this role can act on (a state with a transition or vote the role may do).
    package var role: String?
    /// Work this person holds ("my cases": the person signed in, or `--by`).
    package var holder: String?
    package var unclaimedOnly = false
    /// Only work whose limit runs out within this much working time from now (overdue included),
    /// counted on each workflow's own calendar: `2` working days is `2 * working day`.
    package var dueWithin: WorkingAmount?
    package var order: WorkQuery.Order = .urgent
    package var limit = 50

    package init() {}
}

/// An amount of working time as a person gives it: `2d` (working days of the calendar), `4h`.
package struct WorkingAmount: Hashable, Sendable {
    package var days: Double = 0
    package var hours: Double = 0

    /// `2d`, `2`, `0.5d`, `4h`; `nil` for anything else.
    package init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasSuffix("h"), let n = Double(t.dropLast()), n >= 0, n.isFinite { hours = n; return }
        let number = t.hasSuffix("d") ? String(t.dropLast()) : t
        guard let n = Double(number), n >= 0, n.isFinite else { return nil }
        days = n
    }

    func microseconds(on calendar: any WorkingTimeCalendar) -> Int64 {
        Int64(days * Double(calendar.workingDayMicroseconds) + hours * 3_600_000_000)
    }
}

/// The desk's reads: worklists and case searches, from the projection's desk tables (caught up
/// by the caller), each row shown in its workflow's time zone.
package struct DeskQueries {
    let projections: any ProjectionStore
    let catalog: WorkflowCatalog

    package init(projections: any ProjectionStore, catalog: WorkflowCatalog) {
        self.projections = projections
        self.catalog = catalog
    }

    /// The work `request` selects, judged at `now`.
    package func worklist(_ request: WorklistRequest, now: Timestamp) throws -> WorklistView {
        var query = WorkQuery()
        query.workflowID = request.workflowID
        query.department = request.department
        query.holder = request.holder
        query.unheldOnly = request.unclaimedOnly
        query.order = request.order
        query.limit = request.limit
        let definitions = try catalog.deployedDefinitions(of: request.workflowID)
        if let role = request.role {
            query.states = Set(definitions.flatMap { definition in
                definition.statesActedIn(by: role).map {
                    WorkState(workflow: WorkflowKey(id: definition.id, version: definition.version), branch: $0.branch, state: $0.state)
                }
            })
        }
        var contexts = Contexts(catalog: catalog)
        if let within = request.dueWithin {
            var dueBy: [WorkflowKey: Timestamp] = [:]
            for definition in definitions {
                let key = WorkflowKey(id: definition.id, version: definition.version)
                let calendar = try contexts.context(key)?.calendar ?? AlwaysWorkingCalendar()
                dueBy[key] = calendar.adding(workingMicroseconds: within.microseconds(on: calendar), to: now)
            }
            query.dueBy = dueBy
        }
        let page = try projections.read { try $0.worklist(query) }
        let items = try page.items.map { item -> WorkItemView in
            let calendar = try contexts.context(item.workflow)?.calendar
            let time = TimeText(calendar: calendar)
            return WorkItemView(
                caseID: item.caseID, workflow: item.workflow.id, workflowVersion: item.workflow.version, state: item.state,
                branch: item.branch, department: item.department, waitingSince: time(item.enteredAt), holder: item.holder,
                heldSince: item.heldSince.map { time($0) }, dueAt: item.dueAt.map { time($0) }, deadline: item.deadline,
                workingSecondsLeft: item.dueAt.map { WorkingTime.left(from: now, to: $0, on: calendar ?? AlwaysWorkingCalendar()) },
                overdue: item.dueAt.map { $0 <= now } ?? false, applicant: item.applicant, openedAt: time(item.openedAt))
        }
        let zone = TimeText(calendar: try definitions.first.flatMap { try contexts.context(WorkflowKey(id: $0.id, version: $0.version)) }?.calendar)
        return WorklistView(now: zone(now), total: page.total, items: items)
    }

    /// The cases `query` finds, overdue judged at `now`.
    package func search(_ query: CaseQuery, now: Timestamp) throws -> [CaseSummaryView] {
        try summaries(try found(query), now: now)
    }

    /// Why `query` found nothing when one of its values is known to no case (a mistyped channel,
    /// data key or value, or applicant), listing the known ones where they are few; `nil` when
    /// every value is known (the answer "no cases" is then true).
    package func unknownValue(in query: CaseQuery) throws -> String? {
        try projections.read { tables -> String? in
            func known(_ field: DeskField, _ value: String) throws -> Bool { !(try tables.deskValues(field, matching: value, limit: 1)).isEmpty }
            func list(_ field: DeskField) throws -> String {
                let values = try tables.deskValues(field, matching: nil, limit: 21)
                return values.isEmpty ? "none" : values.prefix(20).joined(separator: ", ") + (values.count > 20 ? ", ..." : "")
            }
            if let channel = query.channel, !(try known(.channel, channel)) {
                return "no case was opened on channel '\(channel)'; channels: \(try list(.channel))"
            }
            for (key, value) in query.data.sorted(by: { $0.key < $1.key }) {
                if !(try known(.dataKey, key)) { return "no case was opened with data '\(key)'; data keys: \(try list(.dataKey))" }
                if !(try known(.dataValue(key: key), value)) {
                    return "no case was opened with \(key)=\(value); values of \(key): \(try list(.dataValue(key: key)))"
                }
            }
            if let applicant = query.applicant, !(try known(.applicant, applicant)) {
                return "no case has applicant '\(applicant)' (the person a case is for: who opened it as applicant, or whom it was opened for)"
            }
            return nil
        }
    }

    /// The desk rows of the cases `query` finds (with their positions, for a page's cursor).
    package func found(_ query: CaseQuery) throws -> [DeskCase] {
        try projections.read { try $0.searchCases(query) }
    }

    /// ``search(_:now:)`` handing each case to `body` as the projection reads it, in the same
    /// order: memory does not grow with the answer, and the first case comes before the last is read.
    package func search(_ query: CaseQuery, now: Timestamp, _ body: (CaseSummaryView) throws -> Void) throws {
        // Every deployed version's context looked up before the projection's read: the log is
        // not read again from inside it (the same connection pool).
        var contexts = Contexts(catalog: catalog)
        for definition in try catalog.deployedDefinitions(of: query.workflowID) {
            _ = try contexts.context(WorkflowKey(id: definition.id, version: definition.version))
        }
        contexts.complete = true
        try projections.read { tables in
            try tables.searchCases(query) { try body(try Self.summary($0, now: now, contexts: &contexts)) }
        }
    }

    /// `cases` as a list shows them, overdue judged at `now`, times in each workflow's zone.
    package func summaries(_ cases: [DeskCase], now: Timestamp) throws -> [CaseSummaryView] {
        var contexts = Contexts(catalog: catalog)
        return try cases.map { try Self.summary($0, now: now, contexts: &contexts) }
    }

    private static func summary(_ found: DeskCase, now: Timestamp, contexts: inout Contexts) throws -> CaseSummaryView {
        let calendar = try contexts.context(found.workflow)?.calendar
        let time = TimeText(calendar: calendar)
        let overdue = found.nextDueAt.map { $0 <= now } ?? false
        // The next due time needs dates the calendar does not cover yet: it is provisional.
        let provisional = found.nextDueAt.map { due in calendar.map { !$0.covers(from: found.openedAt, to: due) } ?? false } ?? false
        return CaseSummaryView(desk: found, time: time, overdueSince: overdue ? found.nextDueAt : nil, provisional: provisional,
                               definition: contexts.definition(found.workflow))
    }

    /// Engine contexts by workflow version, each looked up once (`nil` when not deployed).
    private struct Contexts {
        let catalog: WorkflowCatalog
        var known: [WorkflowKey: EngineContext?] = [:]
        /// Every deployed version is in `known`: another is not deployed, and is not looked up.
        var complete = false

        init(catalog: WorkflowCatalog) {
            self.catalog = catalog
        }

        /// The deployed definition of `key` (for titles), once `context(_:)` has looked it up.
        func definition(_ key: WorkflowKey) -> WorkflowDefinition? {
            known[key].flatMap { $0?.definition }
        }

        mutating func context(_ key: WorkflowKey) throws -> EngineContext? {
            if let found = known[key] { return found }
            if complete { return nil }
            let definition = try? catalog.definition(key.id, version: key.version)
            let context = try definition.map { try catalog.context(for: $0) }
            known[key] = context
            return context
        }
    }
}

extension WorkflowDefinition {
    /// The states (case-level, or a branch's, with the branch) in which `role` has something to
    /// do: a transition it may fire, or the state's vote.
    package func statesActedIn(by role: String) -> [(branch: String?, state: String)] {
        var result: [(branch: String?, state: String)] = []
        for state in states where state.vote?.role == role { result.append((nil, state.name)) }
        for transition in transitions where permits(transition.roles ?? [], role: role, onBehalfOf: nil) {
            result += transition.from.map { (nil, $0) }
        }
        for (_, branch) in branches {
            for transition in branch.transitions where permits(transition.effectiveRoles(branch: branch), role: role, onBehalfOf: nil) {
                result += transition.from.map { (branch.name, $0) }
            }
        }
        return result
    }
}

extension DeskQueries {
    /// The desk of `log` worked out in memory, by folding the whole log as the projection would:
    /// for a log whose projection cannot be caught up (a read-only copy, a backup). Slower than
    /// the tables (every event is read), the same answers: the rows are made by the same fold
    /// and selected by the in-memory store that passes the projection's contract suite.
    package static func computed(from log: any EventStore, catalog: WorkflowCatalog) throws -> DeskQueries {
        let calendars = try ProjectionCalendars.deployed(in: log)
        var fold = DeskFold(contexts: calendars.context)
        var latest: [String: DeskUpdate] = [:]
        var parties: Set<PartyFact> = []
        var after: Int64 = 0
        while true {
            let events = try log.events(after: after, limit: 5_000)
            guard let last = events.last else { break }
            let cases = events.filter { !$0.event.isOutsideCases }
            for recorded in cases {
                if let department = recorded.event.payload.department {
                    parties.insert(PartyFact(caseID: recorded.event.caseID, kind: .department, value: department))
                }
            }
            for update in try fold.apply(cases, last: last.position, log: log) { latest[update.deskCase.caseID] = update }
            after = last.position
        }
        let memory = InMemoryProjectionStore(log: InMemoryEventStore())
        try memory.write { tables in
            try tables.recreate()
            try tables.insert(parties.map { .party($0) })
            try tables.saveDesk(Array(latest.values))
        }
        return DeskQueries(projections: memory, catalog: catalog)
    }
}
