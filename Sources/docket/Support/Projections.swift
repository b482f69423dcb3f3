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
    /// The cases a command about open cases only (`tick`, `cases --open`) must look at
    /// (`ProjectionUpdater.openCaseIDs(in:workflowID:catchUp:)`), caught up with a progress bar
    /// when that is long.
    func openCaseIDs(workflowID: String? = nil) throws -> [String] {
        try ProjectionUpdater.openCaseIDs(in: store, workflowID: workflowID) { try ProjectionCatchUp.run($0) }
    }
}

extension Session {
    /// The desk's worklists and searches, on the projection caught up first (a read-only log is
    /// read as its projection stands).
    func deskQueries() throws -> DeskQueries {
        let projections = SQLiteProjectionStore(log: store)
        if !store.options.readOnly {
            try ProjectionCatchUp.run(ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: store)))
        }
        return DeskQueries(projections: projections, catalog: catalog)
    }
}
