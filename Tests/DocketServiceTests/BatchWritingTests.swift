import DocketCore
import DocketStore
import Foundation
import Testing

@testable import DocketService

/// The hand-over between a producing and a consuming thread that long jobs are built from
/// (inserting many rows per statement is tested in DocketStoreTests, `MultiRowInsertTests`).
@Suite struct BatchWritingTests {
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
