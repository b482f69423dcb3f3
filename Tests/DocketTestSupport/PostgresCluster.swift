import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: `initdb` in a temporary directory, a free
/// loopback port, password authentication over TCP, started once per test process
/// (``shared``) and stopped, with its directory removed, when the process exits. Each suite or
/// test takes a database of its own (``createDatabase(_:)``).
///
/// PostgreSQL refuses to run as root: as root, the cluster's directory is given to `nobody` and
/// `initdb` and `pg_ctl` run as `nobody` through `setpriv`, as Debian's `pg_ctlcluster` runs them
/// as `postgres`. Durability is switched off (`fsync=off`): the tests check what a reader and a
/// writer see, not what survives a power cut.
public final class PostgresCluster: @unchecked Sendable {
    // @unchecked: immutable after init, except the database counter (under `lock`).
    /// The cluster's directory (data, log, socket).
    public let directory: String
    /// The loopback port it listens on.
    public let port: Int
    /// The superuser the tests connect as, and its password.
    public let user = "docket"
    public let password: String
    /// The directory of `initdb`, `pg_ctl`, `psql`.
    public let binaries: String
    private let lock = NSLock()
    private var databases = 0
    /// The postmaster.
    private var server: RunningProcess!

    /// The cluster of this test process, started on first use; the error when it cannot start.
    public static let shared: Result<PostgresCluster, any Error> = {
        Result { try PostgresCluster() }
    }()

    /// The cluster, or the reason it is missing (as a failure).
    public static func require() throws -> PostgresCluster {
        try Prerequisite.postgreSQL.require()
        return try shared.get()
    }

