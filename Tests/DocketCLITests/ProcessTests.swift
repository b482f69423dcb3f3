import Foundation
import Testing

/// Runs the real `docket` binary, as a user (or a script) would.
struct DocketProcess {
    static let binary: URL = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir.appendingPathComponent("docket"),
                          dir.deletingLastPathComponent().appendingPathComponent("docket"),
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                              .deletingLastPathComponent().appendingPathComponent(".build/debug/docket")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let database: String

    init() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docket-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        database = dir.appendingPathComponent("docket.sqlite").path
    }

    func start(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = DocketProcess.binary
        process.arguments = arguments
        process.currentDirectoryURL = DocketProcess.repository
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET_DB"] = database
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    func run(_ arguments: [String]) throws -> Result {
        let (process, out, err) = try start(arguments)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func sqlite(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A permit-check case `P1` in review.
    func caseInReview() throws {
        try #require(run("deploy", "Workflows/permit-check.yaml").status == 0)
        try #require(run("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant").status == 0)
        try #require(run("fire", "P1", "accept", "--by", "bob", "--as", "clerk").status == 0)
    }
}

@Suite(.serialized) struct ProcessTests {
    @Test func aCaseDrivenByTheCLIShowsItsFullHistoryAndIsInTheSQLiteFile() throws {
        let docket = DocketProcess()
        try docket.caseInReview()
        let approve = try docket.run("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
        #expect(approve.status == 0)
        let history = try docket.run("history", "P1")
        #expect(history.stdout.contains("accept: submitted → review"))
        #expect(history.stdout.contains("approve: review → approved"))
        #expect(try docket.sqlite("SELECT group_concat(type, ',') FROM (SELECT type FROM events WHERE case_id = 'P1' ORDER BY version)")
            == "case_opened,transition_fired,transition_fired")
        let json = try docket.run("show", "P1", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["outcome"] as? String == "approved")
    }

    @Test func approvingWithoutTheDocumentExitsOneAndAppendsNothing() throws {
        let docket = DocketProcess()
        try docket.caseInReview()
        let result = try docket.run("fire", "P1", "approve", "--by", "carol", "--as", "approver")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("site_photos"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "2")
    }

    @Test func theWrongRoleExitsOneAndAppendsNothing() throws {
        let docket = DocketProcess()
        try docket.caseInReview()
        let result = try docket.run("fire", "P1", "approve", "--by", "bob", "--as", "clerk", "--doc", "site_photos")
        #expect(result.status == 1)
        #expect(result.stderr.contains("approver"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "2")
    }

    @Test func twoProcessesFiringAtOneCaseAtOnceLetExactlyOneWin() throws {
        let docket = DocketProcess()
        try docket.caseInReview()
        // Eight processes race to decide the same case; only one decision can be recorded.
        let racers = try (0..<8).map { i in
            try docket.start(["fire", "P1", i % 2 == 0 ? "approve" : "reject", "--by", "approver-\(i)", "--as", "approver", "--doc", "site_photos"])
        }
        var statuses: [Int32] = []
        for (process, out, err) in racers {
            _ = out.fileHandleForReading.readDataToEndOfFile()
            _ = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            statuses.append(process.terminationStatus)
        }
        #expect(statuses.filter { $0 == 0 }.count == 1)
        // Losers either lost the append (3, conflict) or read the decided case (1, closed).
        #expect(statuses.allSatisfy { [0, 1, 3].contains($0) })
        #expect(try docket.sqlite("SELECT count(*) FROM events WHERE case_id = 'P1'") == "3")
        #expect(try docket.run("verify").status == 0)
    }

    @Test func verifyCatchesAPayloadEditedBehindDocketsBack() throws {
        let docket = DocketProcess()
        try docket.caseInReview()
        #expect(try docket.run("verify").status == 0)
        _ = try docket.sqlite("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET payload = json_set(payload, '$.to', 'approved') WHERE position = 2;
            """)
        let result = try docket.run("verify")
        #expect(result.status == 1)
        #expect(result.stderr.contains("position 2"))
    }

    @Test func aDefinitionWithErrorsIsReportedAtFileLineColumn() throws {
        let docket = DocketProcess()
        let dir = URL(fileURLWithPath: docket.database).deletingLastPathComponent()
        let file = dir.appendingPathComponent("broken.yaml")
        try """
            workflow: broken
            version: 1
            roles: [clerk]
            states:
              open: { initial: true }
              done: { final: true, outcome: approved }
            transitions:
              - { event: finish, from: open, to: finished, roles: [clerk] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try docket.run("validate", file.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file.path):8:"))
        #expect(result.stderr.contains(": error: "))
    }

    @Test func aValidDefinitionPrintsAOneLineSummary() throws {
        let result = try DocketProcess().run("validate", "Workflows/permit-check.yaml")
        #expect(result.status == 0)
        #expect(result.stdout.contains("permit-check v1"))
    }

    @Test func readingACaseFromAMissingDatabaseIsAnError() throws {
        let result = try DocketProcess().run("show", "P1")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: no event log"))
    }

    @Test func theDemoRunsToTheReportAndItsLogVerifies() throws {
        let docket = DocketProcess()
        let result = try docket.run("demo", "--db", docket.database, "--cases", "40")
        #expect(result.status == 0)
        #expect(result.stdout.contains("62 wall-clock hours, 2 working days"))
        #expect(try docket.run("verify", "--db", docket.database).status == 0)
    }
}
