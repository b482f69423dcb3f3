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

    /// Definitions are read by the same loader as calendars and maps: every problem at once, in
    /// file order, as one `FileProblems` whose lines are `FILE:LINE:COLUMN: error: message`.
    @Test func everyProblemComesBackAsOneFileProblemsInFileOrder() {
        let result = DefinitionLoader.load(text: """
            workflow: x
            version: [1]
            roles: [clerk]
            colour: blue
            states:
              a: { initial: true, stops_clock: "yes" }
              b: { final: true, outcome: approved }
            transitions:
              - { event: go, from: a, to: b, roles: [clerk], sends_back: maybe }
            """, file: "x.yaml")
        guard case let .failure(problems) = result else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.lines == [
            "x.yaml:2:10: error: 'version' must be a whole number of at least 1, found a list",
            "x.yaml:4:1: error: unknown key 'colour' in a workflow definition; known keys: workflow, version, title, calendar, roles, outcomes, data, states, transitions, assisted_handling, statutory_limit, applicant_role, separation_of_duties",
            "x.yaml:6:36: error: 'stops_clock' must be true or false, found 'yes'",
            "x.yaml:9:62: error: 'sends_back' must be true or false, found 'maybe'",
        ])
        #expect(problems.errors == problems.diagnostics)
        #expect(problems.description == problems.lines.joined(separator: "\n"))
    }

    /// A warning prints like an error, with `warning:`; only errors make a file fail to load.
    @Test func aWarningPrintsAsAWarningAndDoesNotFailTheFile() throws {
        var reader = YAMLReader(text: "a: 1\n", file: "w.yaml")
        let node = reader.root(ifEmpty: "empty")
        let root = try #require(node)
        reader.warning("just so you know", at: root)
        #expect(reader.diagnostics.map(\.description) == ["w.yaml:1:1: warning: just so you know"])
        #expect(try reader.finish(1) == 1)
        reader.error("but this is wrong", at: root)
        #expect(throws: FileProblems.self) { try reader.finish(1) }
    }
}
