import Foundation

/// A job on a log that one runner at a time should do, among every server sharing the log:
/// doing it twice at once is safe (the store's optimistic concurrency and the projection's
/// checkpoint keep the records right) but wasted work, and a breach decided twice is appended once
/// only after a conflict and a retry.
public enum ExclusiveJob: Int64, Sendable, CaseIterable, CustomStringConvertible {
    /// Recording the deadline breaches due by now (`docket serve --tick-every`).
    case deadlineTick = 1
    /// Folding the log's new events into the projection.
    case projectionCatchUp = 2

    public var description: String {
        switch self {
        case .deadlineTick: "the deadline tick"
        case .projectionCatchUp: "the projection's catch-up"
        }
    }
}

/// Who may run an ``ExclusiveJob`` now: the seam between a server's background work and the store
/// that can tell whether another process is doing it.
///
/// `PostgresExclusiveJobs` asks the database (an advisory lock held by a transaction of its own,
/// for the job's whole run), so that several `docket serve` processes on one database take turns.
/// ``LocalExclusiveJobs`` takes turns within the process only: what an SQLite log needs, whose
/// single writer lock already serialises every write of every process.
package protocol ExclusiveJobs: Sendable {
    /// Runs `body` when no one else runs `job` now and returns what it returns; returns `nil`
    /// without running it when someone does (the caller skips this round).
    func runIfFree<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T?

    /// Runs `body` once no one else runs `job`, waiting for its turn.
    ///
    /// - Throws: ``StoreError/Code/locked`` when the turn does not come within the store's wait.
    func runAlone<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T
}

/// Turns taken within this process only (one lock per job).
package final class LocalExclusiveJobs: ExclusiveJobs, @unchecked Sendable {
    // @unchecked: the dictionary is never changed after init; NSLock is thread-safe.
    private let locks: [ExclusiveJob: NSLock]

    package init() {
        locks = Dictionary(uniqueKeysWithValues: ExclusiveJob.allCases.map { ($0, NSLock()) })
    }

    /// The in-process lock of `job`.
    package func lock(of job: ExclusiveJob) -> NSLock {
        locks[job]!
    }

    package func runIfFree<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T? {
        let lock = lock(of: job)
        guard lock.try() else { return nil }
        defer { lock.unlock() }
        return try body()
    }

    package func runAlone<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T {
        try lock(of: job).withLock(body)
    }
}
