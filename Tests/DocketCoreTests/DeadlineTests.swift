import Foundation
import Testing
@testable import DocketCore

/// Time limits, `tick`, breach actions and the stopped statutory clock.
@Suite struct DeadlineTests {
    static let yaml = """
    workflow: timed
    version: 1
    roles: [clerk, applicant]
    statutory_limit: { within: 3 days }
    states:
      review:    { initial: true, within: 2 hours, on_breach: escalate }
      escalated: { within: 1 hours }
      waiting:   { stops_clock: true, within: 1 days, on_breach: revoke }
      done:      { final: true, outcome: approved }
      revoked:   { final: true, outcome: revoked }
    transitions:
      - { event: escalate,      from: review,              to: escalated }
      - { event: approve,       from: [review, escalated], to: done,    roles: [clerk] }
      - { event: ask_materials, from: [review, escalated], to: waiting, roles: [clerk] }
      - { event: supply,        from: waiting,             to: review,  roles: [applicant], requires: [materials] }
      - { event: revoke,        from: waiting,             to: revoked }
    """

    func opened() throws -> CaseDriver {
        var driver = CaseDriver(try definition(Self.yaml))
        try driver.open(at: "2020-03-02T00:00:00Z")
        return driver
    }

    func deadline(_ kind: Deadline.Kind, _ driver: CaseDriver) -> Deadline? {
        driver.state?.deadlines(in: driver.context).first { $0.kind == kind }
    }

    @Test func stateDeadlineIsEntryPlusLimit() throws {
        let driver = try opened()
        #expect(deadline(.state, driver)?.dueAt == at("2020-03-02T02:00:00Z"))
    }

    @Test func tickBeforeTheDueTimeRecordsNothing() throws {
        var driver = try opened()
        #expect(try driver.tick(at: "2020-03-02T01:59:59Z").isEmpty)
    }

    @Test func tickRecordsTheBreachWithItsDueTimeAndFiresTheDeclaredEvent() throws {
        var driver = try opened()
        let events = try driver.tick(at: "2020-03-02T02:30:00Z")
        #expect(events.map(\.type) == [.deadlineBreached, .transitionFired])
        #expect(events[0].payload.dueAt == at("2020-03-02T02:00:00Z"))
        #expect(events[0].payload.state == "review")
        #expect(events[0].payload.limit == "2 hours")
        #expect(events[0].payload.deadline == "state")
        #expect(events[0].actor == Engine.systemActor)
        #expect(events[1].payload.transition == "escalate")
        #expect(events[1].payload.trigger == "deadline")
        #expect(driver.state?.current.state == "escalated")
    }

    @Test func secondTickRecordsNothingMore() throws {
        var driver = try opened()
        try driver.tick(at: "2020-03-02T02:30:00Z")
        #expect(try driver.tick(at: "2020-03-02T02:30:00Z").isEmpty)
    }

    @Test func oneTickCatchesUpOnChainedDeadlines() throws {
        var driver = try opened()
        let events = try driver.tick(at: "2020-03-02T03:30:00Z")
        #expect(events.filter { $0.type == .deadlineBreached }.map(\.payload.state) == ["review", "escalated"])
    }

    @Test func breachWithoutActionOnlyMarksTheCaseOverdue() throws {
        var driver = try opened()
        try driver.tick(at: "2020-03-02T02:30:00Z")
        let events = try driver.tick(at: "2020-03-02T03:30:00Z")
        #expect(events.map(\.type) == [.deadlineBreached])
        #expect(driver.state?.current.state == "escalated")
        #expect(driver.state?.isOverdue(at: at("2020-03-02T03:30:00Z"), in: driver.context) == true)
    }

    @Test func overdueIsKnownAtAGivenNowBeforeAnyTick() throws {
        let driver = try opened()
        #expect(driver.state?.isOverdue(at: at("2020-03-02T01:00:00Z"), in: driver.context) == false)
        #expect(driver.state?.isOverdue(at: at("2020-03-02T02:00:00Z"), in: driver.context) == true)
    }

