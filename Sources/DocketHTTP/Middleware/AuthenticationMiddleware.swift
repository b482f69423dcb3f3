import DocketCore
import DocketService
import Hummingbird
import HTTPTypes

/// Proves who is asking before any route that needs it runs: `Authorization: Bearer TOKEN`,
/// verified by the injected ``DocketService/BearerTokenVerifier``; the principal goes on the
/// request context. No token, or one the verifier refuses, is 401 with `WWW-Authenticate:
/// Bearer`; a verifier that cannot read its keys is 503. The token itself is never logged.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext
    let verifier: any BearerTokenVerifier
    /// Paths that need no token: the probes, the metrics and the API's description.
    let openPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw HTTPProblem.unauthenticated("no bearer token: send Authorization: Bearer TOKEN")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw HTTPProblem.unauthenticated("the Authorization header is not 'Bearer TOKEN'")
        }
        let principal: Principal
        do {
            principal = try await verifier.principal(forBearer: String(parts[1]))
        } catch let error as any DocketError where error.kind == .unavailable {
            throw error
        } catch let error as any DocketError {
            throw HTTPProblem.unauthenticated(error.description)
        } catch {
            throw HTTPProblem.unauthenticated("the bearer token was not accepted")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.recorded)
        return try await next(request, context)
    }
}
