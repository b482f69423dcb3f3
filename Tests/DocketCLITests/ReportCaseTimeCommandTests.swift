import DocketTestSupport
import Foundation
import Testing

/// `docket report` through the real binary on a workflow whose statutory clock starts on
/// acceptance and whose verification runs two departments in parallel.
@Suite struct ReportCaseTimeCommandTests {
    /// Two days (wall clock) from acceptance; verification has no department of its own.
    static let workflow = """
    workflow: joint-permit
    version: 1
    roles: [clerk, health_inspector, fire_inspector, approver]
    statutory_limit:
      within: 2 days
      starts_on: accept
    states:
      submitted: { initial: true, department: service_window }
      verification:
        join: all
        when_approved: verified
        when_rejected: failed
        branches:
          health:
            department: health
            roles: [health_inspector]
            states:
              inspecting: { initial: true }
              passed: { final: true, outcome: approved }
            transitions:
              - { event: pass, from: inspecting, to: passed }
          fire:
            department: fire
            roles: [fire_inspector]
            states:
              inspecting: { initial: true }
              passed: { final: true, outcome: approved }
            transitions:
              - { event: pass, from: inspecting, to: passed }
      decision: { department: licensing }
      approved: { final: true, outcome: approved }
      rejected: { final: true, outcome: rejected }
    transitions:
      - { event: accept, from: submitted, to: verification, roles: [clerk] }
      - { event: verified, from: verification, to: decision }
      - { event: failed, from: verification, to: rejected }
      - { event: approve, from: decision, to: approved, roles: [approver] }
    """

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Opened Monday 09:00, accepted a day later; health passes Tuesday 12:00, fire Wednesday
    /// 09:00 (the join), approved Wednesday 18:00: 57 hours from opening, 33 from acceptance.
    func bench() throws -> DocketBench {
        let docket = DocketBench()
        try docket.ok("deploy", docket.file("joint-permit.yaml", Self.workflow))
        try docket.ok("start", "joint-permit", "--case", "P-1", "--by", "wang", "--as", "clerk", "--at", "2020-03-02T09:00:00+08:00")
        try docket.ok("fire", "P-1", "accept", "--by", "wang", "--as", "clerk", "--at", "2020-03-03T09:00:00+08:00")
        try docket.ok("fire", "P-1", "pass", "--branch", "health", "--by", "hu", "--as", "health_inspector", "--at", "2020-03-03T12:00:00+08:00")
        try docket.ok("fire", "P-1", "pass", "--branch", "fire", "--by", "fei", "--as", "fire_inspector", "--at", "2020-03-04T09:00:00+08:00")
        try docket.ok("fire", "P-1", "approve", "--by", "li", "--as", "approver", "--at", "2020-03-04T18:00:00+08:00")
        return docket
    }

    @Test func theStatutoryLimitRunsFromAcceptance() throws {
        let docket = try bench()
        let report = try json(docket.ok("report", "--workflow", "joint-permit", "--format", "json").stdout)
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        let limit = try #require(section["statutory_limit"] as? [String: Any])
        #expect(limit["clock"] as? String == "wall")
        #expect(limit["approved"] as? Int == 1)
        #expect(limit["approved_within"] as? Int == 1)  // 33 h of 48; from opening it would be 57
        #expect(limit["approved_clock_not_started"] as? Int == 0)
        let statutory = (section["time_to_approval"] as? [String: Any])?["statutory"] as? [String: Any]
        #expect(statutory?["total"] as? Double == Double(33 * 3600))
        let table = try docket.ok("report", "--workflow", "joint-permit").stdout
        #expect(table.contains("statutory limit 2 days: 1 of 1 approved cases within it (100.0%)"), "\(table)")
    }

    @Test func theParallelStateIsSharedByItsBranchesAndAddsUpOnce() throws {
        let docket = try bench()
        let report = try json(docket.ok("report", "--workflow", "joint-permit", "--format", "json", "--time", "wall").stdout)
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        let departments = try #require((section["bottlenecks"] as? [String: Any])?["departments"] as? [[String: Any]])
        // Verification's 24 h: 3 h shared by health and fire, then 21 h of fire alone.
        #expect(departments.map { $0["name"] as? String } == ["service_window", "fire", "licensing", "health"])
        #expect(departments.map { $0["total"] as? Double } == [24, 22.5, 9, 1.5].map { $0 * 3600 })
        #expect(abs(departments.reduce(0) { $0 + ($1["share"] as? Double ?? 0) } - 1) < 1e-12)
        let dwell = try #require(section["dwell"] as? [[String: Any]])
        let verification = try #require(dwell.first { $0["state"] as? String == "verification" && $0["region"] == nil })
        #expect((verification["summary"] as? [String: Any])?["total"] as? Double == Double(24 * 3600))
        let table = try docket.ok("report", "--workflow", "joint-permit", "--by", "department", "--time", "wall").stdout
        #expect(!table.contains("(none)"), "\(table)")
    }

    /// The JSON report is written piece by piece: to a file beside `--out`, renamed onto it when
    /// whole; a file that cannot be written leaves nothing behind.
    @Test func theJSONReportGoesToOutWholeOrNotAtAll() throws {
        let docket = try bench()
        try docket.ok("start", "joint-permit", "--case", "P-2", "--by", "wang", "--as", "clerk", "--at", "2020-03-05T09:00:00+08:00")
        let arguments = ["report", "--workflow", "joint-permit", "--format", "json", "--now", "2020-03-06T09:00:00+08:00"]
        let printed = try docket.ok(arguments).stdout
        let openCases = try #require((try json(printed)["workflows"] as? [[String: Any]])?.first?["open_cases"] as? [[String: Any]])
        #expect(openCases.map { $0["case_id"] as? String } == ["P-2"])
        let out = docket.directory.appendingPathComponent("report.json").path
        try Data("an older report".utf8).write(to: URL(fileURLWithPath: out))
        try docket.ok(arguments + ["--out", out])
        #expect(try String(contentsOfFile: out, encoding: .utf8) + "\n" == printed)
        let folder = try FileManager.default.contentsOfDirectory(atPath: docket.directory.path)
        #expect(!folder.contains { $0.hasSuffix(".partial") }, "\(folder)")

        let nowhere = docket.directory.appendingPathComponent("no-such-folder/report.json").path
        let failed = try docket.docket(arguments + ["--out", nowhere])
        #expect(failed.status != 0)
        #expect(failed.stderr.hasPrefix("error: cannot write --out \(nowhere)"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }
}
