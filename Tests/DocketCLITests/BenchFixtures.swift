import DocketTestSupport
import Foundation
import Testing

/// The CLI tests' logs and helpers on top of ``DocketBench`` (the one harness, in DocketTestSupport).
extension DocketBench {
    /// Every event's content (not its position, hash or recording time), by case and version: what
    /// must come out the same however the work was interrupted and resumed.
    func contents(where condition: String = "1 = 1") throws -> String {
        try sql("""
            SELECT case_id, version, type, workflow_id, workflow_version, payload, actor, coalesce(role, ''),
                   coalesce(on_behalf_of, ''), occurred_at
            FROM events WHERE \(condition) ORDER BY case_id, version
            """)
    }

    /// Drops the append-only triggers, as an intruder with `sqlite3` would, then runs `sql`.
    func tamper(_ sql: String) throws {
        try sqlite("""
            DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete;
            DROP TRIGGER definitions_refuse_update; DROP TRIGGER definitions_refuse_delete;
            \(sql)
            """)
    }

    /// Deploys `Workflows/` (the authority's flows and calendars).
    func deployWorkflows() throws {
        try ok("deploy", Self.workflows)
    }

    /// A permit-check case `P1` in review.
    func permitCaseInReview() throws {
        try ok("deploy", Self.workflows + "/permit-check.yaml")
        try ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk")
    }

    /// Opens expert-review case `id` and drives it to `panel_review`, where the panel votes.
    func expertReviewInPanel(_ id: String) throws {
        try ok("start", "expert-review", "--case", id, "--by", "applicant-1", "--as", "applicant", "--at", "2020-02-09T18:00:00+08:00")
        try ok("fire", id, "accept", "--by", "clerk-wang", "--as", "clerk", "--doc", "application_form", "--doc", "technical_dossier",
               "--at", "2020-02-09T19:00:00+08:00")
        try ok("fire", id, "convene_panel", "--by", "clerk-wang", "--as", "clerk", "--at", "2020-02-10T09:30:00+08:00")
    }

    /// Logs built once per test run, then copied by every test that starts from them: building a
    /// log command by command is the slow part of these tests.
    static let workflowsDeployed = Swift.Result<DocketBench, any Error> {
        let bench = DocketBench()
        try bench.deployWorkflows()
        return bench
    }

    /// `Workflows/` deployed, and expert review `Q-1` in panel review.
    static let panelInSession = Swift.Result<DocketBench, any Error> {
        let bench = try workflowsDeployed.get().copy()
        try bench.expertReviewInPanel("Q-1")
        return bench
    }

    /// Only `permit-check` deployed, and its case `P1` in review.
    static let permitInReview = Swift.Result<DocketBench, any Error> {
        let bench = DocketBench()
        try bench.permitCaseInReview()
        return bench
    }
}

/// Runs `body(i)` for `0..<count` on concurrent threads and returns the results in order.
func concurrently<T: Sendable>(_ count: Int, _ body: @Sendable @escaping (Int) throws -> T) throws -> [T] {
    let results = Locked([Int: Swift.Result<T, any Error>]())
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let result = Swift.Result { try body(i) }
        results.update { $0[i] = result }
    }
    return try (0..<count).map { try results.value[$0]!.get() }
}

/// How many times the bounded tests kill a process: `DOCKET_RELIABILITY_KILLS`, default `bounded`.
func killBudget(_ bounded: Int) -> Int {
    ProcessInfo.processInfo.environment["DOCKET_RELIABILITY_KILLS"].flatMap(Int.init) ?? bounded
}

/// A small seeded generator, so a failing run can be replayed (`DOCKET_RELIABILITY_SEED`).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DOCKET_RELIABILITY_SEED"].flatMap(UInt64.init) ?? 20_200_209
    }
}
