import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Writers racing through separate SQLite connections (as separate processes do): for each
/// version exactly one wins, every loser gets a conflict and appends nothing.
@Suite("Concurrent writers")
struct ConcurrentWritersTests {
    struct Attempt: Hashable {
        var expectedVersion: Int
        var won: Bool
    }

    @Test func writersOnTwoConnectionsWinEachVersionExactlyOnce() throws {
        let directory = TemporaryDirectory("store")
        let path = directory.path("docket.sqlite")
        let stores = [try SQLiteEventStore(path: path), try SQLiteEventStore(path: path)]
        try stores[0].append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)

        let threads = 4
        let winsPerThread = 15
        let attempts = Locked<[Attempt]>([])
        let unexpected = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let store = stores[thread % stores.count]
            var wins = 0
            while wins < winsPerThread {
                do {
                    let version = try store.header(of: "C-1")?.version ?? 0
                    let event = Sample.fired("C-1", "note", from: "review", to: "review", by: "clerk-\(thread)")
                    do {
                        try store.append([event], to: "C-1", expectedVersion: version)
                        wins += 1
                        attempts.update { $0.append(Attempt(expectedVersion: version, won: true)) }
                    } catch let error as StoreError where error.code == .conflict {
                        attempts.update { $0.append(Attempt(expectedVersion: version, won: false)) }
                    }
                } catch {
                    unexpected.update { $0.append("\(error)") }
                    return
                }
            }
        }

        #expect(unexpected.value.isEmpty)
        let total = 1 + threads * winsPerThread
        let winners = attempts.value.filter(\.won).map(\.expectedVersion)
        #expect(winners.sorted() == Array(1..<total))  // each version won exactly once
        let events = try stores[1].events(of: "C-1")
        #expect(events.map(\.version) == Array(1...total))
        #expect(events.map(\.position) == (1...total).map(Int64.init))
        #expect(try stores[0].verify().isOK)
    }

    @Test func aRetriedCommandRacingItselfIsRecordedOnce() throws {
        let directory = TemporaryDirectory("store")
        let path = directory.path("docket.sqlite")
        let stores = [try SQLiteEventStore(path: path), try SQLiteEventStore(path: path)]
        try stores[0].append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        let key = IdempotencyKey(key: "fire-C-1-accept", fingerprint: "fire C-1 accept by zhang.min")

        let results = Locked<[AppendResult]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            if let result = try? stores[thread % 2].append([Sample.accepted("C-1")], to: "C-1", expectedVersion: 1, idempotency: key) {
                results.update { $0.append(result) }
            }
        }

        #expect(results.value.count == 4)
        #expect(results.value.filter { !$0.isReplay }.count == 1)
        #expect(Set(results.value.map(\.events)).count == 1)
        #expect(try stores[0].lastPosition() == 2)
    }
}

/// The same race between real processes: SQLite coordinates connections of one process
/// through its own lock table, and only separate processes exercise the file locks themselves.
/// The test binary runs copies of itself as the writers (on Linux, where `swift test` runs the
/// `.xctest` executable directly).
@Suite("Concurrent writer processes")
struct ConcurrentWriterProcessesTests {
    static let databaseKey = "DOCKET_STORE_WRITER_DB"
    static let startSignalKey = "DOCKET_STORE_WRITER_GO"
    static let winsPerProcess = 25

    @Test(.requires(.runnableTestBinary))
    func writersInSeparateProcessesWinEachVersionExactlyOnce() throws {
        let directory = TemporaryDirectory("store")
        let path = directory.path("docket.sqlite")
        let startSignal = directory.path("go")
        let store = try SQLiteEventStore(path: path)
        try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)

        let processCount = 3
        let writers = try (0..<processCount).map { _ in
            try TestBinary.start(filter: "writerProcess", environment: [Self.databaseKey: path, Self.startSignalKey: startSignal])
        }
        // Every writer waits for this file, so that they all start racing together.
        FileManager.default.createFile(atPath: startSignal, contents: nil)
        for writer in writers {
            let result = try writer.wait()
            #expect(result.status == 0 && TestBinary.passed("writerProcess", in: result.stdout + result.stderr), "writer failed:\n\(result.stdout)\(result.stderr)")
        }

        let total = 1 + processCount * Self.winsPerProcess
        let events = try store.events(of: "C-1")
        #expect(events.map(\.version) == Array(1...total))
        #expect(Set(events.map(\.actor)).count == 1 + processCount)
        #expect(try store.verify().isOK)
    }

    /// One writer process of the test above; runs only when started by it (a role, not a
    /// prerequisite: skipped in every ordinary run).
    @Test(.enabled(if: ProcessInfo.processInfo.environment[databaseKey] != nil))
    func writerProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment[Self.databaseKey])
        let startSignal = try #require(environment[Self.startSignalKey])
        let store = try SQLiteEventStore(path: path, options: .init(busyTimeout: 30))
        while !FileManager.default.fileExists(atPath: startSignal) { usleep(1000) }
        let actor = "clerk-\(ProcessInfo.processInfo.processIdentifier)"
        var wins = 0
        while wins < Self.winsPerProcess {
            let version = try store.header(of: "C-1")?.version ?? 0
            do {
                try store.append([Sample.fired("C-1", "note", from: "review", to: "review", by: actor)], to: "C-1", expectedVersion: version)
                wins += 1
            } catch let error as StoreError where error.code == .conflict {
                continue
            }
        }
    }
}
