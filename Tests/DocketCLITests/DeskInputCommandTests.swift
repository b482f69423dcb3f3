import DocketTestSupport
import Foundation
import Testing

/// Issue 15, the desk's input and the terminal: business times that cannot go wrong quietly, text
/// that cannot act on the clerk's terminal, tables that align in terminal cells, `--as` where a
/// role decides, no log created by a typo, reports of a read-only log, `--version`, and the
/// shipped workflows inside the binary. Every test drives the real `docket`.
@Suite("The desk's input", .requires(.sqlite3))
struct DeskInputCommandTests {
    /// Workflows/ deployed; the server's own zone set far from Beijing, so a time read in it
    /// instead of the workflow's zone shows.
    func deployed() throws -> DocketBench {
        let bench = DocketBench()
        bench.environment["TZ"] = "America/New_York"
        try bench.ok("deploy", DocketBench.workflows)
        return bench
    }

    func json(_ result: DocketBench.Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    func events(_ bench: DocketBench, _ caseID: String) throws -> [[String: Any]] {
        try #require(try json(bench.ok("history", caseID, "--format", "json")) as? [[String: Any]])
    }

    /// ISO 8601 at UTC, `seconds` from now.
    func fromNow(_ seconds: TimeInterval) -> String {
        ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
    }

    // MARK: Business time

    @Test func aTimeWithoutAnOffsetIsReadInTheWorkflowCalendarsZoneNotTheServers() throws {
        let bench = try deployed()
        // remote-video-inspection counts on cn-2020 (Asia/Shanghai); the process runs in New York.
        try bench.ok("start", "remote-video-inspection", "--case", "R1", "--by", "ma.lin", "--as", "applicant", "--at", "2020-03-02T09:00")
        try bench.ok("fire", "R1", "accept", "--by", "li.wei", "--as", "clerk", "--doc", "application_form", "--doc", "premises_floor_plan",
                     "--at", "2020-03-02T09:30")
        let times = try events(bench, "R1").compactMap { $0["occurred_at"] as? String }
        #expect(times.first == "2020-03-02T09:00:00+08:00")
        #expect(times.contains("2020-03-02T09:30:00+08:00"))
        // A date alone is midnight there; permit-check names no calendar, so its zone is UTC.
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", "2020-03-02")
        #expect(try events(bench, "P1").first?["occurred_at"] as? String == "2020-03-02T00:00:00Z")
        // A time with an offset is the instant it names, as before.
        try bench.ok("start", "permit-check", "--case", "P2", "--by", "alice", "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        #expect(try events(bench, "P2").first?["occurred_at"] as? String == "2020-03-02T01:00:00Z")
    }

    @Test func aListingTimeWithoutAnOffsetIsReadInTheWorkflowsZoneOrRefusedWhenTheZonesDiffer() throws {
        let bench = try deployed()
        try bench.ok("start", "remote-video-inspection", "--case", "R1", "--by", "ma.lin", "--as", "applicant",
                     "--at", "2020-03-02T08:30:00+08:00")
        // Workflows/ mixes Asia/Shanghai and UTC calendars: a wall-clock time would be a guess.
        let refused = try bench.docket("cases", "--now", "2020-03-02T09:30")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("names no offset"), "\(refused.stderr)")
        #expect(refused.stderr.contains("+08:00 (") && refused.stderr.contains("UTC ("), "\(refused.stderr)")
        let one = try bench.docket("cases", "--workflow", "remote-video-inspection", "--now", "2020-03-02T09:30", "--format", "json")
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("\"R1\""))
    }

