import DocketCore
import DocketService
import DocketStore
import Foundation

/// The objects a subcommand works with, opened from `--db`.
struct Session {
    let store: SQLiteEventStore
    let catalog: WorkflowCatalog
    let cases: CaseService
    let directories: DirectoryService

    /// Opens the event log. Commands that only read refuse to create a database that is not there.
    init(_ options: StoreOptions, create: Bool = true) throws {
        if !create, !FileManager.default.fileExists(atPath: options.path) {
            throw UsageFailure("no event log at \(options.path): deploy a workflow first (docket deploy Workflows/), or pass --db")
        }
        // A log the user may not write to (a write-protected file, an auditor's copy) is opened
        // read-only, so that showing and verifying it still work; a write then fails with exit 4.
        let readOnly = !create && !FileManager.default.isWritableFile(atPath: options.path)
        store = try SQLiteEventStore(path: options.path, options: .init(busyTimeout: try options.busyTimeout(), readOnly: readOnly))
        catalog = WorkflowCatalog(store: store)
        cases = CaseService(catalog: catalog)
        directories = DirectoryService(catalog: catalog)
    }

}

/// Parses a time option: ISO 8601, in the local time zone (at that date) when it names no offset.
func parseTime(_ text: String, option: String = "--at") throws -> Timestamp {
    guard let utc = Timestamp.parse(iso8601: text) else {
        throw UsageFailure("\(option) '\(text)' is not an ISO 8601 time such as 2020-02-09T19:00:00+08:00 or 2020-03-01")
    }
    let offset = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: utc.secondsSinceEpoch))
    return Timestamp.parse(iso8601: text, naiveOffsetSeconds: offset) ?? utc
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
