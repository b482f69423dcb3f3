import Foundation
import Testing
@testable import DocketCore

/// Issue 16, "Definitions": case data declared per workflow and checked on every command, routes
/// on it (`when:`), `starts_on` with several events, display titles.
@Suite struct CaseDataAndRoutesTests {
    /// A panel for high risk, the approver otherwise: the issue's example.
    static let gateway = """
        workflow: licence
        version: 1
        title: { zh: 许可, en: Licence }
        roles: [applicant, clerk, approver, panel]
        data:
          centre: { type: string, required: true }
          risk:   { values: [low, medium, high], required_on: assess }
          amount: { type: integer }
          urgent: boolean
          due:    { type: date }
        states:
          submitted: { initial: true, title: 已申请 }
          assessment: { title: { zh: 审查, en: Assessment } }
          panel_review: {}
          approval: {}
          approved: { final: true, outcome: approved }
        transitions:
          - { event: accept, title: 受理, from: submitted, to: assessment, roles: [clerk] }
          - { event: assess, from: assessment, to: panel_review, roles: [clerk], when: { risk: high } }
          - { event: assess, from: assessment, to: panel_review, roles: [clerk], when: { amount: { at_least: 10000 } } }
          - { event: assess, from: assessment, to: approval, roles: [clerk] }
          - { event: decide, from: panel_review, to: approved, roles: [panel] }
          - { event: approve, from: approval, to: approved, roles: [approver] }
        """