    /// The directory holding PostgreSQL's server programs: Debian's newest
    /// `/usr/lib/postgresql/N/bin`, else the one `initdb` on `PATH` is in; nil when neither exists.
    public static var binaryDirectory: String? {
        let debian = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(debian)/\(version)/bin/pg_ctl") {
            return "\(debian)/\(version)/bin"
        }
        if let initdb = Processes.tool("initdb") {
            let resolved = initdb.resolvingSymlinksInPath().deletingLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: resolved.appendingPathComponent("pg_ctl").path) { return resolved.path }
        }
        return nil
    }

    private init() throws {
        guard let binaries = Self.binaryDirectory else { throw MissingPrerequisite([.postgreSQL]) }
        self.binaries = binaries
        Self.removeAbandonedClusters()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("docket-pg-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let passwordFile = (directory as NSString).appendingPathComponent("password")
        FileManager.default.createFile(atPath: passwordFile, contents: Data((password + "\n").utf8))
        try Unprivileged.handOver([directory, passwordFile])
        if Unprivileged.isRoot { chmod(directory, 0o700) }
        port = try Self.freePort()
        let data = (directory as NSString).appendingPathComponent("data")
        try runAsOwner("initdb", ["-D", data, "-U", user, "--pwfile=\(passwordFile)", "--auth-host=scram-sha-256",
                                  "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        let options = ["-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)", "-c", "unix_socket_directories=\(directory)",
                       "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"]
        // The postmaster runs as a child of this process (not daemonized by pg_ctl, whose exit
        // Foundation does not always notice): ready once it answers a query.
        let command = Unprivileged.command(URL(fileURLWithPath: "\(binaries)/postgres"), ["-D", data] + options)
        server = try Processes.start(command.executable, command.arguments, currentDirectory: URL(fileURLWithPath: "/"))
        Self.stopAtExit.update { $0.append(directory) }
        atexit { PostgresCluster.stopAll() }
        let deadline = Date().addingTimeInterval(120)
        while true {
            do {
                try sql("SELECT 1", database: "postgres")
                break
            } catch {
                guard Date() < deadline, kill(server.processIdentifier, 0) == 0 else {
                    throw PostgresCommandFailed(command: "postgres -D \(data)", output: "not ready: \(error); \(server.stdoutSoFar)")
                }
                usleep(100_000)
            }
        }
    }

    private static let stopAtExit = Locked<[String]>([])

    /// At exit: an immediate shutdown (SIGQUIT to the postmaster, no child process spawned while
    /// the process ends), then the directory goes.
    private static func stopAll() {
        for directory in stopAtExit.update({ directories in defer { directories = [] }; return directories }) {
            stop(directory)
        }
    }

    /// Stops the cluster in `directory` (its postmaster's pid is the first line of
    /// `data/postmaster.pid`) and removes the directory.
    private static func stop(_ directory: String) {
        let pidFile = (directory as NSString).appendingPathComponent("data/postmaster.pid")
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }), pid > 0,
           // Only a postmaster: a stale pid file may name a process that is not one any more.
           (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("postgres") == true {
            kill(pid, SIGQUIT)
            for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database named after `prefix`, and the URL (with the password) to reach it.
    public func createDatabase(_ prefix: String = "test") throws -> String {
        let name: String = lock.withLock {
            databases += 1
            return "\(prefix.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" })_\(databases)"
        }
        try sql("CREATE DATABASE \(name)", database: "postgres")
        return url(database: name)
    }

    /// The URL of `database` on this cluster, with the password in it.
    public func url(database: String) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// The URL of `database` without the password (for tests that give it another way).
    public func urlWithoutPassword(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// Runs `sql` with `psql` on `database` behind Docket's back (tampering, faults) and returns
    /// what it printed (unaligned, tuples only); throws with psql's error when it fails.
    @discardableResult
    public func sql(_ sql: String, database: String) throws -> String {
        let result = try Processes.run(URL(fileURLWithPath: "\(binaries)/psql"),
                                       ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)",
                                        "-U", user, "-d", database, "-c", sql],
                                       environment: ["PGPASSWORD": password], timeout: 120)
        guard result.exited, result.status == 0 else {
            throw PostgresCommandFailed(command: sql, output: result.stderr)
        }
        return result.stdout
    }

    /// The database name of a URL made by ``createDatabase(_:)``.
    public static func databaseName(of url: String) -> String {
        String(url.split(separator: "/").last ?? "")
    }

    // MARK: - Processes

    private func runAsOwner(_ tool: String, _ arguments: [String]) throws {
        try Self.runAsOwner(binaries: binaries, tool, arguments)
    }

    private static func runAsOwner(binaries: String, _ tool: String, _ arguments: [String]) throws {
        let command = Unprivileged.command(URL(fileURLWithPath: "\(binaries)/\(tool)"), arguments)
        let result = try Processes.run(command.executable, command.arguments, currentDirectory: URL(fileURLWithPath: "/"), timeout: 180)
        guard result.exited, result.status == 0 else {
            throw PostgresCommandFailed(command: ([tool] + arguments).joined(separator: " "), output: result.stdout + result.stderr)
        }
    }

    /// A port nothing listens on now: bound to port 0 on loopback, then released.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresCommandFailed(command: "socket()", output: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw PostgresCommandFailed(command: "bind()", output: String(cString: strerror(errno))) }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw PostgresCommandFailed(command: "getsockname()", output: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops and removes the clusters of test processes that died without stopping theirs (a
    /// killed `swift test`): their directory names the process.
    private static func removeAbandonedClusters() {
        let temporary = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("docket-pg-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[2]), pid != ProcessInfo.processInfo.processIdentifier,
                  kill(pid, 0) != 0 && errno == ESRCH
            else { continue }
            stop((temporary as NSString).appendingPathComponent(name))
        }
    }
}

/// A PostgreSQL tool (initdb, pg_ctl, psql) that failed, with what it printed.
public struct PostgresCommandFailed: Error, CustomStringConvertible {
    public var command: String
    public var output: String
    public var description: String { "\(command) failed: \(output)" }
}

extension Prerequisite {
    /// PostgreSQL's server programs (Debian's `postgresql` package), and a way to run them as a
    /// user other than root.
    public static var postgreSQL: Prerequisite {
        Prerequisite("PostgreSQL's server (initdb, pg_ctl) and, as root, \(Unprivileged.setpriv) to run it as nobody",
                     remedy: "apt-get install postgresql util-linux") {
            PostgresCluster.binaryDirectory != nil && (!Unprivileged.isRoot || FileManager.default.isExecutableFile(atPath: Unprivileged.setpriv))
        }
    }
}
