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
        let updater = ProjectionUpdater(SQLiteProjectionStore(log: store), calendars: try ProjectionCalendars.deployed(in: store))
        if !store.options.readOnly { try catchUp(updater) }
        if let open = try updater.openCaseIDs(workflowID: workflowID) { return open }
        return try store.cases(workflowID: workflowID).map(\.caseID)
    }
}
