import DocketCore
import DocketService
import DocketStore
import Logging
import ServiceLifecycle

/// Records deadline breaches without cron: every `interval`, what `docket tick` does (the open
/// cases' breaches due by now, each once). Of several servers on one log one ticks at a time
/// (``ExclusiveJob/deadlineTick``: on PostgreSQL an advisory lock; the others skip that round);
/// should two still tick at once (SQLite, or a `docket tick` beside), the store's optimistic
/// concurrency lets one append each breach and the other, re-deciding, finds it recorded.
package struct DeadlineTicker: Service {
    let services: ServerServices
    let interval: Duration

    package init(services: ServerServices, interval: Duration) {
        self.services = services
        self.interval = interval
    }

    package func run() async throws {
        do {
            // Stops sleeping (and ticking) as soon as the server shuts down.
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    do {
                        _ = try await tick()
                    } catch let error as any DocketError {
                        // The next tick tries again: a locked or briefly unavailable log is no reason to stop serving.
                        services.logger.error("tick failed: \(error.errorCode): \(error.description)")
                    }
                }
            }
        } catch is CancellationError {
            // Shutting down: a service that returns now is done, not failed.
        }
    }

    /// One tick: the breaches it recorded; nil when another server on the log was ticking at that
    /// moment (this round is skipped: that server records what is due).
    @discardableResult
    package func tick() async throws -> Int? {
        let services = self.services
        let recorded = try await services.blocking { () throws -> Int? in
            try services.jobs.runIfFree(.deadlineTick) {
                let now = services.cases.clock.now()
                let due = try ProjectionUpdater.casesDueForBreach(in: services.projections, readOnly: false, by: now) { updater in
                    try services.jobs.runAlone(.projectionCatchUp) { _ = try updater.catchUp() }
                }
                let outcomes = try services.cases.tick(caseIDs: due, now: now, principal: .operatingSystemUser)
                return outcomes.reduce(0) { $0 + $1.recorded.filter { $0.event.type == .deadlineBreached }.count }
            }
        }
        guard let recorded else {
            services.logger.debug("tick skipped: another server on the log is ticking")
            return nil
        }
        services.metrics.breachesRecorded(recorded)
        if recorded > 0 { services.appends.appended() }
        if recorded > 0 { services.logger.info("tick recorded \(recorded) breach(es)") }
        return recorded
    }
}
