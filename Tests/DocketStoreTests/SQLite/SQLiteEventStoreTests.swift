import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// What only the SQLite store promises: durability settings, persistence, the schema's own
/// guards, and transactions shared with projections.
@Suite("SQLite event store")
struct SQLiteEventStoreTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = TemporaryDirectory("store")
        path = directory.path("docket.sqlite")
    }

    // MARK: Durability

    @Test func writesAreFullySynchronousInWALMode() throws {
        let store = try SQLiteEventStore(path: path)
        let (journal, synchronous) = try store.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
    }

    @Test func writersWaitForTheBusyTimeout() throws {
        let store = try SQLiteEventStore(path: path, options: .init(busyTimeout: 2.5))
        #expect(try store.write { db in try Int.fetchOne(db, sql: "PRAGMA busy_timeout") } == 2500)
    }

    @Test func foreignKeysAreEnforced() throws {
        let store = try SQLiteEventStore(path: path)
        #expect(try store.write { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } == 1)
    }

    @Test func eventsSurviveReopeningTheFile() throws {
        let appended = try SQLiteEventStore(path: path).openAndAccept("C-1")
        let reopened = try SQLiteEventStore(path: path)
        #expect(try reopened.events(of: "C-1") == appended.events)
        #expect(try reopened.verify().isOK)
    }

    // MARK: Schema guards

    @Test func theEventsTableRefusesUpdates() throws {
        let store = try SQLiteEventStore(path: path)
        try store.openAndAccept("C-1")
        let error = #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE events SET actor = 'mallory' WHERE position = 1") }
        }
        #expect(error?.message.contains("append-only") == true)
        #expect(try store.events(of: "C-1").first?.actor == "li.wei")
    }

    @Test func theEventsTableRefusesDeletes() throws {
        let store = try SQLiteEventStore(path: path)
        try store.openAndAccept("C-1")
        let error = #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "DELETE FROM events WHERE position = 2") }
        }
        #expect(error?.message.contains("append-only") == true)
        #expect(try store.lastPosition() == 2)
    }

    @Test func deployedDefinitionsRefuseUpdates() throws {
        let store = try SQLiteEventStore(path: path)
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        let error = #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "UPDATE definitions SET content = 'x'") }
        }
        #expect(error?.message.contains("immutable") == true)
    }

    @Test func aDatabaseFromANewerDocketIsRefused() throws {
        _ = try SQLiteEventStore(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_from_the_future')")
        }
        let error = #expect(throws: StoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("created by a newer docket") == true)
        #expect(error?.message.contains("0099_from_the_future") == true)
    }

    @Test func twoStoresOpeningANewFileBothSucceed() throws {
        let opened = Locked<[Bool]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let ok = (try? SQLiteEventStore(path: path)) != nil
            opened.update { $0.append(ok) }
        }
        #expect(opened.value == [true, true])
    }

    // MARK: Transactions with projections

    @Test func aProjectionsTablesAndCheckpointCommitTogether() throws {
        let store = try SQLiteEventStore(path: path)
        try store.openAndAccept("C-1")
        try store.write { db in
            try db.execute(sql: "CREATE TABLE opened_cases (case_id TEXT PRIMARY KEY)")
            for event in try store.events(after: 0, limit: 100, in: db) where event.type == .caseOpened {
                try db.execute(sql: "INSERT INTO opened_cases VALUES (?)", arguments: [event.caseID])
            }
            try store.saveCheckpoint(named: "opened", position: 2, in: db)
        }
        #expect(try store.checkpoint(named: "opened") == 2)
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT case_id FROM opened_cases") } == ["C-1"])
    }

    @Test func aFailedProjectionUpdateLeavesItsCheckpointUnchanged() throws {
        struct ProjectionFailed: Error {}
        let store = try SQLiteEventStore(path: path)
        try store.openAndAccept("C-1")
        #expect(throws: ProjectionFailed.self) {
            try store.write { db in
                try store.saveCheckpoint(named: "opened", position: 2, in: db)
                throw ProjectionFailed()
            }
        }
        #expect(try store.checkpoint(named: "opened") == 0)
    }

    @Test func anAppendAndAProjectionUpdateCanShareOneTransaction() throws {
        let store = try SQLiteEventStore(path: path)
        try store.write { db in
            let results = try store.append(batch: [CaseAppend(caseID: "C-1", expectedVersion: 0, events: [Sample.opened("C-1")])], in: db)
            try store.saveCheckpoint(named: "opened", position: results[0].events[0].position, in: db)
        }
        #expect(try store.lastPosition() == 1)
        #expect(try store.checkpoint(named: "opened") == 1)
    }
}
