import DocketCore
import DocketTestSupport
import Foundation
import Testing

/// Office hours are local clock times: offsets come from the IANA database, and days with a clock
/// change have more or fewer working hours.
@Suite struct CalendarTimeZoneTests {
    let berlin: BusinessCalendar

    init() throws {
        berlin = try CalendarFixtures.berlinNights()
    }

    @Test func springForwardSundayLosesTheSkippedHour() {
        // 29 Mar 2020: 00:00-03:00 lasts 2 hours (02:00 CET becomes 03:00 CEST), 22:00-24:00 2 hours.
        let day = date("2020-03-29")
        #expect(berlin.workingPeriods(on: day).map { $0.lowerBound.microseconds(to: $0.upperBound) } == [2 * hour, 2 * hour])
        let total = berlin.workingMicroseconds(from: instant("2020-03-28T23:00:00Z"), to: instant("2020-03-29T22:00:00Z"))
        #expect(total == 4 * hour)
    }

    @Test func fallBackSundayGainsTheRepeatedHour() {
        // 25 Oct 2020: the clock reads 02:00-03:00 twice; 00:00-03:00 lasts 4 hours, closing when the
        // clock first shows 03:00 (02:00 UTC).
        let day = date("2020-10-25")
        let periods = berlin.workingPeriods(on: day)
        #expect(periods.first == instant("2020-10-24T22:00:00Z")..<instant("2020-10-25T02:00:00Z"))
        let total = berlin.workingMicroseconds(from: instant("2020-10-24T22:00:00Z"), to: instant("2020-10-25T23:00:00Z"))
        #expect(total == 6 * hour)
    }

    @Test func theRepeatedHourIsWorkingTimeBothTimes() {
        #expect(berlin.isWorkingTime(at: instant("2020-10-25T00:30:00Z")))  // 02:30 CEST
        #expect(berlin.isWorkingTime(at: instant("2020-10-25T01:30:00Z")))  // 02:30 CET
        #expect(berlin.isWorkingTime(at: instant("2020-10-25T02:00:00Z")) == false)  // 03:00 CET
    }

    @Test func officeHoursStartingInsideAClockChangeStartWhenTheClockFirstShowsThatTime() throws {
        let sundays = try BusinessCalendar(
            name: "berlin-sunday-nights", timeZoneIdentifier: "Europe/Berlin",
            weeklyHours: WeeklyHours([.sunday: DayHours([OfficeInterval(2, 30, 4, 0)].compactMap { $0 })]))
        // 02:30 never shows on 29 Mar (02:00 CET jumps to 03:00 CEST at 01:00 UTC): the day starts at the jump.
        #expect(sundays.workingPeriods(on: date("2020-03-29")) == [instant("2020-03-29T01:00:00Z")..<instant("2020-03-29T02:00:00Z")])
        // 02:30 shows twice on 25 Oct: the hours start at the first 02:30 (CEST) and end at 04:00 CET.
        #expect(sundays.workingPeriods(on: date("2020-10-25")) == [instant("2020-10-25T00:30:00Z")..<instant("2020-10-25T03:00:00Z")])
        #expect(sundays.workingMicroseconds(from: instant("2020-10-24T00:00:00Z"), to: instant("2020-10-26T00:00:00Z")) == 5 * hour / 2)
    }

    @Test func offsetsFollowDaylightSavingTime() {
        #expect(berlin.utcOffsetSeconds(at: instant("2020-01-15T12:00:00Z")) == 3600)
        #expect(berlin.utcOffsetSeconds(at: instant("2020-07-15T12:00:00Z")) == 7200)
        #expect(berlin.utcOffsetSeconds(at: instant("2020-03-29T00:59:59Z")) == 3600)
        #expect(berlin.utcOffsetSeconds(at: instant("2020-03-29T01:00:00Z")) == 7200)
    }

    @Test func offsetsAgreeWithFoundationAcrossTheCentury() throws {
        for identifier in ["Europe/Berlin", "America/Sao_Paulo", "Asia/Pyongyang", "Asia/Shanghai", "Australia/Lord_Howe"] {
            let calendar = try BusinessCalendar(
                name: identifier, timeZoneIdentifier: identifier,
                weeklyHours: WeeklyHours(DayHours([OfficeInterval(9, 0, 17, 0)].compactMap { $0 }), on: [.monday]))
            let zone = try #require(TimeZone(identifier: identifier))
            var rng = SplitMix64(seed: 11)
            var offsets: [Int: Int] = [:]
            for _ in 0..<3000 {
                let seconds = Int64.random(in: -2_208_988_800...4_102_444_800, using: &rng)  // 1900 to 2100
                let expected = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
                #expect(calendar.utcOffsetSeconds(at: Timestamp(seconds: seconds)) == expected, "\(identifier) at \(seconds)")
                offsets[expected, default: 0] += 1
            }
            // Every one of these zones changed its offset in the century: the draws must see it.
            let usual = offsets.values.max() ?? 0
            expectExercised(3000 - usual, of: 3000, atLeast: 0.01, "in \(identifier) fell outside its most common offset")
        }
    }

    /// Working time is when the local clock, read through Foundation, shows a time inside that local
    /// date's office hours (true for these hours, none of which starts or ends inside a clock change).
    @Test func workingTimeIsWhenTheLocalClockShowsOfficeHours() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        var rng = SplitMix64(seed: 12)
        let spots = [instant("2020-03-29T01:00:00Z"), instant("2020-10-25T01:00:00Z"), instant("2020-12-25T12:00:00Z")]
        var working = 0
        for n in 0..<3000 {
            let t = spots[n % 3].adding(microseconds: Int64.random(in: -36 * hour...36 * hour, using: &rng))
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.microseconds) / 1e6))) * 1_000_000
            let local = t.microseconds + offset
            let (day, timeOfDay) = (local.quotientAndRemainder(dividingBy: 86_400_000_000))
            let hours = berlin.hours(on: CalendarDate(daysSinceEpoch: Int(day)))
            let expected = hours.intervals.contains { $0.start <= timeOfDay && timeOfDay < $0.end }
            #expect(berlin.isWorkingTime(at: t) == expected, "\(t)")
            if expected { working += 1 }
        }
        expectExercised(working, of: 3000, atLeast: 0.1, "were in office hours")
        expectExercised(3000 - working, of: 3000, atLeast: 0.1, "were outside office hours")
    }

    @Test func unknownTimeZoneIsRefused() {
        let error = #expect(throws: CalendarError.self) {
            try BusinessCalendar(name: "x", timeZoneIdentifier: "Asia/Shangai", weeklyHours: WeeklyHours([:]))
        }
        #expect(error?.code == .unknownTimeZone)
    }
}
