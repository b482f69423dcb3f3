import DocketCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock a store reads `recorded_at` from when none is injected: the system's real-time
/// clock. Stores take the clock as a parameter (`() -> Timestamp`), so tests pin it and
/// nothing deeper reads the time.
public enum SystemClock {
    /// The current time, to the microsecond.
    @Sendable public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }
}
