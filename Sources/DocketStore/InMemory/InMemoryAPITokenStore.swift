import DocketCore
import Foundation

/// API tokens in memory, for tests: the same promises as `SQLiteAPITokenStore` (both pass the
/// contract suite).
///
/// Thread-safe: every operation holds one lock.
package final class InMemoryAPITokenStore: APITokenStore, @unchecked Sendable {
    // @unchecked: `rows` is only touched while holding `lock`.
    private let lock = NSLock()
    private var rows: [String: APITokenRecord] = [:]

    package init() {}

    package func insert(_ token: APITokenRecord) throws {
        try token.check()
        try lock.withLock {
            guard rows[token.tokenID] == nil else { throw APITokenRecord.idTaken(token.tokenID) }
            rows[token.tokenID] = token
        }
    }

    package func token(id: String) throws -> APITokenRecord? {
        lock.withLock { rows[id] }
    }

    package func tokens() throws -> [APITokenRecord] {
        lock.withLock {
            rows.values.sorted { ($0.createdAt, $0.tokenID) < ($1.createdAt, $1.tokenID) }
        }
    }

    package func revoke(id: String, at instant: Timestamp, by revoker: String) throws -> APITokenRecord? {
        lock.withLock {
            guard var row = rows[id] else { return nil }
            if row.revokedAt == nil {
                row.revokedAt = instant
                row.revokedBy = revoker
                rows[id] = row
            }
            return row
        }
    }
}