    /// `LINE:COLUMN` of the `occurrence`-th `text` in `yaml` (1-based).
    static func position(of text: String, in yaml: String, occurrence: Int = 1) -> String {
        var seen = 0
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            var offset = 0
            while let range = rest.range(of: text) {
                seen += 1
                let column = offset + rest.distance(from: rest.startIndex, to: range.lowerBound) + 1
                if seen == occurrence { return "\(index + 1):\(column)" }
                offset = column - 1 + text.count
                rest = rest[range.upperBound...]
            }
        }
        return "?"
    }

    static func loaded(_ yaml: String) -> (definition: WorkflowDefinition?, lines: [String], warnings: [String]) {
        var warnings: [Diagnostic] = []
        switch DefinitionLoader.load(text: yaml, file: "t.yaml", warnings: &warnings) {
        case let .success(definition): return (definition, [], warnings.map(\.description))
        case let .failure(problems): return (nil, problems.diagnostics.map(\.description), [])
        }
    }

    // MARK: Loading and checks

    @Test func theGatewayLoadsWithItsDataRoutesAndTitles() throws {
        let d = try definition(Self.gateway)
        #expect(d.dataFields?.map(\.name) == ["centre", "risk", "amount", "urgent", "due"])
        #expect(d.dataField(named: "risk")?.type == .enumeration(["low", "medium", "high"]))
        #expect(d.dataField(named: "urgent")?.type == .boolean)
        #expect(d.dataField(named: "centre")?.requiredAtOpening == true)
        #expect(d.dataField(named: "risk")?.requiredOn == ["assess"])
        #expect(d.title == "许可")
        #expect(d.titles?.text(in: "en") == "Licence")
        #expect(d.stateTitle("assessment") == "审查")
        #expect(d.state(named: "assessment")?.title?.text(in: "en-GB") == "Assessment")
        #expect(d.eventTitle("accept") == "受理")
        #expect(d.labelled(state: "submitted") == "submitted (已申请)")
        #expect(d.transitions.filter { $0.event == "assess" }.map { $0.condition?.description } == ["risk is high", "amount at least 10000", nil])
        #expect(d.summary.contains("5 data fields, 2 conditional routes"))
    }

    @Test func anUnknownFieldInAConditionIsReportedAtItWithTheNearestDeclaredOne() {
        let yaml = Self.gateway.replacingOccurrences(of: "when: { risk: high }", with: "when: { rsik: high }")
        #expect(Self.loaded(yaml).lines == ["t.yaml:\(Self.position(of: "rsik", in: yaml)): error: 'when' tests field 'rsik', which 'data' does not declare; did you mean 'risk'?"])
    }

    @Test func aLiteralOfTheWrongTypeOrAnUndeclaredValueIsReportedAtTheLiteral() {
        var yaml = Self.gateway.replacingOccurrences(of: "when: { risk: high }", with: "when: { risk: hihg }")
        yaml = yaml.replacingOccurrences(of: "at_least: 10000", with: "at_least: ten")
        #expect(Self.loaded(yaml).lines == [
            "t.yaml:\(Self.position(of: "hihg", in: yaml)): error: 'hihg' is not a value of 'risk': expected one of low, medium, high (did you mean 'high'?)",
            "t.yaml:\(Self.position(of: "ten }", in: yaml)): error: 'amount' is integer, so 'ten' can never match: expected a whole number such as 12",
        ])
    }

    @Test func aRangeOnAnUnorderedFieldIsAnError() {
        let yaml = Self.gateway.replacingOccurrences(of: "when: { risk: high }", with: "when: { risk: { at_least: high } }")
        #expect(Self.loaded(yaml).lines.first?.contains("'at_least' and 'below' compare integers, numbers and dates; 'risk' is one of low, medium, high") == true)
    }

    @Test func aRouteAfterTheDefaultOrCoveredByAnEarlierOneIsNeverTaken() {
        let afterDefault = Self.gateway.replacingOccurrences(
            of: "  - { event: decide,", with: "  - { event: assess, from: assessment, to: approval, roles: [clerk], when: { urgent: true } }\n  - { event: decide,")
        let defaultLine = Self.position(of: "to: approval, roles: [clerk] }", in: afterDefault).split(separator: ":")[0]
        #expect(Self.loaded(afterDefault).lines == [
            "t.yaml:\(Self.position(of: "when: { urgent", in: afterDefault)): error: this route of 'assess' from 'assessment' is never taken: the route without 'when' (line \(defaultLine)) comes first and takes every case; put the default last",
        ])
        let covered = Self.gateway.replacingOccurrences(
            of: "when: { amount: { at_least: 10000 } }", with: "when: { risk: high, amount: { at_least: 10000 } }")
        let coveredLines = Self.loaded(covered).lines
        #expect(coveredLines.count == 1)
        #expect(coveredLines.first?.hasPrefix("t.yaml:\(Self.position(of: "when", in: covered, occurrence: 2)): error: this route of 'assess' from 'assessment' is never taken: the route at line") == true)
    }

    @Test func routesWithoutADefaultWarnUnlessTheyCoverEveryValue() {
        let noDefault = Self.gateway.replacingOccurrences(of: "  - { event: assess, from: assessment, to: approval, roles: [clerk] }\n",
                                                           with: "  - { event: fast_track, from: assessment, to: approval, roles: [clerk] }\n")
        let (d, lines, warnings) = Self.loaded(noDefault)
        #expect(d != nil && lines.isEmpty)
        #expect(warnings == ["t.yaml:\(Self.position(of: "when", in: noDefault, occurrence: 2)): warning: 'assess' from state 'assessment' has no default route: when no condition holds (risk is high; amount at least 10000) it is refused; add a route without 'when' last if every case should move on"])
        // Every value of an enumeration listed: no default is needed.
        let exhaustive = noDefault.replacingOccurrences(of: "when: { amount: { at_least: 10000 } }", with: "when: { risk: [low, medium] }")
        #expect(Self.loaded(exhaustive).warnings.isEmpty)
    }

    @Test func anEventDocketFiresNeedsADefaultRoute() {
        let yaml = """
            workflow: w
            version: 1
            roles: [clerk]
            data: { risk: { values: [low, high] } }
            states:
              review: { initial: true, within: 1 days, on_breach: escalate }
              panel: {}
              head: {}
              done: { final: true, outcome: approved }
            transitions:
              - { event: escalate, from: review, to: panel, when: { risk: high } }
              - { event: finish, from: [panel, head, review], to: done, roles: [clerk] }
              - { event: other, from: review, to: head, roles: [clerk] }
            """
        #expect(Self.loaded(yaml).lines == ["t.yaml:\(Self.position(of: "when", in: yaml)): error: Docket fires 'escalate' in state 'review', and when no condition holds (risk is high) no route is taken and the case waits in 'review': add a route of 'escalate' without 'when' as the default"])
    }

    @Test func aConditionNeedsDeclaredDataAndRequiredOnNeedsAnEvent() {
        let undeclared = """
            workflow: w
            version: 1
            roles: [clerk]
            states:
              a: { initial: true }
              b: { final: true, outcome: approved }
            transitions:
              - { event: go, from: a, to: b, roles: [clerk], when: { risk: high } }
              - { event: go, from: a, to: b, roles: [clerk] }
            """
        #expect(Self.loaded(undeclared).lines == ["t.yaml:\(Self.position(of: "risk", in: undeclared)): error: 'when' tests field 'risk', but the workflow declares no case data: declare it under 'data:' (e.g. 'data: { risk: { values: [...] } }')"])
        let badEvent = Self.gateway.replacingOccurrences(of: "required_on: assess", with: "required_on: [asess]")
        #expect(Self.loaded(badEvent).lines == ["t.yaml:\(Self.position(of: "asess", in: badEvent)): error: data field 'risk' is required on event 'asess', which no transition declares (did you mean 'assess'?)"])
        let badType = Self.gateway.replacingOccurrences(of: "type: integer", with: "type: integr")
        #expect(Self.loaded(badType).lines == ["t.yaml:\(Self.position(of: "integr", in: badType)): error: unknown data type 'integr'; did you mean 'integer'?"])
    }

    @Test func anEventHasOneTitle() {
        let yaml = Self.gateway.replacingOccurrences(of: "to: approval, roles: [clerk] }", with: "to: approval, roles: [clerk], title: 评估 }")
            .replacingOccurrences(of: "when: { risk: high } }", with: "when: { risk: high }, title: 审查 }")
        #expect(Self.loaded(yaml).lines == ["t.yaml:\(Self.position(of: "评估", in: yaml)): error: event 'assess' has another title at line \(Self.position(of: "审查 }", in: yaml).split(separator: ":")[0]) ('审查'): an event has one title; give it once or the same everywhere"])
    }

    // MARK: starts_on

    /// Tolerant acceptance, with `starts_on` as given.
    static func tolerant(startsOn: String) -> String {
        """
        workflow: ta
        version: 1
        roles: [applicant, clerk, approver]
        statutory_limit: { within: 10 days, starts_on: \(startsOn) }
        states:
          submitted: { initial: true }
          awaiting_materials: { stops_clock: true }
          review: {}
          approved: { final: true, outcome: approved }
          withdrawn: { final: true, outcome: withdrawn }
        transitions:
          - { event: accept, from: submitted, to: review, roles: [clerk] }
          - { event: accept_on_commitment, from: submitted, to: awaiting_materials, roles: [clerk] }
          - { event: supply_materials, from: awaiting_materials, to: review, roles: [applicant] }
          - { event: approve, from: review, to: approved, roles: [approver] }
          - { event: withdraw, from: submitted, to: withdrawn, roles: [applicant] }
        """
    }

    @Test func aClockThatNeverStartsOnSomePathIsAWarningNamingThePath() {
        let yaml = Self.tolerant(startsOn: "accept")
        let (d, _, warnings) = Self.loaded(yaml)
        #expect(d?.statutoryLimit?.startsOn == ["accept"])
        #expect(warnings == ["t.yaml:\(Self.position(of: "accept }", in: yaml)): warning: the statutory clock never starts on the path submitted -accept_on_commitment-> awaiting_materials -supply_materials-> review -approve-> approved: none of 'accept' fires on it, so a case ending 'approved' there has no statutory limit; add the event that accepts it to 'starts_on'"])
        let fixed = Self.loaded(Self.tolerant(startsOn: "[accept, accept_on_commitment]"))
        #expect(fixed.definition?.statutoryLimit?.startsOn == ["accept", "accept_on_commitment"])
        #expect(fixed.warnings.isEmpty)
    }

    @Test func everyStartsOnEventMustExist() {
        let yaml = Self.tolerant(startsOn: "[accept, acept_on_commitment]")
        #expect(Self.loaded(yaml).lines == ["t.yaml:\(Self.position(of: "acept_on", in: yaml)): error: 'starts_on' names event 'acept_on_commitment', which no transition of the workflow declares (did you mean 'accept_on_commitment'?)"])
    }

    @Test func theStatutoryClockStartsOnWhicheverStartsOnEventFiresFirst() throws {
        var driver = CaseDriver(try definition(Self.tolerant(startsOn: "[accept, accept_on_commitment]")))
        try driver.open(at: "2020-03-02T01:00:00Z")
        #expect(driver.state?.deadlines(in: driver.context).contains { $0.kind == .statutory } == false)
        try driver.fire("accept_on_commitment", as: "clerk", at: "2020-03-02T02:00:00Z")
        try driver.fire("supply_materials", as: "applicant", at: "2020-03-03T02:00:00Z")
        let statutory = try #require(driver.state?.deadlines(in: driver.context).first { $0.kind == .statutory })
        #expect(statutory.startedAt == at("2020-03-02T02:00:00Z"))
        // Ten days from acceptance, plus the day the clock stood still.
        #expect(statutory.dueAt == at("2020-03-13T02:00:00Z"))
    }

    // MARK: The engine

    @Test func openingChecksTheDeclaredDataAndNamesEveryProblem() throws {
        let driver = CaseDriver(try definition(Self.gateway))
        let refused = driver.refusal { try $0.open(data: ["centr": "rizhao", "amount": "12.5", "risk": "hihg"]) }
        #expect(refused?.code == .invalidData)
        #expect(refused?.message == "data field 'amount' must be a whole number such as 12, not '12.5'; data field 'centr' is not declared by workflow 'licence'; did you mean 'centre'?; data field 'risk' must be one of low, medium, high (did you mean 'high'?), not 'hihg'; opening a case of workflow 'licence' needs data field centre (string): give --data centre=VALUE")
        #expect(driver.refusal { try $0.open(data: ["centre": "rizhao", "due": "2026-02-30"]) }?.message == "data field 'due' must be a date written YYYY-MM-DD, e.g. 2026-01-05, not '2026-02-30'")
        #expect(driver.refusal { try $0.open(data: ["centre": "rizhao", "urgent": "yes"]) }?.message == "data field 'urgent' must be true or false, not 'yes'")
        #expect(driver.log.isEmpty)
    }

    @Test func theFirstRouteWhoseConditionHoldsIsTakenAndTheDataIsRecordedOnTheEvent() throws {
        let d = try definition(Self.gateway)
        var high = CaseDriver(d)
        try high.open(data: ["centre": "rizhao"])
        try high.fire("accept", as: "clerk")
        // Required on assess: refused without it, nothing appended.
        let missing = high.refusal { try $0.fire("assess", as: "clerk") }
        #expect(missing?.code == .invalidData)
        #expect(missing?.message == "'assess' needs data field risk (one of low, medium, high): give --data risk=VALUE")
        let events = try high.fire("assess", as: "clerk", data: ["risk": "high"])
        #expect(events.first?.payload.to == "panel_review")
        #expect(events.first?.payload.data == ["risk": "high"])
        #expect(high.state?.data == ["centre": "rizhao", "risk": "high"])

        var large = CaseDriver(d)
        try large.open(data: ["centre": "rizhao", "amount": "25000"])
        try large.fire("accept", as: "clerk")
        #expect(try large.fire("assess", as: "clerk", data: ["risk": "low"]).first?.payload.to == "panel_review")

        var plain = CaseDriver(d)
        try plain.open(data: ["centre": "rizhao", "amount": "9999"])
        try plain.fire("accept", as: "clerk")
        #expect(plain.state?.availableActions(in: d).filter { $0.event == "assess" }.count == 1)
        #expect(try plain.fire("assess", as: "clerk", data: ["risk": "low"]).first?.payload.to == "approval")
        // The data given at a later event replaces the earlier value in the case's data.
        #expect(plain.state?.data["risk"] == "low")
    }

    @Test func withNoRouteForTheDataAndNoDefaultTheEventIsRefused() throws {
        let yaml = Self.gateway.replacingOccurrences(of: "  - { event: assess, from: assessment, to: approval, roles: [clerk] }\n",
                                                     with: "  - { event: fast_track, from: assessment, to: approval, roles: [clerk] }\n")
        var driver = CaseDriver(try definition(yaml))
        try driver.open(data: ["centre": "rizhao"])
        try driver.fire("accept", as: "clerk")
        let refused = driver.refusal { try $0.fire("assess", as: "clerk", data: ["risk": "low"]) }
        #expect(refused?.code == .noRoute)
        #expect(refused?.message == "'assess' has no route for this case in assessment: its routes need risk is high, or amount at least 10000 and the case has amount = not given, risk = 'low'")
    }

    @Test func aRouteADifferentRoleFiresIsRefusedForThisCase() throws {
        let yaml = Self.gateway.replacingOccurrences(of: "to: panel_review, roles: [clerk], when: { risk: high }", with: "to: panel_review, roles: [approver], when: { risk: high }")
        var driver = CaseDriver(try definition(yaml))
        try driver.open(data: ["centre": "rizhao"])
        try driver.fire("accept", as: "clerk")
        let refused = driver.refusal { try $0.fire("assess", as: "clerk", data: ["risk": "high"]) }
        #expect(refused?.code == .roleNotAllowed)
        #expect(refused?.message == "on this case's data 'assess' leads to 'panel_review', which role 'clerk' may not fire; it may be fired by: approver")
    }

    @Test func aWorkflowThatDeclaresNoDataAcceptsAnyAsBefore() throws {
        var driver = CaseDriver(try definition(permitCheckYAML))
        try driver.open(data: ["anything": "goes", "channel": "window"])
        let events = try driver.fire("accept", as: "clerk", data: ["note": "x"])
        #expect(events.first?.payload.data == ["note": "x"])
        #expect(driver.state?.data == ["anything": "goes", "channel": "window", "note": "x"])
    }

    @Test func anEventDocketFiresTakesTheRouteTheCaseDataPicks() throws {
        let yaml = """
            workflow: w
            version: 1
            roles: [applicant, clerk]
            data: { risk: { values: [low, high] } }
            states:
              review: { initial: true, within: 1 days, on_breach: escalate }
              panel: {}
              head: {}
              done: { final: true, outcome: approved }
            transitions:
              - { event: escalate, from: review, to: panel, when: { risk: high } }
              - { event: escalate, from: review, to: head }
              - { event: finish, from: [panel, head], to: done, roles: [clerk] }
            """
        let d = try definition(yaml)
        for (risk, expected) in [("high", "panel"), ("low", "head")] {
            var driver = CaseDriver(d)
            try driver.open(data: ["risk": risk], at: "2020-03-02T01:00:00Z")
            try driver.tick(at: "2020-03-04T00:00:00Z")
            #expect(driver.state?.current.state == expected)
        }
    }
}
