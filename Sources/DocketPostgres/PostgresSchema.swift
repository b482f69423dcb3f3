import Foundation
import DocketStore
import PostgresNIO

/// The PostgreSQL schema: the migrations of `Migrations/postgres/` (embedded at build time by
/// `Scripts/embed-migrations`), applied in order and recorded in `docket_migrations`, as the
/// SQLite store records its own; a database with a migration this binary does not know is refused.
///
/// All pending migrations are applied in one transaction (PostgreSQL's DDL is transactional)
/// under an advisory lock, so processes opening a new database together apply them once.
enum PostgresSchema {
    /// The advisory lock key of migrating (`pg_advisory_xact_lock`): "docket" in ASCII.
    static let migrationLock: Int64 = 0x646F_636B_6574

    /// Identifiers of the migrations this binary knows, in order.
    static var knownIdentifiers: [String] { embeddedMigrations.map(\.identifier) }

    /// Brings the database up to date; refuses one a newer Docket has migrated.
    static func migrate(_ session: PostgresSession) throws {
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try session.run("""
                CREATE TABLE IF NOT EXISTS docket_migrations (
                    identifier text PRIMARY KEY,
                    applied_at bigint NOT NULL
                )
                """)
            let applied = try appliedIdentifiers(session)
            try refuseNewer(applied, location: session.connector.location)
            for migration in embeddedMigrations where !applied.contains(migration.identifier) {
                for statement in statements(of: migration.sql) {
                    try session.run(statement)
                }
                // The server's time: the store's clock is for the log's own times only.
                try session.query("""
                    INSERT INTO docket_migrations (identifier, applied_at)
                    VALUES (\(migration.identifier), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
                    """)
            }
        }
    }

    /// Checks, without writing, that the database is exactly at this binary's schema (a standby).
    static func checkUpToDate(_ session: PostgresSession) throws {
        let exists = try session.query("SELECT to_regclass('docket_migrations') IS NOT NULL").first?.decode(Bool.self) ?? false
        let applied: Set<String> = exists ? try appliedIdentifiers(session) : []
        try refuseNewer(applied, location: session.connector.location)
        let missing = knownIdentifiers.filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw StoreError(
                .schemaOutdated,
                "\(session.connector.location) lacks migrations \(missing.joined(separator: ", ")) and is read-only (a standby?); "
                    + "open the primary once with a docket write command to create or upgrade the log.")
        }
    }

    /// The algorithm the log's hashes use; a log chained with an unknown one is refused.
    static func checkHashAlgorithm(_ session: PostgresSession) throws {
        let name = try session.query("SELECT value FROM log_settings WHERE key = 'hash_algorithm'").first?.decode(String.self)
        guard let name, HashAlgorithm(rawValue: name) != nil else {
            throw StoreError(
                .schemaTooNew,
                "\(session.connector.location) chains its events with hash algorithm '\(name ?? "(none)")', which this docket does not "
                    + "implement (it knows \(HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))). Upgrade docket to use this database.")
        }
    }

    private static func appliedIdentifiers(_ session: PostgresSession) throws -> Set<String> {
        Set(try session.run("SELECT identifier FROM docket_migrations").map { try $0.decode(String.self) })
    }

    private static func refuseNewer(_ applied: Set<String>, location: PostgresLocation) throws {
        let unknown = applied.subtracting(knownIdentifiers).sorted()
        if !unknown.isEmpty {
            throw StoreError(
                .schemaTooNew,
                "\(location) was created by a newer docket: it has migration\(unknown.count == 1 ? "" : "s") "
                    + "\(unknown.joined(separator: ", ")), which this docket does not know "
                    + "(it knows up to \(knownIdentifiers.last ?? "none")). Upgrade docket to use this database.")
        }
    }

    /// The statements of a migration file, one per query (the extended protocol takes one at a
    /// time): split at a `;` ending a line, outside `$$` function bodies; comment lines dropped.
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inBody && (trimmed.hasPrefix("--") || trimmed.isEmpty) { continue }
            current.append(line)
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && trimmed.hasSuffix(";") {
                var statement = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                statement.removeLast()
                statements.append(statement)
                current = []
            }
        }
        let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}
