import DocketTestSupport
import Foundation
import Testing

/// `import --calendar` and `analyze --calendar` give a log working time (issue 19); without a
/// calendar, the report, its JSON and its page show wall-clock time only, never working or
/// statutory figures as if a calendar applied.
@Suite(.serialized, .requires(.sqlite3), .requires(.sharedData)) struct ImportCalendarCommandTests {
    static let runningExample = SharedData.log("running-example.xes")

    static func json(_ result: DocketBench.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func withoutACalendarTheReportShowsWallClockTimeOnly() throws {
        let bench = DocketBench()
        try bench.ok("import", Self.runningExample)
        let table = try bench.ok("report", "--workflow", "imported").stdout
        #expect(table.contains("calendar: always working (no calendar): every time below is wall-clock time"))
        #expect(!table.contains(" wd"))
        #expect(!table.contains("statutory  "))
        #expect(!table.contains("working  "))
        #expect(table.contains("dwell per state (wall-clock time)"))

        let report = try Self.json(try bench.docket("report", "--workflow", "imported", "--json"))
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        #expect(section["has_calendar"] as? Bool == false)
        #expect(section["working_day_seconds"] == nil)
        let approval = try #require(section["time_to_decision"] as? [String: Any])
        #expect(approval["wall"] != nil)
        #expect(approval["working"] == nil && approval["statutory"] == nil)
        #expect((section["approval_histograms"] as? [String: Any])?.keys.sorted() == ["wall"])

        let csv = try bench.ok("report", "--workflow", "imported", "--format", "csv").stdout
        #expect(csv.contains(",wall,") && !csv.contains(",working,"))

        let page = bench.directory.appendingPathComponent("report.html").path
        try bench.ok("report", "--workflow", "imported", "--format", "html", "--out", page)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("no calendar, so every time is wall-clock time"))
        #expect(!html.contains("time_to_decision.working"))
        #expect(!html.contains("Statutory time"))
    }

    @Test func importWithACalendarCountsWorkingTimeOnIt() throws {
        let bench = DocketBench()
        let result = try bench.ok("import", Self.runningExample, "--calendar", "weekdays")
        #expect(result.stdout.contains("into workflow imported v2"))
        // The calendar was deployed from the ones Docket ships; the version of 'imported' names it.
        #expect(try bench.sqlite("SELECT count(*) FROM calendars WHERE name = 'weekdays'") == "1")
        let table = try bench.ok("report", "--workflow", "imported").stdout
        #expect(table.contains("calendar: weekdays v1 (working day 8 h"))
        #expect(table.contains("decision  working"))
        let report = try Self.json(try bench.docket("report", "--workflow", "imported", "--json"))
        let section = try #require((report["workflows"] as? [[String: Any]])?.first)
        #expect(section["has_calendar"] as? Bool == true)
        let decision = try #require(section["time_to_decision"] as? [String: Any])
        let wall = try #require((decision["wall"] as? [String: Any])?["mean"] as? Double)
        let working = try #require((decision["working"] as? [String: Any])?["mean"] as? Double)
        #expect(working < wall)  // nights and weekends do not count

        // Another file with the same calendar goes into the same version; an unknown one is refused.
        let again = try bench.ok("import", SharedData.log("reviewing.xes"), "--calendar", "weekdays")
        #expect(again.stdout.contains("into workflow imported v2"))
        let unknown = try bench.docket("import", Self.runningExample, "--calendar", "mars")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: calendar 'mars' is not deployed in the log nor shipped (shipped: cn, cn-2020, rizhao-2020, weekdays"))
        let named = try bench.docket("import", Self.runningExample, "--calendar", "weekdays", "--workflow", "permit-check")
        #expect(named.status == 1)
        #expect(named.stderr.hasPrefix("error: --calendar is for imports into 'imported'"))
    }

    @Test func analyzeMeasuresWorkingTimeOnlyOnACalendar() throws {
        let bench = DocketBench()
        let plain = try bench.ok("analyze", Self.runningExample).stdout
        #expect(!plain.contains("working"))
        let plainJSON = try Self.json(try bench.docket("analyze", Self.runningExample, "--json"))
        #expect(plainJSON["case_duration_working_s"] == nil && plainJSON["calendar"] == nil)

        let table = try bench.ok("analyze", Self.runningExample, "--calendar", "weekdays").stdout
        #expect(table.contains("Case duration in working time (calendar weekdays v1; wd = a working day of 8 h"))
        let json = try Self.json(try bench.docket("analyze", Self.runningExample, "--calendar", "weekdays", "--json"))
        #expect((json["calendar"] as? [String: Any])?["name"] as? String == "weekdays v1")
        #expect((json["calendar"] as? [String: Any])?["working_day_s"] as? Double == 28_800)
        let wall = try #require((json["case_duration_s"] as? [String: Any])?["max"] as? Double)
        let working = try #require((json["case_duration_working_s"] as? [String: Any])?["max"] as? Double)
        #expect(working > 0 && working < wall)

        let file = try bench.ok("analyze", Self.runningExample, "--calendar", DocketBench.workflows + "/calendars/rizhao-2020.yaml").stdout
        #expect(file.contains("calendar rizhao-2020 v1 on cn-2020 v1"))
        let missing = try bench.docket("analyze", Self.runningExample, "--calendar", "nowhere.yaml")
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: "))
    }
}
