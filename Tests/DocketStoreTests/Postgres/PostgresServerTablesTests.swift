import DocketCore
@testable import DocketPostgres
@testable import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What the PostgreSQL database promises for what `docket serve` keeps beside the log, beyond the
/// contract suites: the access log and the API tokens refuse changes made behind Docket's back
/// (triggers), and the jobs one server at a time runs take turns across processes (advisory
/// locks). Each test has a database of its own.
@Suite("PostgreSQL tokens, access log and exclusive jobs", .requires(.postgreSQL))
struct PostgresServerTablesTests {
    let cluster: PostgresCluster
    let url: String
    var database: String { PostgresCluster.databaseName(of: url) }

    init() throws {
        cluster = try PostgresCluster.require()
        url = try cluster.createDatabase("server")
    }

    static let token = APITokenRecord(tokenID: "0123456789abcdef", person: "portal", secretHash: String(repeating: "ab", count: 32),
                                      createdAt: Timestamp(seconds: 1_583_107_200), createdBy: "os:root")

    // MARK: Refusing changes

    @Test(arguments: [
        "UPDATE access_log SET principal = 'jwt:someone-else'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        "DELETE FROM api_tokens",
        "TRUNCATE api_tokens",
        "UPDATE api_tokens SET person = 'intruder'",
        "UPDATE api_tokens SET secret_hash = repeat('cd', 32)",
        "UPDATE api_tokens SET expires_at = NULL, revoked_at = 1, revoked_by = 'os:mallory'",
    ])
    func theTriggersRefuseChangingTheAccessLogAndTheTokens(_ sql: String) throws {
        let store = try PostgresEventStore(url: url)
        let tokens = PostgresAPITokenStore(log: store)
        var token = Self.token
        token.expiresAt = token.createdAt.adding(seconds: 86_400)
        try tokens.insert(token)
        let access = PostgresAccessLog(log: store)
        let read = try access.record(principal: Principal(method: .jwt, id: "li.wei"), action: "read_case", caseID: "C-1", requestID: "r-1")
        let error = #expect(throws: PostgresCommandFailed.self) { try cluster.sql(sql, database: database) }
        #expect(error?.output.contains("docket:") == true)
        #expect(try tokens.tokens() == [token])
        #expect(try access.records(caseID: nil, limit: 10) == [read])
    }

    @Test func aRevokedTokenIsNeverChangedAgainNorUnrevoked() throws {
        let store = try PostgresEventStore(url: url)
        let tokens = PostgresAPITokenStore(log: store)
        try tokens.insert(Self.token)
        let revoked = try #require(try tokens.revoke(id: Self.token.tokenID, at: Timestamp(seconds: 1_583_110_800), by: "os:alice"))
        for sql in ["UPDATE api_tokens SET revoked_at = NULL, revoked_by = NULL", "UPDATE api_tokens SET revoked_by = 'os:mallory'"] {
            let error = #expect(throws: PostgresCommandFailed.self) { try cluster.sql(sql, database: database) }
            #expect(error?.output.contains("revoked already") == true)
        }
        #expect(try tokens.token(id: Self.token.tokenID) == revoked)
    }

    @Test func aReadOnlyStoreRecordsNoReadAndNoToken() throws {
        _ = try PostgresEventStore(url: url)
        let store = try PostgresEventStore(url: url, options: .init(readOnly: true))
        let error = #expect(throws: StoreError.self) {
            try PostgresAccessLog(log: store).record(principal: Principal(method: .jwt, id: "li.wei"), action: "report", caseID: nil, requestID: nil)
        }
        #expect(error?.code == .readOnly)
        #expect(throws: StoreError.self) { try PostgresAPITokenStore(log: store).insert(Self.token) }
        #expect(try PostgresAccessLog(log: store).records(caseID: nil, limit: 10).isEmpty)
        #expect(throws: StoreError.self) { try store.checkWritable() }
        try PostgresEventStore(url: url).checkWritable()
    }

    // MARK: Exclusive jobs

    /// Two stores with pools of their own, as two servers have: while one runs a job, the other
    /// skips it (`runIfFree`) or waits for its turn (`runAlone`); another job is not held up.
    @Test func aJobRunsInOneProcessAtATime() throws {
        let first = PostgresExclusiveJobs(log: try PostgresEventStore(url: url))
        let second = PostgresExclusiveJobs(log: try PostgresEventStore(url: url))
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let order = Locked<[String]>([])
        DispatchQueue.global().async {
            _ = try? first.runIfFree(.deadlineTick) {
                holding.signal()
                release.wait()
                order.update { $0.append("first done") }
            }
            done.signal()
        }
        holding.wait()
        // Held by the other "server": skipped, not run.
        #expect(try second.runIfFree(.deadlineTick) { "ran" } == nil)
        // Another job is free.
        #expect(try second.runIfFree(.projectionCatchUp) { "ran" } == "ran")
        // Waiting for the turn: runs once the holder is done.
        let waited = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? second.runAlone(.deadlineTick) { order.update { $0.append("second ran") } }
            waited.signal()
        }
        release.signal()
        done.wait()
        waited.wait()
        #expect(order.value == ["first done", "second ran"])
        // Released: free again for anyone.
        #expect(try first.runIfFree(.deadlineTick) { "again" } == "again")
    }

    /// A job whose body fails releases its turn; the error is the body's.
    @Test func aFailingJobReleasesItsTurn() throws {
        let jobs = PostgresExclusiveJobs(log: try PostgresEventStore(url: url))
        struct Failure: Error {}
        #expect(throws: Failure.self) { try jobs.runAlone(.projectionCatchUp) { throw Failure() } }
        let other = PostgresExclusiveJobs(log: try PostgresEventStore(url: url))
        #expect(try other.runIfFree(.projectionCatchUp) { 1 } == 1)
    }

    /// A waiter whose turn does not come within its wait is told so.
    @Test func aTurnThatDoesNotComeIsALockedError() throws {
        let holder = PostgresExclusiveJobs(log: try PostgresEventStore(url: url))
        let waiter = PostgresExclusiveJobs(log: try PostgresEventStore(url: url), wait: 0.2)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? holder.runAlone(.deadlineTick) {
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        let error = #expect(throws: StoreError.self) { try waiter.runAlone(.deadlineTick) { 1 } }
        #expect(error?.code == .locked)
        release.signal()
        done.wait()
    }

    /// A job not shared across processes (a projection in each server's memory) takes turns
    /// within the process only: another process running it does not hold this one up.
    @Test func aJobNotSharedTakesTurnsWithinTheProcessOnly() throws {
        let first = PostgresExclusiveJobs(log: try PostgresEventStore(url: url), shared: [.deadlineTick])
        let second = PostgresExclusiveJobs(log: try PostgresEventStore(url: url), shared: [.deadlineTick])
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? first.runAlone(.projectionCatchUp) {
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        #expect(try second.runIfFree(.projectionCatchUp) { 1 } == 1)
        #expect(try first.runIfFree(.projectionCatchUp) { 1 } == nil)
        release.signal()
        done.wait()
    }
}
