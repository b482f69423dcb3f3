import DocketCore
import DocketService
import DocketStore
import Foundation
import Hummingbird
import HTTPTypes

/// The body of `POST /v1/cases` (as `docket start`).
struct OpenCaseBody: Decodable {
    var workflow: String
    var version: Int?
    var caseID: String?
    var by: String?
    var role: String?
    var onBehalfOf: String?
    var data: [String: String]?
    var at: String?
    var allowFuture: Bool?

    enum CodingKeys: String, CodingKey {
        case workflow, version, caseID = "case_id", by, role = "as", onBehalfOf = "on_behalf_of", data, at, allowFuture = "allow_future"
    }
}

/// The body of `POST /v1/cases/{id}/events` (as `docket fire`).
struct FireBody: Decodable {
    var event: String
    var by: String?
    var role: String?
    var onBehalfOf: String?
    var documents: [String]?
    var reason: String?
    var branch: String?
    var data: [String: String]?
    var at: String?
    var allowFuture: Bool?
    /// Documents' files uploaded before (`POST /v1/attachments`), named by hash.
    var attachments: [AttachmentReference]?

    enum CodingKeys: String, CodingKey {
        case event, by, role = "as", onBehalfOf = "on_behalf_of", documents, reason, branch, data, at, allowFuture = "allow_future", attachments
    }
}

/// The body of `POST /v1/cases/{id}/votes` (as `docket vote`).
struct VoteBody: Decodable {
    var ballot: String
    var by: String?
    var role: String?
    var onBehalfOf: String?
    var reason: String?
    var at: String?
    var allowFuture: Bool?

    enum CodingKeys: String, CodingKey {
        case ballot, by, role = "as", onBehalfOf = "on_behalf_of", reason, at, allowFuture = "allow_future"
    }
}