    @Test func aTimeFarAheadOfTheClockIsRefusedUnlessAllowedAndTheAllowanceIsRecorded() throws {
        let bench = try deployed()
        // 2031 for 2021: the case would be locked until then.
        let refused = try bench.docket("start", "remote-video-inspection", "--case", "R1", "--by", "ma.lin", "--as", "applicant",
                                       "--at", "2031-03-01T09:00")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("more than 10 minutes after the clock"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-future"))
        // The message names the time in the workflow's zone, as tables do.
        #expect(refused.stderr.contains("2031-03-01T09:00:00+08:00"), "\(refused.stderr)")
        #expect(try bench.docket("show", "R1").status == 1)

        try bench.ok("start", "remote-video-inspection", "--case", "R1", "--by", "ma.lin", "--as", "applicant",
                     "--at", "2031-03-01T09:00", "--allow-future")
        let recorded = try events(bench, "R1")
        #expect(!recorded.isEmpty)
        #expect(recorded.allSatisfy { $0["future_allowed"] as? Bool == true }, "\(recorded)")
        #expect(try bench.ok("verify").stdout.hasPrefix("OK"))

        // A clock a few minutes slow is not a mistyped year: no allowance needed, none recorded.
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", fromNow(5 * 60))
        #expect(try events(bench, "P1").allSatisfy { $0["future_allowed"] == nil })
        let fire = try bench.docket("fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--at", fromNow(3600))
        #expect(fire.status == 1, "\(fire.stdout)")
        #expect(try events(bench, "P1").count == 1)
    }

    @Test func aRefusalNamesTimesInTheWorkflowsZone() throws {
        let bench = try deployed()
        try bench.ok("start", "remote-video-inspection", "--case", "R1", "--by", "ma.lin", "--as", "applicant",
                     "--at", "2020-03-02T09:00:00+08:00")
        let early = try bench.docket("fire", "R1", "withdraw", "--by", "ma.lin", "--as", "applicant", "--at", "2020-03-02T08:00")
        #expect(early.status == 1)
        #expect(early.stderr.contains("2020-03-02T08:00:00+08:00"), "\(early.stderr)")
        #expect(early.stderr.contains("2020-03-02T09:00:00+08:00"), "\(early.stderr)")
        #expect(!early.stderr.contains("01:00:00Z"), "\(early.stderr)")
    }

    // MARK: What the terminal shows

    @Test func textThatWouldActOnTheTerminalIsRefusedAtTheInput() throws {
        let bench = try deployed()
        let hostile: [(String, [String])] = [
            ("a case id that clears the screen", ["start", "permit-check", "--case", "\u{1B}[2J\u{1B}[H", "--by", "alice", "--as", "applicant"]),
            ("a case id of blanks", ["start", "permit-check", "--case", "   ", "--by", "alice", "--as", "applicant"]),
            ("an actor with a right-to-left override", ["start", "permit-check", "--case", "P9", "--by", "alice\u{202E}nimda", "--as", "applicant"]),
            ("data with an escape", ["start", "permit-check", "--case", "P9", "--by", "alice", "--as", "applicant", "--data", "channel=\u{1B}]0;pwned\u{7}"]),
            ("a name with a C1 control", ["start", "permit-check", "--case", "P9", "--by", "ali\u{9B}ce", "--as", "applicant"]),
        ]
        for (what, arguments) in hostile {
            let result = try bench.docket(arguments)
            #expect(result.status == 1, "\(what): \(result.stdout)")
            #expect(result.stderr.hasPrefix("error: "), "\(what): \(result.stderr)")
            #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x9B }, "\(what): raw in \(result.stderr)")
        }
        #expect(try bench.eventCount() == 0)
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        let reason = try bench.docket("fire", "P1", "withdraw", "--by", "alice", "--as", "applicant", "--reason", "exe.\u{202E}txt")
        #expect(reason.status == 1)
        #expect(reason.stderr.contains("\\u202E"), "\(reason.stderr)")
        #expect(try bench.eventCount() == 1)
    }

    /// A log imported before the checks (or from another system) may hold such text: `cases` and
    /// `history` print it escaped, never raw.
    @Test func textAlreadyInTheLogIsShownEscaped() throws {
        let bench = DocketBench()
        try bench.ok("init")
        let log = bench.file("hostile.csv", "case:concept:name,concept:name,time:timestamp,org:resource\n"
            + "\u{1B}[2J,\u{202E}gpj.exe,2020-03-02 10:00:00,li\u{1B}[31mwei\n"
            + "\u{1B}[2J,approve,2020-03-02 11:00:00,wang\n")
        try bench.ok("import", log, "--case-prefix", "x-")
        for arguments in [["cases"], ["cases", "--format", "json"], ["history", "x-\u{1B}[2J"], ["history", "x-\u{1B}[2J", "--format", "json"]] {
            let result = try bench.ok(arguments)
            #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }, "\(arguments): \(result.stdout)")
            #expect(result.stdout.lowercased().contains("\\u001b"), "\(arguments): \(result.stdout)")
        }
        #expect(try bench.ok("history", "x-\u{1B}[2J").stdout.contains("\\u202Egpj.exe"))
        // JSON stays JSON: the escapes are JSON's own.
        let cases = try #require(try json(bench.ok("cases", "--format", "json")) as? [[String: Any]])
        #expect(cases.first?["case_id"] as? String == "x-\u{1B}[2J")
    }

    /// Where each column starts, in terminal cells, in every line of a table: the same on every line.
    func columnStarts(_ table: String, column: Int) -> [Int] {
        table.split(separator: "\n").prefix { !$0.hasSuffix("case(s)") }.map { line in
            var width = 0, columns = 0, previousBlank = false, blanks = 0
            for character in line {
                let blank = character == " "
                if blank { blanks += 1 } else {
                    if previousBlank, blanks >= 2 { columns += 1 }
                    if columns == column { return width }
                    blanks = 0
                }
                previousBlank = blank
                width += Self.cells(character)
            }
            return -1
        }
    }

    /// Cells a character takes on a terminal (what the test relies on: CJK and emoji two, else one).
    static func cells(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.properties.isEmojiPresentation || character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return (0x4E00...0x9FFF).contains(first.value) || (0x3000...0x303F).contains(first.value) || (0xFF00...0xFF60).contains(first.value) ? 2 : 1
    }

    @Test func tablesAlignChineseNamesAndEmojiInTerminalCells() throws {
        let bench = try deployed()
        for (id, who) in [("案件-001", "李伟"), ("P-😀", "👩‍💼 wang"), ("P-3", "alice"), ("P-✅", "张敏（代办）")] {
            try bench.ok("start", "permit-check", "--case", id, "--by", who, "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        }
        try bench.ok("fire", "案件-001", "accept", "--by", "王芳", "--as", "clerk", "--at", "2020-03-02T10:00:00+08:00")
        let cases = try bench.ok("cases").stdout
        for column in 1...3 {
            let starts = columnStarts(cases, column: column)
            #expect(Set(starts).count == 1, "column \(column) starts at \(starts) in\n\(cases)")
        }
        let history = try bench.ok("history", "案件-001").stdout
        for column in 2...3 {
            let starts = columnStarts(history, column: column)
            #expect(Set(starts).count == 1, "column \(column) starts at \(starts) in\n\(history)")
        }
        // The last column ("what") after an empty one: where its text starts, in cells.
        let lines = history.split(separator: "\n").map(String.init)
        let what = zip(lines, ["what", "", "opened in", "accept:"]).filter { !$0.1.isEmpty }.map { line, text in
            line.components(separatedBy: text)[0].reduce(0) { $0 + Self.cells($1) }
        }
        #expect(Set(what).count == 1, "'what' starts at \(what) in\n\(history)")
    }

    // MARK: --as where a role decides

    @Test func aMissingAsIsAClearErrorNamingTheRolesThatCouldDecide() throws {
        let bench = try deployed()
        let start = try bench.docket("start", "permit-check", "--case", "P1", "--by", "alice")
        #expect(start.status == 1)
        #expect(start.stderr.contains("--as") && start.stderr.contains("applicant, clerk, approver"), "\(start.stderr)")
        #expect(try bench.eventCount() == 0)
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        let fire = try bench.docket("fire", "P1", "accept", "--by", "bob")
        #expect(fire.status == 1)
        #expect(fire.stderr.contains("'accept' needs the role you act in") && fire.stderr.contains("roles that could: clerk"), "\(fire.stderr)")
        // A vote's role is the vote's.
        try bench.ok("start", "expert-review", "--case", "E1", "--by", "ma.lin", "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        let count = try bench.eventCount()
        let vote = try bench.docket("vote", "E1", "approve", "--by", "expert-1")
        #expect(vote.status == 1)
        #expect(vote.stderr.contains("a vote needs the role you act in"), "\(vote.stderr)")
        #expect(try bench.eventCount() == count)
    }

    // MARK: No log at a mistyped path

    @Test func writeCommandsDoNotCreateALogAtAMistypedPath() throws {
        let bench = try deployed()
        let typo = bench.directory.appendingPathComponent("dokcet.sqlite").path
        for arguments in [["start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant"],
                          ["fire", "P1", "accept", "--by", "bob", "--as", "clerk"],
                          ["vote", "P1", "approve", "--by", "bob", "--as", "clerk"],
                          ["tick"], ["simulate", "permit-check", "--cases", "2"], ["token", "create", "--for", "portal"],
                          ["report"], ["replay"], ["cases"], ["show", "P1"]] {
            let result = try bench.docket(arguments + ["--db", typo])
            #expect(result.status == 1, "\(arguments): \(result.stdout)")
            #expect(result.stderr.contains("no event log at \(typo)"), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(arguments) created \(typo)")
        }
        // Created on purpose: init (an empty log), or deploy.
        let created = try bench.ok("init", "--db", typo)
        #expect(created.stdout.contains("created an empty event log at \(typo)"))
        #expect(try bench.ok("verify", "--db", typo).stdout.hasPrefix("OK: 0 events"))
        #expect(try bench.ok("init", "--db", typo).stdout.contains("already an event log"))
    }

    // MARK: Read-only copies and backups

    /// A log as an auditor gets it: a backup copy, write-protected, in a folder they may not
    /// write to, opened by a user who is not root (root ignores permissions).
    func readOnlyCopy(reportFirst: Bool) throws -> (DocketBench, String) {
        let bench = try deployed()
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--at", "2020-03-02T10:00:00+08:00")
        if reportFirst { try bench.ok("report") }
        let folder = bench.directory.appendingPathComponent("audit")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try bench.ok("backup", "--to", copy)
        if !reportFirst {
            // Events after the projections last ran: the copy's projections are behind.
            try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--db", copy,
                         "--at", "2020-03-02T11:00:00+08:00")
        }
        try Unprivileged.handOver([folder.path, copy])
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        return (bench, copy)
    }

    func asUser(_ bench: DocketBench, _ arguments: [String]) throws -> DocketBench.Result {
        let (executable, arguments) = Unprivileged.command(DocketBinary.url, arguments)
        return try bench.docket(arguments, executable: executable)
    }

    @Test(.requires(.unprivilegedUser))
    func everyReadCommandWorksOnAReadOnlyCopyAndReportsSayWhichProjectionsTheyUse() throws {
        let (bench, copy) = try readOnlyCopy(reportFirst: false)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: (copy as NSString).deletingLastPathComponent) }
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        for arguments in [["report"], ["report", "--format", "json"], ["report", "--format", "csv", "--by", "state"], ["show", "P1"],
                          ["history", "P1"], ["cases"], ["cases", "--open"], ["cases", "--overdue", "--now", "2020-04-01T00:00:00Z"],
                          ["verify"], ["graph", "permit-check"], ["export", "--format", "csv"]] {
            let result = try asUser(bench, arguments + ["--db", copy])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let report = try asUser(bench, ["report", "--format", "json", "--db", copy])
        #expect(report.stderr.contains("read-only") && report.stderr.contains("computed in memory"), "\(report.stderr)")
        #expect(report.stdout.contains("\"permit-check\""), "\(report.stdout)")
        let write = try asUser(bench, ["start", "permit-check", "--case", "P2", "--by", "alice", "--as", "applicant", "--db", copy])
        #expect(write.status == 4, "\(write.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    @Test(.requires(.unprivilegedUser))
    func aReadOnlyCopyWithCurrentProjectionsIsReportedFromThemAsTheyAre() throws {
        let (bench, copy) = try readOnlyCopy(reportFirst: true)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: (copy as NSString).deletingLastPathComponent) }
        let report = try asUser(bench, ["report", "--now", "2020-03-03T00:00:00Z", "--db", copy])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("up to date and used as they are"), "\(report.stderr)")
        // The same figures as the writable log's own report.
        #expect(report.stdout == (try bench.ok("report", "--now", "2020-03-03T00:00:00Z").stdout))
    }

