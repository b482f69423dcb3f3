import Testing
@testable import DocketCore

@Suite struct DefinitionLoaderTests {
    @Test func theIssueExampleLoads() throws {
        let d = try definition(permitCheckYAML)
        #expect(d.id == "permit-check")
        #expect(d.version == 1)
        #expect(d.roles == ["applicant", "clerk", "approver"])
        #expect(d.states.map(\.name) == ["submitted", "review", "approved", "rejected"])
        #expect(d.initialState?.name == "submitted")
        #expect(d.state(named: "review")?.department == "licensing")
        #expect(d.transitions.map(\.event) == ["accept", "approve", "reject"])
        #expect(d.transitions[1].requires == ["site_photos"])
    }

    @Test func summaryIsOneLineNamingStatesTransitionsAndRoles() throws {
        let d = try definition(permitCheckYAML)
        #expect(d.summary == "permit-check v1 \"Simple permit check\": 4 states, 3 transitions, roles applicant, clerk, approver")
    }
}
