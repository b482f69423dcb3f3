import DocketTestSupport
import Foundation
import Testing

/// Issue 13 §4, through the real CLI: someone who can write the log file rewrites it and
/// recomputes the whole chain (`Scripts/attacks/rewrite-log.py`, the encoding of Docs/store.md),
/// or cuts off its last event. `verify` alone then says OK; with the heads signed before the
/// attack it fails and names what happened.
@Suite("Signed heads", .requires(.tool("python3")))
struct SignedHeadCommandTests {
    static let attack = Repository.root.appendingPathComponent("Scripts/attacks/rewrite-log.py").path

    /// Two permit-check cases; a head key; the head signed at position 4 into heads.jsonl.
    func signedLog() throws -> (bench: DocketBench, key: String) {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        for id in ["P1", "P2"] {
            try bench.ok("start", "permit-check", "--case", id, "--by", "alice", "--as", "applicant", "--at", "2020-02-10T09:00:00+08:00")
            try bench.ok("fire", id, "accept", "--by", "bob", "--as", "clerk", "--at", "2020-02-10T10:00:00+08:00")
        }
        let key = try bench.ok("head", "keygen", "--key", bench.directory.appendingPathComponent("head.key").path)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("ed25519:"))
        try bench.ok("head", "sign", "--key", bench.directory.appendingPathComponent("head.key").path, "--to", heads(bench))
        return (bench, key)
    }

    func heads(_ bench: DocketBench) -> String { bench.directory.appendingPathComponent("heads.jsonl").path }

    func runAttack(_ bench: DocketBench, _ arguments: String...) throws {
        let python = try #require(Processes.tool("python3"))
        let result = try bench.docket([Self.attack, bench.database] + arguments, executable: python)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aRecomputedChainPassesVerifyAloneButNotTheSignedHeads() throws {
        let (bench, key) = try signedLog()
        try runAttack(bench, "actor", "P1", "mallory")
        #expect(try bench.ok("history", "P1").stdout.contains("mallory"))
        // The weakness the heads answer: the chain itself is intact again.
        #expect(try bench.docket("verify").status == 0)
        let checked = try bench.docket("verify", "--heads", heads(bench), "--trust", key)
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("error: position 4: the event at position 4 has hash"), "\(checked.stderr)")
        #expect(checked.stderr.contains("rewritten"))
    }

    @Test func aCutOffLastEventIsFoundFromTheSignedHead() throws {
        let (bench, key) = try signedLog()
        try runAttack(bench, "cut")
        let checked = try bench.docket("verify", "--heads", heads(bench), "--trust", key)
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("a head was signed at position 4"), "\(checked.stderr)")
        #expect(checked.stderr.contains("the log ends at position 3"))
    }

    @Test func anUntouchedLogPassesWithItsHeadsAndLaterEvents() throws {
        let (bench, key) = try signedLog()
        try bench.ok("fire", "P2", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--at", "2020-02-11T10:00:00+08:00")
        let checked = try bench.ok("verify", "--heads", heads(bench), "--trust", key)
        #expect(checked.stdout.hasPrefix("OK: "))
        #expect(try bench.ok("head", "list", "--format", "json").stdout.contains("\"position\" : 4"))
    }

    @Test func aForgedHeadOrAnUntrustedKeyIsRefused() throws {
        let (bench, _) = try signedLog()
        let other = try bench.ok("head", "keygen", "--key", bench.directory.appendingPathComponent("other.key").path)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let checked = try bench.docket("verify", "--heads", heads(bench), "--trust", other)
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("does not verify with the trusted key"), "\(checked.stderr)")
    }

    @Test func expectHeadNamesAHashTheLogNoLongerHolds() throws {
        let (bench, _) = try signedLog()
        let head = try bench.ok("verify", "--format", "json").stdout
        let hash = try #require(head.split(separator: "\"").drop { $0 != "head_hash" }.dropFirst(2).first.map(String.init))
        #expect(try bench.docket("verify", "--expect-head", hash).status == 0)
        try runAttack(bench, "actor", "P2", "mallory")
        let checked = try bench.docket("verify", "--expect-head", hash)
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("no event of the log has hash"), "\(checked.stderr)")
    }

    @Test func aKeyIsNeverOverwrittenAndHeadsNeedATrustedKey() throws {
        let bench = DocketBench()
        let path = bench.directory.appendingPathComponent("head.key").path
        try bench.ok("head", "keygen", "--key", path)
        let again = try bench.docket("head", "keygen", "--key", path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        let missing = try bench.docket("verify", "--heads", "x.jsonl")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--heads needs --trust"))
    }
}
