import Testing
@testable import DocketCore

/// Parallel departments: branches start together, the join waits for all or ends at the first rejection.
@Suite struct ParallelTests {
    static func yaml(join: String) -> String {
        """
        workflow: joint
        version: 1
        roles: [clerk, health_inspector, fire_inspector]
        states:
          received: { initial: true }
          verification:
            join: \(join)
            when_approved: verified
            when_rejected: failed_verification
            branches:
              health:
                department: health
                roles: [health_inspector]
                states:
                  inspecting: { initial: true }
                  passed: { final: true, outcome: approved }
                  failed: { final: true, outcome: rejected }
                transitions:
                  - { event: pass, from: inspecting, to: passed }
                  - { event: fail, from: inspecting, to: failed, requires_reason: true }
              fire:
                department: fire
                roles: [fire_inspector]
                states:
                  inspecting: { initial: true }
                  passed: { final: true, outcome: approved }
                  failed: { final: true, outcome: rejected }
                transitions:
                  - { event: pass, from: inspecting, to: passed }
                  - { event: fail, from: inspecting, to: failed, requires_reason: true }
          approved: { final: true, outcome: approved }
          rejected: { final: true, outcome: rejected }
        transitions:
          - { event: verify, from: received, to: verification, roles: [clerk] }
          - { event: verified, from: verification, to: approved }
          - { event: failed_verification, from: verification, to: rejected }
          - { event: withdraw, from: verification, to: rejected, roles: [clerk] }
        """
    }

    func inVerification(join: String = "all") throws -> CaseDriver {
        var driver = CaseDriver(try definition(Self.yaml(join: join)))
        try driver.open(as: "clerk")
        try driver.fire("verify", as: "clerk")
        return driver
    }

    @Test func enteringAParallelStateStartsEveryBranchWithItsDepartment() throws {
        var driver = CaseDriver(try definition(Self.yaml(join: "all")))
        try driver.open(as: "clerk")
        let events = try driver.fire("verify", as: "clerk")
        #expect(events.map(\.type) == [.transitionFired, .branchStarted, .branchStarted])
        #expect(events.dropFirst().map(\.payload.branch) == ["health", "fire"])
        #expect(events.dropFirst().map(\.payload.department) == ["health", "fire"])
        #expect(events.dropFirst().map(\.payload.to) == ["inspecting", "inspecting"])
        #expect(driver.state?.whereabouts == "verification (health: inspecting, fire: inspecting)")
    }

    @Test func theRoleSelectsTheBranchOfASharedEventName() throws {
        var driver = try inVerification()
        let events = try driver.fire("pass", as: "fire_inspector")
        #expect(events.map(\.payload.branch) == ["fire"])
        #expect(events[0].payload.region == "verification")
        #expect(events[0].payload.outcome == "approved")
    }

    @Test func joinAllWaitsForEveryBranch() throws {
        var driver = try inVerification()
        let first = try driver.fire("pass", as: "health_inspector")
        #expect(first.count == 1)
        #expect(driver.state?.current.state == "verification")
        #expect(driver.state?.activeBranches.map(\.branch) == ["fire"])
    }

    @Test func lastBranchFinishingFiresTheJoinInTheSameDecision() throws {
        var driver = try inVerification()
        try driver.fire("pass", as: "health_inspector")
        let events = try driver.fire("pass", as: "fire_inspector")
        #expect(events.map(\.type) == [.transitionFired, .transitionFired])
        #expect(events[1].payload.transition == "verified")
        #expect(events[1].payload.trigger == "join")
        #expect(events[1].actor == Engine.systemActor)
        #expect(driver.state?.outcome == "approved")
    }

    @Test func joinAllWithARejectionWaitsThenRejects() throws {
        var driver = try inVerification()
        try driver.fire("fail", as: "health_inspector", reason: "no ventilation")
        #expect(driver.state?.current.state == "verification")
        try driver.fire("pass", as: "fire_inspector")
        #expect(driver.state?.outcome == "rejected")
    }

    @Test func firstRejectionEndsTheRegionAtOnceAndCancelsTheOtherBranches() throws {
        var driver = try inVerification(join: "first_rejection")
        let events = try driver.fire("fail", as: "health_inspector", reason: "no ventilation")
        #expect(events.map(\.type) == [.transitionFired, .branchCancelled, .transitionFired])
        #expect(events[1].payload.branch == "fire")
        #expect(events[2].payload.transition == "failed_verification")
        #expect(driver.state?.outcome == "rejected")
    }

    @Test func leavingTheRegionByHandCancelsRunningBranches() throws {
        var driver = try inVerification()
        try driver.fire("pass", as: "health_inspector")
        let events = try driver.fire("withdraw", as: "clerk")
        #expect(events.map(\.type) == [.branchCancelled, .transitionFired])
        #expect(events[0].payload.branch == "fire")
    }

    @Test func eventOpenInSeveralBranchesForTheActorNeedsTheBranch() throws {
        var definition = try definition(Self.yaml(join: "all"))
        // Let one role work in both branches.
        definition.states[1].parallel?.branches[0].roles = ["clerk"]
        definition.states[1].parallel?.branches[1].roles = ["clerk"]
        var driver = CaseDriver(definition)
        try driver.open(as: "clerk")
        try driver.fire("verify", as: "clerk")
        #expect(driver.refusal { try $0.fire("pass", as: "clerk") }?.code == .ambiguousEvent)
        let events = try driver.fire("pass", as: "clerk", branch: "fire")
        #expect(events.first?.payload.branch == "fire")
    }

    @Test func branchEventsAreListedWithTheirBranch() throws {
        let driver = try inVerification()
        let actions = driver.state?.availableActions(in: driver.context.definition, role: "health_inspector") ?? []
        #expect(actions.map(\.event) == ["pass", "fail"])
        #expect(actions.allSatisfy { $0.branch == "health" })
    }

    @Test func branchStateDeadlineFiresItsActionInsideTheBranch() throws {
        var driver = CaseDriver(try definition("""
        workflow: joint
        version: 1
        roles: [clerk, inspector]
        states:
          received: { initial: true }
          verification:
            when_approved: verified
            when_rejected: failed_verification
            branches:
              health:
                roles: [inspector]
                states:
                  inspecting: { initial: true, within: 4 hours, on_breach: time_out }
                  passed: { final: true, outcome: approved }
                  timed_out: { final: true, outcome: rejected }
                transitions:
                  - { event: pass, from: inspecting, to: passed }
                  - { event: time_out, from: inspecting, to: timed_out }
          approved: { final: true, outcome: approved }
          rejected: { final: true, outcome: rejected }
        transitions:
          - { event: verify, from: received, to: verification, roles: [clerk] }
          - { event: verified, from: verification, to: approved }
          - { event: failed_verification, from: verification, to: rejected }
        """))
        try driver.open(as: "clerk", at: "2020-03-02T00:00:00Z")
        try driver.fire("verify", as: "clerk", at: "2020-03-02T00:00:00Z")
        let events = try driver.tick(at: "2020-03-02T05:00:00Z")
        #expect(events.map(\.type) == [.deadlineBreached, .transitionFired, .transitionFired])
        #expect(events[0].payload.branch == "health")
        #expect(events[1].payload.transition == "time_out")
        #expect(events[1].payload.branch == "health")
        #expect(events[2].payload.trigger == "join")
        #expect(driver.state?.outcome == "rejected")
    }
}

