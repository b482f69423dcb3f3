import DocketCore
@testable import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// This round's one change of the event format: a log written by the previous release (encoding
/// 1; `Tests/Fixtures/log-v1-release.sql` is `sqlite3 .dump` of a log `docket demo` wrote before
/// the change, kept as text rather than a database file) opens, migrates without rewriting a row,
/// verifies, and goes on with encoding-2 rows in one chain.
@Suite("Event encoding upgrade")
struct EncodingUpgradeTests {
    let directory = TemporaryDirectory("upgrade")

    /// The release's log, rebuilt from its dump in a file of the test's own.
    func releaseLog() throws -> String {
        let path = directory.path("release.sqlite")
        let dump = try String(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/log-v1-release.sql"), encoding: .utf8)
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: dump) }
        return path
    }

    func rows(_ path: String) throws -> [(hash: String, encoding: Int, principal: String?)] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT hash, encoding, principal FROM events ORDER BY position").map { ($0[0], $0[1], $0[2]) }
        }
    }

    @Test func theEncodingOneRowTestVectorStillHashesAsDocumented() {
        let row = EventRow(
            position: 1, caseID: "C-1", version: 1, type: "case_opened", workflowID: "permit-check", workflowVersion: 1,
            payload: #"{"data":{"channel":"online"},"to":"submitted"}"#, actor: "li.wei", role: "applicant", onBehalfOf: nil,
            occurredAt: 1_583_143_200_000_000, recordedAt: 1_583_107_200_000_000,
            prevHash: String(repeating: "0", count: 64), hash: "", encoding: 1)
        #expect(row.computedHash() == EncodingVector.firstEventHashV1)
    }

    @Test func aReleaseLogOpensAndVerifiesWithEveryRowUnchanged() throws {
        let path = try releaseLog()
        let before = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT position, hash FROM events ORDER BY position").map { "\($0[0] as Int64) \($0[1] as String)" }
        }
        #expect(before.count == 208)
        let store = try SQLiteEventStore(path: path)
        let report = try store.verify()
        #expect(report.isOK, "\(report.summary)")
        #expect(report.eventCount == 208)
        let after = try rows(path)
        #expect(after.map(\.hash) == before.map { String($0.split(separator: " ")[1]) })
        #expect(after.allSatisfy { $0.encoding == 1 && $0.principal == nil })
    }

    @Test func newEventsOnAReleaseLogAreEncodingTwoInTheSameChain() throws {
        let path = try releaseLog()
        let store = try SQLiteEventStore(path: path)
        let last = try store.lastPosition()
        let appended = try store.append([Sample.opened("NEW-1")], to: "NEW-1", expectedVersion: 0, idempotency: nil,
                                        principal: Principal(method: .operatingSystem, id: "clerk"))
        let event = try #require(appended.events.first)
        #expect(event.position == last + 1)
        let all = try rows(path)
        #expect(event.prevHash == all[Int(last) - 1].hash)
        #expect(all.last?.encoding == 2)
        #expect(all.last?.principal == "os:clerk")
        #expect(try store.verify().isOK)
        #expect(try store.events(of: "NEW-1").first?.principal == Principal(method: .operatingSystem, id: "clerk"))
    }

    /// Editing either encoding's row, with the triggers dropped, is caught at its position;
    /// for encoding 2 that includes the principal, which the hash covers.
    @Test(arguments: [("actor", 5 as Int64), ("principal", 0)])
    func anEditOfEitherEncodingIsFound(column: String, offset: Int64) throws {
        let path = try releaseLog()
        let store = try SQLiteEventStore(path: path)
        try store.append([Sample.opened("NEW-1")], to: "NEW-1", expectedVersion: 0, idempotency: nil,
                         principal: Principal(method: .jwt, id: "li.wei"))
        let target = column == "principal" ? try store.lastPosition() : offset
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            try db.execute(sql: "UPDATE events SET \(column) = 'mallory' WHERE position = ?", arguments: [target])
        }
        let report = try SQLiteEventStore(path: path).verify()
        #expect(report.firstBadPosition == target)
        #expect(report.problems.first?.kind == .eventEdited)
    }

    @Test func aLogChainedWithAnAlgorithmThisBinaryLacksIsRefusedNotCalledTampered() throws {
        let path = directory.path("sm3.sqlite")
        _ = try SQLiteEventStore(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER log_settings_refuse_update")
            try db.execute(sql: "UPDATE log_settings SET value = 'sm3' WHERE key = 'hash_algorithm'")
        }
        #expect {
            _ = try SQLiteEventStore(path: path)
        } throws: { error in
            (error as? StoreError)?.code == .schemaTooNew && "\(error)".contains("sm3")
        }
    }
}
