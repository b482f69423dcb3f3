import DocketCore

/// Where the API tokens Docket issued to service accounts are kept: who each one authenticates,
/// the SHA-256 of its secret (never the secret), when it was created and by whom, when it
/// expires, and whether it was revoked.
///
/// The seam between authentication (`APITokens` and `APITokenVerifier` in DocketAuth) and
/// storage, beside ``EventStore``: `SQLiteAPITokenStore` keeps the `api_tokens` table in the
/// event log's file, ``InMemoryAPITokenStore`` keeps the rows in memory. Both pass the same
/// contract suite (`Tests/DocketStoreTests/APITokenStoreContractTests`).
///
/// Promises every implementation keeps:
/// - **A token id is used once.** Inserting an id already held is refused and changes nothing.
/// - **Rows are kept.** A revoked or expired token stays listed, so that an audit can still tell
///   who an `api_token:` principal in the log was; nothing deletes a row.
/// - **The first revocation stands.** Revoking a revoked token again changes nothing.
/// - **Values read back exactly.** Times to the microsecond, absent values as absent.
package protocol APITokenStore: Sendable {
    /// Stores a new token.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` when `token`'s id is already held, its id or
    ///   person is empty, or its `secretHash` is not 64 lowercase hex digits.
    func insert(_ token: APITokenRecord) throws

    /// The token with id `id`, or `nil` when there is none.
    func token(id: String) throws -> APITokenRecord?

    /// Every token, oldest first (by creation time, then id).
    func tokens() throws -> [APITokenRecord]

    /// Records that `revoker` (a recorded principal) revoked token `id` at `instant`, unless it
    /// was revoked already, and returns the token as it now is; `nil` when there is no such token.
    func revoke(id: String, at instant: Timestamp, by revoker: String) throws -> APITokenRecord?
}

/// One row of the API tokens: everything about a token except its secret.
package struct APITokenRecord: Hashable, Sendable {
    /// The public part of the token (`dkt_<id>_<secret>`), by which it is listed and revoked.
    package var tokenID: String
    /// The service account (or person) the token authenticates.
    package var person: String
    /// SHA-256 of the secret, 64 lowercase hex digits.
    package var secretHash: String
    /// When it was created.
    package var createdAt: Timestamp
    /// The principal who created it (`Principal.recorded`, e.g. `os:root`).
    package var createdBy: String
    /// When it stops being accepted; `nil`: never.
    package var expiresAt: Timestamp?
    /// When it was revoked; `nil` while it is not.
    package var revokedAt: Timestamp?
    /// The principal who revoked it.
    package var revokedBy: String?

    package init(
        tokenID: String, person: String, secretHash: String, createdAt: Timestamp, createdBy: String,
        expiresAt: Timestamp? = nil, revokedAt: Timestamp? = nil, revokedBy: String? = nil
    ) {
        self.tokenID = tokenID
        self.person = person
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    /// Refuses a record no store may hold (the same rules as the table's constraints).
    package func check() throws {
        guard !tokenID.isEmpty else { throw StoreError(.invalidArgument, "an API token needs an id.") }
        guard !person.isEmpty else { throw StoreError(.invalidArgument, "API token \(tokenID) names no person.") }
        guard secretHash.utf8.count == 64, secretHash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw StoreError(.invalidArgument, "API token \(tokenID): the secret's hash must be 64 lowercase hex digits (SHA-256).")
        }
    }

    package static func idTaken(_ id: String) -> StoreError {
        StoreError(.invalidArgument, "an API token with id \(id) already exists; nothing was stored.")
    }
}
