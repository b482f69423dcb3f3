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
        let updater = ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: store))
        if !store.options.readOnly {
            try ProjectionCatchUp.run(updater)
        } else {
            // A read-only log (an auditor's copy, a backup) cannot be caught up: answer from the
            // projection as it stands, and say how far behind it is, or that there is none.
            guard try projections.read({ try $0.installedVersion() }) == ProjectionSchema.version else {
                throw UsageFailure("\(store.path) is read-only and holds no desk projection of this docket version: "
                                   + "run the command on a writable copy (it builds the projection), or `docket replay` there first")
            }
            let behind = try updater.pendingEvents()
            if behind > 0 {
                Terminal.printError("note: \(store.path) is read-only; its projection is \(behind) event(s) behind the log, and the answer is as of the projection")
            }
        }
        return DeskQueries(projections: projections, catalog: catalog)
    }
}
