import DocketTestSupport
import Foundation
import Testing

/// The national calendar spanning years (`cn`) and its coverage, through the real binary: figures
/// across a New Year, deadlines past the coverage shown as provisional in `show`, `cases` and
/// `report`, the coverage warning of `validate` and `deploy`, and `calendar show` of any year.
@Suite struct CalendarCoverageCommandTests {
    /// A small licence-change workflow on `calendar`: 10 working days statutory from acceptance,
    /// 5 working days in review.
    static func workflow(calendar: String, id: String = "licence-change") -> String {
        """
        workflow: \(id)
        version: 1
        title: Food business licence change
        calendar: \(calendar)
        roles: [clerk, approver]
        statutory_limit:
          within: 10 working days
          starts_on: accept
        states:
          submitted: { initial: true }
          review: { within: 5 working days }
          approved: { final: true, outcome: approved }
        transitions:
          - { event: accept, from: submitted, to: review, roles: [clerk] }
          - { event: approve, from: review, to: approved, roles: [approver] }
        """
    }

    /// A log with the shipped calendars and the workflow on `calendar` deployed.
    func bench(calendar: String = "cn") throws -> DocketBench {
        let docket = DocketBench()
        let file = docket.file("licence-change.yaml", Self.workflow(calendar: calendar))
        try docket.ok("deploy", DocketBench.workflows + "/calendars", file)
        return docket
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func open(_ docket: DocketBench, _ id: String, at time: String) throws {
        // Some cases are dated after today on purpose (across the coverage's end).
        try docket.ok("start", "licence-change", "--case", id, "--by", "wang", "--as", "clerk", "--at", time, "--allow-future")
        try docket.ok("fire", id, "accept", "--by", "wang", "--as", "clerk", "--at", time, "--allow-future")
    }

    /// Time to approval, in working seconds, of the one workflow's report.
    func workingTimeToApproval(_ docket: DocketBench) throws -> Double? {
        let report = try json(docket.ok("report", "--workflow", "licence-change", "--format", "json").stdout)
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        let working = (section["time_to_approval"] as? [String: Any])?["working"] as? [String: Any]
        return working?["mean"] as? Double
    }

    @Test func theNewYearCaseHas604800WorkingSecondsOnTheNationalCalendar() throws {
        let docket = try bench()
        try open(docket, "NY-2021", at: "2020-12-06T19:51:00+08:00")
        try docket.ok("fire", "NY-2021", "approve", "--by", "li", "--as", "approver", "--at", "2021-01-10T11:18:00+08:00")
        #expect(try workingTimeToApproval(docket) == 604_800)
        let report = try json(docket.ok("report", "--workflow", "licence-change", "--format", "json").stdout)
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        #expect(section["calendar_covers"] as? String == "2019-01-01 to 2026-12-31")
        #expect((section["provisional_cases"] as? [String])?.isEmpty == true)
    }

    @Test func logsOnCN2020KeepTheirFigure() throws {
        let docket = try bench(calendar: "cn-2020")
        try open(docket, "NY-2021", at: "2020-12-06T19:51:00+08:00")
        try docket.ok("fire", "NY-2021", "approve", "--by", "li", "--as", "approver", "--at", "2021-01-10T11:18:00+08:00")
        #expect(try workingTimeToApproval(docket) == 630_000)
    }

    @Test func aDeadlinePastTheCoverageIsProvisionalInShowAndCases() throws {
        let docket = try bench()
        try open(docket, "LATE", at: "2026-12-28T10:00:00+08:00")
        try open(docket, "EARLY", at: "2026-06-01T10:00:00+08:00")

        let late = try json(docket.ok("show", "LATE", "--format", "json").stdout)
        let deadlines = try #require(late["deadlines"] as? [[String: Any]])
        #expect(deadlines.count == 2)
        #expect(deadlines.allSatisfy { $0["provisional"] as? Bool == true }, "\(deadlines)")
        // Counted on the weekly hours alone: 5 working days from Monday 28 Dec 10:00.
        #expect(deadlines.contains { $0["due_at"] as? String == "2027-01-04T10:00:00+08:00" }, "\(deadlines)")
        let table = try docket.ok("show", "LATE").stdout
        #expect(table.contains("due 2027-01-04T10:00:00+08:00 (provisional: beyond the calendar's known holidays)"), "\(table)")

        let early = try json(docket.ok("show", "EARLY", "--format", "json").stdout)
        #expect((early["deadlines"] as? [[String: Any]])?.allSatisfy { $0["provisional"] as? Bool == false } == true)
        #expect(try docket.ok("show", "EARLY").stdout.contains("provisional") == false)

        let rows = try #require(try JSONSerialization.jsonObject(with: Data(docket.ok("cases", "--format", "json").stdout.utf8)) as? [[String: Any]])
        #expect(rows.first { $0["case_id"] as? String == "LATE" }?["provisional"] as? Bool == true)
        #expect(rows.first { $0["case_id"] as? String == "EARLY" }?["provisional"] as? Bool == false)
        let cases = try docket.ok("cases").stdout
        let lateLine = try #require(cases.split(separator: "\n").first { $0.hasPrefix("LATE") })
        #expect(lateLine.trimmingCharacters(in: .whitespaces).hasSuffix("*"), "\(cases)")
        let earlyLine = try #require(cases.split(separator: "\n").first { $0.hasPrefix("EARLY") })
        #expect(earlyLine.contains("*") == false, "\(cases)")
        #expect(cases.contains("* 1 case(s) with a provisional deadline"), "\(cases)")
    }

    @Test func tickMarksABreachDueBeyondTheCoverage() throws {
        let docket = try bench()
        try open(docket, "LATE", at: "2026-12-28T10:00:00+08:00")
        try open(docket, "INSIDE", at: "2026-11-02T10:00:00+08:00")
        let ticked = try docket.ok("tick", "--now", "2027-01-08T12:00:00+08:00").stdout
        let late = ticked.split(separator: "\n").filter { $0.hasPrefix("LATE") }
        #expect(!late.isEmpty && late.allSatisfy { $0.contains("due 2027-01-04T10:00:00+08:00 (provisional: beyond the calendar's known holidays)") || $0.contains("(provisional") }, "\(ticked)")
        let inside = ticked.split(separator: "\n").filter { $0.hasPrefix("INSIDE") }
        #expect(!inside.isEmpty && inside.allSatisfy { !$0.contains("provisional") }, "\(ticked)")
    }

    @Test func theReportSaysWhichFiguresRestOnUncoveredDates() throws {
        let docket = try bench()
        try open(docket, "ACROSS", at: "2026-12-28T10:00:00+08:00")
        try docket.ok("fire", "ACROSS", "approve", "--by", "li", "--as", "approver", "--at", "2027-01-05T10:00:00+08:00", "--allow-future")
        try open(docket, "INSIDE", at: "2026-03-02T10:00:00+08:00")
        try docket.ok("fire", "INSIDE", "approve", "--by", "li", "--as", "approver", "--at", "2026-03-04T10:00:00+08:00")
        try open(docket, "STILL-OPEN", at: "2026-12-30T10:00:00+08:00")

        let now = "2027-01-08T12:00:00+08:00"
        let report = try json(docket.ok("report", "--workflow", "licence-change", "--now", now, "--format", "json").stdout)
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        #expect(section["provisional_cases"] as? [String] == ["ACROSS"])
        let openCases = try #require(section["open_cases"] as? [[String: Any]])
        #expect(openCases.first { $0["case_id"] as? String == "STILL-OPEN" }?["provisional"] as? Bool == true)

        let table = try docket.ok("report", "--workflow", "licence-change", "--now", now).stdout
        #expect(table.contains("holidays known 2019-01-01 to 2026-12-31"), "\(table)")
        #expect(table.contains("provisional: the calendar covers 2019-01-01 to 2026-12-31; figures of 1 decided case(s) (ACROSS)"), "\(table)")
        #expect(table.contains("1 open case(s)"), "\(table)")
    }

    @Test func calendarShowPrintsAYearOfTheNationalCalendarWithItsSources() throws {
        let docket = try bench()
        let text = try docket.ok("calendar", "show", "cn", "--year", "2021").stdout
        #expect(text.hasPrefix("cn v1, 2021, Asia/Shanghai"))
        #expect(text.contains("holidays known: 2019-01-01 to 2026-12-31"))
        #expect(text.contains("sources of 2021:\n  国务院办公厅关于2021年部分节假日安排的通知 (国办发明电〔2020〕27号, 25 Nov 2020)"), "\(text)")
        let newYear = try #require(text.split(separator: "\n").first { $0.hasPrefix("2021-01-01") })
        #expect(newYear.contains("holiday") && newYear.contains("New Year's Day"))
        #expect(text.contains("not covered") == false)

        let view = try json(docket.ok("calendar", "show", "cn", "--year", "2020", "--format", "json").stdout)
        #expect((view["sources"] as? [String])?.count == 2)
        #expect(view["working_days"] as? Int == 249)
        #expect((view["covers"] as? [String: String]) == ["from": "2019-01-01", "to": "2026-12-31"])

        let later = try docket.ok("calendar", "show", "cn", "--year", "2027").stdout
        #expect(later.contains("not covered: 2027-01-01 to 2027-12-31"), "\(later)")
        #expect(later.contains("sources of 2027: none named"))
    }

    /// A calendar that knows the holidays of 2020 only.
    static let shortCalendar = """
        calendar: short
        version: 1
        time_zone: Asia/Shanghai
        office_hours:
          monday: 09:00-17:00
          tuesday: 09:00-17:00
          wednesday: 09:00-17:00
          thursday: 09:00-17:00
          friday: 09:00-17:00
        covers:
          from: 2020-01-01
          to: 2020-12-31
        holidays:
          - date: 2020-10-01
        """

    @Test func validateWarnsWhenTheCoverageHasEndedOrEndsWithinSixtyDays() throws {
        let docket = DocketBench()
        let file = docket.file("short.yaml", Self.shortCalendar)
        // Without a log: judged against today, long after 2020.
        let result = try docket.ok("validate", file)
        #expect(result.stdout.contains("\(file): ok: calendar short v1"))
        #expect(result.stdout.contains("\(file): warning: calendar 'short' v1 knows holidays up to 2020-12-31 only: its coverage ended on 2020-12-31, before today"), "\(result.stdout)")

        // With a log whose latest event is 15 Nov 2020: within 60 days.
        let workflow = docket.file("w.yaml", Self.workflow(calendar: "short"))
        try docket.ok("deploy", file, workflow)
        try docket.ok("start", "licence-change", "--case", "C1", "--by", "wang", "--as", "clerk", "--at", "2020-11-15T10:00:00+08:00")
        let near = try docket.ok("validate", "--db", docket.database, workflow)
        #expect(near.stdout.contains("warning: calendar 'short' v1 knows holidays up to 2020-12-31 only: its coverage ends on 2020-12-31, within 60 days of the latest event in the log (2020-11-15)"), "\(near.stdout)")
    }

    @Test func deployWarnsAgainstTheLatestEventAndNotWhenTheCoverageReachesFarEnough() throws {
        let docket = DocketBench()
        let calendar = docket.file("short.yaml", Self.shortCalendar)
        let workflow = docket.file("w.yaml", Self.workflow(calendar: "short"))
        try docket.ok("deploy", calendar, workflow)
        try docket.ok("start", "licence-change", "--case", "C1", "--by", "wang", "--as", "clerk", "--at", "2020-06-01T10:00:00+08:00")
        // Latest event 1 June 2020: the coverage ends more than 60 days later, no warning.
        let second = docket.file("w2.yaml", Self.workflow(calendar: "short", id: "licence-change-2"))
        let quiet = try docket.ok("deploy", second)
        #expect(quiet.stdout.contains("warning") == false, "\(quiet.stdout)")

        try docket.ok("start", "licence-change", "--case", "C2", "--by", "wang", "--as", "clerk", "--at", "2020-11-20T10:00:00+08:00")
        let third = docket.file("w3.yaml", Self.workflow(calendar: "short", id: "licence-change-3"))
        let warned = try docket.ok("deploy", third)
        #expect(warned.stdout.contains("  warning: calendar 'short' v1 knows holidays up to 2020-12-31 only: its coverage ends on 2020-12-31, within 60 days of the latest event in the log (2020-11-20); deadlines and working time after it are provisional until next year's holidays are deployed as a new version of 'short'"), "\(warned.stdout)")

        // Next year's holidays, deployed as a new version: no warning, and deadlines follow.
        let next = docket.file("short.yaml", Self.shortCalendar
            .replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "to: 2020-12-31", with: "to: 2021-12-31")
            + "\n  - date: 2021-01-01\n")
        let deployed = try docket.ok("deploy", next)
        #expect(deployed.stdout.contains("deployed calendar short v2"))
        #expect(deployed.stdout.contains("warning") == false, "\(deployed.stdout)")
    }

