import Testing
@testable import DocketCore

/// "The author's day": errors that point at the cause, and only at the cause.
@Suite struct AuthorErrorsTests {
    /// `line:column: message` of every diagnostic.
    func problems(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        diagnostics(yaml, sourceLocation: sourceLocation).map { "\($0.position): \($0.message)" }
    }

    // MARK: A misspelled state

    static let triage = """
        workflow: intake
        version: 1
        roles: [clerk, officer]
        states:
          submitted: { initial: true }
          triage: {}
          review:
            within: 2 working days
            on_breach: escalate
          escalated: {}
          approved: { final: true, outcome: approved }
          rejected: { final: true, outcome: rejected }
        transitions:
          - { event: accept, from: submitted, to: triag, roles: [clerk] }
          - { event: assign, from: triage, to: review, roles: [clerk] }
          - { event: escalate, from: review, to: escalated }
          - { event: approve, from: [review, escalated], to: approved, roles: [officer] }
          - { event: reject, from: [review, escalated], to: rejected, roles: [officer] }
        """

    @Test func aMisspelledTargetIsTheOnlyProblemReported() {
        #expect(problems(Self.triage) == ["14:43: unknown state 'triag' in the workflow; did you mean 'triage'?"])
    }

    @Test func aMisspelledSourceIsTheOnlyProblemReported() {
        let text = Self.triage
            .replacingOccurrences(of: "to: triag,", with: "to: triage,")
            .replacingOccurrences(of: "from: triage, to: review", with: "from: traige, to: review")
        #expect(problems(text) == ["15:28: unknown state 'traige' in the workflow; did you mean 'triage'?"])
    }

    @Test func withTheTypoFixedTheGraphIsCheckedAgain() {
        let text = Self.triage
            .replacingOccurrences(of: "to: triag,", with: "to: triage,")
            .replacingOccurrences(of: "  - { event: assign, from: triage, to: review, roles: [clerk] }\n", with: "")
        let found = problems(text)
        #expect(found.contains { $0.contains("no transition reaches state 'review'") }, "\(found)")
        #expect(found.contains { $0.contains("state 'triage' has no path to a final state") }, "\(found)")
    }

