import Foundation
import Testing

/// The built `docket` executable.
public enum DocketBinary {
    /// Next to the test binary (where `swift build` puts both), else `.build/debug/docket`.
    public static let url: URL = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir.appendingPathComponent("docket"),
                          dir.deletingLastPathComponent().appendingPathComponent("docket"),
                          Repository.root.appendingPathComponent(".build/debug/docket")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()
}

/// A temporary folder holding one event log, driven by the real `docket` binary (as a clerk's
/// script would) and inspected behind Docket's back with the `sqlite3` tool: the one way tests
/// run `docket`.
///
/// Every process runs with `DOCKET_DB` set to the folder's log and the folder as its working
/// directory, so no argument can make it touch another database. The folder is removed when the
/// bench is released. (`environment` is set before any process starts, never while they run.)
public final class DocketBench: @unchecked Sendable {
    public let directory: URL
    public let database: String
    /// Extra environment for every process (e.g. a short `DOCKET_BUSY_TIMEOUT`).
    public var environment: [String: String] = [:]
    private let temporary: TemporaryDirectory

    public typealias Result = ProcessResult

    public init() {
        temporary = TemporaryDirectory("docket-bench")
        directory = temporary.url
        database = temporary.path("docket.sqlite")
    }

    /// Writes `text` to a file named `name` in the bench's folder and returns its path.
    @discardableResult
    public func file(_ name: String, _ text: String) -> String { temporary.file(name, text) }

    /// The repository's `Workflows/` folder.
    public static let workflows = Repository.workflows.path

    /// The environment of every process of this bench.
    public var processEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET_DB"] = database
        environment.removeValue(forKey: "DOCKET_BUSY_TIMEOUT")
        environment.merge(self.environment) { $1 }
        return environment
    }

    /// Starts `docket arguments` (or `executable arguments`, e.g. `setpriv`), without waiting.
    public func start(_ arguments: [String], executable: URL = DocketBinary.url, stdin: Data? = nil) throws -> RunningProcess {
        try RunningProcess(executable: executable, arguments: arguments, environment: processEnvironment,
                           currentDirectory: directory, stdin: stdin, interactive: false)
    }

    /// Runs `docket arguments` to completion.
    @discardableResult
    public func docket(_ arguments: String...) throws -> Result { try docket(arguments) }

    /// Runs `docket arguments` (or `executable arguments`) to completion, with `stdin` as its input.
    @discardableResult
    public func docket(_ arguments: [String], executable: URL = DocketBinary.url, stdin: Data? = nil,
                       timeout: TimeInterval = Processes.defaultTimeout) throws -> Result {
        try start(arguments, executable: executable, stdin: stdin).wait(timeout: timeout)
    }

    /// Runs `docket arguments`, requiring success.
    @discardableResult
    public func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        try ok(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    public func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let result = try docket(arguments)
        try #require(result.status == 0, "docket \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs SQL on the log (or on `file`) with the `sqlite3` tool; returns its output, trimmed.
    @discardableResult
    public func sqlite(_ sql: String, file: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try Processes.run(tool: "sqlite3", ["-bail", file ?? database, sql])
        try #require(result.status == 0, "sqlite3: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The number of events in the log.
    public func eventCount() throws -> Int { Int(try sqlite("SELECT count(*) FROM events")) ?? -1 }

    /// A copy of this bench's log in a new bench (the log must not be open for writing).
    public func copy() throws -> DocketBench {
        let other = DocketBench()
        other.environment = environment
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: database + suffix) {
            try FileManager.default.copyItem(atPath: database + suffix, toPath: other.database + suffix)
        }
        return other
    }
}

/// Acting as a user file permissions apply to: as root, commands run as `nobody` through `setpriv`.
public enum Unprivileged {
    public static let setpriv = "/usr/bin/setpriv"
    /// The user and group ids commands run as when the tests run as root.
    public static let nobody: UInt32 = 65534

    public static var isRoot: Bool { getuid() == 0 }

    /// `executable arguments` as a user who is not root: unchanged unless the tests run as root.
    public static func command(_ executable: URL, _ arguments: [String]) -> (executable: URL, arguments: [String]) {
        guard isRoot else { return (executable, arguments) }
        return (URL(fileURLWithPath: setpriv),
                ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", executable.path] + arguments)
    }

    /// Gives `paths` to `nobody` when the tests run as root (so that, as in a user's own folder,
    /// only the permission bits stand in the way).
    public static func handOver(_ paths: [String]) throws {
        guard isRoot else { return }
        for path in paths {
            try FileManager.default.setAttributes([.ownerAccountID: nobody, .groupOwnerAccountID: nobody], ofItemAtPath: path)
        }
    }
}

/// The test binary itself, run as a child process: for tests that need several processes of
/// their own, or a test run as a user other than root.
public enum TestBinary {
    public static let path = CommandLine.arguments[0]

    /// True when the binary is the `.xctest` executable `swift test` runs directly (Linux).
    public static var isRunnable: Bool { path.hasSuffix(".xctest") && FileManager.default.isExecutableFile(atPath: path) }

    /// Starts the tests matching `filter` (a Swift Testing filter) in a copy of the test binary.
    public static func start(filter: String, environment: [String: String] = [:], unprivileged: Bool = false) throws -> RunningProcess {
        try Prerequisite.runnableTestBinary.require()
        let arguments = ["--testing-library", "swift-testing", "--filter", filter]
        let (executable, args) = unprivileged ? Unprivileged.command(URL(fileURLWithPath: path), arguments)
                                              : (URL(fileURLWithPath: path), arguments)
        return try Processes.start(executable, args, environment: environment)
    }

    /// Whether the output of a child test run says the test `name` ran and passed (not skipped).
    public static func passed(_ name: String, in output: String) -> Bool {
        output.split(separator: "\n").contains { $0.contains("Test \(name)") && $0.contains(" passed") }
    }

    /// Runs the one test named `name` in a copy of the test binary (as `nobody` when `unprivileged`
    /// and the tests run as root) and fails the calling test unless it ran and passed there.
    public static func runTest(_ name: String, unprivileged: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try start(filter: name, unprivileged: unprivileged).wait()
        let output = result.stdout + result.stderr
        #expect(result.status == 0 && passed(name, in: output),
                "\(name) in a child test process (status \(result.status)):\n\(output.suffix(4000))", sourceLocation: sourceLocation)
    }
}
