import DocketAnalytics
import DocketCore
import Testing

/// The report's figures on hand-computed histories.
@Suite struct ProjectionReportTests {
    /// Folds `history` and builds the report of everything it produced.
    func report(_ history: History, measure: TimeMeasure = .wall, asOf: String = "2020-03-02T12:00:00Z") -> ProcessReport {
        let (facts, fold) = history.fold()
        let calendar = history.context.calendar
        var builder = ReportBuilder(scope: ReportScope(measure: measure, asOf: at(asOf)),
                                    calendars: { _ in WorkflowCalendar(calendar: calendar, label: "test calendar") })
        for fact in facts { builder.add(fact) }
        for progress in fold.openCases.values { builder.add(progress.summary) }
        return builder.build()
    }

    /// Approved after 2 h and 4 h, rejected after 1 h, one still open.
    func decisions() throws -> History {
        var history = try History(tolerantYAML())
        for id in ["A-1", "A-2", "A-3", "A-4"] { try history.open(id, at: "2020-03-02T00:00:00Z") }
        try history.fire("A-1", "approve", by: "dan", as: "approver", at: "2020-03-02T02:00:00Z")
        try history.fire("A-2", "approve", by: "dan", as: "approver", at: "2020-03-02T04:00:00Z")
        try history.fire("A-3", "reject", by: "dan", as: "approver", at: "2020-03-02T01:00:00Z")
        return history
    }

    @Test func casesAreCountedByOutcome() throws {
        let cases = report(try decisions()).workflows.first?.cases
        #expect(cases == CaseCounts(opened: 4, approved: 2, rejected: 1, open: 1))
    }

    @Test func timeToApprovalCountsApprovedCasesOnly() throws {
        let summary = report(try decisions()).workflows.first?.timeToApproval.wall
        #expect(summary?.count == 2)
        #expect(summary?.mean == seconds(hours: 3))
        #expect(summary?.p50 == seconds(hours: 3))
        #expect(summary?.p90 == seconds(hours: 3.8))
        #expect(summary?.max == seconds(hours: 4))
    }

    @Test func timeToDecisionCountsEveryDecidedCase() throws {
        let summary = report(try decisions()).workflows.first?.timeToDecision.wall
        #expect(summary?.count == 3)
        #expect(summary?.p50 == seconds(hours: 2))
        #expect(summary?.total == seconds(hours: 7))
    }

    @Test func transitionsAreSummarisedWithSampleStdev() throws {
        let rows = report(try decisions()).workflows.first?.transitions ?? []
        let approve = rows.first { $0.from == "review" && $0.to == "approved" }?.summary
        #expect(approve?.count == 2)
        #expect(approve?.mean == 10_800)
        #expect(approve?.p50 == 10_800)
        #expect(approve?.min == 7_200)
        #expect(approve?.max == 14_400)
        #expect(approve?.total == 21_600)
        // np.std([7200, 14400], ddof=1)
        #expect(approve?.stdev == 5091.168824543142)
        #expect(rows.first?.to == "approved")  // most frequent first
    }

    @Test func dwellSplitsWaitingAndWorkWhereWorkStartWasRecorded() throws {
        var history = try History(tolerantYAML())
        try history.open("B-1", at: "2020-03-02T00:00:00Z")
        try history.fire("B-1", "start_review", as: "clerk", at: "2020-03-02T01:00:00Z")
        try history.fire("B-1", "approve", by: "dan", as: "approver", at: "2020-03-02T03:00:00Z")
        try history.open("B-2", at: "2020-03-02T00:00:00Z")
        try history.fire("B-2", "approve", by: "dan", as: "approver", at: "2020-03-02T01:00:00Z")
        let row = report(history).workflows.first?.dwell.first { $0.state == "review" }
        #expect(row?.summary.count == 2)
        #expect(row?.summary.total == seconds(hours: 4))
        #expect(row?.waiting == 3600)
        #expect(row?.work == seconds(hours: 2))
        #expect(row?.splitStays == 1)
    }

    @Test func bottlenecksRankDepartmentsByTotalTime() throws {
        let ranking = report(try ProjectionFoldTests().parallel()).workflows.first?.bottlenecks.departments ?? []
        // Verification's 6 h shared among its branches: fire 3 h 40, health 1 h 40, environment
        // 40 min; centre 2 h (decision), window 1 h: 9 h in all, each hour counted once.
        #expect(ranking.map(\.name) == ["fire", "centre", "health", "window", "environment"])
        #expect(ranking.first?.total == 13_200)  // 3 h 40 min
        #expect(ranking.first?.share == 220.0 / 540.0)
    }

    @Test func bottlenecksRankRolesThatHeldTheCase() throws {
        let ranking = report(try ProjectionFoldTests().parallel()).workflows.first?.bottlenecks.roles ?? []
        #expect(ranking.map(\.name) == ["fire_inspector", "approver", "health_inspector", "clerk", "environment_inspector"])
    }

