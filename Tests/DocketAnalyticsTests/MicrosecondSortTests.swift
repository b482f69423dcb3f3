import DocketAnalytics
import Testing

/// The radix sort of durations orders exactly as the standard library's `sorted()`.
@Suite struct MicrosecondSortTests {
    /// The `i`th of `count` reproducible pseudo-random values in `range` (a multiplicative hash of
    /// `i` and `count`, so a failure can be run again).
    func value(_ i: Int, of count: Int, in range: ClosedRange<Int64>) -> Int64 {
        let mixed = (UInt64(i) &+ UInt64(count) << 32) &* 0x9E37_79B9_7F4A_7C15
        let spread = mixed ^ (mixed >> 29)
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        guard width != UInt64.max else { return Int64(bitPattern: spread) }
        return range.lowerBound &+ Int64(bitPattern: spread % (width + 1))
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1_000, 50_000])
    func ordersAsTheStandardSortDoes(_ count: Int) {
        let ranges: [ClosedRange<Int64>] = [
            0...3_600_000_000,  // durations up to an hour
            0...40 * 86_400_000_000,  // up to 40 days: digits above the third pass all equal
            -1_000_000...1_000_000,  // negative ones (a clock set back in an imported log)
            Int64.min...Int64.max,  // every bit
            5...5,  // all equal
            0...3,  // many duplicates
        ]
        for range in ranges {
            let values = (0..<count).map { value($0, of: count, in: range) }
            #expect(MicrosecondSort.sorted(values) == values.sorted(), "\(count) values in \(range)")
        }
    }

    @Test func extremesAndDuplicatesStayInPlace() {
        let values = (0..<300).map { [Int64.min, Int64.max, 0, -1, 1][$0 % 5] }
        #expect(MicrosecondSort.sorted(values) == values.sorted())
    }
}
