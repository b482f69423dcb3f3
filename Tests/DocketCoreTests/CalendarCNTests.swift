import DocketCore
import Testing

/// The national calendar of 2019-2026 (`Workflows/calendars/cn.yaml`), checked day by day against
/// the State Council General Office's notices, transcribed here independently of the file.
@Suite struct CalendarCNTests {
    /// One notice as its text states it: the days off (`放假`, ranges as written, both ends
    /// included) and the weekend days worked (`上班`).
    struct Notice {
        var title: String
        var daysOff: [(String, String)]
        var daysWorked: [String]
    }

    /// The notices of each year in the order they were issued; a later notice of a year changes
    /// the earlier one (its days off win over earlier days worked, and the reverse).
    static let notices: [Int: [Notice]] = [
        2019: [
            Notice(
                title: "国办发明电〔2018〕15号",
                // 元旦 2018-12-30 至 2019-01-01 (the 2018 dates lie outside the coverage); 春节 2月4日至10日;
                // 清明节 4月5日; 劳动节 5月1日; 端午节 6月7日; 中秋节 9月13日; 国庆节 10月1日至7日.
                daysOff: [("2019-01-01", "2019-01-01"), ("2019-02-04", "2019-02-10"), ("2019-04-05", "2019-04-05"),
                          ("2019-05-01", "2019-05-01"), ("2019-06-07", "2019-06-07"), ("2019-09-13", "2019-09-13"),
                          ("2019-10-01", "2019-10-07")],
                daysWorked: ["2019-02-02", "2019-02-03", "2019-09-29", "2019-10-12"]),
            Notice(
                title: "国办发明电〔2019〕3号 (劳动节调整)",
                daysOff: [("2019-05-01", "2019-05-04")],
                daysWorked: ["2019-04-28", "2019-05-05"]),
        ],
        2020: [
            Notice(
                title: "国办发明电〔2019〕16号",
                daysOff: [("2020-01-01", "2020-01-01"), ("2020-01-24", "2020-01-30"), ("2020-04-04", "2020-04-06"),
                          ("2020-05-01", "2020-05-05"), ("2020-06-25", "2020-06-27"), ("2020-10-01", "2020-10-08")],
                daysWorked: ["2020-01-19", "2020-02-01", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"]),
            Notice(
                title: "国办发明电〔2020〕1号 (延长春节假期至2月2日)",
                daysOff: [("2020-01-31", "2020-02-02")],
                daysWorked: []),
        ],
        2021: [
            Notice(
                title: "国办发明电〔2020〕27号",
                daysOff: [("2021-01-01", "2021-01-03"), ("2021-02-11", "2021-02-17"), ("2021-04-03", "2021-04-05"),
                          ("2021-05-01", "2021-05-05"), ("2021-06-12", "2021-06-14"), ("2021-09-19", "2021-09-21"),
                          ("2021-10-01", "2021-10-07")],
                daysWorked: ["2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09"]),
        ],
        2022: [
            Notice(
                title: "国办发明电〔2021〕11号",
                daysOff: [("2022-01-01", "2022-01-03"), ("2022-01-31", "2022-02-06"), ("2022-04-03", "2022-04-05"),
                          ("2022-04-30", "2022-05-04"), ("2022-06-03", "2022-06-05"), ("2022-09-10", "2022-09-12"),
                          ("2022-10-01", "2022-10-07")],
                daysWorked: ["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09"]),
        ],
        2023: [
            Notice(
                title: "国办发明电〔2022〕16号",
                daysOff: [("2022-12-31", "2023-01-02"), ("2023-01-21", "2023-01-27"), ("2023-04-05", "2023-04-05"),
                          ("2023-04-29", "2023-05-03"), ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06")],
                daysWorked: ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"]),
        ],
        2024: [
            Notice(
                title: "国办发明电〔2023〕7号",
                // 除夕 (2月9日) is only recommended as a day off: it stays a working day.
                daysOff: [("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
                          ("2024-05-01", "2024-05-05"), ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
                          ("2024-10-01", "2024-10-07")],
                daysWorked: ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"]),
        ],
        2025: [
            Notice(
                title: "国办发明电〔2024〕12号",
                daysOff: [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
                          ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
                daysWorked: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]),
        ],
        2026: [
            Notice(
                title: "国务院办公厅 2025年11月4日",
                daysOff: [("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
                          ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
                          ("2026-10-01", "2026-10-07")],
                daysWorked: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]),
        ],
    ]

    /// Whether the notices make `day` a working day: a weekday unless a notice gives it off, a
    /// weekend day if a notice makes it worked; later notices of a year win.
    static func noticesSayWorking(_ day: CalendarDate) -> Bool {
        var working = day.weekday != .saturday && day.weekday != .sunday
        // The 2023 notice's New Year starts on 31 Dec 2022: look at the next year's notices too.
        for year in [day.year, day.year + 1] {
            for notice in notices[year] ?? [] {
                for (from, to) in notice.daysOff where date(from) <= day && day <= date(to) { working = false }
                if notice.daysWorked.contains(day.description) { working = true }
            }
        }
        return working
    }

    let cn: BusinessCalendar

    init() throws {
        cn = try CalendarLoader.load(text: CalendarFixtures.text("cn"), file: "cn.yaml")
    }

    @Test func everyDateOf2019To2026IsWorkingExactlyWhenTheNoticesSaySo() {
        var day = date("2019-01-01")
        var checked = 0
        var mismatches: [String] = []
        while day <= date("2026-12-31") {
            let expected = Self.noticesSayWorking(day)
            if cn.isWorkingDay(day) != expected {
                mismatches.append("\(day) (\(day.weekday)): notices say \(expected ? "working" : "off"), cn.yaml says \(expected ? "off" : "working")")
            }
            // A working day works the full normal hours: no half days in the national calendar.
            if expected, cn.workingPeriods(on: day).reduce(Int64(0), { $0 + $1.lowerBound.microseconds(to: $1.upperBound) }) != 7 * hour {
                mismatches.append("\(day): not 7 working hours")
            }
            checked += 1
            day = day.adding(days: 1)
        }
        #expect(checked == 2922)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    @Test func everyNoticeDateIsAWorkingDayOrADayOffAsItSays() {
        // The other direction: every date a notice names (outside 2018) is in the calendar as named.
        for (_, notices) in Self.notices {
            for notice in notices {
                for day in notice.daysWorked.map({ date($0) }) {
                    #expect(cn.isWorkingDay(day) == Self.noticesSayWorking(day), "\(day) of \(notice.title)")
                    #expect(cn.notes(on: day).isEmpty == false, "\(day) of \(notice.title) has no note")
                }
                for (from, to) in notice.daysOff where date(to) >= date("2019-01-01") {
                    var day = max(date(from), date("2019-01-01"))
                    while day <= date(to) {
                        #expect(cn.isWorkingDay(day) == false, "\(day) of \(notice.title)")
                        day = day.adding(days: 1)
                    }
                }
            }
        }
        #expect(cn.isWorkingDay(date("2020-02-01")) == false, "the extension turned the 1 Feb 2020 make-up day into a holiday")
        #expect(cn.isWorkingDay(date("2024-02-09")), "New Year's Eve 2024 was only recommended as a day off")
        #expect(cn.isWorkingDay(date("2025-01-28")) == false, "from 2025 New Year's Eve is a public holiday")
        #expect(cn.isWorkingDay(date("2025-05-02")) == false, "from 2025 2 May is a public holiday")
    }

    @Test func workingDaysPerYear() {
        var counts: [Int: Int] = [:]
        var day = date("2019-01-01")
        while day <= date("2026-12-31") {
            if Self.noticesSayWorking(day) { counts[day.year, default: 0] += 1 }
            day = day.adding(days: 1)
        }
        // 2020's 249 is also what cn-2020 and Docs/calendars.md say.
        #expect(counts[2020] == 249)
        for year in 2019...2026 {
            let start = instant("\(year)-01-01T00:00:00+08:00")
            let end = instant("\(year + 1)-01-01T00:00:00+08:00")
            #expect(cn.workingMicroseconds(from: start, to: end) == Int64(counts[year] ?? 0) * 7 * hour, "\(year)")
        }
    }

    @Test func agreesWithCN2020OnEveryDateOf2020() throws {
        let cn2020 = try CalendarFixtures.cn2020()
        var day = date("2020-01-01")
        while day <= date("2020-12-31") {
            #expect(cn.hours(on: day) == cn2020.hours(on: day), "\(day)")
            day = day.adding(days: 1)
        }
    }

    /// The issue's case: accepted Sunday 6 Dec 2020 19:51, approved Sunday 10 Jan 2021 11:18.
    @Test func aCaseAcrossNewYear2021Has604800WorkingSeconds() throws {
        let accepted = instant("2020-12-06T19:51:00+08:00")
        let approved = instant("2021-01-10T11:18:00+08:00")
        // 19 working days in December from the 7th, 5 in January after the 1-3 January holiday.
        #expect(cn.workingMicroseconds(from: accepted, to: approved) == 604_800 * 1_000_000)
        #expect(cn.covers(from: accepted, to: approved))
        // cn-2020 keeps its figure: it does not know 1 January 2021, and says so now.
        let cn2020 = try CalendarFixtures.cn2020()
        #expect(cn2020.workingMicroseconds(from: accepted, to: approved) == 630_000 * 1_000_000)
    }

    @Test func coverageAndSources() {
        #expect(cn.coverageDescription == "2019-01-01 to 2026-12-31")
        #expect(cn.coverageEnd == instant("2027-01-01T00:00:00+08:00"))
        #expect(cn.coverageStart == instant("2019-01-01T00:00:00+08:00"))
        for year in 2019...2026 {
            #expect(!cn.sources.filter { $0.year == year }.isEmpty, "no source named for \(year)")
            #expect(cn.sources.filter { $0.year == year }.allSatisfy { $0.text.contains("\(year)年") })
        }
        #expect(cn.sources.filter { $0.year == 2020 }.contains { $0.text.contains("延长2020年春节假期") })
        #expect(cn.sources.filter { $0.year == 2019 }.contains { $0.text.contains("调整2019年劳动节") })
    }

    @Test func aDeadlinePastTheCoverageIsProvisional() {
        let accepted = instant("2026-12-21T09:00:00+08:00")
        // 10 working days from Monday 21 Dec 2026 run into January 2027, whose holidays are unknown.
        let due = cn.adding(workingDays: 10, to: accepted)
        #expect(due > instant("2027-01-01T00:00:00+08:00"))
        #expect(cn.covers(from: accepted, to: due) == false)
        // Inside the coverage it is not.
        let early = cn.adding(workingDays: 5, to: accepted)
        #expect(early == instant("2026-12-25T17:00:00+08:00"))
        #expect(cn.covers(from: accepted, to: early))
        // Ending exactly at the end of the coverage needs no uncovered date.
        #expect(cn.covers(from: accepted, to: instant("2027-01-01T00:00:00+08:00")))
        #expect(cn.covers(from: accepted, to: instant("2027-01-01T00:00:01+08:00")) == false)
        // Before the coverage too.
        #expect(cn.covers(from: instant("2018-12-28T09:00:00+08:00"), to: accepted) == false)
        // A calendar that states no coverage knows every date.
        #expect((try? CalendarFixtures.cn2020())?.covers(from: accepted, to: due) == true)
        #expect(AlwaysWorkingCalendar().covers(from: accepted, to: due))
    }

    @Test func anOverrideLayersOnTheNationalCalendarAndInheritsItsCoverage() throws {
        let rizhao = try CalendarLoader.load(text: """
            calendar: rizhao
            version: 1
            base: cn
            base_version: 1
            extra_hours:
              - date: 2021-02-12
                hours: 09:00-12:00
                note: duty morning in the Spring Festival
            closures:
              - date: 2021-03-01
                hours: 13:00-17:00
            """, file: "rizhao.yaml", bases: ["cn": cn])
        #expect(rizhao.provenance.description == "rizhao v1 on cn v1")
        #expect(rizhao.coverage == cn.coverage)
        #expect(rizhao.sources.count == cn.sources.count)
        #expect(rizhao.isWorkingDay(date("2021-02-12")))
        #expect(rizhao.isWorkingDay(date("2021-02-11")) == false)
        #expect(rizhao.isWorkingDay(date("2021-02-20")), "the base's make-up Saturday")
        #expect(rizhao.workingMicroseconds(from: instant("2021-03-01T00:00:00+08:00"), to: instant("2021-03-02T00:00:00+08:00")) == 3 * hour)
        // Its own `covers` narrows the base's, never widens it.
        let narrowed = try CalendarLoader.load(text: """
            calendar: rizhao-narrow
            version: 1
            base: cn
            covers:
              from: 2021-01-01
              to: 2030-12-31
            """, file: "n.yaml", bases: ["cn": cn])
        #expect(narrowed.coverageDescription == "2021-01-01 to 2026-12-31")
    }

    @Test func coverageMistakesAreReportedWhereTheyAre() {
        #expect(throws: FileProblems.self) {
            try CalendarLoader.load(text: "calendar: x\nversion: 1\nbase: cn\ncovers:\n  from: 2030-01-01\n  to: 2030-12-31\n", file: "x.yaml", bases: ["cn": cn])
        }
        do {
            _ = try CalendarLoader.load(text: """
                calendar: c
                version: 1
                time_zone: UTC
                office_hours:
                  monday: 09:00-17:00
                covers:
                  from: 2020-01-01
                  to: 2020-12-31
                sources:
                  - year: 2020
                holidays:
                  - date: 2021-01-01
                """, file: "c.yaml")
            Issue.record("loaded")
        } catch {
            let text = error.lines.joined(separator: "\n")
            #expect(text.contains("c.yaml:12:11: error: this entry of 'holidays' lies outside 'covers' (2020-01-01 to 2020-12-31)"), "\(text)")
            #expect(text.contains("c.yaml:10:5: error: an entry of 'sources' needs 'year' and 'source'"), "\(text)")
        }
        do {
            _ = try CalendarLoader.load(text: "calendar: c\nversion: 1\ntime_zone: UTC\noffice_hours:\n  monday: 09:00-17:00\ncovers:\n  from: 2021-01-01\n  to: 2020-12-31\n", file: "c.yaml")
            Issue.record("loaded")
        } catch {
            #expect(error.lines.joined().contains("c.yaml:8:7: error: 'covers' ends (2020-12-31) before it starts (2021-01-01)"), "\(error.lines)")
        }
    }
}
