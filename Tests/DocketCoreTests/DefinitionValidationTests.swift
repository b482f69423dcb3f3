import Testing
@testable import DocketCore

/// Each problem is reported as `FILE:LINE:COLUMN: error: message`, at the place to edit.
@Suite struct DefinitionValidationTests {
    /// `line:column: message` of every diagnostic, for compact expectations.
    func problems(_ yaml: String) -> [String] {
        diagnostics(yaml).map { "\($0.position): \($0.message)" }
    }

    func hasProblem(_ yaml: String, at position: String, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = problems(yaml)
        #expect(found.contains { $0.hasPrefix(position + ": ") && $0.contains(text) },
                "expected '\(text)' at \(position), got:\n\(found.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test func diagnosticPrintsFileLineColumnError() {
        let d = Diagnostic(file: "Workflows/x.yaml", position: SourcePosition(line: 3, column: 7), message: "unknown role 'clerc'")
        #expect(d.description == "Workflows/x.yaml:3:7: error: unknown role 'clerc'")
    }

    @Test func yamlSyntaxErrorIsReportedAtItsPosition() {
        hasProblem("workflow: x\nversion: 1: 2\n", at: "2:11", containing: "YAML syntax error: mapping values are not allowed")
    }

    @Test func duplicateKeyIsReportedAtTheRepetition() {
        hasProblem("workflow: x\nversion: 1\nworkflow: y\n", at: "3:1", containing: "'workflow' appears more than once")
    }

    @Test func emptyTextIsReported() {
        hasProblem("", at: "1:1", containing: "empty")
    }

    /// Flags are YAML 1.1 booleans written plainly; a quoted "true" is text, not a flag.
    @Test func aQuotedFlagIsRefusedAndAPlainYesIsAccepted() {
        let quoted = """
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: "true" }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """
        hasProblem(quoted, at: "5:17", containing: "'initial' must be true or false")
        let plain = DefinitionLoader.load(text: quoted.replacingOccurrences(of: "\"true\"", with: "yes"), file: "test.yaml")
        #expect((try? plain.get())?.states.first { $0.name == "a" }?.isInitial == true)
    }

