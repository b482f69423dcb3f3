import DocketCore
import DocketService
import DocketStore
import Logging
import ServiceLifecycle

/// Records deadline breaches without cron: every `interval`, what `docket tick` does (the open
/// cases' breaches due by now, each once). Two servers on one log may tick at the same moment:
/// the store's optimistic concurrency lets one append each breach and the other, re-deciding,
/// finds it recorded.
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

    /// One tick: the breaches it recorded.
    @discardableResult
    package func tick() async throws -> Int {
        let services = self.services
        let recorded = try await services.blocking {
            let now = services.cases.clock.now()
            let outcomes = try services.cases.tick(caseIDs: try ProjectionUpdater.casesDueForBreach(in: services.log, by: now),
                                                  now: now, principal: .operatingSystemUser)
            return outcomes.reduce(0) { $0 + $1.recorded.filter { $0.event.type == .deadlineBreached }.count }
        }
        services.metrics.breachesRecorded(recorded)
        if recorded > 0 { services.appends.appended() }
        if recorded > 0 { services.logger.info("tick recorded \(recorded) breach(es)") }
        return recorded
    }
}
