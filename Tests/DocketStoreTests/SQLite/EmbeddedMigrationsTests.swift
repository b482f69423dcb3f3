@testable import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// The SQL compiled into the binary is exactly the SQL of `Migrations/`, which is what the
/// store applies, each migration under its file name.
@Suite("Embedded migrations")
struct EmbeddedMigrationsTests {
    /// `Migrations/` at the top of the package.
    static let migrationsDirectory = Repository.migrations

    static func migrationFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: migrationsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func embeddedMigrationsAreNamedAfterTheFilesInOrder() throws {
        let names = try Self.migrationFiles().map { $0.deletingPathExtension().lastPathComponent }
        #expect(!names.isEmpty)
        #expect(SQLiteSchema.embeddedMigrations.map(\.identifier) == names)
    }

    @Test func embeddedMigrationsAreByteForByteTheFiles() throws {
        let files = try Self.migrationFiles()
        for (file, embedded) in zip(files, SQLiteSchema.embeddedMigrations) {
            let bytes = try Data(contentsOf: file)
            #expect(Data(embedded.sql.utf8) == bytes, "\(file.lastPathComponent) differs from its embedded copy: run Scripts/embed-migrations")
        }
    }

    @Test func aNewDatabaseRecordsEveryMigrationUnderItsFileName() throws {
        let directory = TemporaryDirectory("store")
        let path = directory.path("docket.sqlite")
        _ = try SQLiteEventStore(path: path)
        let applied = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == SQLiteSchema.embeddedMigrations.map(\.identifier))
    }
}
