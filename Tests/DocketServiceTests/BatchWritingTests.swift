import DocketCore
import DocketStore
import Foundation
import GRDB
import Testing

@testable import DocketService

/// The two pieces long jobs are built from: the hand-over between a producing and a consuming
/// thread, and inserting many rows per statement.
@Suite struct BatchWritingTests {
    // MARK: MultiRowInsert

    /// Row counts around the statement size: none, one, one short of a statement, exactly one,
    /// one over, and several statements with a remainder.
    @Test(arguments: [0, 1, 31, 32, 33, 100])
    func multiRowInsertStoresEveryRowInOrder(count: Int) throws {
        let fixture = try ProjectionFixture()
        let rows = (0..<count).map { (n: $0, label: $0.isMultiple(of: 3) ? nil : "row \($0)") }
        let stored = try fixture.store.write { db -> [Row] in
            try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL, label TEXT)")
            try MultiRowInsert(db, "INSERT INTO t (n, label)", columns: 2).insert(rows) { statement, offset, row in
                statement.bind(offset + 1, row.n)
                statement.bind(offset + 2, row.label)
            }
            return try Row.fetchAll(db, sql: "SELECT n, label FROM t ORDER BY rowid")
        }
        #expect(stored.map { $0[0] as Int } == rows.map(\.n))
        #expect(stored.map { $0[1] as String? } == rows.map(\.label))
    }

    @Test func multiRowInsertAppliesTheConflictClauseToEveryRow() throws {
        let fixture = try ProjectionFixture()
        let count = try fixture.store.write { db -> Int in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY)")
            let insert = MultiRowInsert(db, "INSERT INTO t (k)", columns: 1, then: "ON CONFLICT (k) DO NOTHING")
            try insert.insert(["a", "b", "a", "c", "b"]) { statement, offset, key in statement.bind(offset + 1, key) }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM t") ?? -1
        }
        #expect(count == 3)
    }

    // MARK: Handoff

    @Test func aHandoffDeliversEveryItemInOrderThenDone() {
        let handoff = Handoff<Int>.start(capacity: 2) { emit in
            for n in 0..<100 { guard emit(n) else { return } }
        }
        defer { handoff.cancel() }
        var received: [Int] = []
        loop: while true {
            switch handoff.take() {
            case let .item(n): received.append(n)
            case .done: break loop
            case .failed: Issue.record("the producer did not fail")
                break loop
            }
        }
        #expect(received == Array(0..<100))
    }

    @Test func aProducersErrorReachesTheConsumerAfterItsItems() {
        struct Broken: Error {}
        let handoff = Handoff<Int>.start(capacity: 1) { emit in
            _ = emit(1)
            throw Broken()
        }
        defer { handoff.cancel() }
        guard case .item(1) = handoff.take() else {
            Issue.record("expected the item first")
            return
        }
        guard case .failed(let error) = handoff.take() else {
            Issue.record("expected the failure")
            return
        }
        #expect(error is Broken)
    }

    /// A consumer that stops early (an error while writing) releases a producer waiting for
    /// room, which sees `emit` return false, and `cancel` returns only once it has stopped.
    @Test func cancellingStopsAProducerThatWaitsForRoom() {
        final class Tally: @unchecked Sendable {
            private let lock = NSLock()
            private var emitted = 0
            private var refused = false
            func record(accepted: Bool) { lock.withLock { if accepted { emitted += 1 } else { refused = true } } }
            var state: (emitted: Int, refused: Bool) { lock.withLock { (emitted, refused) } }
        }
        let tally = Tally()
        let handoff = Handoff<Int>.start(capacity: 1) { emit in
            for n in 0..<1_000_000 {
                let accepted = emit(n)
                tally.record(accepted: accepted)
                guard accepted else { return }
            }
        }
        guard case .item(0) = handoff.take() else {
            Issue.record("expected the first item")
            return
        }
        handoff.cancel()
        let state = tally.state
        #expect(state.refused)
        #expect(state.emitted < 10)
    }
}
