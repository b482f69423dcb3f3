import DocketCore
import Testing

/// The shipped national calendar of 2020 (`Workflows/calendars/cn-2020.yaml`).
@Suite struct CalendarCN2020Tests {
    let cn: BusinessCalendar

    init() throws {
        cn = try CalendarFixtures.cn2020()
    }

    @Test func qingdaoExpertReviewTookSixtyTwoWallClockHoursAndTwoWorkingDays() {
        let accepted = instant("2020-02-09T19:00:00+08:00")
        let certified = instant("2020-02-12T09:00:00+08:00")
        #expect(accepted.microseconds(to: certified) == 62 * hour)
        #expect(cn.workingMicroseconds(from: accepted, to: certified) == 14 * hour)
        #expect(cn.workingMicroseconds(from: accepted, to: certified) == 2 * cn.workingDayMicroseconds)
        #expect(cn.workingDays(from: accepted, to: certified) == 2.0)
    }

    @Test func twoWorkingDaysAfterTheQingdaoAcceptanceRunOutOnTuesdayAtClosingTime() {
        let due = cn.adding(workingDays: 2, to: instant("2020-02-09T19:00:00+08:00"))
        #expect(due == instant("2020-02-11T17:00:00+08:00"))
    }

    @Test func oneWorkingDayIsSevenHours() {
        #expect(cn.workingDayMicroseconds == 7 * hour)
    }

    @Test(arguments: [
        "2020-01-01",
        "2020-01-24", "2020-01-25", "2020-01-26", "2020-01-27", "2020-01-28", "2020-01-29", "2020-01-30",
        "2020-01-31", "2020-02-01", "2020-02-02",
        "2020-04-04", "2020-04-05", "2020-04-06",
        "2020-05-01", "2020-05-02", "2020-05-03", "2020-05-04", "2020-05-05",
        "2020-06-25", "2020-06-26", "2020-06-27",
        "2020-10-01", "2020-10-02", "2020-10-03", "2020-10-04", "2020-10-05", "2020-10-06", "2020-10-07", "2020-10-08",
    ])
    func holidayIsNoWorkingDay(_ day: String) {
        #expect(cn.isWorkingDay(date(day)) == false)
    }

    @Test(arguments: ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"])
    func swappedWeekendDayIsAWorkingDayWithNormalHours(_ day: String) {
        let d = date(day)
        #expect(d.weekday == .saturday || d.weekday == .sunday)
        #expect(cn.isWorkingDay(d))
        #expect(cn.hours(on: d).description == "09:00-12:00, 13:00-17:00")
    }

    @Test func februaryFirstMakeUpDayWasCancelledByTheExtension() {
        #expect(date("2020-02-01").weekday == .saturday)
        #expect(cn.isWorkingDay(date("2020-02-01")) == false)
        #expect(cn.notes(on: date("2020-02-01")).joined().contains("cancelled"))
    }

    @Test func workResumedOnMondayTheThirdOfFebruary() {
        #expect(cn.isWorkingDay(date("2020-02-03")))
    }

    @Test func theYearHasTheStatutoryNumberOfWorkingDays() {
        // 2020 has 262 weekdays; 19 are holidays (1 Jan; 24, 27-31 Jan; 6 Apr; 1, 4-5 May; 25-26 Jun;
        // 1-2, 5-8 Oct), and 6 weekend days are worked: 249 working days (251 before the extension).
        let first = date("2020-01-01").daysSinceEpoch
        let workingDays = (first..<(first + 366)).filter { cn.isWorkingDay(CalendarDate(daysSinceEpoch: $0)) }.count
        #expect(workingDays == 262 - 19 + 6)
        let year = cn.workingMicroseconds(from: instant("2020-01-01T00:00:00+08:00"), to: instant("2021-01-01T00:00:00+08:00"))
        #expect(year == Int64(262 - 19 + 6) * 7 * hour)
    }

    @Test func lunchBreakIsNotWorkingTime() {
        #expect(cn.isWorkingTime(at: instant("2020-02-10T11:59:59+08:00")))
        #expect(cn.isWorkingTime(at: instant("2020-02-10T12:00:00+08:00")) == false)
        #expect(cn.isWorkingTime(at: instant("2020-02-10T12:59:59+08:00")) == false)
        #expect(cn.isWorkingTime(at: instant("2020-02-10T13:00:00+08:00")))
        #expect(cn.workingMicroseconds(from: instant("2020-02-10T11:00:00+08:00"), to: instant("2020-02-10T14:00:00+08:00")) == 2 * hour)
    }

    @Test func threeHoursFromElevenOClockSkipTheLunchBreak() {
        let due = cn.adding(workingMicroseconds: 3 * hour, to: instant("2020-02-10T11:00:00+08:00"))
        #expect(due == instant("2020-02-10T15:00:00+08:00"))
    }

    @Test func officeHoursAreInShanghaiTime() {
        #expect(cn.utcOffsetSeconds(at: instant("2020-07-01T00:00:00Z")) == 8 * 3600)
        #expect(cn.isWorkingTime(at: instant("2020-02-10T01:00:00Z")))  // 09:00 in Shanghai
        #expect(cn.isWorkingTime(at: instant("2020-02-10T09:00:00Z")) == false)  // 17:00 in Shanghai
    }

    @Test func holidaysCarryTheirNotes() {
        #expect(cn.notes(on: date("2020-10-01")) == ["National Day and Mid-Autumn Festival"])
        #expect(cn.notes(on: date("2020-02-10")).isEmpty)
    }

    @Test func provenanceNamesTheCalendarAndItsVersion() {
        #expect(cn.provenance.description == "cn-2020 v1")
        #expect(cn.timeZoneIdentifier == "Asia/Shanghai")
    }
}
