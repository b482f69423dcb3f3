import DocketCore
import DocketStore
import PostgresNIO

/// The access log in the event log's PostgreSQL database (`access_log`, migration
/// `0003_tokens_access_log`), on the event store's own connection pool: each read recorded in a
/// statement of its own, never waiting for the case log's writers. The database refuses
/// changing or deleting a row (triggers). Several servers on one database write to the same table.
public final class PostgresAccessLog: AccessLog {
    private let log: PostgresEventStore
    private let clock: any WallClock

    /// The access log kept in `log`'s database, stamped with `clock`.
    public init(log: PostgresEventStore, clock: any WallClock = SystemWallClock()) {
        self.log = log
        self.clock = clock
    }

    @discardableResult
    public func record(principal: Principal, action: String, caseID: String?, requestID: String?) throws -> AccessRecord {
        let now = clock.now()
        let id = try log.writeOwnTable { session in
            guard let row = try session.query("""
                INSERT INTO access_log (at, principal, action, case_id, request_id)
                VALUES (\(now.microseconds), \(principal.recorded), \(action), \(caseID), \(requestID))
                RETURNING id
                """).first else {
                throw StoreError(.database, "\(log.location) recorded a read in the access log but gave back no id")
            }
            return try row.decode(Int64.self)
        }
        return AccessRecord(id: id, at: now, principal: principal.recorded, action: action, caseID: caseID, requestID: requestID)
    }

    public func records(caseID: String?, limit: Int) throws -> [AccessRecord] {
        try log.connector.withConnection { session in
            let limit = Int64(max(0, limit))
            let rows: [PostgresRow]
            if let caseID {
                rows = try session.query("SELECT id, at, principal, action, case_id, request_id FROM access_log WHERE case_id = \(caseID) ORDER BY id LIMIT \(limit)")
            } else {
                rows = try session.query("SELECT id, at, principal, action, case_id, request_id FROM access_log ORDER BY id LIMIT \(limit)")
            }
            return try rows.map { row in
                let (id, at, principal, action, caseID, requestID) = try row.decode((Int64, Int64, String, String, String?, String?).self)
                return AccessRecord(id: id, at: Timestamp(microseconds: at), principal: principal, action: action, caseID: caseID, requestID: requestID)
            }
        }
    }
}
