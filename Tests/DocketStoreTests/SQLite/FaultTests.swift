import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// SQLite's failures reach the caller as ``StoreError``s with an actionable code, and a
/// failed write leaves the log as it was.
@Suite("SQLite faults")
struct FaultTests {
    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = TemporaryDirectory("store")
        path = directory.path("docket.sqlite")
    }

    // MARK: Read-only

    @Test func appendingToAStoreOpenedReadOnlyIsAReadOnlyError() throws {
        try SQLiteEventStore(path: path).openAndAccept("C-1")
        let store = try SQLiteEventStore(path: path, options: .init(readOnly: true))
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        }
        #expect(error?.code == .readOnly)
        #expect(error?.message.contains(path) == true)
    }

    @Test func aStoreOpenedReadOnlyStillReads() throws {
        let appended = try SQLiteEventStore(path: path).openAndAccept("C-1")
        let store = try SQLiteEventStore(path: path, options: .init(readOnly: true))
        #expect(try store.events(of: "C-1") == appended.events)
    }

    @Test func openingAnUnmigratedDatabaseReadOnlyIsRefused() throws {
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE unrelated (x INTEGER)") }
        let error = #expect(throws: StoreError.self) { try SQLiteEventStore(path: path, options: .init(readOnly: true)) }
        #expect(error?.code == .schemaOutdated)
    }

    /// Root ignores file permissions: as root, this test runs again in a copy of the test binary
    /// as `nobody` (``TestBinary/runTest(_:unprivileged:sourceLocation:)``), where it passes or fails.
    @Test(.requires(.unprivilegedUser, .runnableTestBinary))
    func aWriteProtectedFileIsAReadOnlyError() throws {
        if Unprivileged.isRoot { return try TestBinary.runTest("aWriteProtectedFileIsAReadOnlyError", unprivileged: true) }
        try SQLiteEventStore(path: path).openAndAccept("C-1")
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file)
        }
        defer {
            for file in [path, path + "-wal", path + "-shm"] {
                try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            }
        }
        let error = #expect(throws: StoreError.self) {
            try SQLiteEventStore(path: path).append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        }
        #expect(error?.code == .readOnly)
    }

    // MARK: Disk full

    @Test func aFullDiskIsADiskFullErrorAndAppendsNothing() throws {
        let store = try SQLiteEventStore(path: path)
        try store.openAndAccept("C-1")
        // Cap the file at its current size: the next page SQLite needs is "beyond the disk".
        try store.write { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        var big = Sample.opened("C-2")
        big.payload.reason = String(repeating: "site photos attached; ", count: 20_000)
        let error = #expect(throws: StoreError.self) {
            try store.append([big], to: "C-2", expectedVersion: 0)
        }
        #expect(error?.code == .diskFull)
        #expect(try store.lastPosition() == 2)
        #expect(try store.verify().isOK)
    }

    // MARK: Locked

    @Test func aDatabaseHeldByAnotherWriterIsALockedErrorAfterTheBusyTimeout() throws {
        let store = try SQLiteEventStore(path: path, options: .init(busyTimeout: 0.05))
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let otherWriter = try DatabaseQueue(path: path, configuration: configuration)
        try otherWriter.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        defer { try? otherWriter.inDatabase { db in try db.execute(sql: "ROLLBACK") } }

        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        }
        #expect(error?.code == .locked)
        #expect(error?.message.contains("another writer") == true)
    }

    @Test func aLockedAppendSucceedsOnceTheOtherWriterIsDone() throws {
        let store = try SQLiteEventStore(path: path, options: .init(busyTimeout: 0.05))
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let otherWriter = try DatabaseQueue(path: path, configuration: configuration)
        try otherWriter.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        _ = try? store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        try otherWriter.inDatabase { db in try db.execute(sql: "ROLLBACK") }

        let result = try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        #expect(result.events.map(\.position) == [1])
    }

    // MARK: Damaged or missing files

    @Test func aFileThatIsNotADatabaseIsCorrupt() throws {
        try Data(String(repeating: "not a database ", count: 500).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error?.code == .corrupt)
    }

    @Test func aDatabaseInAMissingDirectoryCannotBeOpened() throws {
        let error = #expect(throws: StoreError.self) {
            try SQLiteEventStore(path: directory.path("missing/docket.sqlite"))
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("directory exists") == true)
    }
}
