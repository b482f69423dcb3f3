import DocketService
import DocketStore

/// Bringing the analytics projection up to date before a command reads it.
enum ProjectionCatchUp {
    /// Events behind the log above which catching up shows a progress bar (when stderr is a terminal).
    static let longCatchUp: Int64 = 20_000

    /// Folds what the projection has not read yet, with a progress bar when that is long.
    static func run(_ updater: ProjectionUpdater) throws {
        let pending = try updater.pendingEvents()
        guard pending > longCatchUp else {
            try updater.catchUp()
            return
        }
        let bar = ProgressBar(label: "catching up", total: pending)
        try updater.catchUp { bar.update($0.done) }
        bar.finish()
    }
}

extension Session {
    /// The cases a command about open cases only (`tick`, `cases --open`) must look at: the
    /// projection's open cases (of `workflowID`, or all), caught up first, in the order they were
    /// opened. With millions of cases this reads the few that are open instead of every case.
    ///
    /// A log opened read-only cannot catch the projection up: when it is behind, every case of the
    /// log is returned, as before there were projections.
    func openCaseIDs(workflowID: String? = nil) throws -> [String] {
        let updater = ProjectionUpdater(SQLiteProjectionStore(log: store), calendars: try ProjectionCalendars.deployed(in: store))
        if !store.options.readOnly { try ProjectionCatchUp.run(updater) }
        if let open = try updater.openCaseIDs(workflowID: workflowID) { return open }
        return try store.cases(workflowID: workflowID).map(\.caseID)
    }
}
