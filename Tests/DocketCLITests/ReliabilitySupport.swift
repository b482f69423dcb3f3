import Foundation
import Testing

/// A temporary folder holding one event log, driven by the real `docket` binary (as a clerk's
/// script would) and inspected behind Docket's back with the `sqlite3` tool.
///
/// Every process runs with `DOCKET_DB` set to the folder's log and the folder as its working
/// directory, so no argument can make it touch another database. The folder is removed when the
/// bench is released. (`environment` is set before any process starts, never while they run.)
final class Bench: @unchecked Sendable {
    let directory: URL
    let database: String
    /// Extra environment for every process (e.g. a short `DOCKET_BUSY_TIMEOUT`).
    var environment: [String: String] = [:]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("docket-reliability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = directory.appendingPathComponent("docket.sqlite").path
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The repository's `Workflows/` folder.
    static let workflows = DocketProcess.repository.appendingPathComponent("Workflows").path

    struct Result: Sendable {
        var status: Int32
        /// False when the process died of a signal (a crash, or our kill -9).
        var exited: Bool
        var stdout: String
        var stderr: String
    }

    func process(_ arguments: [String], executable: URL = DocketProcess.binary) -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET_DB"] = database
        environment.removeValue(forKey: "DOCKET_BUSY_TIMEOUT")
        environment.merge(self.environment) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return (process, out, err)
    }

    /// Runs `docket arguments` to completion.
    @discardableResult
    func docket(_ arguments: String...) throws -> Result { try docket(arguments) }

    @discardableResult
    func docket(_ arguments: [String], executable: URL = DocketProcess.binary) throws -> Result {
        let (process, out, err) = self.process(arguments, executable: executable)
        try process.run()
        return Self.finish(process, out, err)
    }

    /// Waits for a started process and collects what it wrote.
    static func finish(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
        // Read both pipes before waiting: a process blocked on a full pipe never exits.
        let stderrData = Locked(Data())
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, exited: process.terminationReason == .exit,
                      stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderrData.value, as: UTF8.self))
    }

    /// Runs `docket arguments`, requiring success.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        try ok(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let result = try docket(arguments)
        try #require(result.status == 0, "docket \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs SQL on the log with the `sqlite3` tool; returns its output, trimmed.
    @discardableResult
    func sqlite(_ sql: String, file: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-bail", file ?? database, sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let result = Self.finish(process, out, err)
        try #require(result.status == 0, "sqlite3: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The number of events in the log.
    func eventCount() throws -> Int { Int(try sqlite("SELECT count(*) FROM events")) ?? -1 }

    /// Every event's content (not its position, hash or recording time), by case and version: what
    /// must come out the same however the work was interrupted and resumed.
    func contents(where condition: String = "1") throws -> String {
        try sqlite("""
            SELECT case_id, version, type, workflow_id, workflow_version, payload, actor, ifnull(role, ''),
                   ifnull(on_behalf_of, ''), occurred_at
            FROM events WHERE \(condition) ORDER BY case_id, version
            """)
    }

    /// Drops the append-only triggers, as an intruder with `sqlite3` would, then runs `sql`.
    func tamper(_ sql: String) throws {
        try sqlite("""
            DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete;
            DROP TRIGGER definitions_refuse_update; DROP TRIGGER definitions_refuse_delete;
            \(sql)
            """)
    }

    /// A copy of this bench's log in a new bench (the log must not be open for writing).
    func copy() throws -> Bench {
        let other = try Bench()
        other.environment = environment
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: database + suffix) {
            try FileManager.default.copyItem(atPath: database + suffix, toPath: other.database + suffix)
        }
        return other
    }

    /// Deploys `Workflows/` (the authority's flows and calendars).
    func deployWorkflows() throws {
        try ok("deploy", Self.workflows)
    }

    /// Opens expert-review case `id` and drives it to `panel_review`, where the panel votes.
    func expertReviewInPanel(_ id: String) throws {
        try ok("start", "expert-review", "--case", id, "--by", "applicant-1", "--as", "applicant", "--at", "2020-02-09T18:00:00+08:00")
        try ok("fire", id, "accept", "--by", "clerk-wang", "--as", "clerk", "--doc", "application_form", "--doc", "technical_dossier",
               "--at", "2020-02-09T19:00:00+08:00")
        try ok("fire", id, "convene_panel", "--by", "clerk-wang", "--as", "clerk", "--at", "2020-02-10T09:30:00+08:00")
    }
}

extension Bench {
    /// Logs built once per test run, then copied by every test that starts from them: building a
    /// log command by command is the slow part of these tests.
    static let workflowsDeployed = Swift.Result<Bench, any Error> {
        let bench = try Bench()
        try bench.deployWorkflows()
        return bench
    }

    /// `Workflows/` deployed, and expert review `Q-1` in panel review.
    static let panelInSession = Swift.Result<Bench, any Error> {
        let bench = try workflowsDeployed.get().copy()
        try bench.expertReviewInPanel("Q-1")
        return bench
    }

    /// Only `permit-check` deployed, and its case `P1` in review.
    static let permitInReview = Swift.Result<Bench, any Error> {
        let bench = try Bench()
        try bench.ok("deploy", workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk")
        return bench
    }
}

/// Runs `body(i)` for `0..<count` on concurrent threads and returns the results in order.
func concurrently<T: Sendable>(_ count: Int, _ body: @Sendable @escaping (Int) throws -> T) throws -> [T] {
    let results = Locked([Int: Swift.Result<T, any Error>]())
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let result = Swift.Result { try body(i) }
        results.update { $0[i] = result }
    }
    return try (0..<count).map { try results.value[$0]!.get() }
}

/// A value shared between threads.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// How many times the bounded tests kill a process: `DOCKET_RELIABILITY_KILLS`, default `bounded`.
func killBudget(_ bounded: Int) -> Int {
    ProcessInfo.processInfo.environment["DOCKET_RELIABILITY_KILLS"].flatMap(Int.init) ?? bounded
}

/// A small seeded generator, so a failing run can be replayed (`DOCKET_RELIABILITY_SEED`).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DOCKET_RELIABILITY_SEED"].flatMap(UInt64.init) ?? 20_200_209
    }
}
