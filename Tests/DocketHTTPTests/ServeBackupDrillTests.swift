import DocketTestSupport
import Foundation
import Testing

/// The restore drill of Docs/operations.md (issue 14 §3): a backup taken with `docket backup`
/// while `docket serve` runs (and while clients write), restored elsewhere, verifies and gives
/// the same report as the log it was taken from.
@Suite(.requires(.sqlite3, .docketBinary))
struct ServeBackupDrillTests {
    @Test(.timeLimit(.minutes(2)))
    func aBackupTakenWhileServingRestoresVerifiesAndGivesTheSameReport() async throws {
        let bench = DocketBench()
        let server = try LiveServer.start(bench)
        defer { if server.isRunning { try? server.stop() } }
        for n in 1...12 {
            #expect(try await server.open("B-\(n)", by: "applicant-\(n)").status == 201)
            if n % 2 == 0 {
                #expect(try await server.request(.POST, "/v1/cases/B-\(n)/events",
                                                 body: #"{"event": "accept", "by": "clerk-1", "as": "clerk"}"#).status == 200)
            }
        }
        let report = ["report", "--format", "json", "--now", "2030-01-01T00:00:00Z"]
        let live = try bench.ok(report).stdout
        let liveEvents = try server.eventCount()

        // The drill's backup, with the server up; then one taken while clients write.
        let quiet = bench.directory.appendingPathComponent("quiet.sqlite").path
        try bench.ok("backup", "--to", quiet)
        let busy = bench.directory.appendingPathComponent("busy.sqlite").path
        async let writing: [Int] = {
            var statuses: [Int] = []
            for n in 1...20 { statuses.append(try await server.open("W-\(n)", by: "writer-\(n)").status) }
            return statuses
        }()
        try await Task.sleep(for: .milliseconds(20))
        try bench.ok("backup", "--to", busy)
        #expect(try await writing.allSatisfy { $0 == 201 })
        try server.stop()

        // Restore: a copy in a fresh place, verified, the same report.
        let restored = DocketBench()
        try FileManager.default.copyItem(atPath: quiet, toPath: restored.database)
        let verified = try restored.docket("verify")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(try restored.eventCount() == liveEvents)
        #expect(try restored.ok(report).stdout == live)
        // The busy backup is one consistent snapshot: it verifies, and each case in it is whole.
        #expect(try bench.docket("verify", "--db", busy).status == 0)
        let partial = try bench.sqlite("SELECT count(*) FROM (SELECT case_id FROM events GROUP BY case_id HAVING count(*) != max(version))",
                                       file: busy)
        #expect(partial == "0")
    }
}
