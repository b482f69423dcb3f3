import DocketCore
import DocketService
import Hummingbird
import HTTPTypes

/// Proves who is asking before any route that needs it runs: `Authorization: Bearer TOKEN`,
/// verified by the injected ``DocketService/BearerTokenVerifier``; the principal goes on the
/// request context. No token, or one the verifier refuses, is 401 with `WWW-Authenticate:
/// Bearer`; a verifier that cannot read its keys is 503. The token itself is never logged.
///
/// Every refusal is counted here (`docket_refusals_total`) and logged with the principal (or,
/// for a 401, with the verifier's words, which never quote the token): this is the one place
/// that knows who asked when a route refuses them (403, and the 404 of an unreadable case).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext
    let verifier: any BearerTokenVerifier
    let metrics: ServerMetrics
    /// Paths that need no token: the probes, the metrics and the API's description.
    let openPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        let principal = try await authenticate(request, context)
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.recorded)
        do {
            return try await next(request, context)
        } catch let error as UnreadableCase {
            metrics.refusal(code: UnreadableCase.reason, status: 404)
            context.logger.notice("refused \(request.method) \(request.uri.path): \(UnreadableCase.reason): \(principal.recorded) may not read case \(error.caseID) (answered as unknown)")
            throw error
        } catch let error as any DocketError where error.kind == .forbidden || error.kind == .unauthenticated {
            let status = ProblemStatus.of(error).code
            metrics.refusal(code: error.errorCode, status: status)
            context.logger.notice("refused \(status) \(request.method) \(request.uri.path): \(error.errorCode): \(error.description)")
            throw error
        }
    }

    /// The principal the request's bearer token proves; a 401, counted by why and logged, otherwise.
    private func authenticate(_ request: Request, _ context: Context) async throws -> Principal {
        func refused(_ reason: String, _ detail: String) -> HTTPProblem {
            metrics.refusal(code: reason, status: 401)
            context.logger.notice("refused 401 \(request.method) \(request.uri.path): \(reason): \(detail)")
            return HTTPProblem.unauthenticated(detail)
        }
        guard let header = request.headers[.authorization] else {
            throw refused("no_token", "no bearer token: send Authorization: Bearer TOKEN")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw refused("not_bearer", "the Authorization header is not 'Bearer TOKEN'")
        }
        do {
            return try await verifier.principal(forBearer: String(parts[1]))
        } catch let error as any DocketError where error.kind == .unavailable {
            throw error
        } catch let error as any DocketError {
            // The verifier's words name what was wrong and never quote the token (Docs/security.md).
            throw refused(error.errorCode, error.description)
        } catch {
            throw refused("token_refused", "the bearer token was not accepted")
        }
    }
}
