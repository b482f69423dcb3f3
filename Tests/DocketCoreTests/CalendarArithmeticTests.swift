import DocketCore
import Testing

/// What working time means at the edges: interval boundaries, empty and reversed spans, exactness,
/// and the calendar that always works.
@Suite struct CalendarArithmeticTests {
    let cn: BusinessCalendar

    init() throws {
        cn = try CalendarFixtures.cn2020()
    }

    @Test func openingTimeIsWorkingTimeAndClosingTimeIsNot() {
        #expect(cn.isWorkingTime(at: instant("2020-02-10T09:00:00+08:00")))
        #expect(cn.isWorkingTime(at: instant("2020-02-10T16:59:59.999999+08:00")))
        #expect(cn.isWorkingTime(at: instant("2020-02-10T17:00:00+08:00")) == false)
        #expect(cn.isWorkingTime(at: instant("2020-02-10T08:59:59.999999+08:00")) == false)
    }

    @Test func reversedOrEmptySpanHasNoWorkingTime() {
        let t = instant("2020-02-10T10:00:00+08:00")
        #expect(cn.workingMicroseconds(from: t, to: t) == 0)
        #expect(cn.workingMicroseconds(from: t.adding(seconds: 60), to: t) == 0)
    }

    @Test func workingTimeIsExactToTheMicrosecond() {
        let from = instant("2020-02-10T11:59:59.999999+08:00")
        let to = instant("2020-02-10T13:00:00.000001+08:00")
        #expect(cn.workingMicroseconds(from: from, to: to) == 2)
    }

    @Test func addingNothingStaysPut() {
        let t = instant("2020-02-08T03:00:00+08:00")  // a Saturday night
        #expect(cn.adding(workingMicroseconds: 0, to: t) == t)
        #expect(cn.adding(workingMicroseconds: -5, to: t) == t)
    }

    @Test func aWorkingDayFromOpeningTimeEndsAtClosingTimeTheSameDay() {
        #expect(cn.adding(workingDays: 1, to: instant("2020-02-10T09:00:00+08:00")) == instant("2020-02-10T17:00:00+08:00"))
    }

    @Test func addingFromOutsideOfficeHoursStartsAtTheNextOpening() {
        #expect(cn.adding(workingMicroseconds: 1, to: instant("2020-02-08T03:00:00+08:00")) == instant("2020-02-10T09:00:00.000001+08:00"))
    }

    @Test func fiveWorkingDaysAcrossNationalDaySkipTheHolidayAndWorkTheSaturdayAfter() {
        // Accepted Wed 30 Sep 17:00: 1-8 Oct are off, Fri 9 Oct and Sat 10 Oct are working days.
        let due = cn.adding(workingDays: 5, to: instant("2020-09-30T17:00:00+08:00"))
        #expect(due == instant("2020-10-14T17:00:00+08:00"))  // 9, 10, 12, 13, 14 Oct
    }

    @Test func halfAWorkingDayFromNineIsHalfPastOneAfterLunch() {
        let limit = TimeLimit(amount: 0.5, unit: .workingDays)
        #expect(limit.due(from: instant("2020-02-10T09:00:00+08:00"), on: cn) == instant("2020-02-10T13:30:00+08:00"))
    }

    @Test func aYearOfWorkingTimeIsReachedWithoutWalkingTheDays() {
        let start = instant("2000-01-01T00:00:00+08:00")
        let end = instant("2100-01-01T00:00:00+08:00")
        let total = cn.workingMicroseconds(from: start, to: end)
        #expect(cn.adding(workingMicroseconds: total, to: start) == instant("2099-12-31T17:00:00+08:00"))
    }

    @Test func unreachableAmountEndsAtTheLastSupportedInstant() {
        let due = cn.adding(workingMicroseconds: .max, to: instant("2020-01-01T00:00:00Z"))
        #expect(due == instant("9999-12-30T00:00:00Z"))
    }

    @Test func dateAtAnInstantIsTheLocalDate() {
        #expect(cn.date(at: instant("2020-02-09T16:30:00Z")) == date("2020-02-10"))  // 00:30 in Shanghai
    }

    @Test func alwaysWorkingCalendarCountsEverySecond() {
        let always = AlwaysWorkingCalendar()
        let from = instant("2020-02-09T19:00:00+08:00")
        let to = instant("2020-02-12T09:00:00+08:00")
        #expect(always.workingMicroseconds(from: from, to: to) == 62 * hour)
        #expect(always.adding(workingDays: 1, to: from) == from.adding(seconds: 86_400))
        #expect(always.workingDays(from: from, to: to) == 62.0 / 24.0)
        #expect(always.utcOffsetSeconds(at: from) == 0)
    }

    @Test func calendarBuiltInCodeMatchesTheSameCalendarLoadedFromAFile() throws {
        let hours = DayHours([OfficeInterval(9, 0, 12, 0), OfficeInterval(13, 0, 17, 0)].compactMap { $0 })
        let coded = try BusinessCalendar(
            name: "coded", timeZoneIdentifier: "Asia/Shanghai",
            weeklyHours: WeeklyHours(hours, on: [.monday, .tuesday, .wednesday, .thursday, .friday]),
            dateHours: cn.dateHours)
        #expect(coded.workingDayMicroseconds == 7 * hour)
        let from = instant("2020-01-01T00:00:00Z")
        let to = instant("2021-01-01T00:00:00Z")
        #expect(coded.workingMicroseconds(from: from, to: to) == cn.workingMicroseconds(from: from, to: to))
    }

    @Test func dayHoursMergeTouchingIntervalsAndSubtractClosures() {
        let hours = DayHours([OfficeInterval(13, 0, 17, 0), OfficeInterval(9, 0, 13, 0)].compactMap { $0 })
        #expect(hours.description == "09:00-17:00")
        let lunch = DayHours([OfficeInterval(12, 0, 13, 0)].compactMap { $0 })
        #expect(hours.subtracting(lunch).description == "09:00-12:00, 13:00-17:00")
        #expect(DayHours.closed.description == "closed")
    }
}
