import DocketAnalytics
import Testing

/// The radix sort of durations orders exactly as the standard library's `sorted()`.
@Suite struct MicrosecondSortTests {
    /// A reproducible generator (SplitMix64), so a failure can be run again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1_000, 50_000])
    func ordersAsTheStandardSortDoes(_ count: Int) {
        var random = SplitMix(state: UInt64(count))
        let ranges: [ClosedRange<Int64>] = [
            0...3_600_000_000,  // durations up to an hour
            0...40 * 86_400_000_000,  // up to 40 days: digits above the third pass all equal
            -1_000_000...1_000_000,  // negative ones (a clock set back in an imported log)
            Int64.min...Int64.max,  // every bit
            5...5,  // all equal
            0...3,  // many duplicates
        ]
        for range in ranges {
            let values = (0..<count).map { _ in Int64.random(in: range, using: &random) }
            #expect(MicrosecondSort.sorted(values) == values.sorted(), "\(count) values in \(range)")
        }
    }

    @Test func extremesAndDuplicatesStayInPlace() {
        let values = (0..<300).map { [Int64.min, Int64.max, 0, -1, 1][$0 % 5] }
        #expect(MicrosecondSort.sorted(values) == values.sorted())
    }
}
