import DocketService
import DocketStore
import Hummingbird
import HTTPTypes

/// The routes an operator's tools call, without a token: the probes, the metrics, and the API's
/// own description.
struct OperationsRoutes {
    let services: ServerServices

    /// The paths that need no bearer token.
    static let openPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.get, "/healthz", in: table, health)
        router.route(.get, "/readyz", in: table, ready)
        router.route(.get, "/metrics", in: table, metrics)
        router.route(.get, "/openapi.json", in: table, openAPI)
    }

    /// 200 while the process answers at all.
    @Sendable func health(_ request: Request, context: DocketRequestContext) async throws -> Response {
        try Reply.json(HealthView(status: "up"))
    }

    /// 200 when the log can be read (its last position) and written (on SQLite the write lock
    /// taken and released at once; on PostgreSQL the database reached and not a standby; nothing
    /// written); 503 with the store's problem otherwise.
    @Sendable func ready(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let services = self.services
        let position = try await services.blocking {
            // Writable first: its wait for the database is short (a probe that hangs is no answer).
            try services.checkWritable()
            return try services.log.lastPosition()
        }
        return try Reply.json(HealthView(status: "ready", lastPosition: position))
    }

    /// Prometheus's text format; the projection's lag and the open cases are read at each scrape.
    @Sendable func metrics(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let services = self.services
        let commits = services.cases.groupCommitCounts
        services.metrics.groupCommits(transactions: commits.transactions, commands: commits.commands)
        do {
            let (lag, open) = try await services.blocking { () throws -> (Int64, Int?) in
                let updater = ProjectionUpdater(services.projections, calendars: try ProjectionCalendars.deployed(in: services.log))
                return (try updater.pendingEvents(), try updater.openCaseIDs()?.count)
            }
            services.metrics.setProjectionLag(lag)
            if let open { services.metrics.setOpenCases(open) }
        } catch {
            // The figures of the log are missing from this scrape; the counters are still worth serving.
            context.logger.warning("metrics: cannot read the projection: \(error)")
        }
        return Reply.text(services.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// The OpenAPI 3.1 description of every route, as kept in the repository.
    @Sendable func openAPI(_ request: Request, context: DocketRequestContext) async throws -> Response {
        Reply.text(OpenAPIDocument.json, contentType: "application/json")
    }
}
