import DocketCore
import DocketStore

/// Creating, listing and revoking the API tokens of service accounts (`docket token create`,
/// `list`, `revoke`).
///
/// Who may do so is not decided here: the caller passes the principal it authenticated (the CLI,
/// the operating-system user), which is recorded as `created_by` / `revoked_by`. The
/// administering role that will restrict it comes with the directory (issue 13); its check
/// belongs in the caller, before these calls.
package struct APITokens: Sendable {
    package let store: any APITokenStore
    package let clock: any WallClock

    package init(store: any APITokenStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// A token created: its text, to hand to the service account once, and what is stored.
    package struct Created: Sendable {
        /// `dkt_<id>_<secret>`: shown once, never stored.
        package var token: String
        package var record: APITokenRecord
    }

    /// Creates a token authenticating `person`, living `lifetime` from now.
    ///
    /// - Throws: ``AuthError/Code/invalidArgument`` for an empty or unprintable person; the
    ///   store's errors.
    package func create(for person: String, lifetime: TokenLifetime, by creator: Principal) throws -> Created {
        try Self.checkPerson(person)
        let now = clock.now()
        let text = APITokenText.random()
        let record = APITokenRecord(
            tokenID: text.id, person: person, secretHash: text.secretHash, createdAt: now, createdBy: creator.recorded,
            expiresAt: lifetime.seconds.map { now.adding(seconds: $0) })
        try store.insert(record)
        return Created(token: text.text, record: record)
    }

    /// Every token, oldest first.
    package func list() throws -> [APITokenRecord] {
        try store.tokens()
    }

    /// Revokes token `id` (a token already revoked keeps its first revocation).
    ///
    /// - Throws: ``AuthError/Code/tokenNotFound`` when Docket never issued `id`.
    package func revoke(id: String, by revoker: Principal) throws -> APITokenRecord {
        guard let record = try store.revoke(id: id, at: clock.now(), by: revoker.recorded) else {
            throw AuthError(.tokenNotFound, "no API token has id \(quoted(id)); docket token list shows them.")
        }
        return record
    }

    static func checkPerson(_ person: String) throws {
        guard !person.isEmpty, person.count <= 200,
              person.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.properties.generalCategory != .control })
        else {
            throw AuthError(.invalidArgument, "--for \(quoted(person)) is not a person or service account id (no spaces, at most 200 characters)")
        }
    }
}
