import Testing
@testable import DocketCore

/// k-of-n panel votes.
@Suite struct VoteTests {
    static func yaml(vote: String) -> String {
        """
        workflow: panel
        version: 1
        roles: [clerk, expert, secretary]
        assisted_handling: { secretary: [expert] }
        states:
          submitted: { initial: true }
          review:
            vote: \(vote)
            when_approved: certify
            when_rejected: decline
          certified: { final: true, outcome: approved }
          declined: { final: true, outcome: rejected }
        transitions:
          - { event: convene, from: submitted, to: review, roles: [clerk] }
          - { event: certify, from: review, to: certified }
          - { event: decline, from: review, to: declined }
        """
    }

    func convened(_ vote: String = "{ role: expert, seats: 5, approve_at: 3 }") throws -> CaseDriver {
        var driver = CaseDriver(try definition(Self.yaml(vote: vote)))
        try driver.open(as: "clerk")
        try driver.fire("convene", as: "clerk")
        return driver
    }

    @Test func threeApprovalsOfFiveApproveInTheDecidingVote() throws {
        var driver = try convened()
        try driver.vote(.approve, by: "e1")
        try driver.vote(.reject, by: "e2")
        try driver.vote(.approve, by: "e3")
        #expect(driver.state?.current.state == "review")
        let events = try driver.vote(.approve, by: "e4")
        #expect(events.map(\.type) == [.voteCast, .transitionFired])
        #expect(events[0].payload.approvals == 3)
        #expect(events[0].payload.rejections == 1)
        #expect(events[1].payload.trigger == "vote")
        #expect(events[1].payload.transition == "certify")
        #expect(driver.state?.outcome == "approved")
    }

    @Test func rejectsAsSoonAsApprovalIsOutOfReach() throws {
        var driver = try convened()
        try driver.vote(.reject, by: "e1")
        try driver.vote(.approve, by: "e2")
        try driver.vote(.reject, by: "e3")
        let events = try driver.vote(.reject, by: "e4")  // 3 rejections: at most 2 approvals remain possible
        #expect(events.last?.payload.transition == "decline")
        #expect(driver.state?.outcome == "rejected")
    }

    @Test func ownRejectThresholdRejectsEarlier() throws {
        var driver = try convened("{ role: expert, seats: 5, approve_at: 3, reject_at: 2 }")
        try driver.vote(.reject, by: "e1")
        try driver.vote(.reject, by: "e2")
        #expect(driver.state?.outcome == "rejected")
    }

    @Test func secondVoteOfAVoterIsRefused() throws {
        var driver = try convened()
        try driver.vote(.approve, by: "e1")
        #expect(driver.refusal { try $0.vote(.reject, by: "e1") }?.code == .alreadyVoted)
    }

    @Test func nothingIsCastAfterThePanelDecided() throws {
        var driver = try convened("{ role: expert, seats: 5, approve_at: 1 }")
        try driver.vote(.approve, by: "e1")
        #expect(driver.refusal { try $0.vote(.approve, by: "e2") }?.code == .caseClosed)
    }

    @Test func voteOutsideAVotingStateIsRefused() throws {
        var driver = CaseDriver(try definition(Self.yaml(vote: "{ role: expert, seats: 5, approve_at: 3 }")))
        try driver.open(as: "clerk")
        #expect(driver.refusal { try $0.vote(.approve, by: "e1") }?.code == .noVoteOpen)
    }

    @Test func voterOffANamedPanelIsRefused() throws {
        var driver = try convened("{ role: expert, panel: [wang, li, zhao], approve_at: 2 }")
        #expect(driver.refusal { try $0.vote(.approve, by: "zhang") }?.code == .notOnPanel)
        try driver.vote(.approve, by: "wang")
        try driver.vote(.approve, by: "li")
        #expect(driver.state?.outcome == "approved")
    }

    @Test func voteInAnotherRoleIsRefused() throws {
        let driver = try convened()
        #expect(driver.refusal { try $0.vote(.approve, by: "c1", as: "clerk") }?.code == .roleNotAllowed)
    }

    @Test func voteCastOnBehalfCountsForThePanelMember() throws {
        var driver = try convened()
        let events = try driver.vote(.approve, by: "sec-1", as: "secretary", onBehalfOf: "e1")
        #expect(events[0].actor == "sec-1")
        #expect(events[0].onBehalfOf == "e1")
        #expect(driver.state?.ballots.map(\.voter) == ["e1"])
        #expect(driver.refusal { try $0.vote(.approve, by: "e1") }?.code == .alreadyVoted)
    }

    @Test func ballotsSoFarAreVisible() throws {
        var driver = try convened()
        try driver.vote(.approve, by: "e1")
        try driver.vote(.reject, by: "e2")
        #expect(driver.state?.ballots.map(\.ballot) == [.approve, .reject])
    }
}
