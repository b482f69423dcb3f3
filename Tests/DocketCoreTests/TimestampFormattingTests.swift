import DocketCore
import Testing

/// `Timestamp.iso8601(offsetSeconds:)` writes digits into one buffer; it gives exactly what the
/// padded strings gave (`paddedISO8601`), for every field width, fraction and offset.
@Suite struct TimestampFormattingTests {
    @Test func theFastFormIsThePaddedForm() {
        var generator = SystemRandomNumberGenerator()
        let offsets = [0, 8 * 3600, -5 * 3600, 5 * 3600 + 30 * 60, -(9 * 3600 + 45 * 60), 14 * 3600, 1]
        var fixed: [Int64] = [0, 1, 999_999, 1_000_000, -1, 1_583_143_200_000_000, 1_583_143_200_500_000, 1_583_143_200_000_120,
                              253_402_300_799_999_999, -62_135_596_800_000_000]
        for _ in 0..<5_000 { fixed.append(Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &generator)) }
        for microseconds in fixed {
            let t = Timestamp(microseconds: microseconds)
            for offset in offsets {
                #expect(t.iso8601(offsetSeconds: offset) == t.paddedISO8601(offsetSeconds: offset), "\(microseconds) at \(offset)")
            }
        }
        #expect(Timestamp(microseconds: 1_583_143_200_500_000).iso8601(offsetSeconds: 8 * 3600) == "2020-03-02T18:00:00.5+08:00")
        #expect(Timestamp(microseconds: 1_583_143_200_000_120).iso8601(offsetSeconds: 0) == "2020-03-02T10:00:00.00012Z")
    }
}
