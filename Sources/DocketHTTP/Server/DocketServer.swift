import DocketCore
import DocketService
import DocketStore
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// How `docket serve` listens and what it bounds.
package struct ServerOptions: Sendable {
    package var host: String
    package var port: Int
    /// How often the server records due deadline breaches itself (nil: never, `docket tick` does).
    package var tickEvery: Duration?
    /// Connections served at once; further ones wait in the listen backlog
    /// (Hummingbird's `MaximumAvailableConnections`).
    package var maxConnections: Int
    /// A connection with no request in progress for this long is closed (Hummingbird's HTTP/1
    /// `idleTimeout`; a request's body must then arrive within `HTTPLimits.bodyReadTimeout`).
    package var idleTimeout: Duration
    /// Signs the log's head every second into a heads file (`--head-key`, `--heads`); nil: never.
    package var headSigning: (signer: HeadSigner, headsFile: String)?

    package init(host: String = "127.0.0.1", port: Int = 8080, tickEvery: Duration? = .seconds(60),
                 maxConnections: Int = 256, idleTimeout: Duration = .seconds(60),
                 headSigning: (signer: HeadSigner, headsFile: String)? = nil) {
        self.host = host
        self.port = port
        self.tickEvery = tickEvery
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headSigning = headSigning
    }
}

/// `docket serve`: the HTTP API over the same services as the CLI (Docs/api.md).
///
/// One value builds the router (every route, in ``routes``), the middleware (request id,
/// metrics, problem details, authentication) and the application with its services (the
/// deadline ticker); ``run()`` runs it in a ServiceGroup that stops on SIGTERM and SIGINT:
/// no new connections, requests in flight (event streams included) finished, then the store is
/// closed.
package struct DocketServer: Sendable {
    package let services: ServerServices
    package let options: ServerOptions
    package let verifier: any BearerTokenVerifier
    /// Every route registered, for 405 and the OpenAPI document's test.
    package let routes = RouteTable()

    package init(services: ServerServices, options: ServerOptions, verifier: any BearerTokenVerifier) {
        self.services = services
        self.options = options
        self.verifier = verifier
    }

    /// The router: middleware first (it wraps the routes added after it), then every route.
    package func makeRouter() -> Router<DocketRequestContext> {
        let router = Router(context: DocketRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: services.metrics))
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.add(middleware: AuthenticationMiddleware(verifier: verifier, metrics: services.metrics, openPaths: OperationsRoutes.openPaths))
        OperationsRoutes(services: services).register(on: router, table: routes)
        WorkflowRoutes(services: services).register(on: router, table: routes)
        CaseRoutes(services: services).register(on: router, table: routes)
        CorrectionRoutes(services: services).register(on: router, table: routes)
        AttachmentRoutes(services: services).register(on: router, table: routes)
        DeskRoutes(services: services, cases: CaseRoutes(services: services)).register(on: router, table: routes)
        ReportRoutes(services: services).register(on: router, table: routes)
        EventStreamRoute(services: services).register(on: router, table: routes)
        return router
    }

    /// The deadline ticker, when the server ticks.
    package var ticker: DeadlineTicker? {
        options.tickEvery.map { DeadlineTicker(services: services, interval: $0) }
    }

    /// The application: the router, the listening address and limits, the ticker.
    package func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> Application<RouterResponder<DocketRequestContext>>
    {
        var logger = services.logger
        logger[metadataKey: "listen"] = .string("\(options.host):\(options.port)")
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(options.idleTimeout.components.seconds))),
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "docket",
                availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections, logger: logger)),
            services: (ticker.map { [$0 as any Service] } ?? [])
                + (options.headSigning.map { [HeadSigningService(services: services, signer: $0.signer, headsFile: $0.headsFile)] } ?? []),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and closes the store.
    /// `announce` is told once the server listens (with the port bound), and once it has stopped.
    package func run(announce: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let app = makeApplication { port in
            services.logger.info("listening", metadata: ["port": .stringConvertible(port)])
            announce("docket serve listening on \(options.host):\(port)")
        }
        try await app.runService()
        try services.close()
        announce("docket serve stopped; the store is closed")
    }
}
