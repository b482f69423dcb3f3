import DocketCore
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
    /// (`ProjectionUpdater.openCaseIDs(in:readOnly:workflowID:catchUp:)`), caught up with a
    /// progress bar when that is long.
    func openCaseIDs(workflowID: String? = nil) throws -> [String] {
        guard let kept = AnalyticsStore.keptProjections(of: store) else { return try store.cases(workflowID: workflowID).map(\.caseID) }
        return try ProjectionUpdater.openCaseIDs(in: kept.store, readOnly: kept.readOnly, workflowID: workflowID) {
            try ProjectionCatchUp.run($0)
        }
    }

    /// The cases a `tick` at `now` has something to record on
    /// (`ProjectionUpdater.casesDueForBreach(in:readOnly:by:catchUp:)`).
    func casesDueForBreach(by now: Timestamp) throws -> [String] {
        guard let kept = AnalyticsStore.keptProjections(of: store) else { return try openCaseIDs() }
        return try ProjectionUpdater.casesDueForBreach(in: kept.store, readOnly: kept.readOnly, by: now) { try ProjectionCatchUp.run($0) }
    }
}

extension Session {
    /// The desk's worklists and searches, on the projection caught up first (a read-only log is
    /// read as its projection stands).
    func deskQueries() throws -> DeskQueries {
        guard let kept = AnalyticsStore.keptProjections(of: store) else {
            return try DeskQueries.computed(from: self.store, catalog: catalog)
        }
        let projections = kept.store
        let updater = ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: store))
        if !kept.readOnly {
            try ProjectionCatchUp.run(updater)
        } else {
            // A read-only log (an auditor's copy, a backup, a standby) cannot be caught up: answer
            // from the projection when it is current, else fold the log in memory; say which.
            let current = try projections.read({ try $0.installedVersion() }) == ProjectionSchema.version
            let behind = current ? try updater.pendingEvents() : 0
            if !current || behind > 0 {
                Terminal.printError("note: \(kept.name) is read-only and its projection is not up to date: "
                                    + "computed in memory from the log (run on a writable copy to keep the projection)")
                return try DeskQueries.computed(from: store, catalog: catalog)
            }
        }
        return DeskQueries(projections: projections, catalog: catalog)
    }
}
