import DocketTestSupport
import Foundation
import Testing

/// Separation of duties through the real binary: refusals exit 1 and append nothing, `system`
/// cannot be claimed, `deploy` warns of a dropped rule, and the demo shows a refused self-approval.
@Suite("Separation of duties through the CLI", .serialized, .requires(.sqlite3))
struct SeparationOfDutiesCommandTests {
    @Test func aClerkWhoAcceptedMayNotApproveEvenHoldingTheApproverRole() throws {
        let bench = DocketBench()
        try bench.permitCaseInReview()
        let result = try bench.docket("fire", "P1", "approve", "--by", "bob", "--as", "approver", "--doc", "site_photos")
        #expect(result.status == 1)
        #expect(result.stderr == "error: bob may not fire 'approve' on case P1: rule accepter-may-not-decide; bob fired 'accept' (event 2 of the case)\n")
        #expect(try bench.eventCount() == 2)
        try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
    }

    @Test func theSystemActorCannotBeClaimed() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        for arguments in [["start", "permit-check", "--case", "P9", "--by", "system", "--as", "applicant"],
                          ["start", "permit-check", "--case", "P9", "--by", "alice", "--as", "applicant", "--on-behalf-of", "system"]] {
            let result = try bench.docket(arguments)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: 'system' is reserved for what Docket does itself"), "\(result.stderr)")
        }
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        let fire = try bench.docket("fire", "P1", "accept", "--by", "system", "--as", "clerk")
        #expect(fire.status == 1)
        #expect(fire.stderr.contains("cannot be the actor of a command"))
        #expect(try bench.eventCount() == 1)
    }

    @Test func deployingAVersionThatDropsARuleWarnsInTheTableAndInJSON() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        let v1 = try String(contentsOfFile: DocketBench.workflows + "/permit-check.yaml", encoding: .utf8)
        let v2 = v1.replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "  - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }\n", with: "")
        let v3 = v1.replacingOccurrences(of: "version: 1", with: "version: 3")
            .replacingOccurrences(of: "  - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }\n", with: "")
        let file2 = bench.directory.appendingPathComponent("permit-check-v2.yaml")
        let file3 = bench.directory.appendingPathComponent("permit-check-v3.yaml")
        try v2.write(to: file2, atomically: true, encoding: .utf8)
        try v3.write(to: file3, atomically: true, encoding: .utf8)

        let table = try bench.ok("deploy", file2.path)
        #expect(table.stdout == """
            deployed workflow permit-check v2  (\(file2.path))
              warning: workflow 'permit-check' v2 drops separation-of-duties rule 'accepter-may-not-decide' of v1

            """)

        let json = try bench.ok("deploy", file3.path, "--format", "json")
        let views = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(views.count == 1)
        #expect(views.first?["status"] as? String == "deployed")
        #expect(views.first?["previous_version"] as? Int == 2)
        #expect(views.first?["dropped_rules"] as? [String] == [])
        #expect((views.first?["warnings"] as? [String])?.isEmpty == true)

        let again = try bench.ok("deploy", file2.path, "--format", "json")
        let unchanged = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: Any]])
        #expect(unchanged.first?["status"] as? String == "unchanged")
    }

    @Test func validateReportsAMisspeltEventOfARuleAtFileLineColumn() throws {
        let bench = DocketBench()
        let text = try String(contentsOfFile: DocketBench.workflows + "/permit-check.yaml", encoding: .utf8)
            .replacingOccurrences(of: "once_fired: accept,", with: "once_fired: acept,")
        let file = bench.directory.appendingPathComponent("permit-check.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("acept") })
        let column = try #require(lines[line].range(of: "acept")).lowerBound.utf16Offset(in: lines[line]) + 1
        let result = try bench.docket("validate", file.path)
        #expect(result.status == 1)
        #expect(result.stderr == "\(file.path):\(line + 1):\(column): error: rule 'accepter-may-not-decide' names event 'acept', which no transition declares (did you mean 'accept'?)\n")
    }

    @Test func theDemoShowsARefusedSelfApprovalAndCarriesOn() throws {
        let bench = DocketBench()
        let result = try bench.docket("demo", "--db", bench.database, "--cases", "8", "--workflows", DocketBench.workflows)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let refused = try #require(lines.firstIndex { $0.contains("refused (separation_of_duties)") }, "\(result.stdout)")
        #expect(lines[refused] == "  refused (separation_of_duties): clerk-wang may not fire 'approve' on case JV-2020-0001: rule accepter-may-not-decide; clerk-wang fired 'accept' (event 2 of the case)")
        #expect(lines[refused - 1].contains("clerk-wang, who accepted JV-2020-0001, tries to approve it"))
        // Another approver approves, and the demo goes on to the simulation and the report.
        #expect(lines[refused + 1].contains("approver-chen (approver)"))
        #expect(lines[refused + 1].contains("approve"))
        #expect(result.stdout.contains("== 5. A month of cases"))
        // Last, the directory (found beside the workflow folder) is deployed and refuses the same
        // self-approval by people of the directory, and a role not held.
        #expect(result.stdout.contains("deployed directory shandong v1"), "\(result.stdout)")
        #expect(result.stdout.contains("refused (role_not_held): li.wei holds no approver role in scope rizhao"))
        #expect(result.stdout.contains("refused (separation_of_duties): li.wei may not fire 'approve' on case RZ-2020-0302: rule accepter-may-not-decide"))
        #expect(result.stdout.contains("wang.fang (approver)"))
    }
}
