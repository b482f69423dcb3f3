import Foundation

/// A bounded hand-over of work from one producing thread to one consuming thread, so the two
/// halves of a long job (generating and appending cases; reading and folding the log, and
/// writing the projection tables; inflating a gzip log, and parsing it) each keep a core busy.
///
/// The one queue between threads in Docket. It lives in the core because every layer's long jobs
/// use it; the engine itself never does (a command is decided on the caller's thread).
///
/// The producer runs on its own `Thread`, started by ``start(capacity:_:)``; it hands items over
/// with `emit`, which waits while `capacity` items are waiting and returns false once the
/// consumer has gone (the producer should then stop). The consumer takes items in order with
/// ``take()`` and must call ``cancel()`` when it stops, however it stops: that releases the
/// producer and waits until it has finished, so no thread outlives the job.
package final class Handoff<Item>: @unchecked Sendable {
    /// What the consumer takes: an item, the producer's normal end, or its error.
    package enum Message {
        case item(Item)
        case done
        case failed(any Error)
    }

    private let condition = NSCondition()
    private var messages: [Message] = []
    private var cancelled = false
    private var finished = false
    private let capacity: Int

    private init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Starts `produce` on a new thread (8 MiB stack) named `name` (for profilers and debuggers)
    /// and returns the hand-over to take its items from. `produce` gets `emit`; its return ends
    /// the stream with ``Message/done``, its error with ``Message/failed(_:)``.
    package static func start(capacity: Int, name: String = "docket-producer",
                              _ produce: @escaping @Sendable (_ emit: (Item) -> Bool) throws -> Void) -> Handoff {
        let handoff = Handoff(capacity: capacity)
        let thread = Thread {
            // The name must be set from the thread itself.
            Thread.current.name = name
            do {
                try produce { handoff.put(.item($0)) }
                handoff.put(.done)
            } catch {
                handoff.put(.failed(error))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        return handoff
    }

    /// Waits for room; false when the consumer has gone.
    @discardableResult
    private func put(_ message: Message) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while messages.count >= capacity, !cancelled { condition.wait() }
        if case .item = message {} else { finished = true }
        guard !cancelled else {
            condition.broadcast()
            return false
        }
        messages.append(message)
        condition.broadcast()
        return true
    }

    /// The next message, waiting for the producer when there is none yet.
    package func take() -> Message {
        condition.lock()
        defer { condition.unlock() }
        while messages.isEmpty { condition.wait() }
        let message = messages.removeFirst()
        condition.broadcast()
        return message
    }

    /// The consumer is done (or failed): releases the producer and waits until it has stopped.
    package func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
    }
}
