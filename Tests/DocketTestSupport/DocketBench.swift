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
///
/// A bench may keep its log on PostgreSQL instead (``init(store:)`` with `.postgres`: a database
/// of its own on the test process's throwaway cluster, `DOCKET_DB` its URL), for the
/// process-level tests that run against both stores; ``sql(_:)`` then asks it through `psql`.
public final class DocketBench: @unchecked Sendable {
    /// Where a bench keeps its log.
    public enum Store: String, Sendable, CustomStringConvertible {
        case sqlite
        case postgres

        public var description: String { rawValue }

        /// Both; PostgreSQL only where its server is installed or a missing one must fail
        /// (`DOCKET_REQUIRE_PREREQUISITES=1`), as for the store's contract suite.
        public static var allCases: [Store] {
            Prerequisite.postgreSQL.isPresent || Prerequisite.areRequired ? [.sqlite, .postgres] : [.sqlite]
        }
    }

    public let directory: URL
    /// The log: a file path, or a `postgres://` URL (with the password).
    public let database: String
    /// Where the log is kept.
    public let store: Store
    /// Extra environment for every process (e.g. a short `DOCKET_BUSY_TIMEOUT`).
    public var environment: [String: String] = [:]
    private let temporary: TemporaryDirectory
    private let cluster: PostgresCluster?

    public typealias Result = ProcessResult

    public convenience init() {
        // An SQLite bench cannot fail to be made.
        try! self.init(store: .sqlite)
    }

    /// A bench whose log is kept in `store` (on PostgreSQL: a new database, no log in it yet).
    public init(store: Store) throws {
        temporary = TemporaryDirectory("docket-bench")
        directory = temporary.url
        self.store = store
        switch store {
        case .sqlite:
            cluster = nil
            database = temporary.path("docket.sqlite")
        case .postgres:
            let cluster = try PostgresCluster.require()
            self.cluster = cluster
            database = try cluster.createDatabase("bench")
        }
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

    /// Runs SQL on the log with the store's own tool (`sqlite3`, or `psql` with `-At`: the same
    /// `a|b` lines), written for SQLite: on PostgreSQL, `json_extract(payload, '$.key')` is read as
    /// `payload::json->>'key'` (the rest must be SQL both understand).
    @discardableResult
    public func sql(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard let cluster else { return try sqlite(sql, sourceLocation: sourceLocation) }
        let text = sql.replacing(/json_extract\(payload, '\$\.(\w+)'\)/) { "(payload::json->>'\($0.output.1)')" }
        do {
            return try cluster.sql(text, database: PostgresCluster.databaseName(of: database)).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            Issue.record("psql: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The number of events in the log.
    public func eventCount() throws -> Int { Int(try sql("SELECT count(*) FROM events")) ?? -1 }

    /// A copy of this bench's log in a new bench kept in `store` (the log must not be open for
    /// writing): a file copy, or `docket copy` into PostgreSQL.
    public func copy(to store: Store = .sqlite) throws -> DocketBench {
        if store == .postgres {
            let other = try DocketBench(store: .postgres)
            other.environment = environment
            try other.ok("copy", "--from", database, "--to", other.database)
            return other
        }
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
