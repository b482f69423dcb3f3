import DocketCore
@testable import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// A reader checks each row's hash from SQLite's columns (`StoredRowHash`), the writer and
/// `verify` from the row as strings (`EventRow`): the two encodings must agree byte for byte.
@Suite("Stored row hash")
struct StoredRowHashTests {
    let directory = TemporaryDirectory("stored-hash")

    /// Each row of `path` in position order: whether `StoredRowHash` finds it matching, and
    /// whether `EventRow` (as `verify` reads it) does.
    func check(_ path: String) throws -> [(position: Int64, stored: Bool, eventRow: Bool)] {
        try DatabaseQueue(path: path).read { db in
            let rows = RawStatement(try db.makeStatement(sql: "SELECT \(SQLiteEventStore.eventColumns) FROM events ORDER BY position"))
            defer { rows.reset() }
            var stored = StoredRowHash()
            var found: [(Int64, Bool, Bool)] = []
            while try rows.step(db) {
                let row = EventRow(
                    position: rows.int64(0), caseID: rows.string(1) ?? "", version: rows.int(2), type: rows.string(3) ?? "",
                    workflowID: rows.string(4) ?? "", workflowVersion: rows.int(5), payload: rows.string(6) ?? "",
                    actor: rows.string(7) ?? "", role: rows.string(8), onBehalfOf: rows.string(9),
                    occurredAt: rows.int64(10), recordedAt: rows.int64(11), prevHash: rows.string(12) ?? "",
                    hash: rows.string(13) ?? "", encoding: rows.int(14), principal: rows.string(15))
                found.append((rows.int64(0), stored.matches(rows), row.hashMatches()))
            }
            return found
        }
    }

    /// The previous release's log (encoding 1) with encoding-2 rows after it: with and without
    /// a principal, role and on-behalf-of absent and present, non-ASCII text, a large payload.
    func mixedLog() throws -> String {
        let path = directory.path("mixed.sqlite")
        let dump = try String(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/log-v1-release.sql"), encoding: .utf8)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: dump) }
        let store = try SQLiteEventStore(path: path)
        try store.append([Sample.opened("NEW-1")], to: "NEW-1", expectedVersion: 0, idempotency: nil,
                         principal: Principal(method: .jwt, id: "李伟"))
        var assisted = Sample.fired("NEW-1", "accept", from: "submitted", to: "review", by: "王芳", as: "clerk")
        assisted.onBehalfOf = "张三"
        assisted.payload.reason = String(repeating: "材料齐全, \"ok\"\n", count: 400)
        var roleless = Sample.fired("NEW-1", "review", from: "review", to: "done")
        roleless.role = nil
        try store.append([assisted, roleless], to: "NEW-1", expectedVersion: 1, idempotency: nil, principal: nil)
        return path
    }

    @Test func bothEncodingsAgreeOnEveryRowOfBothFormats() throws {
        let path = try mixedLog()
        let rows = try check(path)
        #expect(rows.count == 211)
        #expect(rows.allSatisfy { $0.stored && $0.eventRow })
        let encodings = try DatabaseQueue(path: path).read { db in try Int.fetchAll(db, sql: "SELECT DISTINCT encoding FROM events ORDER BY 1") }
        #expect(encodings == [1, 2])
    }

    /// A change to any column the hash covers is caught by both, at that row only.
    @Test(arguments: ["case_id", "type", "workflow_id", "actor", "role", "on_behalf_of", "payload", "prev_hash", "principal"])
    func anEditedColumnFailsBothAtItsRow(column: String) throws {
        let path = try mixedLog()
        // Row 210 has every text column set (the assisted event); row 211 has no role, so it gets one.
        let position: Int64 = column == "role" ? 211 : 210
        let value = switch column {
        case "on_behalf_of": "NULL"
        case "payload": "'{}'"
        case "prev_hash": "'\(String(repeating: "a", count: 64))'"
        default: "'x'"
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            try db.execute(sql: "UPDATE events SET \(column) = \(value) WHERE position = ?", arguments: [position])
        }
        let rows = try check(path)
        #expect(rows.filter { !$0.stored }.map(\.position) == [position])
        #expect(rows.map(\.stored) == rows.map(\.eventRow))
    }

    @Test(arguments: ["position", "version", "workflow_version", "occurred_at", "recorded_at", "encoding"])
    func anEditedNumberFailsBothAtItsRow(column: String) throws {
        let path = try mixedLog()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            // Positions are the table's key: move the row past the end rather than onto another.
            let value = column == "position" ? "1000" : column == "encoding" ? "1" : "\(column) + 100"
            try db.execute(sql: "UPDATE events SET \(column) = \(value) WHERE position = 210")
        }
        let rows = try check(path)
        #expect(rows.filter { !$0.stored }.count == 1)
        #expect(rows.map(\.stored) == rows.map(\.eventRow))
    }
}
