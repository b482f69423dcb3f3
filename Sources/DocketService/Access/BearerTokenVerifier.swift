import DocketCore

/// Turns the bearer token of a request into the principal it proves, or refuses it.
///
/// The seam between the HTTP server and authentication: the server asks one verifier for every
/// request, whatever kind of token it carries (a JWT from the authority's identity provider, an
/// API token Docket issued to a service account). Implementations never log or echo the token.
public protocol BearerTokenVerifier: Sendable {
    /// The principal `token` proves.
    ///
    /// - Throws: an error whose `DocketError.kind` is `unauthenticated` (the server answers 401) when the
    ///   token is malformed, expired, not yet valid, for another issuer or audience, signed with
    ///   a key not trusted, or revoked; `unavailable` when the keys cannot be read.
    func principal(forBearer token: String) async throws -> Principal
}
