import DocketCore
import Testing

/// Time limits as definitions state them, on a business calendar.
@Suite struct CalendarTimeLimitTests {
    @Test func absurdlyLargeLimitSaturatesInsteadOfCrashing() throws {
        let limit = try #require(TimeLimit(parsing: "1e30 working days"))
        let cn = try CalendarFixtures.cn2020()
        #expect(limit.microseconds(on: cn) == .max)
        #expect(limit.due(from: instant("2020-01-01T00:00:00Z"), on: cn) == instant("9999-12-30T00:00:00Z"))
        let wallClock = try #require(TimeLimit(parsing: "1e30 days"))
        #expect(wallClock.due(from: instant("2020-01-01T00:00:00Z"), on: cn) == Timestamp(microseconds: .max))
    }

    @Test func twoWorkingDaysOnCn2020AreFourteenWorkingHours() throws {
        let limit = try #require(TimeLimit(parsing: "2 working days"))
        #expect(limit.microseconds(on: try CalendarFixtures.cn2020()) == 14 * hour)
    }
}
