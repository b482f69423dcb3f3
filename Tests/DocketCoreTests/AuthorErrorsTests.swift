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
}
