import DocketCore
import DocketService
import DocketStore
import Foundation

/// The objects a subcommand works with, opened from `--db`.
struct Session {
    /// The event log: SQLite or PostgreSQL (``StoreOptions/openLog(create:)``).
    let store: any EventStore
    let catalog: WorkflowCatalog
    let cases: CaseService
    let directories: DirectoryService

    /// Opens the event log. Only the commands that create one (`deploy`, `init`, `import`, the
    /// demo's own) pass `create`: any other command refuses a path where there is no log, so a
    /// mistyped `--db` never leaves a new, empty log behind.
    init(_ options: StoreOptions, create: Bool = true) throws {
        // A log the user may not write to (a write-protected file, an auditor's copy) is opened
        // read-only, so that showing and verifying it still work; a write then fails with exit 4.
        store = try options.openLog(create: create)
        catalog = WorkflowCatalog(store: store)
        cases = CaseService(catalog: catalog)
        directories = DirectoryService(catalog: catalog)
    }

    /// The SQLite store, for what only it keeps so far (the projection tables, backups); on
    /// PostgreSQL a clear refusal naming `what`. (What goes with either log: ``LogCompanions``.)
    func sqlite(for what: String) throws -> SQLiteEventStore {
        guard let file = store as? SQLiteEventStore else {
            throw UsageFailure("\(what) is not supported on PostgreSQL yet (Docs/store.md, \"PostgreSQL\"): "
                + "Docket keeps it in an SQLite log only. Use an SQLite log for it, or copy the log with docket copy")
        }
        return file
    }
}

extension Session {
    /// `--at` of a command on case `caseID`: without an offset, read in its workflow calendar's zone.
    func businessTime(_ text: String?, caseID: String) throws -> Timestamp? {
        guard let text else { return nil }
        return try cases.instant(of: BusinessTime(text, field: "--at"), caseID: caseID)
    }

    /// `--at` of opening a case of `workflowID`: without an offset, read in its calendar's zone.
    func businessTime(_ text: String?, opening workflowID: String, version: Int?) throws -> Timestamp? {
        guard let text else { return nil }
        return try cases.instant(of: BusinessTime(text, field: "--at"), workflowID: workflowID, version: version)
    }

    /// A time option of a command over many cases (`--now`, `--from`): without an offset, read in
    /// the zone of `workflow`'s calendar, or of all deployed workflows' when they share one.
    func readingTime(_ text: String?, option: String, workflow: String? = nil) throws -> Timestamp? {
        guard let text else { return nil }
        return try catalog.instant(of: BusinessTime(text, field: option), workflowID: workflow)
    }
}

/// Parses `KEY=VALUE` pairs.
func parsePairs(_ pairs: [String], option: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            throw UsageFailure("\(option) '\(pair)' is not KEY=VALUE")
        }
        result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    return result
}
