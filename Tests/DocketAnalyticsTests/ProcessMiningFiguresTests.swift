import DocketAnalytics
import DocketCore
import Testing

/// Minutes after 2020-01-01T00:00Z.
private func at(_ minutes: Int64) -> Timestamp { Timestamp(seconds: 1_577_836_800 + minutes * 60) }

/// A fold fed `(case, activity, minute[, lifecycle])` rows in order.
private func figures(
    _ rows: [(String, String, Int64)], lifecycles: [String?]? = nil, starts: [Int64?]? = nil,
    order: ProcessMiningFigures.RowOrder = .asRead
) -> ProcessMiningReport {
    var f = ProcessMiningFigures(rowOrder: order)
    for (i, row) in rows.enumerated() {
        f.add(
            caseID: row.0, activity: row.1, timestamp: at(row.2), lifecycle: lifecycles?[i],
            startTimestamp: starts?[i].map(at))
    }
    return f.finish()
}

private func edge(_ r: ProcessMiningReport, _ a: String, _ b: String) -> PerformanceDFG.Edge? {
    r.performanceDFG.edges.first { $0.source == a && $0.target == b }
}

@Suite("Process-mining figures follow pm4py's definitions")
struct ProcessMiningFiguresTests {
    @Test func eventsWithTheSameTimestampFollowEachOtherInFileOrder() {
        let r = figures([("1", "b", 0), ("1", "a", 0), ("1", "c", 5)])
        #expect(edge(r, "b", "a")?.count == 1)
        #expect(edge(r, "a", "b") == nil)
        #expect(edge(r, "a", "c")?.mean == 300)
    }

    @Test func directlyFollowsPairsAreOrderedByTimestampWithinACase() {
        let r = figures([("1", "late", 10), ("1", "early", 0)])
        #expect(edge(r, "early", "late")?.sum == 600)
    }

    @Test func edgeStatisticsUseTheSampleStandardDeviationAndMedian() throws {
        let r = figures([("1", "a", 0), ("1", "b", 1), ("2", "a", 0), ("2", "b", 2), ("3", "a", 0), ("3", "b", 6)])
        let e = try #require(edge(r, "a", "b"))
        #expect(e.count == 3 && e.mean == 180 && e.median == 120 && e.min == 60 && e.max == 360 && e.sum == 540)
        let squares: Double = 120 * 120 + 60 * 60 + 180 * 180
        #expect(e.standardDeviation == (squares / 2).squareRoot())
    }

    @Test func caseDurationPercentilesInterpolateBetweenClosestRanks() throws {
        // Durations 60, 120, 180, 600 seconds.
        let r = figures([("1", "a", 0), ("1", "z", 1), ("2", "a", 0), ("2", "z", 2), ("3", "a", 0), ("3", "z", 3), ("4", "a", 0), ("4", "z", 10)])
        let d = try #require(r.caseDuration)
        #expect(d.median == 150 && d.mean == 240 && d.min == 60 && d.max == 600)
        #expect(d.p25 == 105)  // 60 + (120 - 60) * 0.75
        let rank: Double = 3 * 0.9  // 2.7000000000000002, as numpy computes it
        let p90: Double = 180 + (600 - 180) * (rank - 2)
        #expect(d.p90 == p90)
    }

    @Test func caseDurationRunsFromTheFirstToTheLastRowAsRead() {
        // pm4py takes the first and last rows of an XES trace, not the earliest and latest.
        let r = figures([("1", "a", 10), ("1", "b", 0), ("1", "c", 4)])
        #expect(r.caseDuration?.max == -360)
        #expect(r.firstCase == .init(caseID: "1", seconds: -360))
    }

    @Test func csvRowsAreSortedByCaseAndTimestampBeforeAnythingIsMeasured() {
        let r = figures([("b", "x", 10), ("a", "y", 3), ("b", "w", 0), ("a", "z", 1)], order: .sortedByCaseAndTimestamp)
        #expect(r.firstCase == .init(caseID: "a", seconds: 120))
        #expect(r.caseDuration?.max == 600)
        #expect(r.performanceDFG.startActivities.map(\.activity) == ["w", "z"])
    }

    @Test func startActivitiesAreTheFirstRowsAsRead() {
        let r = figures([("1", "b", 5), ("1", "a", 0)])
        #expect(r.performanceDFG.startActivities == [.init(activity: "b", cases: 1)])
        #expect(r.performanceDFG.endActivities == [.init(activity: "a", cases: 1)])
    }

