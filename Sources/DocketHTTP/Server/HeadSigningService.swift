import DocketCore
import DocketService
import DocketStore
import Logging
import ServiceLifecycle

/// Signs the log's head every `interval` while the server runs (when it moved since the last
/// signature), appending each signed head to the heads file, for `verify --heads` (Docs/security.md).
/// The key is the server's: the people and programs that write the log file must not hold it.
package struct HeadSigningService: Service {
    let services: ServerServices
    let signer: HeadSigner
    let headsFile: String
    let interval: Duration

    package init(services: ServerServices, signer: HeadSigner, headsFile: String, interval: Duration = .seconds(1)) {
        self.services = services
        self.signer = signer
        self.headsFile = headsFile
        self.interval = interval
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var lastSigned: Int64 = -1
                while !Task.isCancelled {
                    lastSigned = await signIfMoved(since: lastSigned)
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // Shutting down: the head is signed once more below, so the last events are covered.
        }
        _ = await signIfMoved(since: -1)
    }

    /// Signs the head when its position is not `since`; returns the position now signed.
    private func signIfMoved(since: Int64) async -> Int64 {
        let services = self.services, signer = self.signer, headsFile = self.headsFile
        do {
            return try await services.blocking {
                let position = try services.log.lastPosition()
                guard position != since else { return since }
                return try signer.signHead(of: services.log, exportTo: headsFile).position
            }
        } catch {
            // The next second tries again; a log that cannot be read is reported by /readyz.
            services.logger.error("signing the head failed: \(error)")
            return since
        }
    }
}
