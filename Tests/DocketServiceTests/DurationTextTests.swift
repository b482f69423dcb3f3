import DocketAnalytics
@testable import DocketService
import Testing

/// Durations in human units, as the tables and pages print them.
@Suite struct DurationTextTests {
    @Test func durationsGrowFromSecondsToYears() {
        #expect(Format.duration(seconds: 45) == "45 s")
        #expect(Format.duration(seconds: 12 * 60) == "12 min")
        #expect(Format.duration(seconds: 3 * 3600 + 5 * 60) == "3 h 05 min")
        #expect(Format.duration(seconds: 2 * 86_400 + 14 * 3600) == "2 d 14 h")
        #expect(Format.duration(seconds: 364 * 86_400 + 23 * 3600) == "364 d 23 h")
        #expect(Format.duration(seconds: 365 * 86_400) == "1 y 0 d")
        #expect(Format.duration(seconds: (365 + 23) * 86_400 + 5 * 3600) == "1 y 23 d")
        #expect(Format.duration(seconds: -(3 * 365 + 2) * 86_400) == "-3 y 2 d")
    }

    @Test func wallClockTablesPrintYears() {
        let wall = DurationStyle(measure: .wall, workingDay: nil)
        #expect(wall.text(800 * 86_400) == "2 y 70 d")
    }
}
