import DocketAnalytics
import DocketCore
import DocketPostgres
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What the PostgreSQL projection store promises beyond the contract suite (which runs against it
/// too): writers in turn across stores that share the database (as processes do), and its tables
/// made by `recreate()`, outside the log's migrations.
@Suite("PostgreSQL projection store", .requires(.postgreSQL))
struct PostgresProjectionStoreTests {
    @Test func writersOfTwoStoresOnOneDatabaseTakeTurns() throws {
        let url = try PostgresCluster.require().createDatabase("turns")
        let first = PostgresProjectionStore(log: try PostgresEventStore(url: url))
        let second = PostgresProjectionStore(log: try PostgresEventStore(url: url))
        try first.log.append([Facts.opened("A")], to: "A", expectedVersion: 0)
        try first.write { try $0.recreate() }
        /// What each writer saw when it began, and when it ended.
        let events = Locked<[String]>([])
        let secondDone = DispatchSemaphore(value: 0)
        let failure = Locked<String?>(nil)
        try first.write { tables in
            events.update { $0.append("first began") }
            Thread.detachNewThread {
                do {
                    try second.write { tables in
                        let checkpoint = try tables.checkpoint()
                        events.update { $0.append("second began at checkpoint \(checkpoint)") }
                        try tables.saveCheckpoint(1)
                    }
                } catch {
                    failure.set("\(error)")
                }
                secondDone.signal()
            }
            // The second writer has every chance to begin now; it must wait for this commit.
            Thread.sleep(forTimeInterval: 1)
            try tables.saveCheckpoint(1)
            events.update { $0.append("first ends") }
        }
        secondDone.wait()
        #expect(failure.value == nil)
        // The second saw the first's checkpoint: it began after the commit, not beside it.
        #expect(events.value == ["first began", "first ends", "second began at checkpoint 1"])
    }

    @Test func theTablesAreMadeByRecreateNotByAMigration() throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("tables")
        let store = PostgresProjectionStore(log: try PostgresEventStore(url: url))
        let database = PostgresCluster.databaseName(of: url)
        #expect(try cluster.sql("SELECT to_regclass('analytics_stays') IS NULL", database: database).contains("t"))
        #expect(try store.read { try $0.installedVersion() } == nil)
        try store.write { try $0.recreate() }
        #expect(try store.read { try $0.installedVersion() } == ProjectionSchema.version)
        #expect(try cluster.sql("SELECT count(*) FROM analytics_stays", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // Text in byte order, as SQLite orders it.
        #expect(try cluster.sql("SELECT collation_name FROM information_schema.columns WHERE table_name = 'analytics_desk_cases' AND column_name = 'case_id'",
                                database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "C")
    }
}
