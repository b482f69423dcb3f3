import DocketCore
import Foundation

/// Where "now" comes from: `recorded_at` and `deployed_at` in the stores, the business time of a
/// command given without `--at`, the instant `tick` and the worklists measure against.
///
/// The one clock of Docket. The core never reads it (instants come in as arguments); the store and
/// the services take one, so tests and simulations say what time it is.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The system's real-time clock, to the microsecond.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }
}

/// A clock that says what it is told: for tests, back-filling and simulations.
public final class ManualWallClock: WallClock, @unchecked Sendable {
    // @unchecked: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    /// Moves the clock to `instant`.
    public func set(_ instant: Timestamp) { lock.withLock { current = instant } }
}
