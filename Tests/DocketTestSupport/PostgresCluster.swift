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
    // @unchecked: immutable after init, except the database counter and the postmaster (under `lock`).
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

    /// A cluster of the caller's own, not shared with other tests: for a test that restarts it or
    /// fills its disk. Stopped and removed by ``stop()`` (and at exit).
    /// `prepare` runs once the cluster's directory exists, before the server starts (to put a
    /// certificate there, say), and returns settings for the server (`ssl` = `on`).
    public static func startPrivate(prepare: (PostgresCluster) throws -> [String: String] = { _ in [:] }) throws -> PostgresCluster {
        try Prerequisite.postgreSQL.require()
        return try PostgresCluster(prepare: prepare)
    }

    /// Settings of this cluster's server beyond the tests' own.
    private var settings: [String: String] = [:]

    private init(prepare: (PostgresCluster) throws -> [String: String] = { _ in [:] }) throws {
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
        Self.stopAtExit.update { $0.append(directory) }
        atexit { PostgresCluster.stopAll() }
        settings = try prepare(self)
        try start()
    }

    /// Starts the postmaster and waits until it answers.
    private func start() throws {
        let data = (directory as NSString).appendingPathComponent("data")
        let options = ["-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)", "-c", "unix_socket_directories=\(directory)",
                       "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"]
            + settings.sorted { $0.key < $1.key }.flatMap { ["-c", "\($0.key)=\($0.value)"] }
        // The postmaster runs as a child of this process (not daemonized by pg_ctl, whose exit
        // Foundation does not always notice): ready once it answers a query.
        let command = Unprivileged.command(URL(fileURLWithPath: "\(binaries)/postgres"), ["-D", data] + options)
        let server = try Processes.start(command.executable, command.arguments, currentDirectory: URL(fileURLWithPath: "/"))
        lock.withLock { self.server = server }
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

    /// Stops the whole cluster and starts it again on the same port, as an operator's restart or
    /// a power cut would: `immediately` ends every backend at once without a checkpoint (crash
    /// recovery on the way up), otherwise a fast shutdown rolls back what is in flight.
    public func restart(immediately: Bool) throws {
        let server = lock.withLock { self.server! }
        server.signal(immediately ? SIGQUIT : SIGINT)
        _ = try server.wait(timeout: 120)
        try start()
    }

    /// Stops this cluster and removes its directory (a private one; the shared one stops at exit).
    public func stop() {
        Self.stopAtExit.update { $0.removeAll { $0 == directory } }
        Self.stop(directory)
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

    public init(command: String, output: String) {
        self.command = command
        self.output = output
    }
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

/// A small file system of its own (tmpfs), to fill up: the tests of a full disk on the database.
/// Mounting needs root (CAP_SYS_ADMIN), as CI runs the tests.
public final class SmallDisk: @unchecked Sendable {
    // @unchecked: immutable after init.
    /// Where it is mounted.
    public let path: String

    /// Mounts a tmpfs of `megabytes` at a new directory inside `directory`, owned by the user
    /// PostgreSQL runs as.
    public init(megabytes: Int, inside directory: String) throws {
        path = (directory as NSString).appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try Processes.run(tool: "mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", path])
        guard result.status == 0 else { throw PostgresCommandFailed(command: "mount -t tmpfs", output: result.stderr) }
        try Unprivileged.handOver([path])
    }

    /// Fills what is left with a file (`filler`) and returns its path; removing it frees the space.
    @discardableResult
    public func fill() throws -> String {
        let filler = (path as NSString).appendingPathComponent("filler")
        let result = try Processes.run(tool: "sh", ["-c", "cat /dev/zero > '\(filler)' 2>/dev/null; sync; true"])
        guard result.status == 0 else { throw PostgresCommandFailed(command: "fill \(path)", output: result.stderr) }
        return filler
    }

    /// Removes the filler: the space is free again.
    public func free() throws {
        try FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent("filler"))
    }

    /// Unmounts it (the cluster using it must be stopped first).
    public func unmount() {
        _ = try? Processes.run(tool: "umount", ["-l", path])
    }
}

extension Prerequisite {
    /// Mounting a small tmpfs, to fill a disk on purpose: root with CAP_SYS_ADMIN, as in CI.
    public static var mountableDisk: Prerequisite {
        Prerequisite("root allowed to mount a tmpfs (to fill a database's disk on purpose)",
                     remedy: "run the tests as root, as CI does (a container needs CAP_SYS_ADMIN)") {
            guard Unprivileged.isRoot else { return false }
            let probe = FileManager.default.temporaryDirectory.appendingPathComponent("docket-mount-\(UUID().uuidString.prefix(8))").path
            defer { try? FileManager.default.removeItem(atPath: probe) }
            guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil,
                  let mounted = try? Processes.run(tool: "mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]), mounted.status == 0
            else { return false }
            _ = try? Processes.run(tool: "umount", [probe])
            return true
        }
    }
}
