import DocketCore
import DocketStore

extension ProjectionUpdater {
    /// The cases a job about open cases only (`tick`, `cases --open`, the server's ticker) must
    /// look at: the projection's open cases (of `workflowID`, or all), caught up first with
    /// `catchUp`, in the order they were opened. With millions of cases this reads the few that
    /// are open instead of every case.
    ///
    /// A log opened read-only cannot catch the projection up: when it is behind, every case of
    /// the log is returned, as before there were projections.
    package static func openCaseIDs(
        in store: SQLiteEventStore, workflowID: String? = nil,
        catchUp: (ProjectionUpdater) throws -> Void = { _ = try $0.catchUp() }
    ) throws -> [String] {
        try openCaseIDs(in: SQLiteProjectionStore(log: store), readOnly: store.options.readOnly, workflowID: workflowID, catchUp: catchUp)
    }

    /// ``openCaseIDs(in:workflowID:catchUp:)`` on any projection store; `readOnly` when its log
    /// cannot be written (the projection is then not caught up).
    package static func openCaseIDs(
        in projections: any ProjectionStore, readOnly: Bool, workflowID: String? = nil,
        catchUp: (ProjectionUpdater) throws -> Void = { _ = try $0.catchUp() }
    ) throws -> [String] {
        let store = projections.log
        let updater = ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: store))
        if !readOnly { try catchUp(updater) }
        if let open = try updater.openCaseIDs(workflowID: workflowID) { return open }
        return try projections.log.cases(workflowID: workflowID).map(\.caseID)
    }

    /// The cases a `tick` at `now` records something on: the projection's open cases with a limit
    /// whose breach is not recorded yet and runs out by `now` (the desk's `next_breach_at`),
    /// caught up first with `catchUp`, in the order they were opened. A tick with nothing due
    /// then reads no case at all, where it used to read and fold every open case.
    ///
    /// When the projection cannot answer (a read-only log behind its projection), the open cases
    /// of ``openCaseIDs(in:workflowID:catchUp:)``: the tick then decides on each, as before.
    package static func casesDueForBreach(
        in store: SQLiteEventStore, by now: Timestamp,
        catchUp: (ProjectionUpdater) throws -> Void = { _ = try $0.catchUp() }
    ) throws -> [String] {
        try casesDueForBreach(in: SQLiteProjectionStore(log: store), readOnly: store.options.readOnly, by: now, catchUp: catchUp)
    }

    /// ``casesDueForBreach(in:by:catchUp:)`` on any projection store; `readOnly` when its log
    /// cannot be written (the projection is then not caught up).
    package static func casesDueForBreach(
        in projections: any ProjectionStore, readOnly: Bool, by now: Timestamp,
        catchUp: (ProjectionUpdater) throws -> Void = { _ = try $0.catchUp() }
    ) throws -> [String] {
        let updater = ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: projections.log))
        if !readOnly { try catchUp(updater) }
        let due = try projections.read { tables -> [String]? in
            guard try tables.installedVersion() == ProjectionSchema.version, try updater.pendingEvents(in: tables) == 0 else { return nil }
            var query = CaseQuery()
            query.openOnly = true
            query.breachDueBy = now
            var ids: [String] = []
            try tables.searchCases(query) { ids.append($0.caseID) }
            return ids
        }
        if let due { return due }
        return try openCaseIDs(in: projections, readOnly: true, catchUp: { _ in })
    }
}
