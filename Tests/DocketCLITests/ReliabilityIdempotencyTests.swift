import DocketTestSupport
import Foundation
import Testing

/// `--key`: a command retried from another process (the clerk's script ran again after a time-out)
/// returns the first result and appends nothing; a key reused for another command is refused.
/// Every test runs on an SQLite log and on a PostgreSQL one.
@Suite("Reliability: idempotent commands across processes", .requires(.sqlite3))
struct ReliabilityIdempotencyTests {
    /// A permit-check case `P1` in review, in a log kept in `store`.
    func caseInReview(_ store: DocketBench.Store) throws -> DocketBench { try DocketBench.permitInReview.get().copy(to: store) }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aFireRetriedWithItsKeyInAnotherProcessReturnsTheFirstResultAndAppendsNothing(_ store: DocketBench.Store) throws {
        let bench = try caseInReview(store)
        let approve = ["fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--key", "approve-P1", "--json"]
        let first = try bench.docket(approve)
        #expect(first.status == 0)
        let retry = try bench.docket(approve)
        #expect(retry.status == 0)
        let firstEvents = try #require(try json(first.stdout)["events"] as? [[String: Any]])
        let retryEvents = try #require(try json(retry.stdout)["events"] as? [[String: Any]])
        #expect(try json(retry.stdout)["replayed"] as? Bool == true)
        #expect(retryEvents.map { $0["hash"] as? String } == firstEvents.map { $0["hash"] as? String })
        #expect(retryEvents.map { $0["position"] as? Int } == [3])
        #expect(try bench.eventCount() == 3)
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aRetrySaysItAppendedNothing(_ store: DocketBench.Store) throws {
        let bench = try caseInReview(store)
        try bench.ok("fire", "P1", "reject", "--by", "carol", "--as", "approver", "--key", "K")
        let retry = try bench.docket("fire", "P1", "reject", "--by", "carol", "--as", "approver", "--key", "K")
        #expect(retry.status == 0)
        #expect(retry.stdout.hasPrefix("already done (same --key): nothing appended"))
        #expect(retry.stdout.contains("#3 v3"))
        #expect(try bench.eventCount() == 3)
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aKeyReusedForAnotherCommandExitsOneAndAppendsNothing(_ store: DocketBench.Store) throws {
        let bench = try caseInReview(store)
        try bench.ok("fire", "P1", "reject", "--by", "carol", "--as", "approver", "--key", "K")
        let other = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--key", "K")
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error: idempotency key 'K' was already used for a different command"))
        #expect(try bench.eventCount() == 3)
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aKeyReusedOnAnotherCaseExitsOneAndAppendsNothing(_ store: DocketBench.Store) throws {
        let bench = try caseInReview(store)
        try bench.ok("start", "permit-check", "--case", "P2", "--by", "alice", "--as", "applicant", "--key", "open")
        let other = try bench.docket("start", "permit-check", "--case", "P3", "--by", "alice", "--as", "applicant", "--key", "open")
        #expect(other.status == 1)
        #expect(other.stderr.contains("already used"))
        #expect(try bench.sql("SELECT count(*) FROM events WHERE case_id = 'P3'") == "0")
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aRetriedStartWithoutACaseIDOpensOneCase(_ store: DocketBench.Store) throws {
        // The case id is random when not given: only the key makes the retry the same command.
        let bench = try caseInReview(store)
        let first = try bench.ok("start", "permit-check", "--by", "alice", "--as", "applicant", "--key", "walk-in-7", "--json")
        let retry = try bench.ok("start", "permit-check", "--by", "alice", "--as", "applicant", "--key", "walk-in-7", "--json")
        let firstCase = try #require(try json(first.stdout)["case"] as? [String: Any])
        let retryCase = try #require(try json(retry.stdout)["case"] as? [String: Any])
        #expect(retryCase["case_id"] as? String == firstCase["case_id"] as? String)
        #expect(try bench.sql("SELECT count(*) FROM events WHERE version = 1") == "2")
    }

    @Test(arguments: DocketBench.Store.allCases)
    func sixProcessesSendingOneKeyedCommandAtOnceAppendItOnce(_ store: DocketBench.Store) throws {
        // A client that timed out and retried in parallel: no --retry, yet no conflict either,
        // because the winner's key is seen under the write lock by every loser.
        let bench = try caseInReview(store)
        let results = try concurrently(6) { _ in
            try bench.docket(["fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--key", "approve-once"])
        }
        #expect(results.map(\.status) == Array(repeating: 0, count: 6), "\(results.map(\.stderr))")
        #expect(results.filter { $0.stdout.hasPrefix("already done") }.count == 5)
        #expect(try bench.eventCount() == 3)
        #expect(try bench.docket("verify").status == 0)
    }
}
