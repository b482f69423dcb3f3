import Foundation
import Testing
@testable import DocketCore

/// Corrections and voids: the record is never rewritten, the case's state uses the corrected facts.
@Suite struct CorrectionTests {
    /// Opened 01:00 (v1), accepted 02:00 (v2), approved with site photos 05:00 (v3).
    func approvedCase() throws -> CaseDriver {
        var driver = CaseDriver(try definition(permitCheckYAML))
        try driver.open(at: "2020-03-02T01:00:00Z")
        try driver.fire("accept", as: "clerk", at: "2020-03-02T02:00:00Z")
        try driver.fire("approve", by: "dan", as: "approver", documents: ["site_photos"], at: "2020-03-02T05:00:00Z")
        return driver
    }

    func record(_ driver: inout CaseDriver, _ correction: Correction) throws(Refusal) {
        driver.log.append(try Correction.decide(correction, history: driver.log, context: driver.context))
    }

    func amend(_ target: Int, at time: String? = nil, person: String? = nil, documents: [String]? = nil,
               data: [String: String]? = nil, reason: String = "typo on the paper form") -> Correction {
        .amend(Amendment(caseID: "C-1", target: target, actor: "zhao", reason: reason, recordedAt: at("2020-03-09T00:00:00Z"),
                         at: time.map(at), person: person, documents: documents, data: data))
    }

    func void(_ target: Int, reason: String = "approved the wrong case") -> Correction {
        .void(VoidAct(caseID: "C-1", target: target, actor: "zhao", reason: reason, recordedAt: at("2020-03-09T00:00:00Z")))
    }

    @Test func aCorrectedTimeIsWhatTheStateUsesAndTheOriginalStaysInTheLog() throws {
        var driver = try approvedCase()
        try record(&driver, amend(3, at: "2020-03-02T04:00:00Z"))
        #expect(driver.log.count == 4)
        #expect(driver.log[2].occurredAt == at("2020-03-02T05:00:00Z"))
        #expect(driver.log[3].type == .eventCorrected)
        #expect(driver.log[3].payload.corrects == 3)
        #expect(driver.state?.closedAt == at("2020-03-02T04:00:00Z"))
        #expect(driver.state?.version == 4)
        let history = CaseHistory(driver.log)
        #expect(history.entry(3)?.correctedBy == [4])
        #expect(history.entry(3)?.recorded.occurredAt == at("2020-03-02T05:00:00Z"))
    }

    @Test func aCorrectedActorReplacesTheRecordedOne() throws {
        var driver = try approvedCase()
        try record(&driver, amend(3, person: "wang"))
        #expect(CaseHistory(driver.log).effectiveEvents.last?.actor == "wang")
        #expect(driver.state?.duties.fired["approve"]?["wang"] == 3)
        #expect(driver.state?.duties.fired["approve"]?["dan"] == nil)
    }

    @Test func aTimeThatWouldRunBackwardsIsRefused() throws {
        let driver = try approvedCase()
        let refusal = driver.refusal { d in try record(&d, amend(3, at: "2020-03-02T01:30:00Z")) }
        #expect(refusal?.code == .timeOutOfOrder)
        #expect(refusal?.message.contains("event 3") == true)
    }

    @Test func aCorrectionWithoutReasonOrChangeOrOnAMissingEventIsRefused() throws {
        let driver = try approvedCase()
        #expect(driver.refusal { d in try record(&d, amend(3, person: "wang", reason: "  ")) }?.code == .reasonRequired)
        #expect(driver.refusal { d in try record(&d, amend(3)) }?.code == .correctionRefused)
        #expect(driver.refusal { d in try record(&d, amend(9, person: "wang")) }?.code == .correctionRefused)
        #expect(driver.refusal { d in try record(&d, amend(2, data: ["channel": "mail"])) }?.code == .correctionRefused)
        #expect(driver.refusal { d in try record(&d, amend(3, person: "system")) }?.code == .reservedActor)
    }

    @Test func removingADocumentAnActRequiredIsRefused() throws {
        let driver = try approvedCase()
        let refusal = driver.refusal { d in try record(&d, amend(3, documents: [])) }
        #expect(refusal?.code == .documentsMissing)
        #expect(refusal?.missingDocuments == ["site_photos"])
    }

    @Test func openingDataIsCorrected() throws {
        var driver = CaseDriver(try definition(permitCheckYAML))
        try driver.open(data: ["channel": "online"])
        try record(&driver, amend(1, data: ["channel": "window"]))
        #expect(driver.state?.data == ["channel": "window"])
    }

    @Test func voidingTheLastActReopensTheCaseWhereItWas() throws {
        var driver = try approvedCase()
        try record(&driver, void(3))
        #expect(driver.state?.isClosed == false)
        #expect(driver.state?.current.state == "review")
        #expect(driver.state?.version == 4)
        #expect(CaseHistory(driver.log).entry(3)?.voidedBy == 4)
        // The case goes on from there.
        try driver.fire("reject", by: "dan", as: "approver", at: "2020-03-09T01:00:00Z")
        #expect(driver.state?.outcome == "rejected")
    }

    @Test func onlyTheLastActMayBeVoided() throws {
        let driver = try approvedCase()
        let refusal = driver.refusal { d in try record(&d, void(2)) }
        #expect(refusal?.code == .correctionRefused)
        #expect(refusal?.message.contains("void that first") == true)
        #expect(driver.refusal { d in try record(&d, void(1)) }?.code == .correctionRefused)
    }

    @Test func aVoidedEventCannotBeCorrectedOrVoidedAgain() throws {
        var driver = try approvedCase()
        try record(&driver, void(3))
        #expect(driver.refusal { d in try record(&d, void(3)) }?.code == .correctionRefused)
        #expect(driver.refusal { d in try record(&d, amend(3, person: "wang")) }?.code == .correctionRefused)
        #expect(driver.refusal { d in try record(&d, amend(4, person: "wang")) }?.code == .correctionRefused)
    }

    @Test func aCorrectedTimeMovesWhatTheActSetOff() throws {
        // Entering `waiting` stops the clock in the same command: both move.
        let yaml = """
        workflow: stopper
        version: 1
        roles: [clerk, applicant]
        states:
          review:  { initial: true }
          waiting: { stops_clock: true }
          done:    { final: true, outcome: approved }
        transitions:
          - { event: ask,    from: review,  to: waiting, roles: [clerk] }
          - { event: supply, from: waiting, to: done,    roles: [applicant] }
        """
        var driver = CaseDriver(try definition(yaml))
        try driver.open(at: "2020-03-02T01:00:00Z")
        try driver.fire("ask", as: "clerk", at: "2020-03-02T03:00:00Z")
        #expect(driver.log.map(\.type) == [.caseOpened, .transitionFired, .clockStopped])
        try record(&driver, amend(2, at: "2020-03-02T02:00:00Z"))
        #expect(driver.state?.current.enteredAt == at("2020-03-02T02:00:00Z"))
        #expect(driver.state?.clockStops.first?.stoppedAt == at("2020-03-02T02:00:00Z"))
    }
}
