import DocketTestSupport
import Foundation
import Testing

/// Concurrent clerks: several `docket` processes writing to one log at once. No version is
/// duplicated or skipped, every command is recorded once or not at all, each loser hears why.
/// Every test runs on an SQLite log and on a PostgreSQL one.
@Suite("Reliability: concurrent writers", .requires(.sqlite3))
struct ReliabilityConcurrencyTests {
    static let workers = 6
    static let commandsPerWorker = 3
    static let cases = ["T-1", "T-2"]

    /// A register clerks annotate: `note` can be fired any number of times, so every racing
    /// command is valid and only the race itself can make one fail.
    static let tally = """
        workflow: tally
        version: 1
        title: A register every clerk annotates
        roles: [clerk]
        states:
          open: { initial: true }
          closed: { final: true, outcome: approved }
        transitions:
          - { event: note, from: open, to: open, roles: [clerk] }
          - { event: close, from: open, to: closed, roles: [clerk] }
        """

    func tallyBench(_ store: DocketBench.Store) throws -> DocketBench {
        let bench = try DocketBench(store: store)
        let file = bench.directory.appendingPathComponent("tally.yaml")
        try Self.tally.write(to: file, atomically: true, encoding: .utf8)
        try bench.ok("deploy", file.path)
        for id in Self.cases { try bench.ok("start", "tally", "--case", id, "--by", "clerk-0", "--as", "clerk") }
        return bench
    }

    /// Runs `workers` × `commandsPerWorker` notes, each labelled `w<i>-<j>` in its reason;
    /// returns the labels of the commands that succeeded and every result.
    func race(_ bench: DocketBench, extra: [String]) throws -> (succeeded: Set<String>, results: [DocketBench.Result]) {
        let perWorker = try concurrently(Self.workers) { worker in
            try (0..<Self.commandsPerWorker).map { j in
                let label = "w\(worker)-\(j)"
                let result = try bench.docket(["fire", Self.cases[(worker + j) % Self.cases.count], "note", "--by", "clerk-\(worker)",
                                               "--as", "clerk", "--reason", label] + extra)
                return (label, result)
            }
        }
        let all = perWorker.flatMap { $0 }
        return (Set(all.filter { $0.1.status == 0 }.map(\.0)), all.map(\.1))
    }

