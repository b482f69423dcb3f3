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
                arguments: StatementArguments([now.microseconds, principal.recorded, action, caseID, requestID] as [(any DatabaseValueConvertible)?]))
            return db.lastInsertedRowID
        }
        return AccessRecord(id: id, at: now, principal: principal.recorded, action: action, caseID: caseID, requestID: requestID)
    }

    public func records(caseID: String?, limit: Int) throws -> [AccessRecord] {
        try log.read { db in
            let filter = caseID == nil ? "" : "WHERE case_id = ?"
            var arguments = StatementArguments()
            if let caseID { arguments += [caseID] }
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT id, at, principal, action, case_id, request_id FROM access_log \(filter) ORDER BY id LIMIT ?",
                                    arguments: arguments).map { row -> AccessRecord in
                let id: Int64 = row[0]
                let at: Int64 = row[1]
                let principal: String = row[2]
                let action: String = row[3]
                let caseID: String? = row[4]
                let requestID: String? = row[5]
                return AccessRecord(id: id, at: Timestamp(microseconds: at), principal: principal, action: action, caseID: caseID, requestID: requestID)
            }
        }
    }
}
