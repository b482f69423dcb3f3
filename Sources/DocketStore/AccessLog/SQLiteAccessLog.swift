import DocketCore
import GRDB

/// The access log in the log's SQLite file (`access_log`, migration 0002), written in its own
/// short transaction: a read never waits for, nor holds up, the case log's writers for long.
public final class SQLiteAccessLog: AccessLog, Sendable {
    private let log: SQLiteEventStore
    private let clock: any WallClock

    /// The access log kept in `log`'s file, stamped with `clock`.
    public init(log: SQLiteEventStore, clock: any WallClock = SystemWallClock()) {
        self.log = log
        self.clock = clock
    }

    @discardableResult
    public func record(principal: Principal, action: String, caseID: String?, requestID: String?) throws -> AccessRecord {
        let now = clock.now()
        let id = try log.write { db in
            try db.execute(
                sql: "INSERT INTO access_log (at, principal, action, case_id, request_id) VALUES (?, ?, ?, ?, ?)",
                arguments: [now.microseconds, principal.recorded, action, caseID, requestID])
            return db.lastInsertedRowID
        }
        return AccessRecord(id: id, at: now, principal: principal.recorded, action: action, caseID: caseID, requestID: requestID)
    }

    public func records(caseID: String?, limit: Int) throws -> [AccessRecord] {
        try log.read { db in
            let filter = caseID == nil ? "" : "WHERE case_id = ?"
            var arguments: StatementArguments = caseID.map { [$0] } ?? []
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT id, at, principal, action, case_id, request_id FROM access_log \(filter) ORDER BY id LIMIT ?",
                                    arguments: arguments).map { row in
                AccessRecord(id: row[0], at: Timestamp(microseconds: row[1]), principal: row[2], action: row[3], caseID: row[4], requestID: row[5])
            }
        }
    }
}
