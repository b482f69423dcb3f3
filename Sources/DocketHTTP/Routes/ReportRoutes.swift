import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Hummingbird
import HTTPTypes

/// Reports and integrity: `docket report` and `docket verify` over HTTP.
struct ReportRoutes {
    let services: ServerServices

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.get, "/v1/reports/process", in: table, process)
        router.route(.post, "/v1/verify", in: table, verify)
        router.route(.get, "/v1/access-log", in: table, accessLog)
    }

    /// `GET /v1/reports/process`: the process report of `docket report`, with its filters as
    /// query parameters (`workflow`, `version`, `from`, `to`, `department`, `role`,
    /// `on_behalf_of`, `channel`, `time`, `now`, and `by` for CSV). JSON by default; CSV with
    /// `Accept: text/csv` or `format=csv`; the page of `docket report --format html` with
    /// `Accept: text/html` (as a browser asks) or `format=html`. The projection is brought up to date first. Needs
    /// `analyst` (or `auditor`) when a directory is deployed; recorded in the access log.
    @Sendable func process(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let principal = try ReadAccess.principal(context)
        let query = Query(request: request)
        let version = try query.int("version", in: 1...Int.max)
        let by = try query.choice("by", ReportBreakdown.self)
        let measure = try query.choice("time", TimeMeasure.self) ?? .working
        enum Representation { case json, csv, html }
        let representation: Representation
        switch query.string("format") {
        case "csv"?: representation = .csv
        case "json"?: representation = .json
        case "html"?: representation = .html
        case nil:
            let accept = request.headers[.accept] ?? ""
            representation = accept.contains("text/csv") ? .csv : accept.contains("text/html") ? .html : .json
        case let other?: throw HTTPProblem.invalidParameter("format=\(other) is not json, csv or html")
        }
        let scope = ReportScope(
            workflowID: query.string("workflow"), version: version, from: try query.time("from"), to: try query.time("to"),
            department: query.string("department"), role: query.string("role"), onBehalfOf: query.string("on_behalf_of"),
            channel: query.string("channel"), measure: measure, asOf: try query.time("now") ?? services.clock.now())
        if let from = scope.from, let to = scope.to, to <= from { throw HTTPProblem.invalidParameter("to must be after from") }
        let services = self.services
        let response = try await services.blocking { () throws -> Response in
            try services.authorizer().authorizeReports(principal)
            try ReadAccess.record(.report, by: principal, request: context, in: services)
            if let workflow = scope.workflowID { _ = try services.catalog.definition(workflow) }
            let calendars = try ProjectionCalendars.deployed(in: services.log)
            let projections = try services.caughtUpProjections()
            let report = try ProjectionReporter(projections, calendars: calendars).report(scope)
            switch representation {
            case .csv: return Reply.text(ReportCSV.text(report, by: by), contentType: "text/csv; charset=utf-8")
            case .json: return try Reply.json(ReportView(report, calendars: calendars))
            case .html:
                let catalog = services.catalog
                var page = Reply.text(ReportPage.make(ReportView(report, calendars: calendars),
                                                      definition: { try? catalog.definition($0, version: $1) },
                                                      layout: GraphvizLayout.installed()),
                                      contentType: "text/html; charset=utf-8")
                // The page needs nothing from anywhere: no script, font or image may load, even
                // if a name in it were ever let through unescaped.
                page.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
                return page
            }
        }
        return response
    }

    /// `POST /v1/verify` (as `docket verify`): 200 with `ok: false` and the problems when the log
    /// was changed behind Docket's back; the check itself succeeded. Reads the whole log: needs
    /// `auditor` when a directory is deployed.
    @Sendable func verify(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let principal = try ReadAccess.principal(context)
        let services = self.services
        let report = try await services.blocking {
            try services.authorizer().authorizeWholeLog(principal, to: "verifying the whole log")
            var report = try services.log.verify()
            // A log that keeps no documents' files (PostgreSQL) has none to check.
            if let documents = services.documentsIfKept { report.problems += try documents.problems(in: services.log) }
            return report
        }
        if !report.isOK { context.logger.warning("verify found \(report.problems.count) problem(s)") }
        return try Reply.json(VerifyView(report))
    }

    /// `GET /v1/access-log?case=ID&limit=N` (as `docket access-log`): who read which case, oldest
    /// first (at most `limit`, default 500, largest 10,000). Needs `auditor` when a directory is
    /// deployed; reading it is itself recorded.
    @Sendable func accessLog(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let principal = try ReadAccess.principal(context)
        let query = Query(request: request)
        let caseID = query.string("case")
        let limit = try query.int("limit", in: 1...10_000) ?? 500
        let services = self.services
        let records = try await services.blocking {
            try services.authorizer().authorizeWholeLog(principal, to: "reading the access log")
            try ReadAccess.record(.readAccessLog, caseID: caseID, by: principal, request: context, in: services)
            return try services.accessLog.records(caseID: caseID, limit: limit)
        }
        return try Reply.json(records.map(AccessRecordView.init))
    }
}
