import DocketCore
import Testing

/// An authority's own calendar on top of the national one: extra duty hours, duty days, closures,
/// and the versions a report names.
@Suite struct CalendarOverrideTests {
    let cn: BusinessCalendar
    let rizhao: BusinessCalendar

    init() throws {
        cn = try CalendarFixtures.cn2020()
        rizhao = try CalendarFixtures.rizhao2020()
    }

    func override(_ body: String) throws -> BusinessCalendar {
        try CalendarLoader.load(text: "calendar: local\nversion: 3\nbase: cn-2020\n" + body, file: "local.yaml", bases: ["cn-2020": cn])
    }

    @Test func rizhaoDutyMorningDuringTheSpringFestivalIsWorkingTime() {
        let morning = instant("2020-01-28T10:00:00+08:00")
        #expect(cn.isWorkingTime(at: morning) == false)
        #expect(rizhao.isWorkingTime(at: morning))
        #expect(rizhao.isWorkingDay(date("2020-01-28")))
    }

    @Test func rizhaoDutyMorningCountsThreeWorkingHoursAndNoAfternoon() {
        let from = instant("2020-01-28T00:00:00+08:00")
        let to = instant("2020-01-29T00:00:00+08:00")
        #expect(rizhao.workingMicroseconds(from: from, to: to) == 3 * hour)
        #expect(rizhao.isWorkingTime(at: instant("2020-01-28T14:00:00+08:00")) == false)
    }

    @Test func aLicenceDueInOneWorkingHourFromTheDutyMorningIsDueTheSameMorning() {
        #expect(rizhao.adding(workingMicroseconds: hour, to: instant("2020-01-28T09:30:00+08:00")) == instant("2020-01-28T10:30:00+08:00"))
    }

    @Test func overrideKeepsTheRestOfTheNationalCalendar() {
        #expect(rizhao.isWorkingDay(date("2020-01-27")) == false)
        #expect(rizhao.isWorkingDay(date("2020-01-19")))
        #expect(rizhao.workingDayMicroseconds == cn.workingDayMicroseconds)
        #expect(rizhao.timeZoneIdentifier == "Asia/Shanghai")
    }

    @Test func provenanceNamesTheOverrideOnItsBase() {
        #expect(rizhao.provenance.description == "rizhao-2020 v1 on cn-2020 v1")
        #expect(rizhao.provenance.layers == [CalendarVersion(name: "rizhao-2020", version: 1), CalendarVersion(name: "cn-2020", version: 1)])
    }

    @Test func notesOfBaseAndOverrideAreBothKept() {
        let notes = rizhao.notes(on: date("2020-01-28"))
        #expect(notes.count == 2)
        #expect(notes.first?.hasPrefix("Spring Festival") == true)
        #expect(notes.last?.hasPrefix("Duty service") == true)
    }

    @Test func wholeDayClosureRemovesAWorkingDay() throws {
        let local = try override("closures:\n  - date: 2020-03-02\n    note: moving offices\n")
        #expect(local.isWorkingDay(date("2020-03-02")) == false)
        #expect(cn.isWorkingDay(date("2020-03-02")))
    }

    @Test func partialClosureRemovesOnlyItsHours() throws {
        let local = try override("closures:\n  - date: 2020-03-02\n    hours: 13:00-17:00\n")
        #expect(local.hours(on: date("2020-03-02")).description == "09:00-12:00")
        #expect(local.workingMicroseconds(from: instant("2020-03-02T00:00:00+08:00"), to: instant("2020-03-03T00:00:00+08:00")) == 3 * hour)
    }

    @Test func dutyDayWorksTheNormalHours() throws {
        let local = try override("working_days:\n  - date: 2020-01-25\n    note: duty Saturday\n")
        #expect(local.hours(on: date("2020-01-25")).description == "09:00-12:00, 13:00-17:00")
    }

    @Test func extraHoursExtendARegularDay() throws {
        let local = try override("extra_hours:\n  - date: 2020-03-02\n    hours: 17:00-19:00\n")
        #expect(local.hours(on: date("2020-03-02")).description == "09:00-12:00, 13:00-19:00")
    }

    @Test func closureWinsOverExtraHoursOnTheSameDay() throws {
        let local = try override("extra_hours:\n  - date: 2020-01-28\n    hours: 09:00-12:00\nclosures:\n  - date: 2020-01-28\n")
        #expect(local.isWorkingDay(date("2020-01-28")) == false)
    }

    @Test func overrideOfAnOverrideListsAllThreeVersions() throws {
        let desk = try CalendarLoader.load(
            text: "calendar: rizhao-desk-7\nversion: 2\nbase: rizhao-2020\n", file: "desk.yaml", bases: ["rizhao-2020": rizhao])
        #expect(desk.provenance.description == "rizhao-desk-7 v2 on rizhao-2020 v1 on cn-2020 v1")
        #expect(desk.isWorkingTime(at: instant("2020-01-28T10:00:00+08:00")))
    }

    @Test func loadingAllFilesResolvesBasesInAnyOrder() throws {
        let calendars = try CalendarLoader.loadAll([
            CalendarLoader.Source(file: "rizhao-2020.yaml", text: try CalendarFixtures.text("rizhao-2020")),
            CalendarLoader.Source(file: "cn-2020.yaml", text: try CalendarFixtures.text("cn-2020")),
        ])
        #expect(calendars["rizhao-2020"]?.provenance.description == "rizhao-2020 v1 on cn-2020 v1")
    }
}
