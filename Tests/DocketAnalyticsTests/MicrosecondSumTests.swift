import DocketAnalytics
import Testing

/// Sums of sums (a report's grand total of its rankings) are exact, so they do not depend on the
/// order a dictionary hands its groups out in, which changes from run to run.
@Suite struct MicrosecondSumTests {
    @Test func aSumOfSumsIsTheSameInEveryOrder() {
        func sum(_ values: [Int64]) -> MicrosecondSum {
            var sum = MicrosecondSum()
            for value in values { sum.add(value) }
            return sum
        }
        // 2^53 + 1 is the first integer a Double cannot hold: adding the ones to the large part
        // one at a time as doubles would lose them, in one order and not in the other.
        let parts = [sum([1 << 53]), sum([1]), sum([1])]
        for order in [[0, 1, 2], [1, 2, 0], [2, 0, 1]] {
            var total = MicrosecondSum()
            for index in order { total.add(parts[index]) }
            #expect(total.microseconds == Double((1 << 53) + 2))
        }
    }
}
