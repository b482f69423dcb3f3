import Crypto
import DocketCore
import DocketInterop
import Foundation

/// One case of an event log, with its events in the order pm4py would hold them.
package struct LogCase: Sendable, Hashable {
    /// The case id as the log writes it.
    package var id: String
    /// The case's events, in order.
    package var events: [LogEvent]

    package init(id: String, events: [LogEvent]) {
        self.id = id
        self.events = events
    }
}

/// A whole event log read into memory, grouped by case, with the file's SHA-256.
///
/// Reading everything before acting on any of it is what lets `import` promise that a bad file
/// imports nothing: the error at the last line is found before the first case is appended.
/// Cases and events are ordered as pm4py orders the rows, so that what is imported, replayed
/// and exported measures the same as the file: for XES, cases in order of first appearance and
/// events as read; for CSV (which pm4py sorts), cases by id (code point order) and each case's
/// events by timestamp, ties kept in file order.
package struct LoadedLog: Sendable {
    /// The file, as recognised.
    package var file: EventLogFile
    /// The cases, in pm4py's order.
    package var cases: [LogCase]
    /// The number of events read.
    package var eventCount: Int
    /// SHA-256 of the file's bytes as stored (compressed bytes for `.gz`), 64 lowercase hex digits.
    package var sha256: String
    /// What the CSV reader found (skipped rows), for CSV logs.
    package var csvSummary: CSVLogReader.Summary?

    /// Reads and groups the log at `path`; errors name it `displayName` (default: the path).
    ///
    /// - Throws: `DocketInterop/LogReadError` for an unreadable, damaged or malformed file.
    package static func read(path: String, displayName: String? = nil, options: EventLogFile.ReadOptions = .init()) throws -> LoadedLog {
        let name = displayName ?? path
        let file = try EventLogFile(path: path, displayName: name)
        let digest = try fileSHA256(path: path, displayName: name)
        var indexByID: [String: Int] = [:]
        var cases: [LogCase] = []
        var count = 0
        var lastID: String?
        var lastIndex = -1
        let summary = try file.forEachBatch(options: options) { batch in
            for event in batch {
                count += 1
                let index: Int
                if event.caseID == lastID {
                    index = lastIndex
                } else if let known = indexByID[event.caseID] {
                    index = known
                } else {
                    index = cases.count
                    indexByID[event.caseID] = index
                    cases.append(LogCase(id: event.caseID, events: []))
                }
                lastID = event.caseID
                lastIndex = index
                cases[index].events.append(event)
            }
        }
        if file.format == .csv {
            cases.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            for i in cases.indices {
                let events = cases[i].events
                let sorted = events.indices.sorted { (events[$0].timestamp, $0) < (events[$1].timestamp, $1) }
                cases[i].events = sorted.map { events[$0] }
            }
        }
        return LoadedLog(file: file, cases: cases, eventCount: count, sha256: digest, csvSummary: summary)
    }

    /// SHA-256 of the file's bytes, read in 1 MiB chunks.
    static func fileSHA256(path: String, displayName: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LogReadError(.unreadableFile, file: displayName, message: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw LogReadError(.unreadableFile, file: displayName, message: "cannot read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