    @Test func aMisspelledStateInABranchLeavesTheWorkflowsGraphChecked() {
        let found = problems("""
            workflow: x
            version: 1
            roles: [inspector]
            states:
              a:
                initial: true
                when_approved: done
                branches:
                  health:
                    roles: [inspector]
                    states:
                      checking: { initial: true }
                      ok: { final: true, outcome: approved }
                    transitions:
                      - { event: pass, from: checking, to: okk }
              b: { final: true, outcome: approved }
              orphan: {}
            transitions:
              - { event: done, from: a, to: b }
            """)
        #expect(found == [
            "15:48: unknown state 'okk' in branch 'health' of state 'a'; did you mean 'ok'?",
            "17:3: no transition reaches state 'orphan' from the initial state 'a'",
        ], "\(found)")
    }

    // MARK: Outcomes, a closed set

    static func withOutcome(_ outcome: String, declaring: String = "") -> String {
        """
        workflow: x
        version: 1
        roles: [clerk]\(declaring)
        states:
          a: { initial: true }
          b: { final: true, outcome: \(outcome) }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """
    }

    @Test func aMisspelledOutcomeIsReportedWithASuggestion() {
        #expect(problems(Self.withOutcome("aproved")) == ["6:30: unknown outcome 'aproved'; did you mean 'approved'?"])
    }

    @Test func anUnknownOutcomeNamesTheKnownOnesAndTheDeclaration() {
        #expect(problems(Self.withOutcome("referred")) == [
            "6:30: unknown outcome 'referred'; outcomes: approved, rejected, withdrawn, revoked, lapsed, ended (declare another with 'outcomes: [referred]')",
        ])
    }

    @Test(arguments: ["approved", "rejected", "withdrawn", "revoked", "lapsed", "ended"])
    func builtInOutcomesNeedNoDeclaration(outcome: String) throws {
        let definition = try DefinitionLoader.load(text: Self.withOutcome(outcome), file: "x.yaml").get()
        #expect(definition.states.last?.outcome == outcome)
    }

    @Test func aDeclaredOutcomeIsAccepted() throws {
        let definition = try DefinitionLoader.load(text: Self.withOutcome("referred", declaring: "\noutcomes: [referred, deferred]"), file: "x.yaml").get()
        #expect(definition.states.last?.outcome == "referred")
    }

    @Test func aMisspeltOutcomeIsCheckedAgainstTheDeclaredOnesToo() {
        #expect(problems(Self.withOutcome("refered", declaring: "\noutcomes: [referred]")) == [
            "7:30: unknown outcome 'refered'; did you mean 'referred'?",
        ])
    }

    @Test func aBuiltInOrRepeatedDeclarationIsReported() {
        #expect(problems(Self.withOutcome("referred", declaring: "\noutcomes: [referred, approved, referred]")) == [
            "4:22: outcome 'approved' is always known and needs no declaration; remove it from 'outcomes'",
            "4:32: outcome 'referred' is listed twice",
        ])
    }

    @Test func aBranchOutcomeSuggestsApprovedOrRejected() {
        let found = problems("""
            workflow: x
            version: 1
            roles: [inspector]
            states:
              a:
                initial: true
                when_approved: done
                branches:
                  health:
                    roles: [inspector]
                    states:
                      checking: { initial: true }
                      ok: { final: true, outcome: aproved }
                    transitions:
                      - { event: pass, from: checking, to: ok }
              b: { final: true, outcome: approved }
            transitions:
              - { event: done, from: a, to: b }
            """)
        #expect(found == [
            "13:39: a branch's final state has outcome 'approved' or 'rejected' (the join counts them), found 'aproved'; did you mean 'approved'?",
        ])
    }

    // MARK: Every duplicate key in one run

    @Test func everyRepeatedKeyIsReportedAtItsRepetition() {
        #expect(problems("""
            workflow: x
            version: 1
            roles: [clerk]
            states:
              a:
                initial: true
                initial: true
              b:
                final: true
                outcome: approved
                final: true
                outcome: approved
            version: 2
            transitions:
              - event: go
                from: a
                to: b
                roles: [clerk]
                to: b
                to: b
            """) == [
            "7:5: key 'initial' appears more than once in the same mapping (first at line 6); keep one",
            "11:5: key 'final' appears more than once in the same mapping (first at line 9); keep one",
            "12:5: key 'outcome' appears more than once in the same mapping (first at line 10); keep one",
            "13:1: key 'version' appears more than once in the same mapping (first at line 2); keep one",
            "19:5: key 'to' appears more than once in the same mapping (first at line 17); keep one",
            "20:5: key 'to' appears more than once in the same mapping (first at line 17); keep one",
        ])
    }

    @Test func aRepeatedKeyOfOneLetterAndAQuotedOneAreFound() {
        #expect(problems("""
            a: 1
            b: { x: 1 }
            a: 2
            "b": 3
            """) == [
            "3:1: key 'a' appears more than once in the same mapping (first at line 1); keep one",
            "4:1: key 'b' appears more than once in the same mapping (first at line 2); keep one",
        ])
    }

    @Test func aSyntaxErrorAfterTheRepeatedKeysIsReportedToo() {
        let found = problems("""
            workflow: x
            states:
              a: {}
              a: {}
            transitions:
              - { event: go, from: a, to: b
            """)
        #expect(found.count == 2, "\(found)")
        #expect(found.first == "4:3: key 'a' appears more than once in the same mapping (first at line 3); keep one")
        #expect(found.last?.contains("YAML syntax error") == true, "\(found)")
    }

    // MARK: Indentation

    @Test func aTabInTheIndentationIsNamed() {
        #expect(problems("workflow: x\nversion: 1\nroles: [clerk]\nstates:\n  a: { initial: true }\n  b:\n\tfinal: true\n") == [
            "7:1: YAML syntax error: line 7 is indented with a tab; YAML indents with spaces",
        ])
    }

    @Test func aLineIndentedLessThanItsMappingIsNamed() {
        #expect(problems("""
            workflow: x
            states:
              a: { initial: true }
             b: { final: true, outcome: approved }
            """) == [
            "4:2: YAML syntax error: line 4 is indented wrongly: 1 space, which lines up with no line above it; indent it 2 like line 3, or 0 like line 2",
        ])
    }

    @Test func aLineIndentedMoreThanTheKeyAboveIsNamed() {
        #expect(problems("""
            workflow: x
            states:
              a: { initial: true }
                b: { final: true, outcome: approved }
            """) == [
            "4:5: YAML syntax error: line 4 is indented wrongly: 4 spaces, deeper than line 3 above it (2), which opens no block; line it up with the keys or items it belongs with",
        ])
    }

    @Test func aListItemIndentedLessIsNamed() {
        let found = problems("""
            workflow: x
            transitions:
              - { event: go, from: a, to: b }
             - { event: back, from: b, to: a }
            """)
        #expect(found == ["4:2: YAML syntax error: line 4 is indented wrongly: 1 space, which lines up with no line above it; indent it 2 like line 3, or 0 like line 2"])
    }

    @Test func aScalarGoingOnIntoADeeperKeyIsNamed() {
        #expect(problems("workflow: x\nversion: 1\n   roles: [clerk]\n") == [
            "3:4: YAML syntax error: line 3 is indented wrongly: 3 spaces, deeper than line 2 above it (0), which opens no block; line it up with the keys or items it belongs with",
        ])
    }

    @Test func otherSyntaxErrorsAreNotBlamedOnIndentation() {
        let found = problems("workflow: x\nversion: 1: 2\n")
        #expect(found == ["2:11: YAML syntax error: mapping values are not allowed in this context"])
    }
}
