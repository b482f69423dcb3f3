import Testing
@testable import DocketCore

/// Send-back rounds, work start, and acting on behalf of an applicant.
@Suite struct SendBackAndAssistedHandlingTests {
    static let yaml = """
    workflow: corrections
    version: 1
    roles: [applicant, clerk, approver]
    assisted_handling: { clerk: [applicant] }
    states:
      submitted: { initial: true }
      review: { department: licensing }
      correcting: { department: applicant }
      approved: { final: true, outcome: approved }
    transitions:
      - { event: accept, from: submitted, to: review, roles: [clerk] }
      - { event: start_review, from: review, roles: [clerk], starts_work: true }
      - { event: send_back, from: review, to: correcting, roles: [clerk], sends_back: true }
      - { event: resubmit, from: correcting, to: review, roles: [applicant] }
      - { event: approve, from: review, to: approved, roles: [approver] }
    """

    func inReview() throws -> CaseDriver {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open()
        try driver.fire("accept", as: "clerk")
        return driver
    }

    @Test func sendBackWithoutAReasonIsRefused() throws {
        let driver = try inReview()
        #expect(driver.refusal { try $0.fire("send_back", as: "clerk") }?.code == .reasonRequired)
        #expect(driver.refusal { try $0.fire("send_back", as: "clerk", reason: "  ") }?.code == .reasonRequired)
    }

    @Test func sendBacksAreCountedInRounds() throws {
        var driver = try inReview()
        let first = try driver.fire("send_back", as: "clerk", reason: "photo unreadable")
        #expect(first[0].payload.round == 1)
        #expect(first[0].payload.reason == "photo unreadable")
        try driver.fire("resubmit", by: "ann", as: "applicant")
        let second = try driver.fire("send_back", as: "clerk", reason: "licence number missing")
        #expect(second[0].payload.round == 2)
        #expect(driver.state?.sendBackRounds == 2)
    }

    @Test func clerkMayActOnBehalfOfAnApplicant() throws {
        var driver = try inReview()
        try driver.fire("send_back", as: "clerk", reason: "photo unreadable")
        let events = try driver.fire("resubmit", by: "clerk-7", as: "clerk", onBehalfOf: "ann")
        #expect(events[0].actor == "clerk-7")
        #expect(events[0].role == "clerk")
        #expect(events[0].onBehalfOf == "ann")
        #expect(driver.state?.current.state == "review")
    }

    @Test func actingForSomeoneWithoutNamingThemIsRefused() throws {
        var driver = try inReview()
        try driver.fire("send_back", as: "clerk", reason: "photo unreadable")
        let refusal = driver.refusal { try $0.fire("resubmit", by: "clerk-7", as: "clerk") }
        #expect(refusal?.code == .roleNotAllowed)
        #expect(refusal?.message.contains("on behalf") == true)
    }

    @Test func roleWithoutAssistedHandlingMayNotActForOthers() throws {
        var driver = try inReview()
        try driver.fire("send_back", as: "clerk", reason: "photo unreadable")
        #expect(driver.refusal { try $0.fire("resubmit", by: "dan", as: "approver", onBehalfOf: "ann") }?.code == .proxyNotAllowed)
    }

    @Test func proxyDoesNotReachRolesItDoesNotRepresent() throws {
        let driver = try inReview()
        #expect(driver.refusal { try $0.fire("approve", by: "clerk-7", as: "clerk", onBehalfOf: "ann") }?.code == .roleNotAllowed)
    }

    @Test func openingOnBehalfOfAnApplicantIsRecorded() throws {
        var driver = CaseDriver(try definition(Self.yaml))
        let events = try driver.open(by: "clerk-7", as: "clerk", onBehalfOf: "ann", data: ["channel": "assisted"])
        #expect(events[0].onBehalfOf == "ann")
    }

    @Test func startingWorkKeepsTheStateAndIsRecordedOnce() throws {
        var driver = try inReview()
        let events = try driver.fire("start_review", as: "clerk", at: "2020-03-02T03:00:00Z")
        #expect(events.map(\.type) == [.workStarted])
        #expect(events[0].payload.state == "review")
        #expect(driver.state?.current.state == "review")
        #expect(driver.state?.current.workStartedAt == at("2020-03-02T03:00:00Z"))
        #expect(driver.refusal { try $0.fire("start_review", as: "clerk", at: "2020-03-02T04:00:00Z") }?.code == .workAlreadyStarted)
    }

    @Test func reenteringAStateStartsItsWaitAfresh() throws {
        var driver = try inReview()
        try driver.fire("start_review", as: "clerk", at: "2020-03-02T03:00:00Z")
        try driver.fire("send_back", as: "clerk", reason: "photo unreadable", at: "2020-03-02T04:00:00Z")
        try driver.fire("resubmit", by: "ann", as: "applicant", at: "2020-03-02T05:00:00Z")
        #expect(driver.state?.current.workStartedAt == nil)
        #expect(driver.state?.current.enteredAt == at("2020-03-02T05:00:00Z"))
    }
}
