import DocketCore
import DocketService
import DocketStore

/// Who may read what through the API (issue 13): the one place the routes ask the
/// ``DocketService/Authorizer`` about reads and record them in the access log.
///
/// - A case the principal may not read is answered exactly as a case that does not exist (404
///   `unknown_case`, ``UnreadableCase``): whether someone's application exists is itself what an
///   applicant or another centre's staff must not learn. The server's log and the metrics keep
///   the real reason.
/// - Reports need `analyst` (or `auditor`), `verify`, the whole event stream and the access log
///   `auditor`: 403 `read_not_allowed` naming the role.
/// - Without a directory deployed, every authenticated principal reads everything, as before.
enum ReadAccess {
    /// The principal the authentication middleware put on the context.
    static func principal(_ context: DocketRequestContext) throws -> Principal {
        // Reaching a read route without one is a route registered as open by mistake.
        guard let principal = context.principal else { throw HTTPProblem.unauthenticated("this route needs a bearer token") }
        return principal
    }

    /// `loaded`, when `principal` may read it (blocking); ``UnreadableCase`` otherwise.
    static func check(_ loaded: LoadedCase, by principal: Principal, _ authorizer: Authorizer) throws -> LoadedCase {
        guard let subject = CaseSubject(events: loaded.events), !authorizer.mayRead(principal, subject) else { return loaded }
        throw UnreadableCase(caseID: loaded.state.caseID, principal: principal)
    }

    /// Records a read in the access log (blocking). A read that cannot be recorded is not served:
    /// the failure (the store's) answers the request instead.
    static func record(_ action: Action, caseID: String? = nil, by principal: Principal, request context: DocketRequestContext,
                       in services: ServerServices) throws {
        try services.accessLog.record(principal: principal, action: action.rawValue, caseID: caseID, requestID: context.requestID)
    }

    /// What the access log records a read as.
    enum Action: String {
        /// `GET /v1/cases/{id}`.
        case readCase = "read_case"
        /// `GET /v1/cases/{id}/history`.
        case readHistory = "read_history"
        /// `GET /v1/cases`: one row for the page (which cases it listed is not recorded).
        case listCases = "list_cases"
        /// `GET /v1/events`: one row when the stream opens.
        case readEvents = "read_events"
        /// `GET /v1/reports/process`.
        case report
        /// `GET /v1/access-log`.
        case readAccessLog = "read_access_log"
        /// `GET /v1/cases/{id}/attachments/{sha256}`.
        case readAttachment = "read_attachment"
    }
}

/// A case the principal may not read: answered as 404 `unknown_case` with the very words of a
/// case that does not exist; counted and logged as `case_not_readable` with the principal.
struct UnreadableCase: DocketError {
    var caseID: String
    var principal: Principal

    /// The reason counted in `docket_refusals_total` and logged (never answered).
    static let reason = "case_not_readable"

    var description: String { Refusal.unknownCase(caseID).description }
    var errorCode: String { Refusal.unknownCase(caseID).errorCode }
    var kind: FailureKind { .notFound }
}
