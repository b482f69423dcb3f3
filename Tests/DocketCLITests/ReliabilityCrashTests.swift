import DocketTestSupport
import Foundation
import Testing

/// kill -9 at random moments: the log still verifies, every command and every simulated batch is
/// wholly there or wholly absent, and running the interrupted work again completes it, with the
/// same log an uninterrupted run leaves (data lost: none).
///
/// The bounded runs here kill a handful of processes (`DOCKET_RELIABILITY_KILLS` raises that);
/// `Scripts/reliability` kills hundreds.
@Suite("Reliability: kill -9", .requires(.sqlite3))
struct ReliabilityCrashTests {
    /// Starts `docket arguments`, waits a random time up to `maximumDelay` seconds, then kills it
    /// with SIGKILL. Returns true when the kill landed (the process was still running).
    static func killDuring(_ bench: DocketBench, _ arguments: [String], maximumDelay: Double, random: inout SeededGenerator) throws -> Bool {
        let process = try bench.start(arguments)
        usleep(UInt32(Double.random(in: 0...maximumDelay, using: &random) * 1_000_000))
        process.signal(SIGKILL)
        return !(try process.wait()).exited
    }

    /// What must hold after any crash: `verify` passes, no case has a gap in its versions, and
    /// every case replays (`cases` folds each one).
    static func expectConsistent(_ bench: DocketBench, after what: String) throws {
        let verify = try bench.docket("verify")
        #expect(verify.status == 0, "after \(what): \(verify.stdout)\(verify.stderr)")
        let gaps = try bench.sql("SELECT case_id FROM events GROUP BY case_id HAVING count(*) != max(version) OR min(version) != 1")
        #expect(gaps.isEmpty, "after \(what): cases with missing versions: \(gaps)")
        let cases = try bench.docket("cases", "--json")
        let replayed = (try? JSONSerialization.jsonObject(with: Data(cases.stdout.utf8)) as? [Any])?.count
        let stored = Int(try bench.sql("SELECT count(DISTINCT case_id) FROM events"))
        #expect(cases.status == 0 && replayed == stored, "after \(what): cases --json: \(cases.stderr)")
    }

    /// The lines of `contents()` grouped by case id.
    static func byCase(_ contents: String) -> [String: [Substring]] {
        Dictionary(grouping: contents.split(separator: "\n"), by: { String($0.prefix { $0 != "|" }) })
    }

    // MARK: simulate