    @Test func enteringAClockStoppingStateStopsTheClockInTheSameDecision() throws {
        var driver = try opened()
        let events = try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        #expect(events.map(\.type) == [.transitionFired, .clockStopped])
        #expect(driver.state?.isClockStopped == true)
    }

    @Test func statutoryDeadlineCannotRunOutWhileTheClockIsStopped() throws {
        var driver = try opened()
        try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        #expect(deadline(.statutory, driver)?.dueAt == nil)
    }

    @Test func stoppedClockTimeIsExcludedFromTheStatutoryDeadline() throws {
        var driver = try opened()
        try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        let events = try driver.fire("supply", by: "ann", as: "applicant", documents: ["materials"], at: "2020-03-02T11:00:00Z")
        #expect(events.map(\.type) == [.clockResumed, .transitionFired])
        // 3 days from opening, plus the 10 hours the clock stood still.
        #expect(deadline(.statutory, driver)?.dueAt == at("2020-03-05T10:00:00Z"))
    }

    @Test func statutoryTimeExcludesStoppedIntervals() throws {
        var driver = try opened()
        try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        try driver.fire("supply", by: "ann", as: "applicant", documents: ["materials"], at: "2020-03-02T11:00:00Z")
        let statutory = driver.state?.statutoryMicroseconds(until: at("2020-03-02T12:00:00Z"), calendar: AlwaysWorkingCalendar())
        #expect(statutory == Int64(7_200_000_000))
    }

    @Test func commitmentBreachRevokesAndResumesTheClock() throws {
        var driver = try opened()
        try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        let events = try driver.tick(at: "2020-03-04T00:00:00Z")
        #expect(events.map(\.type) == [.deadlineBreached, .clockResumed, .transitionFired])
        #expect(events[0].payload.dueAt == at("2020-03-03T01:00:00Z"))
        #expect(driver.state?.outcome == "revoked")
        #expect(driver.state?.isClockStopped == false)
    }

    @Test func statutoryBreachIsRecordedOnce() throws {
        var driver = try opened()
        try driver.fire("approve", as: "clerk", at: "2020-03-02T01:00:00Z")  // closes: no limits run
        #expect(try driver.tick(at: "2020-03-09T00:00:00Z").isEmpty)

        var open = try opened()
        try open.tick(at: "2020-03-02T02:30:00Z")
        let late = try open.tick(at: "2020-03-05T00:00:00Z")
        #expect(late.filter { $0.payload.deadline == "statutory" }.map(\.payload.dueAt) == [at("2020-03-05T00:00:00Z")])
        #expect(try open.tick(at: "2020-03-06T00:00:00Z").isEmpty)
    }

    @Test func deadlinesAreDerivedFromTheLogAlone() throws {
        var driver = try opened()
        // A restart: the log is all that survives, as JSON.
        driver.log = try JSONDecoder().decode([CaseEvent].self, from: JSONEncoder().encode(driver.log))
        #expect(try driver.tick(at: "2020-03-02T02:30:00Z").first?.payload.dueAt == at("2020-03-02T02:00:00Z"))
    }

    @Test func workingTimeLimitsCountOnTheCalendar() throws {
        var driver = CaseDriver(try definition("""
        workflow: office
        version: 1
        roles: [clerk]
        states:
          review: { initial: true, within: 1 working days }
          done: { final: true, outcome: approved }
        transitions:
          - { event: approve, from: review, to: done, roles: [clerk] }
        """), calendar: NineToFiveCalendar())
        try driver.open(as: "clerk", at: "2020-03-02T15:00:00Z")
        // 2 working hours on Monday, 6 more from Tuesday 09:00.
        #expect(deadline(.state, driver)?.dueAt == at("2020-03-03T15:00:00Z"))
    }

