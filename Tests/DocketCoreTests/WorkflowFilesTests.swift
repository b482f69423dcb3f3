import DocketTestSupport
import Foundation
import Testing
@testable import DocketCore

/// The authority's flows in `Workflows/` load, and drive end to end.
@Suite struct WorkflowFilesTests {
    static let workflowsDirectory = Repository.workflows

    static var files: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workflowsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { workflowsDirectory.appendingPathComponent($0) }
    }

    static func load(_ name: String) throws -> WorkflowDefinition {
        let url = workflowsDirectory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        return try DefinitionLoader.load(text: text, file: url.lastPathComponent).get()
    }

    @Test func theAuthorityFlowsAndTheBPIC2020ChainArePresent() {
        #expect(Self.files.map(\.lastPathComponent) == [
            "bpic2020-declarations.yaml", "expert-review.yaml", "food-licence-change.yaml", "joint-verification.yaml", "permit-check.yaml",
            "remote-video-inspection.yaml", "tolerant-acceptance.yaml",
        ])
    }

    @Test(arguments: files)
    func everyWorkflowFileValidates(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        if case let .failure(errors) = DefinitionLoader.load(text: text, file: url.lastPathComponent) {
            Issue.record("\(errors)")
        }
    }

    @Test func permitCheckIsTheIssueExampleVerbatimWithItsSeparationOfDuties() throws {
        let url = Self.workflowsDirectory.appendingPathComponent("permit-check.yaml")
        #expect(try String(contentsOf: url, encoding: .utf8) == permitCheckYAML + "\n" + """
            separation_of_duties:
              - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }
              - { rule: applicant-is-not-staff, applicant: true, may_not_act_as: staff }

            """)
    }

    /// Acceptance apart from approval, and the applicant apart from staff, in every workflow.
    @Test(arguments: files)
    func everyWorkflowDeclaresItsSeparationOfDuties(_ url: URL) throws {
        let definition = try Self.load(url.lastPathComponent)
        #expect(definition.applicantRole != nil)
        #expect(definition.separationOfDuties.contains { $0.party == .applicant && $0.mayNotActAsStaff })
        #expect(definition.separationOfDuties.contains { if case .fired = $0.party { true } else { false } })
    }

    @Test func authorityFlowsCountOnTheCN2020Calendar() throws {
        for name in ["remote-video-inspection.yaml", "tolerant-acceptance.yaml", "joint-verification.yaml", "expert-review.yaml"] {
            #expect(try Self.load(name).calendar == "cn-2020", "\(name)")
        }
    }

    @Test func expertReviewHasAPanelOfFiveApprovingAtThree() throws {
        let vote = try Self.load("expert-review.yaml").state(named: "panel_review")?.vote
        #expect(vote?.seats == 5)
        #expect(vote?.approveAt == 3)
    }

    @Test func jointVerificationRunsThreeDepartmentsWithinTwoWorkingDays() throws {
        let state = try Self.load("joint-verification.yaml").state(named: "verification")
        #expect(state?.parallel?.branches.map(\.department) == ["health", "environment", "fire"])
        #expect(state?.limit?.within == TimeLimit(amount: 2, unit: .workingDays))
    }

    @Test func tolerantAcceptanceRevokesWhenTheCommitmentIsBroken() throws {
        var driver = CaseDriver(try Self.load("tolerant-acceptance.yaml"))
        try driver.open(data: ["channel": "window"])
        try driver.fire("accept_on_commitment", by: "clerk-1", as: "clerk",
                        documents: ["application_form", "main_materials", "commitment_letter"])
        #expect(driver.state?.isClockStopped == true)
        try driver.tick(at: "2020-03-20T00:00:00Z")
        #expect(driver.state?.outcome == "revoked")
    }

    @Test func jointVerificationDrivesThroughAllThreeDepartments() throws {
        var driver = CaseDriver(try Self.load("joint-verification.yaml"))
        try driver.open()
        try driver.fire("accept", by: "clerk-1", as: "clerk", documents: ["application_form", "site_plan"])
        for (role, report) in [("health_inspector", "health_report"), ("environment_inspector", "environment_report"), ("fire_inspector", "fire_report")] {
            try driver.fire("pass", by: role + "-1", as: role, documents: [report])
        }
        #expect(driver.state?.current.state == "decision")
        // Separation of duties: neither the accepting clerk nor an inspector may decide.
        #expect(driver.refusal { try $0.fire("approve", by: "clerk-1", as: "approver") }?.code == .separationOfDuties)
        #expect(driver.refusal { try $0.fire("approve", by: "fire_inspector-1", as: "approver") }?.code == .separationOfDuties)
        try driver.fire("approve", by: "approver-1", as: "approver")
        #expect(driver.state?.outcome == "approved")
    }

    @Test func expertReviewEscalatesWhenThePanelIsLate() throws {
        var driver = CaseDriver(try Self.load("expert-review.yaml"))
        try driver.open()
        try driver.fire("accept", as: "clerk", documents: ["application_form", "technical_dossier"])
        try driver.fire("convene_panel", as: "clerk")
        try driver.vote(.approve, by: "e1")
        let events = try driver.tick(at: "2020-03-06T00:00:00Z")
        #expect(events.map(\.payload.transition).contains("escalate"))
        #expect(driver.state?.current.state == "escalated")
    }

    @Test func remoteVideoInspectionIssuesTheLicence() throws {
        var driver = CaseDriver(try Self.load("remote-video-inspection.yaml"))
        try driver.open(by: "clerk-2", as: "clerk", onBehalfOf: "shop-owner", data: ["channel": "assisted"])
        try driver.fire("accept", by: "clerk-2", as: "clerk", documents: ["application_form", "premises_floor_plan"])
        try driver.fire("book_video", by: "inspector-1", as: "inspector")
        try driver.fire("start_video_call", by: "inspector-1", as: "inspector")
        try driver.fire("pass_inspection", by: "inspector-1", as: "inspector", documents: ["video_record"])
        try driver.fire("sign_commitment", by: "clerk-2", as: "clerk", onBehalfOf: "shop-owner", documents: ["commitment_letter"])
        // The shop owner is the applicant: not even holding the approver role may they license their own shop.
        #expect(driver.refusal { try $0.fire("issue_licence", by: "shop-owner", as: "approver") }?.code == .separationOfDuties)
        try driver.fire("issue_licence", by: "approver-1", as: "approver")
        #expect(driver.state?.outcome == "approved")
    }
}
