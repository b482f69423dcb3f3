import Testing
@testable import DocketCore

/// `separation_of_duties:` in a definition: how rules read, and every mistake reported where it
/// must be fixed.
@Suite struct SeparationOfDutiesDefinitionTests {
    /// A workflow with acceptance, a panel vote and a decision; `rules` is its
    /// `separation_of_duties:` list (each line indented as a list item).
    static func workflow(_ rules: String, roles: String = "[applicant, clerk, approver, expert, secretary, auditor]", extra: String = "") -> String {
        """
        workflow: sod
        version: 1
        roles: \(roles)
        \(extra)assisted_handling:
          clerk: [applicant]
          secretary: [expert]
        states:
          submitted: { initial: true }
          review: {}
          panel:
            vote: { role: expert, seats: 3, approve_at: 2 }
            when_approved: panel_approved
            when_rejected: panel_rejected
          decision: {}
          approved: { final: true, outcome: approved }
          rejected: { final: true, outcome: rejected }
        transitions:
          - { event: accept, from: submitted, to: review, roles: [clerk] }
          - { event: convene, from: review, to: panel, roles: [clerk] }
          - { event: panel_approved, from: panel, to: decision }
          - { event: panel_rejected, from: panel, to: rejected }
          - { event: approve, from: decision, to: approved, roles: [approver] }
          - { event: reject, from: decision, to: rejected, roles: [approver] }
        separation_of_duties:
        \(rules)
        """
    }

