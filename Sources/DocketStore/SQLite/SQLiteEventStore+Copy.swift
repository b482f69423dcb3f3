import DocketCore
import GRDB

/// Copying a log out of and into an SQLite file row for row (`docket copy`).
extension SQLiteEventStore: CopyableLog {
    package var locationDescription: String { path }

    package func rows(after position: Int64, limit: Int) throws -> [EventRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.eventColumns) FROM events WHERE position > ? ORDER BY position LIMIT ?",
                             arguments: [position, max(0, limit)]).map(Self.eventRow)
        }
    }

    package func appendRecorded(_ rows: [EventRow]) throws {
        try write { db in
            try LogCopy.checkContinuation(rows, head: try Self.head(db), into: path)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO events (\(Self.eventColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for row in rows {
                try insert.execute(arguments: [
                    row.position, row.caseID, row.version, row.type, row.workflowID, row.workflowVersion, row.payload,
                    row.actor, row.role, row.onBehalfOf, row.occurredAt, row.recordedAt, row.prevHash, row.hash,
                    row.encoding, row.principal,
                ])
            }
        }
    }

    package func insertRecorded(_ deployment: Deployment) throws {
        let (table, id) = switch deployment.kind {
        case .workflow: ("definitions", "workflow_id")
        case .calendar: ("calendars", "name")
        case .directory: ("directories", "name")
        }
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO \(table) (\(id), version, content, content_hash, deployed_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [deployment.id, deployment.version, deployment.content, deployment.contentHash, deployment.deployedAt.microseconds])
        }
    }

    package func idempotencyRecords() throws -> [IdempotencyRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, fingerprint, case_id, first_position, last_position, recorded_at FROM idempotency_keys ORDER BY key
                """).map { row in
                IdempotencyRecord(key: row[0], fingerprint: row[1], caseID: row[2], firstPosition: row[3], lastPosition: row[4], recordedAt: row[5])
            }
        }
    }

    package func insertRecorded(_ keys: [IdempotencyRecord]) throws {
        try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO idempotency_keys (key, fingerprint, case_id, first_position, last_position, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for key in keys {
                try insert.execute(arguments: [key.key, key.fingerprint, key.caseID, key.firstPosition, key.lastPosition, key.recordedAt])
            }
        }
    }
}
