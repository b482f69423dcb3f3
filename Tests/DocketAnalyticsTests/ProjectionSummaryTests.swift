import DocketAnalytics
import Testing

/// Percentiles and summaries, against values numpy 2 prints for the same arrays.
@Suite struct ProjectionSummaryTests {
    @Test func percentilesInterpolateBetweenClosestRanksLikeNumpy() {
        // np.percentile([1, 2, 3, 4], [50, 90, 95]) -> [2.5, 3.7, 3.8499999999999996]
        let values: [Double] = [1, 2, 3, 4]
        #expect(Percentile.linear(sorted: values, 0.5) == 2.5)
        #expect(Percentile.linear(sorted: values, 0.9) == 3.7)
        #expect(Percentile.linear(sorted: values, 0.95) == 3.8499999999999996)
    }

    @Test func percentilesOfAnOddCountHitRanksExactly() {
        // np.percentile([15, 20, 35, 40, 50], [50, 90, 95]) -> [35., 46., 48.]
        let values: [Double] = [15, 20, 35, 40, 50]
        #expect(Percentile.linear(sorted: values, 0.5) == 35)
        #expect(Percentile.linear(sorted: values, 0.9) == 46)
        #expect(Percentile.linear(sorted: values, 0.95) == 48)
    }

    @Test func upperHalfFractionsInterpolateBackFromTheUpperValueAsNumpyDoes() {
        // np.percentile([0.1, 0.3], 90) -> 0.27999999999999997 (0.1 + 0.9 * 0.2 would give 0.28)
        #expect(Percentile.linear(sorted: [0.1, 0.3], 0.9) == 0.27999999999999997)
        // np.percentile([0.2, 0.7], 90) -> 0.65
        #expect(Percentile.linear(sorted: [0.2, 0.7], 0.9) == 0.65)
    }

    @Test func percentileOfOneValueIsThatValue() {
        #expect(Percentile.linear(sorted: [7], 0.9) == 7)
    }

    @Test func percentileOfNothingIsNil() {
        #expect(Percentile.linear(sorted: [], 0.5) == nil)
    }

    @Test func summaryGivesCountTotalMeanExtremesAndSampleStdev() {
        // np.std([2, 4, 4, 4, 5, 5, 7, 9], ddof=1) -> 2.138089935299395
        let summary = DurationSummary(microseconds: [2, 4, 4, 4, 5, 5, 7, 9].map { Int64($0) * 1_000_000 })
        #expect(summary.count == 8)
        #expect(summary.total == 40)
        #expect(summary.mean == 5)
        #expect(summary.min == 2)
        #expect(summary.max == 9)
        #expect(summary.p50 == 4.5)
        #expect(summary.stdev == 2.138089935299395)
    }

    @Test func summarySortsItsInput() {
        let summary = DurationSummary(microseconds: [4_000_000, 1_000_000, 3_000_000, 2_000_000])
        #expect(summary.p90 == 3.7)
    }

    @Test func summaryOfOneValueHasNoStdev() {
        let summary = DurationSummary(microseconds: [5_000_000])
        #expect(summary.mean == 5)
        #expect(summary.stdev == nil)
    }

    @Test func summaryOfNothingHasOnlyACountAndATotal() {
        #expect(DurationSummary.empty == DurationSummary(microseconds: []))
        #expect(DurationSummary.empty.count == 0)
        #expect(DurationSummary.empty.total == 0)
        #expect(DurationSummary.empty.mean == nil)
        #expect(DurationSummary.empty.p50 == nil)
    }

    @Test func meanIsExactOnMicroseconds() {
        // 0.1 s + 0.2 s as doubles is 0.30000000000000004; on integer microseconds it is exact.
        let summary = DurationSummary(microseconds: [100_000, 200_000])
        #expect(summary.total == 0.3)
        #expect(summary.mean == 0.15)
    }

    @Test func totalsBeyondSixtyFourBitsCarryOnInFloatingPointInsteadOfTrapping() {
        let summary = DurationSummary(microseconds: [Int64.max, Int64.max, 2])
        #expect(summary.total == 2 * Double(Int64.max) / 1_000_000)
        #expect(summary.max == Double(Int64.max) / 1_000_000)
    }
}