/// Cases: open, list, show, history, fire, vote.
struct CaseRoutes {
    let services: ServerServices

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.post, "/v1/cases", in: table, openCase)
        router.route(.get, "/v1/cases", in: table, list)
        router.route(.get, "/v1/cases/{id}", in: table, show)
        router.route(.get, "/v1/cases/{id}/history", in: table, history)
        router.route(.post, "/v1/cases/{id}/events", in: table, fire)
        router.route(.post, "/v1/cases/{id}/votes", in: table, vote)
    }

    // MARK: Commands

    @Sendable func openCase(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(OpenCaseBody.self, from: request)
        let actor = try CommandActor.of(context, by: body.by, role: body.role, onBehalfOf: body.onBehalfOf)
        // Without an offset, `at` is read in the workflow calendar's zone, as the CLI's --at.
        let at = try body.at.map { try BusinessTime($0, field: "at") }
        let cases = services.cases
        return try await command(request, caseID: nil, workflow: body.workflow, event: "open", status: .created) { key, _ in
            try cases.open(workflowID: body.workflow, version: body.version, caseID: body.caseID, actor: actor.actor, role: actor.role,
                           onBehalfOf: actor.onBehalfOf, data: body.data ?? [:],
                           at: try at.map { try cases.instant(of: $0, workflowID: body.workflow, version: body.version) },
                           allowFuture: body.allowFuture ?? false, idempotencyKey: key,
                           principal: context.principal)
        }
    }

    @Sendable func fire(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let body = try await JSONBody.decode(FireBody.self, from: request)
        let actor = try CommandActor.of(context, by: body.by, role: body.role, onBehalfOf: body.onBehalfOf)
        let at = try body.at.map { try BusinessTime($0, field: "at") }
        let services = self.services, cases = services.cases
        return try await command(request, caseID: caseID, workflow: nil, event: body.event) { key, required in
            let attachments = try (body.attachments ?? []).map { try $0.resolved(in: try services.documents()) }
            // A missing `as` is answered by the service, naming the roles that could fire the event.
            return try cases.fire(caseID: caseID, event: body.event, actor: actor.actor, role: actor.role, onBehalfOf: actor.onBehalfOf,
                                  documents: body.documents ?? [], reason: body.reason, branch: body.branch, data: body.data ?? [:],
                                  at: try at.map { try cases.instant(of: $0, caseID: caseID) }, allowFuture: body.allowFuture ?? false,
                                  idempotencyKey: key,
                                  principal: context.principal, requiredVersion: required, attachments: attachments)
        }
    }

    @Sendable func vote(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let body = try await JSONBody.decode(VoteBody.self, from: request)
        guard let ballot = Ballot(rawValue: body.ballot) else {
            throw HTTPProblem.invalidParameter("ballot '\(body.ballot)' is neither approve nor reject")
        }
        let actor = try CommandActor.of(context, by: body.by, role: body.role, onBehalfOf: body.onBehalfOf)
        let at = try body.at.map { try BusinessTime($0, field: "at") }
        let cases = services.cases
        return try await command(request, caseID: caseID, workflow: nil, event: "vote") { key, required in
            try cases.vote(caseID: caseID, ballot: ballot, actor: actor.actor, role: actor.role, onBehalfOf: actor.onBehalfOf,
                           reason: body.reason, at: try at.map { try cases.instant(of: $0, caseID: caseID) },
                           allowFuture: body.allowFuture ?? false, idempotencyKey: key, principal: context.principal, requiredVersion: required)
        }
    }

    /// Runs one command: `If-Match` checked first and again under the write lock, where the
    /// command is decided (`CaseService`'s `requiredVersion`), `Idempotency-Key` passed as the
    /// command's key, the outcome counted, and the case after it answered with its ETag.
    func command(
        _ request: Request, caseID: String?, workflow: String?, event: String, status: HTTPResponse.Status = .ok,
        _ run: @escaping @Sendable (_ idempotencyKey: String?, _ requiredVersion: Int?) throws -> CommandOutcome
    ) async throws -> Response {
        let services = self.services
        let key = request.headers[.idempotencyKey]
        if let key, key.isEmpty || key.count > 256 { throw HTTPProblem.invalidParameter("Idempotency-Key must be 1 to 256 characters") }
        var header: CaseHeader?
        var required: Int?
        // A stale If-Match on a keyed command may be the retry of a command that moved the case on:
        // it runs (held to the stale version, so it can append nothing) to get the first answer.
        var stale: HTTPProblem?
        if let caseID {
            header = try await services.blocking { try services.log.header(of: caseID) }
            if let ifMatch = request.headers[.ifMatch], let header {
                if let version = Self.version(ifMatch: ifMatch) {
                    if version != header.version {
                        stale = HTTPProblem.preconditionFailed(caseID: caseID, expected: ifMatch, actual: header.version)
                        if key == nil, let stale {
                            services.metrics.command(workflow: header.workflowID, event: event, outcome: .conflict)
                            throw stale
                        }
                    }
                    required = version
                } else if ifMatch.trimmingCharacters(in: .whitespaces) != "*" {
                    throw HTTPProblem.preconditionFailed(caseID: caseID, expected: ifMatch, actual: header.version)
                }
            }
        }
        do {
            let required = required
            let (outcome, context) = try await services.blocking {
                let outcome = try run(key, required)
                return (outcome, try services.catalog.context(for: outcome.definition))
            }
            // Held to the stale version, only a replay can have succeeded; anything else is the precondition's failure.
            if let stale, !outcome.isReplay { throw stale }
            if !outcome.recorded.isEmpty, !outcome.isReplay { services.appends.appended() }
            services.metrics.command(workflow: outcome.state.workflowID, event: event, outcome: .ok)
            var headers = HTTPFields()
            headers[.eTag] = Reply.etag(version: outcome.state.version)
            if status == .created { headers[.location] = "/v1/cases/\(outcome.caseID)" }
            return try Reply.json(CommandOutcomeView(outcome, context: context, now: services.clock.now()), status: status, headers: headers)
        } catch let error as any DocketError {
            var error: any DocketError = stale ?? error
            if let staleVersion = error as? StaleVersion {
                error = HTTPProblem.preconditionFailed(caseID: staleVersion.caseID, expected: "\"v\(staleVersion.required)\"",
                                                       actual: staleVersion.actual)
            }
            let labels = await Self.boundedLabels(workflow: header.map { ($0.workflowID, $0.workflowVersion) } ?? workflow.map { ($0, nil) },
                                                  event: event, services: services)
            services.metrics.command(workflow: labels.workflow, event: labels.event, outcome: .init(error.kind))
            // 401s and 403s are counted (and logged with the principal) by the authentication middleware.
            if error.kind == .refused { services.metrics.refusal(code: error.errorCode, status: 422) }
            throw error
        }
    }

    /// The metric labels of a failed command: the workflow and event only when they are deployed
    /// ones (`open` and `vote` always are events), so that a client sending made-up names cannot
    /// grow the metrics without bound.
    private static func boundedLabels(workflow: (id: String, version: Int?)?, event: String,
                                      services: ServerServices) async -> (workflow: String, event: String) {
        guard let workflow else { return ("", event == "open" || event == "vote" ? event : "") }
        let definition = try? await services.blocking { try services.catalog.definition(workflow.id, version: workflow.version) }
        guard let definition else { return ("", event == "open" || event == "vote" ? event : "") }
        let known = event == "open" || event == "vote" || definition.transitions.contains { $0.event == event }
        return (definition.id, known ? event : "")
    }

    /// The version an `If-Match` names (`"v7"`), or nil when it names none.
    static func version(ifMatch: String) -> Int? {
        let tag = ifMatch.trimmingCharacters(in: .whitespaces)
        guard tag.hasPrefix("\"v"), tag.hasSuffix("\""), tag.count > 3 else { return nil }
        return Int(tag.dropFirst(2).dropLast())
    }

    // MARK: Reading

    /// `GET /v1/cases/{id}`: the case, when the principal may read it (404 otherwise, as for a
    /// case that does not exist); the read is recorded in the access log.
    @Sendable func show(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let principal = try ReadAccess.principal(context)
        let services = self.services
        let view = try await services.blocking {
            let loaded = try ReadAccess.check(try services.cases.load(caseID), by: principal, try services.authorizer())
            try ReadAccess.record(.readCase, caseID: caseID, by: principal, request: context, in: services)
            return CaseView(state: loaded.state, definition: loaded.definition, context: loaded.context, now: services.clock.now())
        }
        var headers = HTTPFields()
        headers[.eTag] = Reply.etag(version: view.version)
        return try Reply.json(view, headers: headers)
    }

    /// `GET /v1/cases/{id}/history`: as ``show(_:context:)``, the case's events.
    @Sendable func history(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let principal = try ReadAccess.principal(context)
        let services = self.services
        let (events, version) = try await services.blocking {
            let loaded = try ReadAccess.check(try services.cases.load(caseID), by: principal, try services.authorizer())
            try ReadAccess.record(.readHistory, caseID: caseID, by: principal, request: context, in: services)
            let time = TimeText(calendar: loaded.context.calendar)
            return (EventView.history(loaded.events, time: time), loaded.state.version)
        }
        var headers = HTTPFields()
        headers[.eTag] = Reply.etag(version: version)
        return try Reply.json(events, headers: headers)
    }

    /// The default and largest page of `GET /v1/cases`.
    static let defaultPage = 50, largestPage = 500

    /// `GET /v1/cases`: the filters of `docket cases` (workflow, state, open, overdue, now) and
    /// the applicant (who opened the case, or whom it was opened for), a page at a time in the
    /// order the cases were opened, only those the principal may read (a page is full of readable
    /// cases; the listing is recorded once in the access log). The cursor is the log position of the last case's opening
    /// event, so a page never repeats or skips a case however many are opened meanwhile.
    @Sendable func list(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let query = Query(request: request)
        var search = CaseQuery()
        search.workflowID = query.string("workflow")
        search.state = query.string("state")
        search.applicant = query.string("applicant")
        search.department = query.string("department")
        search.channel = query.string("channel")
        if let pairs = query.string("data") {
            // `data=centre:rizhao,channel:online`: every pair must match.
            for pair in pairs.split(separator: ",") {
                guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                    throw HTTPProblem.invalidParameter("data=\(pairs) is not KEY:VALUE[,KEY:VALUE...]")
                }
                search.data[String(pair[..<colon])] = String(pair[pair.index(after: colon)...])
            }
        }
        search.openedFrom = try query.time("opened_from")
        search.openedBefore = try query.time("opened_before")
        let open = try query.bool("open"), overdue = try query.bool("overdue")
        let limit = try query.int("limit", in: 1...Self.largestPage) ?? Self.defaultPage
        let after = try query.string("after").map(Self.position(cursor:)) ?? 0
        let services = self.services
        let now = try query.time("now") ?? services.clock.now()
        search.openOnly = open || overdue
        search.overdueAt = overdue ? now : nil
        let principal = try ReadAccess.principal(context)
        let asked = search
        let page = try await services.blocking {
            try Self.checkFilters(services.catalog, workflow: asked.workflowID, state: asked.state, department: asked.department)
            let authorizer = try services.authorizer()
            try ReadAccess.record(.listCases, by: principal, request: context, in: services)
            // The desk tables, caught up first; a page is filled with cases the principal may read,
            // reading on in chunks past those it may not.
            let projections = try services.caughtUpProjections()
            let desk = DeskQueries(projections: projections, catalog: services.catalog)
            var rows: [DeskCase] = []
            var more = false
            var chunk = asked
            chunk.afterPosition = after
            chunk.limit = limit + 1
            scan: while true {
                let found = try desk.found(chunk)
                for row in found {
                    guard let subject = CaseSubject(events: try services.log.events(of: row.caseID)),
                          authorizer.mayRead(principal, subject) else { continue }
                    if rows.count == limit {
                        more = true
                        break scan
                    }
                    rows.append(row)
                }
                guard let last = found.last, found.count == chunk.limit else { break }
                chunk.afterPosition = last.position
            }
            return CasePageView(cases: try desk.summaries(rows, now: now), next: more ? rows.last.map { Self.cursor(position: $0.position) } : nil)
        }
        return try Reply.json(page)
    }

    /// A mistyped workflow or state would select nothing and read as "no cases": refused, as
    /// `docket cases` refuses it.
    private static func checkFilters(_ catalog: WorkflowCatalog, workflow: String?, state: String?, department: String? = nil) throws {
        if let workflow { _ = try catalog.definition(workflow) }
        let definitions = state == nil && department == nil ? [] : try catalog.deployedDefinitions(of: workflow)
        let scope = workflow.map { "workflow '\($0)'" } ?? "any deployed workflow"
        if let state {
            let names = definitions.reduce(into: Set<String>()) { $0.formUnion($1.stateNames) }
            guard names.contains(state) else {
                throw HTTPProblem.invalidParameter("no state '\(state)' in \(scope); states: \(names.sorted().joined(separator: ", "))")
            }
        }
        if let department {
            let names = definitions.reduce(into: Set<String>()) { $0.formUnion($1.departments) }
            guard names.contains(department) else {
                throw HTTPProblem.invalidParameter("no department '\(department)' in \(scope); departments: \(names.sorted().joined(separator: ", "))")
            }
        }
    }

    /// An opaque page cursor for a log position.
    static func cursor(position: Int64) -> String {
        Data("p\(position)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func position(cursor: String) throws -> Int64 {
        let padded = cursor + String(repeating: "=", count: (4 - cursor.count % 4) % 4)
        guard let data = Data(base64Encoded: padded), let text = String(data: data, encoding: .utf8), text.hasPrefix("p"),
              let position = Int64(text.dropFirst()), position >= 0
        else { throw HTTPProblem.invalidParameter("after=\(cursor) is not a cursor this server gave (use the 'next' of a page)") }
        return position
    }
}