    @Test func aKilledSimulationLeavesWholeBatchesAndRunningItAgainCompletesIt() throws {
        let bench = try DocketBench.workflowsDeployed.get().copy()
        let reference = try bench.copy()
        let batchSize = 12
        let simulate = ["simulate", "expert-review", "joint-verification", "tolerant-acceptance", "--cases", "120",
                        "--batch-size", "\(batchSize)", "--seed", "7"]
        let started = Date()
        try reference.ok(simulate)
        let duration = Date().timeIntervalSince(started)
        let expected = try reference.contents()
        let expectedByCase = Self.byCase(expected)

        var random = SeededGenerator(seed: SeededGenerator.seed)
        var landed = 0
        for attempt in 0..<killBudget(3) {
            if try Self.killDuring(bench, simulate, maximumDelay: duration, random: &random) { landed += 1 }
            try Self.expectConsistent(bench, after: "kill \(attempt)")
            // Every batch is one transaction: the cases present are whole batches, each exactly
            // as the uninterrupted run generated them, and each batch has one recording time.
            let present = Self.byCase(try bench.contents())
            #expect(present.count % batchSize == 0, "after kill \(attempt): \(present.count) cases")
            for (id, lines) in present { #expect(lines == expectedByCase[id], "after kill \(attempt): case \(id) differs") }
            let batches = try bench.sqlite("SELECT count(DISTINCT case_id) FROM events GROUP BY recorded_at").split(separator: "\n")
            #expect(batches.allSatisfy { $0 == "\(batchSize)" }, "after kill \(attempt): cases per transaction \(batches)")
        }
        let before = Int(try bench.sqlite("SELECT count(DISTINCT case_id) FROM events")) ?? -1
        let resumed = try bench.ok(simulate)
        #expect(resumed.stdout.contains("simulated 120 cases"))
        if before > 0 { #expect(resumed.stdout.contains("(\(before) cases were already in the log"), "\(resumed.stdout)") }
        #expect(try bench.contents() == expected)
        try Self.expectConsistent(bench, after: "the resumed run")
        print("kill -9 during simulate: \(landed) kills landed, data lost: 0")
    }

    // MARK: import

    static let receipt = SharedData.log("receipt.xes.gz")

    @Test(.requires(.sharedData))
    func aKilledImportLeavesWholeCasesAndRunningItAgainCompletesIt() throws {
        let bench = DocketBench()
        let reference = DocketBench()
        // 1,434 cases, 10,011 events: about ten transactions of whole cases.
        let importing = ["import", Self.receipt, "--batch-size", "1000"]
        let started = Date()
        try reference.ok(importing)
        let duration = Date().timeIntervalSince(started)
        let expected = try reference.contents()

        var random = SeededGenerator(seed: SeededGenerator.seed &+ 3)
        var landed = 0
        for attempt in 0..<killBudget(3) {
            if try Self.killDuring(bench, importing, maximumDelay: duration, random: &random) { landed += 1 }
            try Self.expectConsistent(bench, after: "import kill \(attempt)")
            // Every case is whole, in one transaction, and as the uninterrupted import wrote it.
            #expect(try bench.sqlite("SELECT count(*) FROM (SELECT case_id FROM events GROUP BY case_id HAVING count(DISTINCT recorded_at) != 1)") == "0")
            #expect(try bench.sqlite("""
                ATTACH '\(reference.database)' AS r;
                SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM r.events x WHERE x.case_id = e.case_id
                    AND x.version = e.version AND x.payload = e.payload AND x.occurred_at = e.occurred_at)
                """) == "0", "after import kill \(attempt)")
            #expect(try bench.sqlite("""
                ATTACH '\(reference.database)' AS r;
                SELECT count(*) FROM (SELECT case_id, count(*) AS n FROM events GROUP BY case_id) a
                JOIN (SELECT case_id, count(*) AS n FROM r.events GROUP BY case_id) b USING (case_id) WHERE a.n != b.n
                """) == "0", "after import kill \(attempt): a case cut short")
        }
        let resumed = try bench.ok(importing)
        #expect(resumed.stdout.contains("imported"))
        #expect(try bench.contents() == expected)
        try Self.expectConsistent(bench, after: "the resumed import")
        print("kill -9 during import: \(landed) kills landed, data lost: 0")
    }

    // MARK: a clerk's loop of commands

    /// An expert review driven command by command, each command keyed so that a retry after a
    /// crash is safe: the third approval appends two events (the vote and the panel's decision).
    static var workload: [[String]] {
        var commands: [[String]] = []
        for id in ["Q-1"] {
            commands += [
                ["start", "expert-review", "--case", id, "--by", "applicant-1", "--as", "applicant", "--at", "2020-02-09T18:00:00+08:00"],
                ["fire", id, "accept", "--by", "clerk-wang", "--as", "clerk", "--doc", "application_form", "--doc", "technical_dossier",
                 "--at", "2020-02-09T19:00:00+08:00"],
                ["fire", id, "convene_panel", "--by", "clerk-wang", "--as", "clerk", "--at", "2020-02-10T09:30:00+08:00"],
                ["vote", id, "approve", "--by", "expert-li", "--as", "expert", "--at", "2020-02-10T15:00:00+08:00"],
                ["vote", id, "approve", "--by", "secretary-zhou", "--as", "secretary", "--on-behalf-of", "expert-qian",
                 "--at", "2020-02-11T10:00:00+08:00"],
                ["vote", id, "approve", "--by", "expert-sun", "--as", "expert", "--reason", "sound dossier", "--at", "2020-02-11T11:40:00+08:00"],
                ["fire", id, "issue_certificate", "--by", "approver-chen", "--as", "approver", "--doc", "expert_opinion",
                 "--at", "2020-02-12T09:00:00+08:00"],
            ]
        }
        return commands.enumerated().map { $1 + ["--key", "cmd-\($0)"] }
    }

    /// On an SQLite log and on a PostgreSQL one (the uninterrupted reference run is on SQLite).
    @Test(arguments: DocketBench.Store.allCases)
    func killedCommandsAreAllOrNothingAndRetryingThemWithTheirKeysCompletesTheWork(_ store: DocketBench.Store) throws {
        let bench = try DocketBench.workflowsDeployed.get().copy(to: store)
        let reference = try DocketBench.workflowsDeployed.get().copy()
        let workload = Self.workload
        // The uninterrupted run, on another thread while this one kills.
        let expected = Locked<Swift.Result<String, any Error>?>(nil)
        let referenceRun = Thread {
            expected.set(Swift.Result {
                for command in workload { try reference.ok(command) }
                return try reference.contents()
            })
        }
        referenceRun.start()

        var random = SeededGenerator(seed: SeededGenerator.seed &+ 1)
        let kills = killBudget(6)
        // Which commands get killed, and how often: spread over the workload.
        var plan = Array(repeating: 0, count: workload.count)
        for _ in 0..<kills { plan[Int.random(in: 0..<workload.count, using: &random)] += 1 }
        var landed = 0
        var duration = 0.15
        for (index, command) in workload.enumerated() {
            for attempt in 0..<plan[index] {
                if try Self.killDuring(bench, command, maximumDelay: duration * 1.2, random: &random) { landed += 1 }
                try Self.expectConsistent(bench, after: "kill \(attempt) of command \(index) (\(command.joined(separator: " ")))")
            }
            let started = Date()
            let result = try bench.docket(command)
            duration = Date().timeIntervalSince(started)
            #expect(result.status == 0, "command \(index) after \(plan[index]) kills: \(result.stderr)")
        }
        // Every event belongs to exactly one keyed command, whose events share one recording time.
        #expect(try bench.sql("""
            SELECT count(*) FROM events e
            WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE e.position BETWEEN k.first_position AND k.last_position)
            """) == "0")
        #expect(try bench.sql("""
            SELECT k.key FROM idempotency_keys k JOIN events e ON e.position BETWEEN k.first_position AND k.last_position
            GROUP BY k.key HAVING count(DISTINCT e.recorded_at) != 1 OR count(DISTINCT e.case_id) != 1
            """) == "")
        #expect(try bench.sql("SELECT count(*) FROM idempotency_keys") == "\(workload.count)")
        try Self.expectConsistent(bench, after: "the workload")

        while expected.value == nil { usleep(10_000) }
        #expect(try bench.contents() == expected.value?.get())
        // The third approval recorded its vote and the panel's decision together.
        #expect(try bench.sql("SELECT count(*) FROM events WHERE json_extract(payload, '$.transition') = 'panel_approved'") == "1")
        print("kill -9 during a loop of commands: \(landed) of \(kills) kills landed, data lost: 0")
    }
}
