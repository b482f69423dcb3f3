import DocketStore
import Foundation

/// Jobs that one `docket serve` at a time runs among all that share a PostgreSQL database: a
/// transaction-scoped advisory lock (`pg_try_advisory_xact_lock`, `pg_advisory_xact_lock`), taken
/// in a transaction of its own on a connection of the event store's pool and held until the job
/// is done. A process that dies, or loses its connection, releases it with the transaction.
///
/// Within the process a lock per job is taken first, so that threads waiting for their turn hold
/// no connection of the pool: the job's own work needs them.
package final class PostgresExclusiveJobs: ExclusiveJobs {
    private let log: PostgresEventStore
    private let local = LocalExclusiveJobs()
    /// How long ``runAlone(_:_:)`` waits for another process's run to end, in seconds.
    private let wait: Double
    /// The jobs whose turns are taken across processes; the others only within this one (a
    /// projection each server keeps in its own memory is no other server's business).
    private let shared: Set<ExclusiveJob>

    /// Turns taken among the processes using `log`'s database (for the jobs in `shared`; within
    /// the process for the others); ``runAlone(_:_:)`` waits at most `wait` seconds (long enough
    /// for another process's catch-up).
    package init(log: PostgresEventStore, wait: Double = 60, shared: Set<ExclusiveJob> = Set(ExclusiveJob.allCases)) {
        self.log = log
        self.wait = wait
        self.shared = shared
    }

    /// The advisory lock's key of `job`: "docket" in ASCII, then the job's number (the migration
    /// lock is "docket" alone). Advisory locks are per database: other databases of the cluster
    /// are not disturbed.
    static func key(of job: ExclusiveJob) -> Int64 {
        PostgresSchema.migrationLock << 8 | job.rawValue
    }

    package func runIfFree<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T? {
        guard shared.contains(job) else { return try local.runIfFree(job, body) }
        return try local.runIfFree(job) { () throws -> T? in
            try holding(job, waiting: false, body)
        } ?? nil
    }

    package func runAlone<T>(_ job: ExclusiveJob, _ body: () throws -> T) throws -> T {
        guard shared.contains(job) else { return try local.runAlone(job, body) }
        return try local.runAlone(job) {
            guard let result = try holding(job, waiting: true, body) else {
                throw StoreError(.locked, "\(log.location): another process ran \(job) for longer than \(Int(wait)) s; retry.")
            }
            return result
        }
    }

    /// Takes the advisory lock of `job` in a transaction on a connection of its own (waiting for
    /// it, or not), runs `body` while holding it, then ends the transaction; nil when not taken.
    private func holding<T>(_ job: ExclusiveJob, waiting: Bool, _ body: () throws -> T) throws -> T? {
        let key = Self.key(of: job)
        return try log.connector.withConnection { session -> T? in
            try session.run("BEGIN")
            let taken: Bool
            do {
                if waiting {
                    try session.run("SET LOCAL lock_timeout = '\(Int(wait * 1000))ms'")
                    try session.query("SELECT pg_advisory_xact_lock(\(key))")
                    taken = true
                } else {
                    taken = try session.query("SELECT pg_try_advisory_xact_lock(\(key))").first?.decode(Bool.self) ?? false
                }
            } catch let error as StoreError where error.code == .locked {
                _ = try? session.run("ROLLBACK")
                return nil
            } catch {
                _ = try? session.run("ROLLBACK")
                throw error
            }
            // The lock ends with the transaction, whatever `body` does; a failed ROLLBACK means a
            // lost connection, which ended the transaction (and the lock) anyway.
            defer { _ = try? session.run("ROLLBACK") }
            guard taken else { return nil }
            return try body()
        }
    }
}