    /// `line:column` of the `occurrence`-th `text` in `yaml` (1-based, as diagnostics count).
    static func position(of text: String, in yaml: String, occurrence: Int = 1) -> String {
        var seen = 0
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let range = rest.range(of: text) {
                seen += 1
                if seen == occurrence { return "\(index + 1):\(line.distance(from: line.startIndex, to: range.lowerBound) + 1)" }
                rest = rest[range.upperBound...]
            }
        }
        return "not found"
    }

    func problems(_ yaml: String) -> [String] {
        diagnostics(yaml).map { "\($0.position): \($0.message)" }
    }

    func expectProblem(_ yaml: String, at text: String, occurrence: Int = 1, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = "\(Self.position(of: text, in: yaml, occurrence: occurrence)): \(message)"
        let found = problems(yaml)
        #expect(found.contains(expected), "expected \(expected), got:\n\(found.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test func theFourShapesOfRuleRead() throws {
        let loaded = try definition(Self.workflow("""
          - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }
          - { rule: panel-may-not-decide, once_acted_as: [expert], may_not_fire: approve }
          - { rule: convener-not-on-panel, once_fired: [convene], may_not_act_as: [expert, secretary] }
          - { rule: applicant-is-not-staff, applicant: true, may_not_act_as: staff }
        """))
        #expect(loaded.applicantRole == "applicant")
        #expect(loaded.separationOfDuties == [
            SeparationRule(name: "accepter-may-not-decide", party: .fired(["accept"]), mayNotFire: ["approve", "reject"]),
            SeparationRule(name: "panel-may-not-decide", party: .actedAs(["expert"]), mayNotFire: ["approve"]),
            SeparationRule(name: "convener-not-on-panel", party: .fired(["convene"]), mayNotActAs: ["expert", "secretary"]),
            SeparationRule(name: "applicant-is-not-staff", party: .applicant, mayNotActAsStaff: true),
        ])
        #expect(loaded.separationOfDuties[3].forbids(role: "clerk", in: loaded))
        #expect(!loaded.separationOfDuties[3].forbids(role: "applicant", in: loaded))
    }

    @Test func anUnknownEventIsReportedAtItWithTheNearestKnownOne() {
        let yaml = Self.workflow("  - { rule: r, once_fired: acept, may_not_fire: [aprove] }")
        expectProblem(yaml, at: "acept", "rule 'r' names event 'acept', which no transition declares (did you mean 'accept'?)")
        expectProblem(yaml, at: "aprove", "rule 'r' names event 'aprove', which no transition declares (did you mean 'approve'?)")
    }

    @Test func anUnknownRoleIsReportedAtItWithTheNearestKnownOne() {
        let yaml = Self.workflow("  - { rule: r, once_acted_as: [expret], may_not_act_as: [aprover] }")
        expectProblem(yaml, at: "expret", "rule 'r': unknown role 'expret'; did you mean 'expert'?")
        expectProblem(yaml, at: "aprover", "rule 'r': unknown role 'aprover'; did you mean 'approver'?")
    }

    @Test func aRuleNameUsedTwiceIsReportedAtTheSecond() {
        let yaml = Self.workflow("""
          - { rule: four-eyes, once_fired: accept, may_not_fire: [approve] }
          - { rule: four-eyes, once_fired: convene, may_not_fire: [approve] }
        """)
        expectProblem(yaml, at: "four-eyes", occurrence: 2, "separation-of-duties rule 'four-eyes' is declared twice; give each rule its own name")
        #expect(problems(yaml).count == 1)
    }

    @Test func aRuleBindsExactlyOnePartyAndForbidsSomething() {
        let none = Self.workflow("  - { rule: r, may_not_fire: [approve] }")
        expectProblem(none, at: "{ rule: r", "rule 'r' binds no one: say whom with 'once_fired: [events]', 'once_acted_as: [roles]' or 'applicant: true'")
        let two = Self.workflow("  - { rule: r, once_fired: accept, applicant: true, may_not_fire: [approve] }")
        expectProblem(two, at: "applicant: true", "rule 'r' binds one party: give only one of 'once_fired', 'applicant' (write two rules for two)")
        let nothing = Self.workflow("  - { rule: r, once_fired: accept }")
        expectProblem(nothing, at: "{ rule: r", "rule 'r' forbids nothing: add 'may_not_fire: [events]' or 'may_not_act_as: [roles]'")
        let unnamed = Self.workflow("  - { once_fired: accept, may_not_fire: [approve] }")
        expectProblem(unnamed, at: "{ once_fired", "missing 'rule': the rule's name, e.g. 'rule: accepter-may-not-approve'")
        let unknownKey = Self.workflow("  - { rule: r, once_fired: accept, may_not_fir: [approve] }")
        #expect(problems(unknownKey).contains { $0.hasPrefix(Self.position(of: "may_not_fir", in: unknownKey)) && $0.contains("did you mean 'may_not_fire'?") })
    }

    @Test func aRuleOnAnEventOnlyDocketFiresCanNeverApply() {
        let yaml = Self.workflow("  - { rule: r, once_fired: accept, may_not_fire: [panel_approved] }")
        expectProblem(yaml, at: "panel_approved]", "rule 'r' can never apply to 'panel_approved': only Docket fires it (deadline, join or vote), and rules bind people")
    }

    @Test func aRuleOnARoleNobodyActsInCanNeverApply() {
        let yaml = Self.workflow("  - { rule: r, once_acted_as: auditor, may_not_fire: [approve] }")
        expectProblem(yaml, at: "auditor, may", "rule 'r' can never apply to role 'auditor': no transition, vote or assisted handling lets anyone act in it")
    }

    @Test func aRuleForbiddingOnlyEventsThatCannotFollowCanNeverApply() {
        let yaml = Self.workflow("  - { rule: backwards, once_fired: approve, may_not_fire: [accept, convene] }")
        expectProblem(yaml, at: "[accept, convene]", "rule 'backwards' can never apply: 'accept' or 'convene' can never be fired after 'approve' on one case")
        // The same events the right way round are a rule that applies.
        #expect(throws: Never.self) { try DefinitionLoader.load(text: Self.workflow("  - { rule: forwards, once_fired: accept, may_not_fire: [approve] }"), file: "t.yaml").get() }
    }

    @Test func theApplicantNeedsAnApplicantRole() {
        let roles = "[employee, clerk, approver, expert, secretary, auditor]"
        let yaml = Self.workflow("  - { rule: own, applicant: true, may_not_act_as: staff }", roles: roles)
            .replacingOccurrences(of: "clerk: [applicant]", with: "clerk: [employee]")
        expectProblem(yaml, at: "applicant: true", "rule 'own' binds the applicant, but the workflow has no applicant role: declare 'applicant_role: ROLE' (or a role named 'applicant')")
        let declared = Self.workflow("  - { rule: own, applicant: true, may_not_act_as: staff }", roles: roles, extra: "applicant_role: employee\n")
            .replacingOccurrences(of: "clerk: [applicant]", with: "clerk: [employee]")
        #expect(throws: Never.self) { try DefinitionLoader.load(text: declared, file: "t.yaml").get() }
        #expect((try? DefinitionLoader.load(text: declared, file: "t.yaml").get())?.applicantRole == "employee")
        let misspelt = Self.workflow("  - { rule: own, applicant: true, may_not_act_as: staff }", extra: "applicant_role: aplicant\n")
        expectProblem(misspelt, at: "aplicant", "unknown role 'aplicant'; did you mean 'applicant'?")
    }

    @Test func theApplicantMayNotBeForbiddenTheirOwnRole() {
        let yaml = Self.workflow("  - { rule: odd, applicant: true, may_not_act_as: [applicant, clerk] }")
        expectProblem(yaml, at: "[applicant, clerk]", "rule 'odd' forbids the applicant their own role 'applicant': the applicant acts in it on every case they open")
    }

    @Test func staffIsAmbiguousWhenARoleIsCalledStaff() {
        let yaml = Self.workflow("  - { rule: own, applicant: true, may_not_act_as: staff }", roles: "[applicant, clerk, approver, expert, secretary, staff]")
            .replacingOccurrences(of: "clerk: [applicant]", with: "clerk: [applicant]\n  staff: [applicant]")
        expectProblem(yaml, at: "staff }", "rule 'own': 'staff' is both a declared role and the word for every role but the applicant's; list the roles meant instead")
    }

    @Test func separationOfDutiesMustBeAList() {
        let yaml = Self.workflow("  rule: r")
        expectProblem(yaml, at: "rule: r", "'separation_of_duties' must be a list of rules, e.g. '- { rule: accepter-may-not-approve, once_fired: accept, may_not_fire: [approve] }'")
    }

    @Test func errorsCarryTheFileLineAndColumn() {
        let yaml = Self.workflow("  - { rule: r, once_fired: acept, may_not_fire: [approve] }")
        guard case let .failure(problems) = DefinitionLoader.load(text: yaml, file: "Workflows/sod.yaml") else {
            Issue.record("expected a failure")
            return
        }
        #expect(problems.lines == ["Workflows/sod.yaml:\(Self.position(of: "acept", in: yaml)): error: rule 'r' names event 'acept', which no transition declares (did you mean 'accept'?)"])
    }
}