    /// Each case's versions run 1...n without a gap or a duplicate, and the log verifies.
    func expectIntact(_ bench: DocketBench) throws {
        for id in Self.cases {
            let row = try bench.sql("SELECT count(*), count(DISTINCT version), min(version), max(version) FROM events WHERE case_id = '\(id)'")
            let numbers = row.split(separator: "|").map { Int($0) ?? -1 }
            #expect(numbers[0] == numbers[1] && numbers[2] == 1 && numbers[3] == numbers[0], "case \(id): \(row)")
        }
        let verify = try bench.docket("verify")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test(arguments: DocketBench.Store.allCases)
    func racingNotesWithoutRetryAreEachRecordedOnceOrRefusedWithAConflict(_ store: DocketBench.Store) throws {
        let bench = try tallyBench(store)
        let (succeeded, results) = try race(bench, extra: [])
        #expect(results.allSatisfy { $0.exited })
        #expect(Set(results.map(\.status)).isSubset(of: [0, 3]), "\(results.filter { $0.status != 0 }.map(\.stderr))")
        for loser in results where loser.status == 3 {
            #expect(loser.stderr.contains("another writer got there first; nothing was appended"))
            #expect(loser.stderr.contains("pass --retry N"))
        }
        // The log holds exactly the notes whose command succeeded, each once.
        let recorded = try bench.sql("SELECT json_extract(payload, '$.reason') FROM events WHERE type = 'transition_fired'")
            .split(separator: "\n").map(String.init)
        #expect(recorded.count == Set(recorded).count)
        #expect(Set(recorded) == succeeded)
        try expectIntact(bench)
    }

    @Test(arguments: DocketBench.Store.allCases)
    func racingNotesWithRetryAreAllRecordedOnce(_ store: DocketBench.Store) throws {
        let bench = try tallyBench(store)
        let (succeeded, results) = try race(bench, extra: ["--retry", "100"])
        #expect(results.map(\.status) == Array(repeating: 0, count: results.count), "\(results.map(\.stderr))")
        #expect(succeeded.count == Self.workers * Self.commandsPerWorker)
        let recorded = try bench.sql("SELECT json_extract(payload, '$.reason') FROM events WHERE type = 'transition_fired'")
            .split(separator: "\n").map(String.init)
        #expect(recorded.count == Self.workers * Self.commandsPerWorker)
        #expect(Set(recorded) == succeeded)
        try expectIntact(bench)
    }

    // MARK: One panel, many voters

    /// Six experts vote at once on a five-seat panel that approves at three.
    func panelRace(ballots: [String], retry: Bool, on store: DocketBench.Store) throws -> (bench: DocketBench, results: [DocketBench.Result]) {
        let bench = try DocketBench.panelInSession.get().copy(to: store)
        let results = try concurrently(ballots.count) { i in
            try bench.docket(["vote", "Q-1", ballots[i], "--by", "expert-\(i + 1)", "--as", "expert", "--at", "2020-02-10T15:00:00+08:00"]
                             + (retry ? ["--retry", "50"] : []))
        }
        #expect(results.allSatisfy { $0.exited })
        return (bench, results)
    }

    @Test(arguments: DocketBench.Store.allCases)
    func sixConcurrentApprovalsWithRetryRecordThreeVotesAndDecideThePanelOnce(_ store: DocketBench.Store) throws {
        let (bench, results) = try panelRace(ballots: Array(repeating: "approve", count: 6), retry: true, on: store)
        #expect(results.filter { $0.status == 0 }.count == 3)
        let refused = results.filter { $0.status != 0 }
        #expect(refused.allSatisfy { $0.status == 1 && $0.stderr.contains("no vote is open") }, "\(refused.map(\.stderr))")
        #expect(try bench.sql("SELECT count(*) FROM events WHERE type = 'vote_cast'") == "3")
        #expect(try bench.sql("SELECT json_extract(payload, '$.approvals') FROM events WHERE type = 'vote_cast' ORDER BY version") == "1\n2\n3")
        #expect(try bench.sql("SELECT count(*) FROM events WHERE json_extract(payload, '$.transition') = 'panel_approved'") == "1")
        #expect(try bench.sql("SELECT count(DISTINCT actor) FROM events WHERE type = 'vote_cast'") == "3")
        try expectCaseIntact(bench, "Q-1")
    }

    @Test(arguments: DocketBench.Store.allCases)
    func sixConcurrentApprovalsWithoutRetryLoseOnlyToConflictsOrAClosedVote(_ store: DocketBench.Store) throws {
        let (bench, results) = try panelRace(ballots: Array(repeating: "approve", count: 6), retry: false, on: store)
        let votes = Int(try bench.sql("SELECT count(*) FROM events WHERE type = 'vote_cast'")) ?? -1
        #expect(results.filter { $0.status == 0 }.count == votes)
        #expect((1...3).contains(votes))
        #expect(Set(results.map(\.status)).isSubset(of: [0, 1, 3]), "\(results.map(\.stderr))")
        let decisions = try bench.sql("SELECT count(*) FROM events WHERE json_extract(payload, '$.transition') = 'panel_approved'")
        #expect(decisions == (votes == 3 ? "1" : "0"))
        try expectCaseIntact(bench, "Q-1")
    }

    @Test(arguments: DocketBench.Store.allCases)
    func aSplitPanelVotingAtOnceIsDecidedExactlyOnce(_ store: DocketBench.Store) throws {
        let ballots = ["approve", "reject", "approve", "reject", "approve", "reject"]
        let (bench, results) = try panelRace(ballots: ballots, retry: true, on: store)
        #expect(Set(results.map(\.status)).isSubset(of: [0, 1]), "\(results.map(\.stderr))")
        let outcomes = try bench.sql("""
            SELECT json_extract(payload, '$.transition') FROM events
            WHERE json_extract(payload, '$.transition') IN ('panel_approved', 'panel_rejected')
            """)
        #expect(outcomes == "panel_approved" || outcomes == "panel_rejected")
        // The deciding vote is the last one recorded, and it brought its side to three.
        let deciding = try bench.sql("""
            SELECT json_extract(payload, '$.approvals'), json_extract(payload, '$.rejections')
            FROM events WHERE type = 'vote_cast' ORDER BY version DESC LIMIT 1
            """).split(separator: "|").map(String.init)
        #expect(deciding[outcomes == "panel_approved" ? 0 : 1] == "3", "\(deciding)")
        #expect(results.filter { $0.status == 0 }.count == Int(try bench.sql("SELECT count(*) FROM events WHERE type = 'vote_cast'")))
        try expectCaseIntact(bench, "Q-1")
    }

    func expectCaseIntact(_ bench: DocketBench, _ id: String) throws {
        let row = try bench.sql("SELECT count(*), count(DISTINCT version), max(version) FROM events WHERE case_id = '\(id)'")
        let numbers = row.split(separator: "|").map { Int($0) ?? -1 }
        #expect(numbers[0] == numbers[1] && numbers[2] == numbers[0], "case \(id): \(row)")
        #expect(try bench.docket("verify").status == 0)
    }
}