    @Test func reworkIsTheShareOfCasesSentBack() throws {
        var history = try decisions()
        try history.open("S-1", at: "2020-03-02T00:00:00Z")
        try history.fire("S-1", "send_back", as: "clerk", reason: "stamp missing", at: "2020-03-02T01:00:00Z")
        try history.fire("S-1", "resubmit", by: "ann", as: "applicant", at: "2020-03-02T02:00:00Z")
        try history.fire("S-1", "send_back", as: "clerk", reason: "wrong form", at: "2020-03-02T03:00:00Z")
        let rework = report(history).workflows.first?.rework
        #expect(rework?.cases == 5)
        #expect(rework?.casesSentBack == 1)
        #expect(rework?.share == 0.2)
        #expect(rework?.rounds == 2)
        #expect(rework?.histogram == [RoundCount(rounds: 0, cases: 4), RoundCount(rounds: 2, cases: 1)])
    }

    @Test func breachesAreCountedPerState() throws {
        var history = try History(tolerantYAML(limit: "2 hours"))
        try history.open("O-1", at: "2020-03-02T00:00:00Z")
        try history.tick("O-1", at: "2020-03-02T03:00:00Z")
        try history.open("O-2", at: "2020-03-02T00:00:00Z")
        try history.tick("O-2", at: "2020-03-02T03:00:00Z")
        let rows = report(history).workflows.first?.breaches
        #expect(rows == [BreachRow(deadline: "state", state: "review", breaches: 2, cases: 2)])
    }

    @Test func overdueOpenCasesComeFirstThenTheOldest() throws {
        var history = try History(tolerantYAML(limit: "2 hours"))
        try history.open("OLD", at: "2020-03-01T00:00:00Z")  // older, but no breach recorded
        try history.open("LATE", at: "2020-03-02T00:00:00Z")
        try history.tick("LATE", at: "2020-03-02T03:00:00Z")
        try history.open("NEW", at: "2020-03-02T06:00:00Z")
        let rows = report(history, asOf: "2020-03-02T12:00:00Z").workflows.first?.openCases ?? []
        #expect(rows.map(\.caseID) == ["LATE", "OLD", "NEW"])
        #expect(rows.map(\.age) == [43_200.0, 129_600.0, 21_600.0])
        #expect(rows.first?.overdueSince == at("2020-03-02T02:00:00Z"))
    }

    @Test func openCaseAgeIsMeasuredOnTheChosenClock() throws {
        var history = try History(tolerantYAML(), calendar: NineToFiveCalendar())
        try history.open("W-1", at: "2020-03-02T08:00:00Z")
        let row = report(history, measure: .working, asOf: "2020-03-02T12:00:00Z").workflows.first?.openCases.first
        #expect(row?.age == seconds(hours: 3))
    }

    @Test func clockStopTimeIsSummarisedOverStoppedCases() throws {
        let figures = report(try ProjectionFoldTests().stoppedClock()).workflows.first?.clockStops
        #expect(figures?.decidedCases == 1)
        #expect(figures?.casesStopped == 1)
        #expect(figures?.stops == 1)
        #expect(figures?.working.total == seconds(hours: 5))
    }

    @Test func dwellOnTheStatutoryClockLeavesOutTheStoppedClock() throws {
        let dwell = report(try ProjectionFoldTests().stoppedClock(), measure: .statutory).workflows.first?.dwell ?? []
        #expect(dwell.first { $0.state == "waiting" }?.summary.total == 0)
        #expect(dwell.first { $0.state == "review" }?.summary.total == seconds(hours: 4))
    }

    @Test func casesAreCountedPerChannel() throws {
        var history = try History(tolerantYAML())
        try history.open("C-1", channel: "online", at: "2020-03-02T00:00:00Z")
        try history.open("C-2", channel: "online", at: "2020-03-02T00:00:00Z")
        try history.open("C-3", channel: "window", at: "2020-03-02T00:00:00Z")
        try history.fire("C-1", "approve", by: "dan", as: "approver", at: "2020-03-02T01:00:00Z")
        let channels = report(history).workflows.first?.channels ?? []
        #expect(channels.map(\.channel) == ["online", "window"])
        #expect(channels.map(\.cases.opened) == [2, 1])
        #expect(channels.first?.timeToDecision.count == 1)
    }

    @Test func aWorkflowWithSeveralVersionsAlsoGetsAnAllVersionsSection() throws {
        let (facts, _) = try decisions().fold()
        var builder = ReportBuilder(scope: ReportScope(measure: .wall, asOf: at("2020-03-03T00:00:00Z")),
                                    calendars: { _ in .alwaysWorking })
        for case let .decided(fact) in facts {
            builder.add(fact)
            var v2 = fact
            v2.workflow.version = 2
            builder.add(v2)
        }
        let sections = builder.build().workflows
        #expect(sections.map(\.version) == [nil, 1, 2])
        #expect(sections.map(\.cases.decided) == [6, 3, 3])
        #expect(sections.first?.calendar == "always working (no calendar)")
    }
}
