import DocketAnalytics
import DocketCore
import Testing

/// The figures the pages draw: time-to-approval histograms, the statutory limit's share, weeks
/// and arrivals, on hand-computed histories.
@Suite struct ProjectionPictureFiguresTests {
    func report(_ history: History, limit: TimeLimit? = nil) -> WorkflowReport? {
        let (facts, fold) = history.fold()
        let calendar = history.context.calendar
        var builder = ReportBuilder(
            scope: ReportScope(measure: .wall, asOf: at("2020-03-20T12:00:00Z")),
            calendars: { _ in WorkflowCalendar(calendar: calendar, label: "test calendar", statutoryLimit: limit) })
        for fact in facts { builder.add(fact) }
        for progress in fold.openCases.values { builder.add(progress.summary) }
        return builder.build().workflows.first
    }

    /// Opened Monday 2 March 2020 (and one Sunday 8 March), approved after 2 h, 4 h and 30 h.
    func history() throws -> History {
        var history = try History(tolerantYAML())
        for id in ["A-1", "A-2", "A-3"] { try history.open(id, at: "2020-03-02T09:00:00Z") }
        try history.open("A-4", at: "2020-03-08T23:30:00Z")
        try history.fire("A-1", "approve", by: "dan", as: "approver", at: "2020-03-02T11:00:00Z")
        try history.fire("A-2", "approve", by: "dan", as: "approver", at: "2020-03-02T13:00:00Z")
        try history.fire("A-3", "approve", by: "dan", as: "approver", at: "2020-03-03T15:00:00Z")
        return history
    }

    @Test func theHistogramCountsEveryApprovalInRoundBins() throws {
        let histogram = try #require(report(try history())?.approvalHistograms.wall)
        // Largest 30 h: bins of 1/24 day would need 31 bins (fits 40): one hour each.
        #expect(histogram.binSeconds == 3600)
        #expect(histogram.counts.reduce(0, +) == 3)
        #expect(histogram.counts[2] == 1 && histogram.counts[4] == 1 && histogram.counts[30] == 1)
        #expect(histogram.counts.count == 31)
    }

    @Test func theStatutoryLimitCountsApprovalsWithinIt() throws {
        let w = try #require(report(try history(), limit: TimeLimit(amount: 1, unit: .days)))
        let limit = try #require(w.statutoryLimit)
        #expect(limit.clock == .wall)
        #expect(limit.seconds == 86_400)
        #expect(limit.approved == 3 && limit.approvedWithin == 2)
        #expect(abs(limit.share - 2.0 / 3) < 1e-12)
        // The wall histogram reaches past the limit line.
        #expect(Double(w.approvalHistograms.wall.counts.count) * w.approvalHistograms.wall.binSeconds >= 86_400)
        #expect(report(try history())?.statutoryLimit == nil)
    }

    @Test func weeksRunMondayToSundayWithEmptyWeeksBetween() throws {
        let weeks = try #require(report(try history())?.weeks)
        #expect(weeks.map(\.week) == ["2020-03-02"])
        #expect(weeks.first?.opened == 4)
        #expect(weeks.first?.decided == 3)
    }

    @Test func arrivalsAreCountedByWeekdayAndHour() throws {
        let arrivals = try #require(report(try history())?.arrivals)
        #expect(arrivals.count == 7 && arrivals.allSatisfy { $0.count == 24 })
        #expect(arrivals[0][9] == 3)  // Monday 09:00
        #expect(arrivals[6][23] == 1)  // Sunday 23:30
        #expect(arrivals.joined().reduce(0, +) == 4)
    }

    @Test func histogramBinsAreRoundAndCoverTheLargestValue() {
        let day: Int64 = 86_400_000_000
        let h = DurationHistogram(microseconds: [0, day / 2, 10 * day, 39 * day], unit: 86_400)
        #expect(h.binSeconds == 86_400)
        #expect(h.counts.count == 40)
        #expect(h.counts.reduce(0, +) == 4)
        let wide = DurationHistogram(microseconds: [0, 400 * day], unit: 86_400)
        #expect(wide.binSeconds == 20 * 86_400)
        #expect(wide.counts.last == 1)
        #expect(DurationHistogram(microseconds: [], unit: 86_400) == .empty)
    }
}
