import DocketCore
import Foundation

/// One read of what the log holds, as the access log records it: who (the principal, as the event
/// log records principals: `jwt:li.wei`), what (`read_case`, `report`, `export`...), which case
/// when it concerns one, and the request it answered.
public struct AccessRecord: Hashable, Sendable, Codable {
    /// The row's id, given by the access log (nil before it is recorded).
    public var id: Int64?
    /// When it was read (the access log's clock).
    public var at: Timestamp
    /// `METHOD:ID` (`DocketCore/Principal/recorded`).
    public var principal: String
    /// What was done: `read_case`, `read_events`, `report`, `export`, ...
    public var action: String
    /// The case read, when one was.
    public var caseID: String?
    /// The HTTP request's id, to find the request in the server's logs.
    public var requestID: String?

    public init(id: Int64? = nil, at: Timestamp, principal: String, action: String, caseID: String? = nil, requestID: String? = nil) {
        self.id = id
        self.at = at
        self.principal = principal
        self.action = action
        self.caseID = caseID
        self.requestID = requestID
    }
}

/// Who read which applicant's case: kept apart from the case log (reads are not facts of a case,
/// and an audit must not be able to change the hash chain), append-only, for the auditors.
public protocol AccessLog: Sendable {
    /// Records a read, stamped with the log's clock; returns it with its id and time.
    @discardableResult
    func record(principal: Principal, action: String, caseID: String?, requestID: String?) throws -> AccessRecord
    /// The reads recorded, oldest first, of `caseID` only when given, at most `limit`.
    func records(caseID: String?, limit: Int) throws -> [AccessRecord]
}

/// The access log in memory, beside an ``InMemoryEventStore``, for tests.
public final class InMemoryAccessLog: AccessLog, @unchecked Sendable {
    // @unchecked: `entries` is only touched while holding `lock`.
    private let lock = NSLock()
    private var entries: [AccessRecord] = []
    private let clock: any WallClock

    public init(clock: any WallClock = SystemWallClock()) {
        self.clock = clock
    }

    @discardableResult
    public func record(principal: Principal, action: String, caseID: String?, requestID: String?) throws -> AccessRecord {
        let now = clock.now()
        return lock.withLock {
            let entry = AccessRecord(id: Int64(entries.count + 1), at: now, principal: principal.recorded, action: action,
                                     caseID: caseID, requestID: requestID)
            entries.append(entry)
            return entry
        }
    }

    public func records(caseID: String?, limit: Int) throws -> [AccessRecord] {
        lock.withLock { Array(entries.filter { caseID == nil || $0.caseID == caseID }.prefix(max(0, limit))) }
    }
}
