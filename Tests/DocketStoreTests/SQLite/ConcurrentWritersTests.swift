import DocketCore
import DocketStore
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
        let directory = try TemporaryDirectory()
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
        let directory = try TemporaryDirectory()
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
