import DocketCore
import DocketService
import DocketStore

/// Proves the principal of an API token: a token Docket issued (`dkt_<id>_<secret>`), whose
/// secret hashes to the stored hash, not revoked and not expired, is
/// `Principal(method: .apiToken, id: person)`.
package struct APITokenVerifier: BearerTokenVerifier {
    package let store: any APITokenStore
    package let clock: any WallClock

    package init(store: any APITokenStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    package func principal(forBearer token: String) async throws -> Principal {
        try verify(token)
    }

    /// The synchronous body of ``principal(forBearer:)``.
    package func verify(_ token: String) throws -> Principal {
        guard let text = APITokenText(token) else {
            throw AuthError(.malformedToken, "the API token is malformed: an API token is dkt_, a 16-digit hex id, _ and a 43-character secret.")
        }
        let presented = text.secretHash
        guard let record = try store.token(id: text.id) else {
            throw AuthError(.unknownToken, "API token \(text.id) is not known: it was never issued here.")
        }
        // The secret is checked first: only its holder learns that a token was revoked or expired.
        guard constantTimeEquals(presented, record.secretHash) else {
            throw AuthError(.wrongSecret, "API token \(text.id): the secret does not match.")
        }
        if let revoked = record.revokedAt {
            throw AuthError(.revoked, "API token \(text.id) was revoked at \(revoked) by \(record.revokedBy ?? "unknown").")
        }
        if let expires = record.expiresAt, clock.now() >= expires {
            throw AuthError(.expired, "API token \(text.id) expired at \(expires); ask for a new one (docket token create).")
        }
        return Principal(method: .apiToken, id: record.person)
    }
}
