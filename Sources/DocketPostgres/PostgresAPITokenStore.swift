import DocketCore
import DocketStore
import PostgresNIO

/// The API tokens in the event log's PostgreSQL database: the `api_tokens` table of migration
/// `0003_tokens_access_log`, on the event store's own connection pool. The same promises as
/// `SQLiteAPITokenStore` (both pass the contract suite); the database itself refuses deleting a
/// row and changing one except to revoke it once (triggers).
package final class PostgresAPITokenStore: APITokenStore {
    /// The event log whose database holds the table.
    package let log: PostgresEventStore

    /// The tokens kept in `log`'s database.
    package init(log: PostgresEventStore) {
        self.log = log
    }

    private static let columns = "token_id, person, secret_hash, created_at, created_by, expires_at, revoked_at, revoked_by"

    package func insert(_ token: APITokenRecord) throws {
        try token.check()
        try log.writeOwnTable { session in
            // One statement: two processes inserting the same id cannot both succeed.
            let inserted = try session.query("""
                INSERT INTO api_tokens (token_id, person, secret_hash, created_at, created_by, expires_at, revoked_at, revoked_by)
                VALUES (\(token.tokenID), \(token.person), \(token.secretHash), \(token.createdAt.microseconds), \(token.createdBy),
                        \(token.expiresAt?.microseconds), \(token.revokedAt?.microseconds), \(token.revokedBy))
                ON CONFLICT (token_id) DO NOTHING
                RETURNING token_id
                """)
            if inserted.isEmpty { throw APITokenRecord.idTaken(token.tokenID) }
        }
    }

    package func token(id: String) throws -> APITokenRecord? {
        try log.connector.withConnection { session in try Self.fetch(id: id, session) }
    }

    package func tokens() throws -> [APITokenRecord] {
        try log.connector.withConnection { session in
            // "C": the order of the ids' bytes, as the other stores sort them, whatever the database's collation.
            try session.run("SELECT \(Self.columns) FROM api_tokens ORDER BY created_at, token_id COLLATE \"C\"").map(Self.record)
        }
    }

    package func revoke(id: String, at instant: Timestamp, by revoker: String) throws -> APITokenRecord? {
        try log.writeOwnTable { session in
            try session.query("""
                UPDATE api_tokens SET revoked_at = \(instant.microseconds), revoked_by = \(revoker)
                WHERE token_id = \(id) AND revoked_at IS NULL
                """)
            return try Self.fetch(id: id, session)
        }
    }

    private static func fetch(id: String, _ session: PostgresSession) throws -> APITokenRecord? {
        try session.query("SELECT token_id, person, secret_hash, created_at, created_by, expires_at, revoked_at, revoked_by FROM api_tokens WHERE token_id = \(id)")
            .first.map(record)
    }

    private static func record(_ row: PostgresRow) throws -> APITokenRecord {
        let (id, person, hash, created, creator, expires, revoked, revoker) =
            try row.decode((String, String, String, Int64, String, Int64?, Int64?, String?).self)
        return APITokenRecord(
            tokenID: id, person: person, secretHash: hash, createdAt: Timestamp(microseconds: created), createdBy: creator,
            expiresAt: expires.map(Timestamp.init(microseconds:)), revokedAt: revoked.map(Timestamp.init(microseconds:)),
            revokedBy: revoker)
    }
}
