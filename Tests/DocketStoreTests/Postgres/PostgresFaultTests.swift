import DocketCore
@testable import DocketPostgres
@testable import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What happens to a writer when the database server goes away or its disk fills up: each test
/// has a cluster of its own (the shared one serves the other tests meanwhile). The promise is the
/// same for every fault: a command that was acknowledged is in the log once; one that failed
/// failed with an error saying what to do and left nothing behind; once the fault is gone, the
/// same store (its pool) writes again, and the chain verifies.
@Suite("PostgreSQL faults", .requires(.postgreSQL), .serialized)
struct PostgresFaultTests {
    /// Opens `caseID` with its key, retrying (as a client would, with the same key) while the
    /// server is away; returns the errors seen, and nil when it gave up.
    static func open(_ caseID: String, on store: PostgresEventStore, errors: inout [StoreError]) -> Bool {
        let key = IdempotencyKey(key: "open-\(caseID)", fingerprint: "open \(caseID)")
        for _ in 0..<600 {
            do {
                try store.append([Sample.opened(caseID)], to: caseID, expectedVersion: 0, idempotency: key)
                return true
            } catch let error as StoreError {
                errors.append(error)
                usleep(50_000)
            } catch {
                return false
            }
        }
        return false
    }

    /// The whole cluster is restarted twice while a writer runs keyed commands: once with a fast
    /// shutdown (transactions in flight rolled back), once immediately (every backend killed, crash
    /// recovery on the way up). The writer's commands fail while the server is away, with errors
    /// that say so, and succeed on retry; every one is in the log once, and the chain verifies.
    @Test func aRestartOfTheWholeClusterUnderLoadLosesNoAcknowledgedCommand() throws {
        let cluster = try PostgresCluster.startPrivate()
        defer { cluster.stop() }
        let url = try cluster.createDatabase("restart")
        let store = try PostgresEventStore(url: url, options: .init(connectTimeout: 30, maximumConnections: 2))
        defer { store.close() }
        let opened = Locked(0)
        let restarts = Locked(0)
        let done = DispatchSemaphore(value: 0)
        let restartFailure = Locked<String?>(nil)
        Thread.detachNewThread {
            defer { done.signal() }
            for immediately in [false, true] {
                // Under load: the writer has been going for a while.
                let target = opened.value + 20
                while opened.value < target { usleep(10_000) }
                do {
                    try cluster.restart(immediately: immediately)
                    restarts.update { $0 += 1 }
                } catch {
                    restartFailure.set("\(error)")
                    return
                }
            }
        }
        var errors: [StoreError] = []
        var caseIDs: [String] = []
        var gaveUp: [String] = []
        // The writer goes on until both restarts are over, and a little beyond.
        var after = 0
        while after < 20 {
            let caseID = "R-\(caseIDs.count)"
            if Self.open(caseID, on: store, errors: &errors) { caseIDs.append(caseID) } else { gaveUp.append(caseID) }
            opened.update { $0 += 1 }
            if restarts.value == 2 || restartFailure.value != nil { after += 1 }
        }
        done.wait()
        #expect(restartFailure.value == nil)
        #expect(restarts.value == 2)
        #expect(gaveUp.isEmpty)
        // The fault was felt, and said as what it is: the server went away, retry.
        #expect(!errors.isEmpty)
        for error in errors {
            #expect([.ioError, .cannotOpen].contains(error.code), "\(error)")
            #expect(!error.message.contains(cluster.password))
        }
        let cases = try store.cases().map(\.caseID)
        #expect(cases.sorted() == caseIDs.sorted())
        #expect(try store.lastPosition() == Int64(caseIDs.count))
        let report = try store.verify()
        #expect(report.isOK, "\(report.problems)")
    }

    /// The database's tables live on a small disk (a tablespace on a tmpfs) that fills up while a
    /// writer appends: the write that does not fit fails as a full disk, saying so, and leaves
    /// nothing behind; the log verifies. Once space is freed the same store writes again.
    @Test(.requires(.mountableDisk))
    func aFullDiskRefusesTheWriteCleanlyAndTheStoreWritesAgainOnceSpaceIsFreed() throws {
        let cluster = try PostgresCluster.startPrivate()
        let disk = try SmallDisk(megabytes: 24, inside: cluster.directory)
        defer {
            cluster.stop()
            disk.unmount()
        }
        let tablespace = (disk.path as NSString).appendingPathComponent("tablespace")
        try FileManager.default.createDirectory(atPath: tablespace, withIntermediateDirectories: true)
        try Unprivileged.handOver([tablespace])
        _ = try cluster.sql("CREATE TABLESPACE small LOCATION '\(tablespace)'", database: "postgres")
        _ = try cluster.sql("CREATE DATABASE full_disk TABLESPACE small", database: "postgres")
        let store = try PostgresEventStore(url: cluster.url(database: "full_disk"), options: .init(maximumConnections: 2))
        defer { store.close() }
        var acknowledged: [String] = []
        for index in 0..<20 {
            let caseID = "F-\(index)"
            try store.append([Sample.opened(caseID)], to: caseID, expectedVersion: 0)
            acknowledged.append(caseID)
        }
        try disk.fill()
        // Appending until the disk refuses: a batch of many cases at a time, so that new pages
        // are needed soon (the tables' last pages had room left).
        var refusal: StoreError?
        var batchNumber = 0
        while refusal == nil, batchNumber < 1000 {
            let batch = (0..<200).map { offset in
                let caseID = "F-\(batchNumber)-\(offset)"
                return CaseAppend(caseID: caseID, expectedVersion: 0, events: [Sample.opened(caseID)])
            }
            do {
                try store.append(batch: batch)
                acknowledged.append(contentsOf: batch.map(\.caseID))
            } catch let error as StoreError {
                refusal = error
            }
            batchNumber += 1
        }
        let error = try #require(refusal)
        #expect(error.code == .diskFull, "\(error)")
        #expect(error.message.contains("full disk") || error.message.contains("out of resources"), "\(error.message)")
        // Nothing of the refused batch is there, and what was acknowledged is.
        #expect(try store.cases().map(\.caseID).sorted() == acknowledged.sorted())
        #expect(try store.lastPosition() == Int64(acknowledged.count))
        #expect(try store.verify().isOK)
        // Space freed: the same store writes again, with the same pool.
        try disk.free()
        try store.append([Sample.opened("F-after")], to: "F-after", expectedVersion: 0)
        #expect(try store.lastPosition() == Int64(acknowledged.count + 1))
        #expect(try store.verify().isOK)
    }
}
