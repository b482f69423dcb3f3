import Testing
@testable import DocketCore

/// The engine enforces a workflow's separation of duties in `decide`, from what the case's state
/// remembers of who did what; refusals are `forbidden` and name the rule and the earlier event.
@Suite struct SeparationOfDutiesEngineTests {
    static let yaml = """
    workflow: sod
    version: 1
    roles: [applicant, clerk, approver, expert, secretary]
    assisted_handling:
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
      withdrawn: { final: true, outcome: withdrawn }
    transitions:
      - { event: accept, from: submitted, to: review, roles: [clerk] }
      - { event: convene, from: review, to: panel, roles: [clerk] }
      - { event: panel_approved, from: panel, to: decision }
      - { event: panel_rejected, from: panel, to: rejected }
      - { event: approve, from: decision, to: approved, roles: [approver] }
      - { event: reject, from: decision, to: rejected, roles: [approver] }
      - { event: withdraw, from: [submitted, review], to: withdrawn, roles: [applicant] }
    separation_of_duties:
      - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }
      - { rule: panel-may-not-decide, once_acted_as: expert, may_not_fire: [approve, reject] }
      - { rule: convener-not-on-panel, once_fired: convene, may_not_act_as: [expert] }
      - { rule: applicant-is-not-staff, applicant: true, may_not_act_as: staff }
    """

    /// A case opened by `ann` (the applicant), accepted by li.wei, convened by zhou.
    func inPanel() throws -> CaseDriver {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open(by: "ann", as: "applicant")
        try driver.fire("accept", by: "li.wei", as: "clerk")
        try driver.fire("convene", by: "zhou", as: "clerk")
        return driver
    }

    /// The case above after two experts approved: waiting for the decision.
    func inDecision() throws -> CaseDriver {
        var driver = try inPanel()
        try driver.vote(.approve, by: "e1")
        try driver.vote(.approve, by: "e2")
        #expect(driver.state?.current.state == "decision")
        return driver
    }

    func refusal(_ driver: CaseDriver, _ body: (inout CaseDriver) throws -> Void) -> Refusal? {
        let refusal = driver.refusal(body)
        #expect(refusal == nil || refusal?.kind == .forbidden)
        return refusal
    }

    @Test func whoeverAcceptedMayNotApproveAndTheRefusalNamesTheRuleAndTheEvent() throws {
        let driver = try inDecision()
        let refused = refusal(driver) { try $0.fire("approve", by: "li.wei", as: "approver", at: "2020-03-02T04:00:00Z") }
        #expect(refused?.code == .separationOfDuties)
        #expect(refused?.errorCode == "separation_of_duties")
        #expect(refused?.kind == .forbidden)
        #expect(refused?.message == "li.wei may not fire 'approve' on case C-1: rule accepter-may-not-decide; li.wei fired 'accept' (event 2 of the case)")
        // Another approver may; the refused command left the log as it was.
        var copy = driver
        try copy.fire("approve", by: "carol", as: "approver", at: "2020-03-02T04:00:00Z")
        #expect(copy.state?.outcome == "approved")
    }

    @Test func everyEventTheRuleListsIsForbidden() throws {
        let refused = refusal(try inDecision()) { try $0.fire("reject", by: "li.wei", as: "approver", at: "2020-03-02T04:00:00Z") }
        #expect(refused?.message.hasPrefix("li.wei may not fire 'reject' on case C-1: rule accepter-may-not-decide") == true)
    }

    @Test func aPanelMemberWhoVotedMayNotDecide() throws {
        let refused = refusal(try inDecision()) { try $0.fire("approve", by: "e2", as: "approver", at: "2020-03-02T04:00:00Z") }
        #expect(refused?.message == "e2 may not fire 'approve' on case C-1: rule panel-may-not-decide; e2 acted as expert (event 5 of the case)")
    }

    @Test func aPanelMemberWhoseVoteASecretaryRecordedMayNotDecide() throws {
        var driver = try inPanel()
        try driver.vote(.approve, by: "sec", as: "secretary", onBehalfOf: "e3")
        try driver.vote(.approve, by: "e1")
        let refused = refusal(driver) { try $0.fire("approve", by: "e3", as: "approver", at: "2020-03-02T04:00:00Z") }
        #expect(refused?.message == "e3 may not fire 'approve' on case C-1: rule panel-may-not-decide; e3 acted as expert (event 4 of the case)")
        // The secretary acted as secretary, not as a panel member: they may decide.
        var copy = driver
        try copy.fire("approve", by: "sec", as: "approver", at: "2020-03-02T04:00:00Z")
        #expect(copy.state?.outcome == "approved")
    }

    @Test func theConvenerMayNotVoteNorHaveAVoteRecordedForThem() throws {
        let driver = try inPanel()
        let direct = refusal(driver) { try $0.vote(.approve, by: "zhou") }
        #expect(direct?.message == "zhou may not act as expert on case C-1: rule convener-not-on-panel; zhou fired 'convene' (event 3 of the case)")
        let recorded = refusal(driver) { try $0.vote(.approve, by: "sec", as: "secretary", onBehalfOf: "zhou") }
        #expect(recorded?.code == .separationOfDuties)
        #expect(recorded?.message.hasPrefix("zhou may not act as expert on case C-1: rule convener-not-on-panel") == true)
    }