    @Test func reworkCountsCasesRepeatingAnActivity() {
        let r = figures([("1", "a", 0), ("1", "a", 1), ("1", "a", 2), ("2", "a", 0), ("2", "b", 1), ("2", "b", 2)])
        #expect(r.rework == [.init(activity: "a", cases: 1), .init(activity: "b", cases: 1)])
    }

    @Test func variantsAreDistinctActivitySequences() {
        let r = figures([("1", "a", 0), ("1", "b", 1), ("2", "a", 0), ("2", "b", 1), ("3", "b", 0), ("3", "a", 1)])
        #expect(r.variantCount == 2)
    }

    @Test func arrivalAndDispersionAreMeanGapsBetweenCaseStartsAndEnds() {
        let r = figures([("1", "a", 0), ("1", "b", 30), ("2", "a", 10), ("2", "b", 20), ("3", "a", 40), ("3", "b", 50)])
        #expect(r.caseArrivalAverage == 1200)  // starts 0, 10, 40
        #expect(r.caseDispersionAverage == 900)  // ends 20, 30, 50
    }

    @Test func serviceTimesPairStartAndCompleteFirstInFirstOut() throws {
        let r = figures(
            [("1", "a", 0), ("1", "a", 1), ("1", "a", 5), ("1", "a", 11)],
            lifecycles: ["start", "START", "complete", "Complete"])
        let s = try #require(r.serviceTimes)
        #expect(s.source == .lifecyclePairs)
        #expect(s.perActivity == [.init(activity: "a", mean: 450, median: 450)])  // 5-0 and 11-1 minutes
        #expect(s.caseService?.max == 900)
        #expect(s.caseSojourn?.max == 660)
        #expect(s.caseWaiting?.max == -240)
        #expect(r.performanceDFGCompleteOnly?.edges.map(\.source) == ["a"])
    }

    @Test func completeOnlyLogsHaveNoServiceTimes() {
        let r = figures([("1", "a", 0), ("1", "b", 1)])
        #expect(r.serviceTimes == nil)
        #expect(r.cycleTimeCompleteOnly == 0)
        #expect(r.performanceDFGCompleteOnly == nil)
    }

    @Test func aStartTimestampOnTheEventStartsTheIncomingEdgeAndTheService() throws {
        let r = figures([("1", "a", 10), ("1", "b", 30)], starts: [0, 20])
        #expect(edge(r, "a", "b")?.mean == 600)  // b starts at 20, a completed at 10
        let s = try #require(r.serviceTimes)
        #expect(s.source == .startTimestampAttribute)
        #expect(s.caseSojourn?.max == 1800)
    }

    @Test func cycleTimeLeavesOutTheLastBusyPeriod() throws {
        // Busy 0-10 and 20-30 (minutes): pm4py adds only the first period, over two cases.
        let r = figures([("1", "a", 10), ("2", "a", 30)], starts: [0, 20])
        #expect(r.serviceTimes?.cycleTime == 300)
    }
}

@Suite("Arithmetic replays pandas and numpy rounding")
struct ReferenceArithmeticTests {
    @Test func totalSecondsSplitsNegativeDurationsLikeTimedelta() {
        #expect(ReferenceArithmetic.totalSeconds(microseconds: -500_000) == -0.5)
        #expect(ReferenceArithmetic.totalSeconds(microseconds: 785_000) == 0.7849999999999999)
    }

    @Test func fsumIsCorrectlyRounded() {
        #expect(ReferenceArithmetic.fsum([1e16, 1, -1e16]) == 1)
        #expect(ReferenceArithmetic.fsum(Array(repeating: 0.1, count: 10)) == 1)
    }

    @Test func numpySumAddsPairwise() {
        let values = Array(repeating: 0.1, count: 20) + [1e10] + Array(repeating: 0.3, count: 19)
        #expect(ReferenceArithmetic.numpySum(values) == 10000000007.7)
        #expect(values.reduce(0, +) == 10000000007.699986)
    }

    @Test func kahanSumMatchesPandasGroupedSum() {
        var sum = KahanSum()
        for v in [1e16, 1.0, 1.0, -1e16] { sum.add(v) }
        #expect(sum.sum == 2)
    }
}

@Suite("Medians by selection")
struct MedianSelectionTests {
    @Test(arguments: [1, 2, 3, 10, 101, 1000])
    func selectionGivesTheMedianOfTheSortedValues(count: Int) {
        var generator = SystemRandomNumberGenerator()
        var values = (0..<count).map { _ in Double(Int.random(in: -50...50, using: &generator)) / 4 }
        let expected = ReferenceArithmetic.median(sorted: values.sorted())
        #expect(ReferenceArithmetic.median(selectingIn: &values) == expected)
    }
}