    @Test func statutoryBreachFiresItsEventWhenTheCurrentStateHasIt() throws {
        var driver = CaseDriver(try definition("""
        workflow: promise
        version: 1
        roles: [clerk]
        statutory_limit: { within: 4 hours, on_breach: escalate }
        states:
          review: { initial: true }
          supervisor: {}
          done: { final: true, outcome: approved }
        transitions:
          - { event: escalate, from: review, to: supervisor }
          - { event: approve, from: [review, supervisor], to: done, roles: [clerk] }
        """))
        try driver.open(as: "clerk", at: "2020-03-02T00:00:00Z")
        let events = try driver.tick(at: "2020-03-02T04:00:00Z")
        #expect(events.map(\.payload.deadline) == ["statutory", nil])
        #expect(events.last?.payload.transition == "escalate")
        #expect(driver.state?.statutoryBreach?.dueAt == at("2020-03-02T04:00:00Z"))
    }

    @Test func statutoryClockStartsOnTheNamedEvent() throws {
        var driver = CaseDriver(try definition("""
        workflow: promise
        version: 1
        roles: [clerk]
        statutory_limit: { within: 4 hours, starts_on: accept }
        states:
          submitted: { initial: true }
          review: {}
          done: { final: true, outcome: approved }
        transitions:
          - { event: accept, from: submitted, to: review, roles: [clerk] }
          - { event: approve, from: review, to: done, roles: [clerk] }
        """))
        try driver.open(as: "clerk", at: "2020-03-02T00:00:00Z")
        #expect(deadline(.statutory, driver) == nil)
        try driver.fire("accept", as: "clerk", at: "2020-03-02T05:00:00Z")
        #expect(deadline(.statutory, driver)?.dueAt == at("2020-03-02T09:00:00Z"))
    }
}

/// Deadlines do not depend on how often `tick` runs.
@Suite struct DeadlineWithoutTickTests {
    func opened() throws -> CaseDriver {
        var driver = CaseDriver(try definition(DeadlineTests.yaml))
        try driver.open(at: "2020-03-02T00:00:00Z")
        return driver
    }

    @Test func actingAtTheDueInstantIsInTime() throws {
        var driver = try opened()
        let events = try driver.fire("approve", as: "clerk", at: "2020-03-02T02:00:00Z")
        #expect(events.map(\.type) == [.transitionFired])
    }

    @Test func actingAfterAnUnrecordedDeadlineRecordsTheBreachFirst() throws {
        var driver = try opened()
        let events = try driver.fire("approve", as: "clerk", at: "2020-03-02T02:10:00Z")
        #expect(events.map(\.type) == [.deadlineBreached, .transitionFired, .transitionFired])
        #expect(events.map(\.payload.transition) == [nil, "escalate", "approve"])
        #expect(events[0].occurredAt == at("2020-03-02T02:00:00Z"))
    }

    @Test func supplyingAfterTheCommitmentDeadlineIsRefusedAndSaysWhy() throws {
        var driver = try opened()
        try driver.fire("ask_materials", as: "clerk", at: "2020-03-02T01:00:00Z")
        let refusal = driver.refusal {
            try $0.fire("supply", by: "ann", as: "applicant", documents: ["materials"], at: "2020-03-03T02:00:00Z")
        }
        #expect(refusal?.code == .caseClosed)
        #expect(refusal?.message.contains("the limit of 'waiting', 1 days, ran out at 2020-03-03T01:00:00Z") == true)
    }

    @Test func theBreachLogIsTheSameWhetherOrNotTickRan() throws {
        var ticked = try opened()
        try ticked.tick(at: "2020-03-02T02:05:00Z")
        try ticked.fire("approve", as: "clerk", at: "2020-03-02T02:10:00Z")
        var unticked = try opened()
        try unticked.fire("approve", as: "clerk", at: "2020-03-02T02:10:00Z")
        #expect(ticked.log == unticked.log)
    }
}
