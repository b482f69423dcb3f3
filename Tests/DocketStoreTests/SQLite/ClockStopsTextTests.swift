import DocketAnalytics
import DocketCore
@testable import DocketStore
import Testing

/// An open case's clock stops are kept as text (`analytics_open_cases.clock_stops`) and read back
/// byte by byte: what was written reads back as it was; what could not have been written reads
/// as no stop.
@Suite struct ClockStopsTextTests {
    @Test func stopsReadBackAsTheyWereWritten() {
        var random = SystemRandomNumberGenerator()
        for count in 0..<6 {
            for _ in 0..<200 {
                let stops = (0..<count).map { index in
                    let stopped = Int64.random(in: 0...4_102_444_800_000_000, using: &random)
                    let resumed: Int64? = index == count - 1 && Bool.random(using: &random)
                        ? nil : stopped + Int64.random(in: 0...90_000_000_000, using: &random)
                    return ClockStopInterval(stoppedAt: Timestamp(microseconds: stopped), resumedAt: resumed.map { Timestamp(microseconds: $0) })
                }
                let text = ClockStopsText.text(stops)
                #expect((text == nil) == stops.isEmpty)
                #expect(ClockStopsText.stops(text) == stops, "\(text ?? "nil")")
            }
        }
    }

    @Test func whatCouldNotHaveBeenWrittenReadsAsNoStop() {
        let one = ClockStopInterval(stoppedAt: Timestamp(microseconds: 5), resumedAt: Timestamp(microseconds: 9))
        let open = ClockStopInterval(stoppedAt: Timestamp(microseconds: 12), resumedAt: nil)
        #expect(ClockStopsText.stops(nil) == [])
        #expect(ClockStopsText.stops("") == [])
        #expect(ClockStopsText.stops("5-9,12-") == [one, open])
        #expect(ClockStopsText.stops(",5-9,,12-,") == [one, open])
        for bad in ["5", "-9", "5-9-1", "5-x", "x-9", "+5-9", "5 -9", "１-9", "99999999999999999999-1", "5-99999999999999999999"] {
            #expect(ClockStopsText.stops(bad) == [], "\(bad)")
            #expect(ClockStopsText.stops("5-9,\(bad),12-") == [one, open], "\(bad) between good ones")
        }
    }
}
