import DocketTestSupport
import Foundation
import Testing

/// The analytics projection on a PostgreSQL log, through the real binary: kept in the log's
/// database (not folded in memory each time), the same figures as on SQLite for the same log,
/// caught up after new events, caught up once when two processes race, rebuilt by `replay`.
@Suite("PostgreSQL projection from the command line", .requires(.postgreSQL, .docketBinary))
struct PostgresProjectionCommandTests {
    /// An instant after every simulated case, so open cases' ages are the same on every run.
    static let now = "2031-01-01T00:00:00Z"

    /// A simulated log on SQLite, and its copy on a new PostgreSQL database.
    private func simulatedLog(_ prefix: String, cases: Int = 80) throws -> Log {
        let cluster = try PostgresCluster.require()
        let postgres = try cluster.createDatabase(prefix)
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("simulate", "permit-check", "--cases", "\(cases)", "--seed", "7")
        try docket.ok("copy", "--from", docket.database, "--to", postgres)
        return (docket, postgres, PostgresCluster.databaseName(of: postgres), cluster)
    }

    private typealias Log = (docket: DocketBench, postgres: String, database: String, cluster: PostgresCluster)

    /// The rows of `table` in the PostgreSQL database.
    private func rows(_ table: String, _ log: Log) throws -> Int {
        Int(try log.cluster.sql("SELECT count(*) FROM \(table)", database: log.database).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -2
    }

    /// The rows of `table` in the SQLite file and in the PostgreSQL database.
    private func count(_ table: String, _ log: Log) throws -> (sqlite: Int, postgres: Int) {
        (Int(try log.docket.sqlite("SELECT count(*) FROM \(table)")) ?? -1, try rows(table, log))
    }

    @Test func aReportOnPostgreSQLIsTheReportOnSQLiteOfTheSameLog() throws {
        let log = try simulatedLog("report")
        let onSQLite = try log.docket.ok("report", "--format", "json", "--now", Self.now).stdout
        let onPostgres = try log.docket.ok("report", "--db", log.postgres, "--format", "json", "--now", Self.now)
        #expect(onPostgres.stdout == onSQLite)
        #expect(!onPostgres.stderr.contains("computed in memory"))
        // The projection is kept: its tables hold the facts, its checkpoint is the log's head.
        #expect(try rows("analytics_stays", log) > 0)
        #expect(try log.cluster.sql("SELECT (SELECT position FROM projection_checkpoints WHERE projection = 'analytics') = (SELECT position FROM log_head)",
                                    database: log.database).contains("t"))
        // Searches and open cases answer alike from the tables.
        for command in [["cases", "--open", "--format", "json"], ["cases", "--format", "json", "--limit", "500"]] {
            let sqlite = try log.docket.ok(command).stdout
            #expect(try log.docket.ok(command + ["--db", log.postgres]).stdout == sqlite, "\(command)")
        }
        // Rebuilt from scratch, the same again.
        try log.docket.ok("replay", "--db", log.postgres)
        #expect(try log.docket.ok("report", "--db", log.postgres, "--format", "json", "--now", Self.now).stdout == onSQLite)
    }

    @Test func newEventsAreCaughtUpByTheNextCommand() throws {
        let log = try simulatedLog("catchup", cases: 20)
        try log.docket.ok("report", "--db", log.postgres, "--format", "json")
        let before = try rows("analytics_open_cases", log)
        try log.docket.ok("start", "permit-check", "--case", "NEW-1", "--by", "li.wei", "--as", "applicant", "--db", log.postgres)
        try log.docket.ok("report", "--db", log.postgres, "--format", "json")
        #expect(try rows("analytics_open_cases", log) == before + 1)
        #expect(try log.cluster.sql("SELECT count(*) FROM analytics_open_cases WHERE case_id = 'NEW-1'", database: log.database)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(try log.cluster.sql("SELECT (SELECT position FROM projection_checkpoints WHERE projection = 'analytics') = (SELECT position FROM log_head)",
                                    database: log.database).contains("t"))
    }

    @Test func twoProcessesCatchingUpAtOnceApplyEachEventOnce() throws {
        let log = try simulatedLog("race", cases: 150)
        try log.docket.ok("report", "--format", "json", "--now", Self.now)  // the SQLite side's projection, for comparison
        /// Runs `arguments` in two processes at once; both must succeed, and the PostgreSQL
        /// projection must then hold what the SQLite one holds: no fact twice, none missing.
        func race(_ arguments: [String]) throws {
            let processes = [try log.docket.start(arguments), try log.docket.start(arguments)]
            for process in processes {
                let result = try process.wait()
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            for table in ["analytics_stays", "analytics_transitions", "analytics_cases", "analytics_breaches", "analytics_open_cases",
                          "analytics_desk_cases"] {
                let counts = try count(table, log)
                #expect(counts.postgres == counts.sqlite, "\(arguments): \(table)")
            }
        }
        // Two first catch-ups of a log that has no projection yet.
        try race(["report", "--db", log.postgres, "--format", "json", "--now", Self.now])
        // Two rebuilds in batches of 7 events: many turns, each batch written by one of them.
        try race(["replay", "--db", log.postgres, "--batch-size", "7"])
        #expect(try log.docket.ok("report", "--db", log.postgres, "--format", "json", "--now", Self.now).stdout
                == log.docket.ok("report", "--format", "json", "--now", Self.now).stdout)
    }
}
