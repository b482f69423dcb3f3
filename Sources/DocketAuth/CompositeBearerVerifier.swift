import DocketCore
import DocketService

/// The one verifier a server asks: picks the verifier by the token's shape, `dkt_...` for an API
/// token, anything else for a JWT.
///
/// ```swift
/// let verifier = CompositeBearerVerifier(
///     apiTokens: APITokenVerifier(store: SQLiteAPITokenStore(log: store)),
///     jwt: try JWTBearerVerifier(jwksFile: "jwks.json", configuration: .init(issuer: "https://id.example.gov", audience: "docket")))
/// let principal = try await verifier.principal(forBearer: token)   // jwt:li.wei, api_token:portal
/// ```
package struct CompositeBearerVerifier: BearerTokenVerifier {
    package let apiTokens: any BearerTokenVerifier
    /// `nil` when no identity provider is configured: every JWT is refused.
    package let jwt: (any BearerTokenVerifier)?

    package init(apiTokens: any BearerTokenVerifier, jwt: (any BearerTokenVerifier)?) {
        self.apiTokens = apiTokens
        self.jwt = jwt
    }

    package func principal(forBearer token: String) async throws -> Principal {
        if token.hasPrefix(APITokenText.prefix) {
            return try await apiTokens.principal(forBearer: token)
        }
        guard let jwt else {
            throw AuthError(.notAccepted, "JWTs are not accepted: no identity provider's keys are configured (--jwks); use an API token.")
        }
        return try await jwt.principal(forBearer: token)
    }
}
