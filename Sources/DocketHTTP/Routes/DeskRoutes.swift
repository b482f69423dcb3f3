import DocketCore
import DocketService
import DocketStore
import Foundation
import Hummingbird
import HTTPTypes

/// The body of `POST /v1/cases/{id}/claim`, `/release` and `/reassign` (as `docket claim`,
/// `release`, `reassign`).
struct ClaimBody: Decodable {
    var by: String?
    var role: String?
    var to: String?
    var branch: String?
    var reason: String?
    var at: String?

    enum CodingKeys: String, CodingKey {
        case by, role = "as", to, branch, reason, at
    }
}

/// The desk: worklists, and claiming work.
struct DeskRoutes {
    let services: ServerServices
    let cases: CaseRoutes

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.get, "/v1/worklist", in: table, worklist)
        router.route(.post, "/v1/cases/{id}/claim", in: table) { try await claim(.claim, $0, $1) }
        router.route(.post, "/v1/cases/{id}/release", in: table) { try await claim(.release, $0, $1) }
        router.route(.post, "/v1/cases/{id}/reassign", in: table) { try await claim(.reassign, $0, $1) }
    }

    /// Claim, release or reassign: a command like `fire`, with `If-Match` and `Idempotency-Key`.
    @Sendable func claim(_ action: ClaimCommand.Action, _ request: Request, _ context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let body = try await JSONBody.decode(ClaimBody.self, from: request)
        let actor = try CommandActor.of(context, by: body.by, role: body.role ?? (action == .reassign ? Engine.supervisorRole : nil),
                                        onBehalfOf: nil)
        guard let role = actor.role, !role.isEmpty else { throw HTTPProblem.invalidParameter("'as' is required: the role you act in") }
        if action == .reassign, body.to == nil { throw HTTPProblem.invalidParameter("a reassignment names who gets the work: \"to\"") }
        let at = try body.at.map { try BusinessTime($0, field: "at") }
        let service = services.cases
        return try await cases.command(request, caseID: caseID, workflow: nil, event: action.rawValue) { key, required in
            try service.claim(caseID: caseID, action: action, actor: actor.actor, role: role, person: body.to, branch: body.branch,
                              reason: body.reason, at: try at.map { try service.instant(of: $0, caseID: caseID) }, idempotencyKey: key, principal: context.principal, requiredVersion: required)
        }
    }

    /// `GET /v1/worklist`: the filters of `docket worklist`; `mine=true` is the work the signed-in
    /// person holds. Only cases the principal may read are listed; `total` counts those listed
    /// when some were left out.
    @Sendable func worklist(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let query = Query(request: request)
        var ask = WorklistRequest()
        ask.workflowID = query.string("workflow")
        ask.department = query.string("department")
        ask.role = query.string("role")
        ask.holder = query.string("held_by")
        ask.unclaimedOnly = try query.bool("unclaimed")
        ask.order = try query.choice("sort", WorkQuery.Order.self) ?? .urgent
        ask.limit = try query.int("limit", in: 1...CaseRoutes.largestPage) ?? CaseRoutes.defaultPage
        if let within = query.string("due_within") {
            guard let amount = WorkingAmount(within) else {
                throw HTTPProblem.invalidParameter("due_within=\(within) is not a working time such as 2d (working days) or 4h")
            }
            ask.dueWithin = amount
        }
        let principal = try ReadAccess.principal(context)
        if try query.bool("mine") { ask.holder = principal.personID ?? principal.id }
        let services = self.services
        let now = try query.time("now") ?? services.clock.now()
        let asked = ask
        let view = try await services.blocking {
            try DeskFilterCheck.check(services.catalog, asked)
            let authorizer = try services.authorizer()
            try ReadAccess.record(.listCases, by: principal, request: context, in: services)
            let projections = try services.caughtUpProjections()
            var view = try DeskQueries(projections: projections, catalog: services.catalog).worklist(asked, now: now)
            let readable = try view.items.filter { item in
                guard let subject = CaseSubject(events: try services.log.events(of: item.caseID)) else { return false }
                return authorizer.mayRead(principal, subject)
            }
            if readable.count < view.items.count { view.total = readable.count }
            view.items = readable
            return view
        }
        return try Reply.json(view)
    }
}

/// A mistyped filter would select nothing and read as "no work": refused, listing what is deployed.
enum DeskFilterCheck {
    static func check(_ catalog: WorkflowCatalog, _ request: WorklistRequest) throws {
        let definitions = try catalog.deployedDefinitions(of: request.workflowID)
        let scope = request.workflowID.map { "workflow '\($0)'" } ?? "any deployed workflow"
        func check(_ value: String?, _ noun: String, _ known: (WorkflowDefinition) -> Set<String>) throws {
            guard let value else { return }
            let names = definitions.reduce(into: Set<String>()) { $0.formUnion(known($1)) }
            guard !names.contains(value) else { return }
            throw HTTPProblem.invalidParameter("no \(noun) '\(value)' in \(scope); \(noun)s: \(names.sorted().joined(separator: ", "))")
        }
        try check(request.department, "department") { $0.departments }
        try check(request.role, "role") { Set($0.roles) }
    }
}
