import DocketCore
import DocketStore

/// An API token as `token list` shows it: everything but the secret, which is never stored.
package struct APITokenView: Encodable, Sendable {
    package var tokenID: String
    package var person: String
    /// `active`, `expired` or `revoked` (at the instant the view was made).
    package var status: String
    package var createdAt: String
    package var createdBy: String
    /// Absent: never expires.
    package var expiresAt: String?
    package var revokedAt: String?
    package var revokedBy: String?

    package init(_ record: APITokenRecord, now: Timestamp) {
        tokenID = record.tokenID
        person = record.person
        status = record.revokedAt != nil ? "revoked" : record.expiresAt.map { now >= $0 } == true ? "expired" : "active"
        createdAt = record.createdAt.description
        createdBy = record.createdBy
        expiresAt = record.expiresAt?.description
        revokedAt = record.revokedAt?.description
        revokedBy = record.revokedBy
    }
}

/// A token just created or issued (`token create`, `token issue`): the only time its text is shown.
package struct IssuedTokenView: Encodable, Sendable {
    /// The bearer token itself: `dkt_...` or a JWT. Shown once; Docket keeps no copy.
    package var token: String
    /// The API token's id (absent for a JWT).
    package var tokenID: String?
    /// Who it authenticates.
    package var person: String
    /// Absent: never.
    package var expiresAt: String?
    /// For a JWT: its issuer, audience and signing key's id.
    package var issuer: String?
    package var audience: String?
    package var keyID: String?

    package init(
        token: String, tokenID: String? = nil, person: String, expiresAt: Timestamp?,
        issuer: String? = nil, audience: String? = nil, keyID: String? = nil
    ) {
        self.token = token
        self.tokenID = tokenID
        self.person = person
        self.expiresAt = expiresAt?.description
        self.issuer = issuer
        self.audience = audience
        self.keyID = keyID
    }
}

/// The principal a token proves (`token verify`).
package struct PrincipalView: Encodable, Sendable {
    /// How it was established: `jwt`, `api_token`, `os`.
    package var method: String
    package var id: String
    /// What the log records: `METHOD:ID`.
    package var recorded: String

    package init(_ principal: Principal) {
        method = principal.method.rawValue
        id = principal.id
        recorded = principal.recorded
    }
}
