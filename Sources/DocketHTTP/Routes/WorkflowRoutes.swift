import DocketCore
import DocketService
import DocketStore
import Hummingbird
import HTTPTypes

/// The body of `POST /v1/deployments`: the texts of definitions and calendars (never paths on
/// the server), each with the name its problems are reported under.
struct DeploymentBody: Decodable {
    struct File: Decodable {
        var name: String
        var text: String
    }

    var files: [File]
}

/// Workflows: deploy, list, draw.
struct WorkflowRoutes {
    let services: ServerServices

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.post, "/v1/deployments", in: table, deploy)
        router.route(.get, "/v1/workflows", in: table, list)
        router.route(.get, "/v1/workflows/{id}/graph", in: table, graph)
    }

    /// `POST /v1/deployments` (as `docket deploy`): all files validated first, nothing deployed
    /// when one has a problem; 201 when something new was deployed, 200 when all was already.
    @Sendable func deploy(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(DeploymentBody.self, from: request)
        guard !body.files.isEmpty else { throw HTTPProblem.invalidParameter("'files' is empty: send at least one definition or calendar") }
        let services = self.services
        let outcomes = try await services.blocking {
            try Deployer(catalog: services.catalog).deploy(body.files.map { ArtifactFile(path: $0.name, text: $0.text) })
        }
        context.logger.info("deployed \(outcomes.filter(\.isNew).map { "\($0.artifact.id) v\($0.artifact.version)" })")
        return try Reply.json(outcomes.map(DeploymentView.init), status: outcomes.contains(where: \.isNew) ? .created : .ok)
    }

    /// `GET /v1/workflows`: every deployed version, by id then version.
    @Sendable func list(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let services = self.services
        let views = try await services.blocking { try services.catalog.deployedDefinitions().map(WorkflowView.init) }
        return try Reply.json(views)
    }

    /// `GET /v1/workflows/{id}/graph?format=mermaid|dot&version=N` (as `docket graph`).
    @Sendable func graph(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let query = Query(request: request)
        let format = try query.choice("format", WorkflowGraph.Format.self) ?? .mermaid
        let version = try query.int("version", in: 1...Int.max)
        let services = self.services
        let definition = try await services.blocking { try services.catalog.definition(id, version: version) }
        return Reply.text(WorkflowGraph.render(definition, as: format) + "\n",
                          contentType: format == .dot ? "text/vnd.graphviz; charset=utf-8" : "text/vnd.mermaid; charset=utf-8")
    }
}
