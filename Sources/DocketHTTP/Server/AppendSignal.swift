import Foundation
import Synchronization

/// Wakes the event streams: at once when this server appended to the log, and at least every
/// poll interval in any case (other servers and CLI commands append to the same file unseen).
package final class AppendSignal: Sendable {
    /// One stream's wake-ups; ``AppendSignal/unsubscribe(_:)`` it when the stream ends.
    package struct Subscription: Sendable {
        package let id: UUID
        package let wakeUps: AsyncStream<Void>
    }

    private struct Subscriber {
        var continuation: AsyncStream<Void>.Continuation
        var timer: Task<Void, Never>
    }

    private let subscribers = Mutex<[UUID: Subscriber]>([:])

    package init() {}

    /// Something was appended: every stream looks at the log now.
    package func appended() {
        subscribers.withLock { for subscriber in $0.values { subscriber.continuation.yield() } }
    }

    /// Wake-ups on every local append and every `interval`; several pending ones are one.
    package func subscribe(every interval: Duration) -> Subscription {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield()
            }
        }
        let id = UUID()
        subscribers.withLock { $0[id] = Subscriber(continuation: continuation, timer: timer) }
        return Subscription(id: id, wakeUps: stream)
    }

    package func unsubscribe(_ subscription: Subscription) {
        guard let subscriber = subscribers.withLock({ $0.removeValue(forKey: subscription.id) }) else { return }
        subscriber.timer.cancel()
        subscriber.continuation.finish()
    }
}