    // MARK: Version and shipped files

    @Test func versionNamesTheReleaseAndTheEventFormat() throws {
        let result = try DocketBench().ok("--version")
        #expect(result.stdout.hasPrefix("0."), "\(result.stdout)")
        #expect(result.stdout.contains("docket.event.v2"))
    }

    @Test func theDemoAndTheTourWorkFromADirectoryWithoutTheRepository() throws {
        let bench = DocketBench()
        // The bench's folder (the working directory) holds no Workflows/ or Directories/.
        #expect(!FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("Workflows").path))
        let demo = try bench.ok("demo", "--cases", "12", "--db", "demo.sqlite")
        #expect(demo.stdout.contains("shipped inside docket"))
        #expect(demo.stdout.contains("8. Who may act") && !demo.stdout.contains("skipped (pass --directory)"), "\(demo.stdout.suffix(2000))")
        let deployed = try bench.ok("deploy", "--shipped")
        #expect(deployed.stdout.contains("deployed workflow permit-check v1"), "\(deployed.stdout)")
        #expect(deployed.stdout.contains("deployed calendar cn-2020"))
        // The README tour's first steps.
        try bench.ok("start", "permit-check", "--case", "P-001", "--by", "alice", "--as", "applicant", "--data", "channel=online",
                     "--at", "2020-02-09T19:00:00+08:00")
        try bench.ok("fire", "P-001", "accept", "--by", "bob", "--as", "clerk", "--at", "2020-02-10T09:30:00+08:00")
        #expect(try bench.ok("deploy", "--shipped", "Workflows/").stdout.contains("unchanged workflow permit-check v1"))
        let missing = try bench.docket("deploy", "--shipped", "Workflows/nosuch.yaml")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Docket ships nothing at Workflows/nosuch.yaml"), "\(missing.stderr)")
        #expect(try bench.ok("deploy", "--shipped", "Directories/shandong.yaml").stdout.contains("deployed directory"))
    }
}
