import DocketTestSupport
import Foundation
import Testing

/// The log edited behind Docket's back with `sqlite3` (append-only triggers dropped first):
/// `docket verify` exits 1 and its first error names the first bad position.
@Suite("Reliability: tampering through the CLI", .requires(.sqlite3))
struct ReliabilityTamperingTests {
    /// Three permit-check cases, two events each: P1 at positions 1-2, P2 at 3-4, P3 at 5-6.
    /// Built once; each test tampers with its own copy.
    static let original: Swift.Result<DocketBench, any Error> = Swift.Result {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        for id in ["P1", "P2", "P3"] {
            try bench.ok("start", "permit-check", "--case", id, "--by", "alice", "--as", "applicant", "--at", "2020-02-10T09:00:00+08:00")
            try bench.ok("fire", id, "accept", "--by", "bob", "--as", "clerk", "--at", "2020-02-10T10:00:00+08:00")
        }
        try bench.ok("verify")
        return bench
    }

    func tampered(_ sql: String) throws -> DocketBench {
        let bench = try Self.original.get().copy()
        try bench.tamper(sql)
        return bench
    }

    /// The first `error:` line of `verify`.
    func firstProblem(_ bench: DocketBench) throws -> (status: Int32, line: String) {
        let result = try bench.docket("verify")
        #expect(result.stdout.hasPrefix("FAILED: "))
        return (result.status, result.stderr.split(separator: "\n").first.map(String.init) ?? "")
    }

    @Test func aDeletedRowExitsOneNamingItsPosition() throws {
        let bench = try tampered("DELETE FROM events WHERE position = 3")
        let (status, line) = try firstProblem(bench)
        #expect(status == 1)
        #expect(line.hasPrefix("error: position 3: event position 3 is missing"), "\(line)")
    }

    @Test func swappedRowsExitOneNamingTheFirstOfThem() throws {
        let bench = try tampered("""
            UPDATE events SET position = -1 WHERE position = 2;
            UPDATE events SET position = 2 WHERE position = 5;
            UPDATE events SET position = 5 WHERE position = -1;
            """)
        let (status, line) = try firstProblem(bench)
        #expect(status == 1)
        #expect(line.hasPrefix("error: position 2: "), "\(line)")
        #expect(line.contains("was recorded at position 5"), "\(line)")
    }

    @Test func anEditedActorExitsOneNamingItsPosition() throws {
        let bench = try tampered("UPDATE events SET actor = 'mallory' WHERE position = 4")
        let (status, line) = try firstProblem(bench)
        #expect(status == 1)
        #expect(line.hasPrefix("error: position 4: "), "\(line)")
    }

    @Test func aChangedDefinitionExitsOneNamingIt() throws {
        // Dropping the document requirement would let approvals through without site photos.
        let bench = try tampered("UPDATE definitions SET content = replace(content, 'requires: [site_photos]', 'requires: []')")
        let (status, line) = try firstProblem(bench)
        #expect(status == 1)
        #expect(line.contains("'permit-check' version 1 does not match its hash"), "\(line)")
    }

    @Test func aChangedDefinitionDecidesNothing() throws {
        let bench = try tampered("UPDATE definitions SET content = replace(content, 'requires: [site_photos]', 'requires: []')")
        let approve = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver")
        #expect(approve.status == 4)
        #expect(approve.stderr.contains("changed behind Docket's back"), "\(approve.stderr)")
        #expect(try bench.eventCount() == 6)
    }

    /// P1's acceptance edited into an approval would let `approve` be skipped: the case's events
    /// no longer match their hashes, so no command decides on them.
    @Test func anEditedEventDecidesNothing() throws {
        let bench = try tampered("UPDATE events SET actor = 'mallory' WHERE position = 2")
        let approve = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
        #expect(approve.status == 4)
        #expect(approve.stderr.contains("event at position 2 (case P1, version 2) does not match its hash"), "\(approve.stderr)")
        #expect(try bench.eventCount() == 6)
        #expect(try bench.docket("fire", "P2", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos").status == 0)
    }

    @Test func aChangedCalendarDecidesNothing() throws {
        let bench = try DocketBench.workflowsDeployed.get().copy()
        try bench.ok("start", "expert-review", "--case", "Q-1", "--by", "applicant-1", "--as", "applicant")
        try bench.tamper("DROP TRIGGER calendars_refuse_update; UPDATE calendars SET content = content || '# a forged holiday' WHERE name = 'cn-2020'")
        let accept = try bench.docket("fire", "Q-1", "accept", "--by", "clerk-wang", "--as", "clerk",
                                      "--doc", "application_form", "--doc", "technical_dossier")
        #expect(accept.status == 4)
        #expect(accept.stderr.contains("calendar cn-2020 v1 does not match the hash"), "\(accept.stderr)")
        #expect(try bench.eventCount() == 1)
        #expect(try bench.docket("verify").status == 1)
    }
}
