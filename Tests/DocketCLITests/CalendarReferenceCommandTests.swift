import DocketTestSupport
import Foundation
import Testing

/// A workflow's `calendar:` is resolved by `validate` (against the calendar files given, the
/// `calendars/` folder beside the workflow and a log's deployed calendars) and by `deploy`, and an
/// unknown one is reported at the `calendar:` value with the nearest known name.
@Suite struct CalendarReferenceCommandTests {
    /// expert-review.yaml with `calendar: cn-202`, and where that value is written.
    static func misspelt() throws -> (text: String, line: Int, column: Int) {
        let text = try String(contentsOfFile: Repository.workflow("expert-review.yaml"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex(of: "calendar: cn-2020"))
        let changed = text.replacingOccurrences(of: "\ncalendar: cn-2020\n", with: "\ncalendar: cn-202\n")
        return (changed, index + 1, "calendar: ".count + 1)
    }

    /// A bench whose folder holds `calendars/` (a copy of Workflows/calendars/) and `name` beside it.
    static func beside(_ name: String, _ text: String) throws -> (bench: DocketBench, path: String) {
        let docket = DocketBench()
        try FileManager.default.copyItem(at: Repository.calendars, to: docket.directory.appendingPathComponent("calendars"))
        return (docket, docket.file(name, text))
    }

    @Test func validateNamesAnUnknownCalendarAtItsValueBesideWorkflowsCalendars() throws {
        let (text, line, column) = try Self.misspelt()
        let (docket, path) = try Self.beside("review.yaml", text)
        let result = try docket.docket("validate", path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):\(line):\(column): error: workflow 'expert-review' names calendar 'cn-202'"))
        #expect(result.stderr.contains("did you mean 'cn-2020'? (known calendars: cn, cn-2020, rizhao-2020, weekdays)"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aKnownCalendarBesideTheWorkflowValidates() throws {
        let text = try String(contentsOfFile: Repository.workflow("expert-review.yaml"), encoding: .utf8)
        let (docket, path) = try Self.beside("review.yaml", text)
        let result = try docket.docket("validate", path)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("\(path): ok: expert-review v1"))
        #expect(result.stdout.contains("calendar cn-2020"))
        // The calendars beside it are used, not checked or listed as files given.
        #expect(!result.stdout.contains("calendars/"))
    }

    @Test func validateResolvesAgainstCalendarFilesGivenAndALogsDeployedCalendars() throws {
        let (text, line, column) = try Self.misspelt()
        let docket = DocketBench()
        let path = docket.file("review.yaml", text)
        // Nothing to check against: the name cannot be checked, as before.
        #expect(try docket.docket("validate", path).status == 0)
        #expect(!FileManager.default.fileExists(atPath: docket.database), "validate must not create a log")
        // A calendar file on the same command line.
        let given = try docket.docket("validate", path, Repository.calendars.appendingPathComponent("weekdays.yaml").path)
        #expect(given.status == 1)
        #expect(given.stderr.contains("\(path):\(line):\(column): error: "))
        #expect(given.stderr.contains("known calendars: weekdays"))
        // The calendars deployed in the log ($DOCKET_DB).
        try docket.ok("deploy", Repository.calendars.path)
        let logged = try docket.docket("validate", path)
        #expect(logged.status == 1)
        #expect(logged.stderr.contains("\(path):\(line):\(column): error: "))
        #expect(logged.stderr.contains("did you mean 'cn-2020'?"))
        let fixed = docket.file("fixed.yaml", text.replacingOccurrences(of: "calendar: cn-202\n", with: "calendar: cn-2020\n"))
        #expect(try docket.docket("validate", fixed).status == 0)
        // --db must name an existing log.
        let missing = try docket.docket("validate", "--db", docket.directory.appendingPathComponent("none.sqlite").path, fixed)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no event log at"))
        #expect(!FileManager.default.fileExists(atPath: docket.directory.appendingPathComponent("none.sqlite").path))
    }

    @Test func deployReportsTheSameErrorAtTheSamePositionAndDeploysNothing() throws {
        let (text, line, column) = try Self.misspelt()
        let docket = DocketBench()
        try docket.ok("deploy", Repository.calendars.path)
        let path = docket.file("review.yaml", text)
        let result = try docket.docket("deploy", path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):\(line):\(column): error: workflow 'expert-review' names calendar 'cn-202'"))
        #expect(result.stderr.contains("did you mean 'cn-2020'?"))
        #expect(try docket.sqlite("SELECT count(*) FROM definitions") == "0")
    }
}