    @Test func theApplicantMayNotActInAStaffRoleOnTheirOwnCase() throws {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open(by: "ann", as: "applicant")
        let refused = refusal(driver) { try $0.fire("accept", by: "ann", as: "clerk") }
        #expect(refused?.message == "ann may not act as clerk on case C-1: rule applicant-is-not-staff; ann is the case's applicant (event 1 of the case)")
        // In the applicant role they may act.
        var copy = driver
        try copy.fire("withdraw", by: "ann", as: "applicant")
        #expect(copy.state?.outcome == "withdrawn")
    }

    @Test func theApplicantMayNotVoteNotEvenThroughASecretary() throws {
        let driver = try inPanel()
        #expect(refusal(driver) { try $0.vote(.approve, by: "ann") }?.code == .separationOfDuties)
        let recorded = refusal(driver) { try $0.vote(.approve, by: "sec", as: "secretary", onBehalfOf: "ann") }
        #expect(recorded?.message == "ann may not act as expert on case C-1: rule applicant-is-not-staff; ann is the case's applicant (event 1 of the case)")
    }

    @Test func aCaseOpenedOnBehalfOfSomeoneHasThemAsItsApplicant() throws {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open(by: "clerk-liu", as: "clerk", onBehalfOf: "ann")
        #expect(refusal(driver) { try $0.fire("accept", by: "ann", as: "clerk") }?.code == .separationOfDuties)
        // The clerk who filed for ann acts for her as the applicant, and may accept as staff.
        var copy = driver
        try copy.fire("accept", by: "clerk-liu", as: "clerk")
        try copy.fire("withdraw", by: "clerk-liu", as: "clerk", onBehalfOf: "ann")
        #expect(copy.state?.outcome == "withdrawn")
    }

    @Test func aClerkMayNotFileTheirOwnApplicationAsStaff() throws {
        let driver = CaseDriver(try definition(Self.yaml))
        let refused = refusal(driver) { try $0.open(by: "clerk-liu", as: "clerk", onBehalfOf: "clerk-liu") }
        #expect(refused?.message == "clerk-liu may not act as clerk on case C-1: rule applicant-is-not-staff; clerk-liu is the case's applicant")
        #expect(driver.log.isEmpty)
    }

    @Test func aCaseOpenedInAStaffRoleForNoOneHasNoApplicant() throws {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open(by: "clerk-liu", as: "clerk")
        #expect(driver.state.map { $0.duties.applicant(openedBy: $0.openedBy, in: driver.context.definition) } == .some(nil))
        try driver.fire("accept", by: "clerk-liu", as: "clerk")
        #expect(driver.state?.current.state == "review")
    }

    @Test func theStateKeepsWhoDidWhatAsTheEventsAreFolded() throws {
        let driver = try inDecision()
        let duties = try #require(driver.state?.duties)
        #expect(duties.fired["accept"] == ["li.wei": 2])
        #expect(duties.fired["convene"] == ["zhou": 3])
        #expect(duties.actedAs["expert"] == ["e1": 4, "e2": 5])
        #expect(duties.voted["panel"] == ["e1": 4, "e2": 5])
        // Docket's own events (the vote's outcome) bind no one.
        #expect(duties.fired["panel_approved"] == nil)
        #expect(duties.actedAs.values.allSatisfy { $0[Engine.systemActor] == nil })
        // Deciding with the state kept by a driver gives the same state as folding the log.
        var evolving: CaseState? = CaseState.replay(driver.log.prefix(3))
        for command in [Command.vote(CastVote(caseID: "C-1", ballot: .approve, actor: "e1", role: "expert", at: at("2020-03-02T03:00:00Z")))] {
            _ = try Engine.decide(command, evolving: &evolving, driver.context)
        }
        #expect(evolving?.duties == CaseState.replay(driver.log.prefix(4))?.duties)
    }

    @Test func withoutRulesTheSamePersonMayAcceptAndApprove() throws {
        var driver = CaseDriver(try definition(permitCheckYAML))
        try driver.open()
        try driver.fire("accept", by: "li.wei", as: "clerk")
        try driver.fire("approve", by: "li.wei", as: "approver", documents: ["site_photos"])
        #expect(driver.state?.outcome == "approved")
    }

    @Test func aReplayOfAnotherSystemsLogMayTurnEnforcementOff() throws {
        var driver = try inDecision()
        driver.context.enforcesSeparationOfDuties = false
        try driver.fire("approve", by: "li.wei", as: "approver", at: "2020-03-02T04:00:00Z")
        #expect(driver.state?.outcome == "approved")
    }

    @Test func noCommandMayClaimTheSystemActor() throws {
        var driver = CaseDriver(try definition(permitCheckYAML))
        let open = driver.refusal { try $0.open(by: Engine.systemActor, as: "applicant") }
        #expect(open?.code == .reservedActor)
        #expect(open?.kind == .forbidden)
        #expect(open?.message == "'system' is reserved for what Docket does itself (deadlines, joins, vote outcomes) and cannot be the actor of a command; give a person's id")
        #expect(driver.refusal { try $0.open(by: "clerk", as: "clerk", onBehalfOf: Engine.systemActor) }?.code == .reservedActor)
        try driver.open()
        #expect(driver.refusal { try $0.fire("accept", by: Engine.systemActor, as: "clerk") }?.code == .reservedActor)

        var panel = try inPanel()
        #expect(panel.refusal { try $0.vote(.approve, by: Engine.systemActor) }?.code == .reservedActor)
        #expect(panel.refusal { try $0.vote(.approve, by: "sec", as: "secretary", onBehalfOf: Engine.systemActor) }?.code == .reservedActor)
        try panel.vote(.approve, by: "e1")
    }
}
