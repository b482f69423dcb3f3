import ArgumentParser
import DocketPostgres
import DocketStore
import Foundation

/// The `--db` option every command that touches the event log shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The event log: an SQLite file, or a PostgreSQL database as postgres://user@host:port/db (default: $DOCKET_DB, else docket.sqlite).",
        valueName: "path|url"))
    var db: String?

    /// The database path: `--db`, else `$DOCKET_DB`, else `docket.sqlite` in the current directory.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["DOCKET_DB"] ?? "docket.sqlite"
    }

    /// Whether the log is a PostgreSQL database (`postgres://...`) rather than an SQLite file.
    var isPostgres: Bool { PostgresLocation.isPostgresURL(path) }

    /// The one place a command opens the event log: the SQLite file, or the PostgreSQL
    /// database, at ``path``. Only commands that create a log pass `create`; any other refuses a
    /// place where there is no log. An SQLite file this process may not write is opened
    /// read-only; a PostgreSQL standby is opened read-only by the store itself.
    /// `connections` bounds a PostgreSQL store's pool (a server's requests share it).
    func openLog(create: Bool, connections: Int = 4) throws -> any EventStore {
        if isPostgres { return try openPostgres(create: create, connections: connections) }
        if !create { try Self.requireLog(at: path) }
        return try SQLiteEventStore(path: path, options: try openOptions(create: create))
    }

    /// The PostgreSQL log at ``path``; without `create`, a database holding no Docket log is
    /// refused rather than given one (as a mistyped file name is).
    func openPostgres(create: Bool, connections: Int = 4) throws -> PostgresEventStore {
        try PostgresEventStore(url: path, options: .init(lockTimeout: try busyTimeout(), maximumConnections: connections, mustExist: !create))
    }

    /// Refuses, naming `what`, a command that needs what only the SQLite store keeps so far
    /// (`docket replay`'s projection tables, documents' files beside the log).
    func requireSQLite(for what: String) throws {
        if isPostgres {
            throw UsageFailure("\(what) is not supported on PostgreSQL yet (Docs/store.md, \"PostgreSQL\"): "
                + "Docket keeps it beside an SQLite log only. Use an SQLite log for it, or copy the log with docket copy")
        }
    }

    /// Refuses a path where there is no log, naming it: only `deploy` and `init` create one.
    static func requireLog(at path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw UsageFailure("no event log at \(path): nothing was created. Check --db or $DOCKET_DB; "
                + "a new log is created by docket deploy (or an empty one by docket init --db \(path))")
        }
        if isDirectory.boolValue { throw UsageFailure("\(path) is a directory, not an event log: pass the log's file with --db") }
    }

    /// Whether this process may write the log at `path` (and create its journal beside it). A
    /// log it may not write (a write-protected file, a read-only copy or mount) is opened
    /// read-only, so that every command that only reads still works on it.
    static func isWritable(_ path: String) -> Bool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return access(path, W_OK) == 0 && access(directory, W_OK) == 0
    }

    /// How a command opens the log at `path`: read-write when this process may write it (or
    /// `create`s it), else read-only; and immutable when, besides, no one may write the folder
    /// and no write-ahead log is beside it (a backup in a read-only folder or mount), where SQLite
    /// could not create the shared-memory file it otherwise needs.
    func openOptions(create: Bool) throws -> SQLiteEventStore.Options {
        let readOnly = !create && !Self.isWritable(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let immutable = readOnly && access(folder, W_OK) != 0 && !FileManager.default.fileExists(atPath: path + "-wal")
        return .init(busyTimeout: try busyTimeout(), readOnly: readOnly, immutable: immutable)
    }

    /// How long a write waits for another writer to finish before failing with exit code 4, in
    /// seconds: `$DOCKET_BUSY_TIMEOUT`, else 5. Scripts and tests that expect a held lock shorten it.
    func busyTimeout() throws -> Double {
        guard let text = ProcessInfo.processInfo.environment["DOCKET_BUSY_TIMEOUT"] else { return 5 }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
            throw UsageFailure("DOCKET_BUSY_TIMEOUT '\(text)' is not a number of seconds between 0 and 86400")
        }
        return seconds
    }
}
