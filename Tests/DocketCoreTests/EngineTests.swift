import Foundation
import Testing
@testable import DocketCore

/// The issue-3 scope: open, fire, refusals, replay.
@Suite struct EngineTests {
    func permitCase() throws -> CaseDriver {
        var driver = CaseDriver(try definition(permitCheckYAML))
        try driver.open(data: ["channel": "online"])
        return driver
    }

    @Test func openingPutsTheCaseInTheInitialStateWithItsAttributes() throws {
        let driver = try permitCase()
        #expect(driver.log.map(\.type) == [.caseOpened])
        #expect(driver.log[0].payload.to == "submitted")
        #expect(driver.state?.current.state == "submitted")
        #expect(driver.state?.data == ["channel": "online"])
    }

    @Test func happyPathReachesApprovedWithOutcome() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk")
        let events = try driver.fire("approve", by: "dan", as: "approver", documents: ["site_photos"], at: "2020-03-03T02:00:00Z")
        #expect(events.count == 1)
        #expect(events[0].payload.from == "review")
        #expect(events[0].payload.to == "approved")
        #expect(events[0].payload.outcome == "approved")
        #expect(events[0].actor == "dan")
        #expect(events[0].role == "approver")
        #expect(driver.state?.outcome == "approved")
        #expect(driver.state?.isClosed == true)
    }

    @Test func transitionRecordsTheDepartmentOfTheStateEntered() throws {
        var driver = try permitCase()
        let events = try driver.fire("accept", as: "clerk")
        #expect(events[0].payload.department == "licensing")
    }

    @Test func wrongRoleIsRefusedNamingTheRoleThatMay() throws {
        let driver = try permitCase()
        let refusal = driver.refusal { try $0.fire("accept", as: "approver") }
        #expect(refusal?.code == .roleNotAllowed)
        #expect(refusal?.allowedRoles == ["clerk"])
        #expect(refusal?.message.contains("clerk") == true)
    }

    @Test func undeclaredRoleIsRefused() throws {
        let driver = try permitCase()
        #expect(driver.refusal { try $0.fire("accept", as: "mayor") }?.code == .roleNotAllowed)
    }

    @Test func missingDocumentIsRefusedNamingIt() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk")
        let refusal = driver.refusal { try $0.fire("approve", as: "approver") }
        #expect(refusal?.code == .documentsMissing)
        #expect(refusal?.missingDocuments == ["site_photos"])
        #expect(refusal?.message.contains("site_photos") == true)
    }

    @Test func documentSuppliedEarlierSatisfiesALaterRequirement() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk", documents: ["site_photos"])
        try driver.fire("approve", as: "approver")
        #expect(driver.state?.outcome == "approved")
        #expect(driver.state?.documents == ["site_photos"])
    }

    @Test func eventNotAllowedInStateListsTheAllowedOnes() throws {
        let driver = try permitCase()
        let refusal = driver.refusal { try $0.fire("approve", as: "approver", documents: ["site_photos"]) }
        #expect(refusal?.code == .eventNotAllowed)
        #expect(refusal?.allowedEvents == ["accept"])
        #expect(refusal?.message.contains("accept (clerk)") == true)
    }

    @Test func closedCaseRefusesEverything() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk")
        try driver.fire("reject", as: "approver")
        #expect(driver.refusal { try $0.fire("approve", as: "approver", documents: ["site_photos"]) }?.code == .caseClosed)
    }

    @Test func unknownCaseIsRefused() throws {
        let driver = CaseDriver(try definition(permitCheckYAML))
        #expect(driver.refusal { try $0.fire("accept", as: "clerk") }?.code == .unknownCase)
    }

    @Test func openingAnExistingCaseIsRefused() throws {
        let driver = try permitCase()
        #expect(driver.refusal { try $0.open() }?.code == .caseAlreadyExists)
    }

    @Test func aCaseOnAnotherWorkflowVersionIsRefused() throws {
        var driver = try permitCase()
        driver.context.definition.version = 2
        #expect(driver.refusal { try $0.fire("accept", as: "clerk") }?.code == .workflowMismatch)
    }

    @Test func commandBeforeTheLastEventIsRefused() throws {
        let driver = try permitCase()
        #expect(driver.refusal { try $0.fire("accept", as: "clerk", at: "2020-03-01T00:00:00Z") }?.code == .timeBeforeLastEvent)
    }

    @Test func allowedActionsForARoleListOnlyWhatItMayDo() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk")
        let d = driver.context.definition
        #expect(driver.state?.availableActions(in: d, role: "approver").map(\.event) == ["approve", "reject"])
        #expect(driver.state?.availableActions(in: d, role: "clerk").map(\.event) == [])
    }

    @Test func everyEventRecordsActorRoleAndTime() throws {
        var driver = try permitCase()
        let events = try driver.fire("accept", by: "clerk-7", as: "clerk", at: "2020-03-02T05:00:00Z")
        #expect(events[0].actor == "clerk-7")
        #expect(events[0].role == "clerk")
        #expect(events[0].onBehalfOf == nil)
        #expect(events[0].occurredAt == at("2020-03-02T05:00:00Z"))
        #expect(events[0].workflowID == "permit-check")
        #expect(events[0].workflowVersion == 1)
    }

    @Test func replayOfJSONRoundTrippedEventsEqualsTheStateDecideBuilt() throws {
        var driver = try permitCase()
        try driver.fire("accept", as: "clerk")
        try driver.fire("approve", as: "approver", documents: ["site_photos"])
        var folded: CaseState?
        for event in driver.log { Engine.evolve(&folded, event) }
        let decoded = try JSONDecoder().decode([CaseEvent].self, from: JSONEncoder().encode(driver.log))
        #expect(CaseState.replay(decoded) == folded)
        #expect(folded?.version == 3)
    }
}
