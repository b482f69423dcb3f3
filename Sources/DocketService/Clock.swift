import DocketCore
import Foundation

/// Where the service layer gets "now" from. Injected so tests and simulations control time; the
/// core never reads a clock at all.
public protocol Clock: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}

/// A clock that says what it is told: for tests, back-filling and simulations.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    /// Moves the clock to `instant`.
    public func set(_ instant: Timestamp) { lock.withLock { current = instant } }

    /// Moves the clock forward by `microseconds`.
    public func advance(microseconds: Int64) { lock.withLock { current = current.adding(microseconds: microseconds) } }
}
