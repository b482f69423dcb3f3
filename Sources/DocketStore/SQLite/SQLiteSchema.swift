import Foundation
import GRDB

/// The database schema: the migrations of `Migrations/` (embedded at build time), applied in
/// order by GRDB's `DatabaseMigrator`, each under its file name.
enum SQLiteSchema {
    /// The migrator that knows every migration of this binary.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in embeddedMigrations {
            let sql = migration.sql
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }

    /// Identifiers of the migrations this binary knows, in order.
    static var knownIdentifiers: [String] { embeddedMigrations.map(\.identifier) }

    /// Brings the database up to date; refuses a database a newer Docket has migrated.
    ///
    /// Several processes may open a new database at once: when another one applied the
    /// migrations first, ours fails ("table events already exists"); the database is then up
    /// to date, which is all we wanted.
    static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = self.migrator
        try refuseNewer(pool, path: path)
        // Each migration commits on its own: a process that lost the race to apply one may find
        // the other still applying the next, so it waits for the schema to be complete (a
        // second at most) before reporting the failure.
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                let completed = (try? pool.read { try migrator.hasCompletedMigrations($0) }) ?? false
                if completed { return }
                attempt += 1
                if attempt >= 50 { throw error }
                usleep(20_000)
            }
        }
    }

    /// The algorithm the log's hashes use (`log_settings`); a log chained with an algorithm this
    /// binary does not implement is refused rather than reported as tampered with.
    static func checkHashAlgorithm(_ pool: DatabasePool, path: String) throws {
        let name = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM log_settings WHERE key = 'hash_algorithm'")
        }
        guard let name, HashAlgorithm(rawValue: name) != nil else {
            throw StoreError(
                .schemaTooNew,
                "database \(path) chains its events with hash algorithm '\(name ?? "(none)")', which this docket does not "
                    + "implement (it knows \(HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))). "
                    + "Upgrade docket to use this database.")
        }
    }

    /// Checks, without writing, that the database is exactly at this binary's schema.
    static func checkUpToDate(_ pool: DatabasePool, path: String) throws {
        try refuseNewer(pool, path: path)
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        let missing = knownIdentifiers.filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw StoreError(
                .schemaOutdated,
                "database \(path) lacks migrations \(missing.joined(separator: ", ")) and is open read-only; "
                    + "open it once read-write (any docket write command) to upgrade it.")
        }
    }

    private static func refuseNewer(_ pool: DatabasePool, path: String) throws {
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        let unknown = applied.subtracting(knownIdentifiers).sorted()
        if !unknown.isEmpty {
            throw StoreError(
                .schemaTooNew,
                "database \(path) was created by a newer docket: it has migration\(unknown.count == 1 ? "" : "s") "
                    + "\(unknown.joined(separator: ", ")), which this docket does not know "
                    + "(it knows up to \(knownIdentifiers.last ?? "none")). Upgrade docket to use this database.")
        }
    }
}
