import DocketTestSupport
import Foundation
import Testing

/// A filter that names nothing deployed is refused with what is deployed, rather than answered
/// with an empty list that looks like "no such cases".
@Suite struct CaseFilterCommandTests {
    func deployed() throws -> DocketBench {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        try #require(docket.docket("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant").status == 0)
        return docket
    }

    @Test func anUnknownWorkflowIsRefusedListingTheDeployedOnes() throws {
        let result = try deployed().docket("cases", "--workflow", "permit-chek")
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: workflow 'permit-chek' is not deployed; deployed: "))
        #expect(result.stderr.contains("permit-check"))
    }

    @Test func anUnknownStateIsRefusedListingTheWorkflowsStates() throws {
        let result = try deployed().docket("cases", "--workflow", "permit-check", "--state", "reveiw")
        #expect(result.status == 1)
        #expect(result.stderr == "error: no state 'reveiw' in workflow 'permit-check'; states: approved, rejected, review, submitted\n")
    }

    @Test func knownStatesOfAnyWorkflowAndOfBranchesAreAccepted() throws {
        let docket = try deployed()
        let submitted = try docket.docket("cases", "--state", "submitted", "--format", "json")
        #expect(submitted.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.compactMap { $0["case_id"] as? String } == ["P1"])
        // `inspecting` is a state of joint verification's health branch: no case is there, and
        // that is an answer, not an error.
        let branch = try docket.docket("cases", "--state", "inspecting")
        #expect(branch.status == 0)
        #expect(branch.stdout.hasSuffix("0 case(s)\n"))
    }

    @Test func reportRefusesAnUnknownWorkflowDepartmentOrRole() throws {
        let docket = try deployed()
        let workflow = try docket.docket("report", "--workflow", "nosuch")
        #expect(workflow.status == 1)
        #expect(workflow.stderr.contains("error: workflow 'nosuch' is not deployed; deployed: "))
        let department = try docket.docket("report", "--workflow", "permit-check", "--department", "licencing")
        #expect(department.stderr == "error: no department 'licencing' in workflow 'permit-check'; departments: licensing\n")
        let role = try docket.docket("report", "--role", "aprover")
        #expect(role.status == 1)
        #expect(role.stderr.hasPrefix("error: no role 'aprover' in any deployed workflow; roles: "))
        #expect(try docket.docket("report", "--workflow", "permit-check", "--department", "licensing").status == 0)
    }
}