    @Test func nextYearsHolidaysMoveAProvisionalDeadline() throws {
        let docket = DocketBench()
        let calendar = docket.file("short.yaml", Self.shortCalendar)
        let workflow = docket.file("w.yaml", Self.workflow(calendar: "short"))
        try docket.ok("deploy", calendar, workflow)
        // Review of 5 working days (8 h each) from Tuesday 29 Dec 2020 10:00: due Tuesday 5 Jan.
        try docket.ok("start", "licence-change", "--case", "C1", "--by", "wang", "--as", "clerk", "--at", "2020-12-29T10:00:00+08:00")
        try docket.ok("fire", "C1", "accept", "--by", "wang", "--as", "clerk", "--at", "2020-12-29T10:00:00+08:00")
        func review() throws -> [String: Any]? {
            let view = try json(docket.ok("show", "C1", "--format", "json").stdout)
            return (view["deadlines"] as? [[String: Any]])?.first { $0["kind"] as? String == "state" }
        }
        #expect(try review()?["due_at"] as? String == "2021-01-05T10:00:00+08:00")
        #expect(try review()?["provisional"] as? Bool == true)
        // A decided case across the New Year: 3 days of 8 working hours, 1 January counted provisionally.
        try docket.ok("start", "licence-change", "--case", "C2", "--by", "wang", "--as", "clerk", "--at", "2020-12-31T09:00:00+08:00")
        try docket.ok("fire", "C2", "accept", "--by", "wang", "--as", "clerk", "--at", "2020-12-31T09:00:00+08:00")
        try docket.ok("fire", "C2", "approve", "--by", "li", "--as", "approver", "--at", "2021-01-04T17:00:00+08:00")
        func decided() throws -> (working: Double?, provisional: [String]?) {
            let report = try json(docket.ok("report", "--workflow", "licence-change", "--format", "json").stdout)
            let section = (report["workflows"] as? [[String: Any]])?.first
            let working = ((section?["time_to_approval"] as? [String: Any])?["working"] as? [String: Any])?["mean"] as? Double
            return (working, section?["provisional_cases"] as? [String])
        }
        #expect(try decided().working == 24 * 3600)
        #expect(try decided().provisional == ["C2"])

        let next = docket.file("short-v2.yaml", Self.shortCalendar
            .replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "to: 2020-12-31", with: "to: 2021-12-31")
            + "\n  - date: 2021-01-01\n")
        try docket.ok("deploy", next)
        // 1 January 2021 is now a known holiday: the deadline moves a day and is no longer provisional.
        #expect(try review()?["due_at"] as? String == "2021-01-06T10:00:00+08:00")
        #expect(try review()?["provisional"] as? Bool == false)
        // The report's figures follow the new version too.
        #expect(try decided().working == 16 * 3600)
        #expect(try decided().provisional == [])
    }
}