    @Test func unknownKeySuggestsTheNearestKnownKey() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { intial: true }
        """, at: "5:8", containing: "unknown key 'intial' in state 'a'; did you mean 'initial'?")
    }

    @Test func unknownStateInTransitionIsReportedAtTheName() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: c, roles: [clerk] }
        """, at: "8:31", containing: "unknown state 'c'")
    }

    @Test func unknownRoleIsReportedAtTheRoleAndSuggestsOne() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerc] }
        """, at: "8:42", containing: "unknown role 'clerc'; did you mean 'clerk'?")
    }

    @Test func missingInitialStateIsReportedAtStates() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: {}
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "4:1", containing: "no initial state")
    }

    @Test func secondInitialStateIsReportedAtItsInitialKey() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { initial: true }
          c: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: c, roles: [clerk] }
          - { event: go, from: b, to: c, roles: [clerk] }
        """, at: "6:8", containing: "several initial states in the workflow: 'a' and 'b'")
    }

    @Test func unreachableStateIsReportedAtItsName() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          orphan: {}
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: go, from: orphan, to: b, roles: [clerk] }
        """, at: "6:3", containing: "no transition reaches state 'orphan'")
    }

    @Test func stateWithNoPathToAFinalStateIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          limbo: {}
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: park, from: a, to: limbo, roles: [clerk] }
        """, at: "6:3", containing: "state 'limbo' has no path to a final state")
    }

    @Test func finalStateWithOutgoingTransitionIsReportedAtFrom() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: reopen, from: b, to: a, roles: [clerk] }
        """, at: "9:28", containing: "final state 'b' cannot have outgoing transitions")
    }

    @Test func sameEventTwiceFromOneStateIsReportedAtTheSecond() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
          c: { final: true, outcome: rejected }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: go, from: a, to: c, roles: [clerk] }
        """, at: "10:14", containing: "event 'go' is declared twice from state 'a'")
    }

    @Test func unreadableTimeLimitIsReportedAtTheValue() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true, within: two working days }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "5:31", containing: "cannot read the time limit 'two working days'")
    }

    @Test func zeroTimeLimitIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true, within: 0 working days }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "5:31", containing: "is zero")
    }

    @Test func breachEventWithNoTransitionFromTheStateIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true, within: 2 working days, on_breach: escalate }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "5:58", containing: "'on_breach' names event 'escalate', but no transition fires 'escalate' from state 'a'")
    }

    @Test func transitionWithoutRolesThatDocketNeverFiresIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b }
        """, at: "8:14", containing: "no one may fire 'go'")
    }

    @Test func finalStateWithoutOutcomeIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "6:8", containing: "needs an 'outcome'")
    }

    @Test func missingTopLevelKeysAreEachReported() {
        let found = problems("title: nothing else\n")
        #expect(found.contains { $0.contains("missing 'workflow'") })
        #expect(found.contains { $0.contains("missing 'version'") })
        #expect(found.contains { $0.contains("missing 'roles'") })
        #expect(found.contains { $0.contains("missing 'states'") })
        #expect(found.contains { $0.contains("missing 'transitions'") })
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let found = problems("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: bb, roles: [clerc] }
          - { event: back, from: b, to: a, roles: [clerk] }
        """)
        #expect(found.contains { $0.hasPrefix("8:31: unknown state 'bb'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("8:43: unknown role 'clerc'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("9:26: final state 'b' cannot have outgoing") }, "\(found)")
    }

    @Test func jsonIsAccepted() throws {
        let d = try definition("""
        {"workflow": "x", "version": 1, "roles": ["clerk"],
         "states": {"a": {"initial": true}, "b": {"final": true, "outcome": "approved"}},
         "transitions": [{"event": "go", "from": "a", "to": "b", "roles": ["clerk"]}]}
        """)
        #expect(d.transitions.count == 1)
    }

    // MARK: Government-service features

    @Test func approvalThresholdAbovePanelSizeIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [expert]
        states:
          a: { initial: true, vote: { role: expert, seats: 3, approve_at: 4 }, when_approved: yes_, when_rejected: no_ }
          b: { final: true, outcome: approved }
          c: { final: true, outcome: rejected }
        transitions:
          - { event: yes_, from: a, to: b }
          - { event: no_, from: a, to: c }
        """, at: "5:67", containing: "'approve_at' is 4 but the panel has only 3 seats")
    }

    @Test func voteWithoutWhenRejectedIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [expert]
        states:
          a: { initial: true, vote: { role: expert, seats: 3, approve_at: 2 }, when_approved: yes_ }
          b: { final: true, outcome: approved }
        transitions:
          - { event: yes_, from: a, to: b }
        """, at: "5:3", containing: "needs 'when_rejected'")
    }

    @Test func undeclaredProxyRoleIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk, applicant]
        assisted_handling: { clerk: [aplicant] }
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [applicant] }
        """, at: "4:30", containing: "unknown role 'aplicant'; did you mean 'applicant'?")
    }

    @Test func branchWithoutFinalStateIsReportedAtTheBranch() {
        hasProblem("""
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
                transitions: []
          b: { final: true, outcome: approved }
        transitions:
          - { event: done, from: a, to: b }
        """, at: "9:7", containing: "branch 'health' has no final state")
    }

    @Test func branchFinalOutcomeMustBeApprovedOrRejected() {
        hasProblem("""
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
                  ok: { final: true, outcome: passed }
                transitions:
                  - { event: pass, from: checking, to: ok }
          b: { final: true, outcome: approved }
        transitions:
          - { event: done, from: a, to: b }
        """, at: "13:39", containing: "outcome 'approved' or 'rejected'")
    }

    @Test func sendBackToALaterStateIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true }
          b: {}
          c: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: finish, from: b, to: c, roles: [clerk] }
          - { event: back, from: a, to: b, roles: [clerk], sends_back: true }
        """, at: "11:33", containing: "'b' is not an earlier state")
    }

    @Test func voteInsideABranchIsReported() {
        hasProblem("""
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
                  checking: { initial: true, vote: { role: inspector, seats: 1, approve_at: 1 } }
                  ok: { final: true, outcome: approved }
                transitions:
                  - { event: pass, from: checking, to: ok }
          b: { final: true, outcome: approved }
        transitions:
          - { event: done, from: a, to: b }
        """, at: "12:38", containing: "panel votes are held in case-level states")
    }

    @Test func breachActionWithoutALimitIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        states:
          a: { initial: true, on_breach: go }
          b: { final: true, outcome: approved }
        transitions:
          - { event: go, from: a, to: b, roles: [clerk] }
        """, at: "5:34", containing: "'on_breach' needs a time limit")
    }

    @Test func unknownJoinPolicyIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [inspector]
        states:
          a:
            initial: true
            join: any
            when_approved: done
            branches:
              health:
                roles: [inspector]
                states:
                  checking: { initial: true }
                  ok: { final: true, outcome: approved }
                transitions:
                  - { event: pass, from: checking, to: ok }
          b: { final: true, outcome: approved }
        transitions:
          - { event: done, from: a, to: b }
        """, at: "7:11", containing: "unknown join 'any'")
    }

    @Test func statutoryStartOnAnUndeclaredEventIsReported() {
        hasProblem("""
        workflow: x
        version: 1
        roles: [clerk]
        statutory_limit: { within: 20 working days, starts_on: acept }
        states:
          a: { initial: true }
          b: { final: true, outcome: approved }
        transitions:
          - { event: accept, from: a, to: b, roles: [clerk] }
        """, at: "4:56", containing: "did you mean 'accept'?")
    }
}
