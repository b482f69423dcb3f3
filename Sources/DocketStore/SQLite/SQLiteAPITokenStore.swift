import DocketCore
import GRDB

/// The API tokens in the event log's own SQLite file: the `api_tokens` table of migration 0002.
/// Writes are `BEGIN IMMEDIATE` transactions of `SQLiteEventStore/write(_:)`, so two processes
/// creating or revoking tokens take turns.
package final class SQLiteAPITokenStore: APITokenStore {
    /// The event log whose file holds the table.
    package let sqlite: SQLiteEventStore

    /// The tokens kept in `log`'s file.
    package init(log: SQLiteEventStore) {
        sqlite = log
    }

    private static let columns = "token_id, person, secret_hash, created_at, created_by, expires_at, revoked_at, revoked_by"

    package func insert(_ token: APITokenRecord) throws {
        try token.check()
        try sqlite.write { db in
            // Checked under the write lock: no other writer can take the id in between.
            guard try Self.fetch(id: token.tokenID, db) == nil else { throw APITokenRecord.idTaken(token.tokenID) }
            try db.execute(
                sql: "INSERT INTO api_tokens (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.tokenID, token.person, token.secretHash, token.createdAt.microseconds, token.createdBy,
                    token.expiresAt?.microseconds, token.revokedAt?.microseconds, token.revokedBy,
                ])
        }
    }

    package func token(id: String) throws -> APITokenRecord? {
        try sqlite.read { db in try Self.fetch(id: id, db) }
    }

    package func tokens() throws -> [APITokenRecord] {
        try sqlite.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM api_tokens ORDER BY created_at, token_id").map(Self.record)
        }
    }

    package func revoke(id: String, at instant: Timestamp, by revoker: String) throws -> APITokenRecord? {
        try sqlite.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE token_id = ? AND revoked_at IS NULL",
                arguments: [instant.microseconds, revoker, id])
            return try Self.fetch(id: id, db)
        }
    }

    private static func fetch(id: String, _ db: Database) throws -> APITokenRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM api_tokens WHERE token_id = ?", arguments: [id]).map(record)
    }

    private static func record(_ row: Row) throws -> APITokenRecord {
        guard let id: String = row["token_id"], let person: String = row["person"], let hash: String = row["secret_hash"],
              let created: Int64 = row["created_at"], let creator: String = row["created_by"]
        else { throw StoreError(.corrupt, "a row of api_tokens lacks a required value.") }
        let expires: Int64? = row["expires_at"]
        let revoked: Int64? = row["revoked_at"]
        return APITokenRecord(
            tokenID: id, person: person, secretHash: hash, createdAt: Timestamp(microseconds: created), createdBy: creator,
            expiresAt: expires.map(Timestamp.init(microseconds:)), revokedAt: revoked.map(Timestamp.init(microseconds:)),
            revokedBy: row["revoked_by"])
    }
}
