import Dispatch

/// Where the server runs the store's blocking work (SQLite reads and commits, which may wait out
/// a busy timeout): threads of its own, so that the few threads of Swift's cooperative pool keep
/// serving other requests meanwhile.
///
/// A task executor rather than a bare dispatch, so that task-local values follow the work onto
/// these threads. A command blocks here until its group's transaction committed (`GroupCommit`):
/// the threads are what lets many commands wait on one commit.
package final class StoreExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "docket.store", attributes: .concurrent)

    package init() {}

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// Runs the blocking `body` on the store's threads.
    package func run<T: Sendable>(_ body: @Sendable () throws -> T) async throws -> T {
        try await withTaskExecutorPreference(self) { try body() }
    }
}
