import DocketCore
import DocketStore
import PostgresNIO

/// Copying a log out of and into PostgreSQL row for row (`docket copy`).
extension PostgresEventStore: CopyableLog {
    package var locationDescription: String { location.description }

    package func appendRecorded(_ rows: [EventRow]) throws {
        guard let last = rows.last else { return }
        try connector.withConnection { session in
            try session.transaction(lockTimeout: options.lockTimeout) {
                let head: (position: Int64, hash: String) = try session.run("SELECT position, hash FROM log_head FOR UPDATE").first?.decode((Int64, String).self) ?? (Int64(0), ContentHash.genesis)
                try LogCopy.checkContinuation(rows, head: head, into: location.description)
                try insert(rows, in: session)
                try session.query("UPDATE log_head SET position = \(last.position), hash = \(last.hash)")
            }
        }
    }

    package func insertRecorded(_ deployment: Deployment) throws {
        try connector.withConnection { session in
            try session.transaction { _ = try insert(deployment, in: session) }
        }
    }

    package func idempotencyRecords() throws -> [IdempotencyRecord] {
        try connector.withConnection { session in
            try session.run("SELECT key, fingerprint, case_id, first_position, last_position, recorded_at FROM idempotency_keys ORDER BY key").map { row in
                let (key, fingerprint, caseID, first, last, at) = try row.decode((String, String, String, Int64?, Int64?, Int64).self)
                return IdempotencyRecord(key: key, fingerprint: fingerprint, caseID: caseID, firstPosition: first, lastPosition: last, recordedAt: at)
            }
        }
    }

    package func insertRecorded(_ keys: [IdempotencyRecord]) throws {
        try connector.withConnection { session in
            try session.transaction {
                for key in keys {
                    try session.query("""
                        INSERT INTO idempotency_keys (key, fingerprint, case_id, first_position, last_position, recorded_at)
                        VALUES (\(key.key), \(key.fingerprint), \(key.caseID), \(key.firstPosition), \(key.lastPosition), \(key.recordedAt))
                        ON CONFLICT DO NOTHING
                        """)
                }
            }
        }
    }
}
