import DocketTestSupport
import Foundation
import Testing

/// `--db postgres://...` through the real binary, on the test process's throwaway cluster: the
/// commands on a PostgreSQL log, and `docket copy` moving a log from SQLite to PostgreSQL and back
/// with its positions and hashes, verifying alike on every side.
@Suite("PostgreSQL from the command line", .requires(.postgreSQL, .docketBinary))
struct PostgresCommandTests {
    @Test func aLogCopiedToPostgreSQLAndBackVerifiesWithTheSameHeadEverywhere() throws {
        let cluster = try PostgresCluster.require()
        let postgres = try cluster.createDatabase("copy")
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("start", "permit-check", "--case", "P1", "--by", "li.wei", "--as", "applicant", "--key", "start-P1")
        try docket.ok("start", "permit-check", "--case", "P2", "--by", "li.wei", "--as", "applicant")
        let original = try docket.ok("verify", "--format", "json").stdout

        let there = try docket.ok("copy", "--from", docket.database, "--to", postgres)
        #expect(there.stdout.contains("copied 2 event(s)"))
        #expect(!there.stdout.contains(cluster.password) && !there.stderr.contains(cluster.password))
        let onPostgres = try docket.ok("verify", "--db", postgres, "--format", "json").stdout
        #expect(onPostgres == original)

        let back = docket.directory.appendingPathComponent("back.sqlite").path
        try docket.ok("copy", "--from", postgres, "--to", back)
        #expect(try docket.ok("verify", "--db", back, "--format", "json").stdout == original)

        // A copy never merges into a log that holds records.
        let again = try docket.docket("copy", "--from", docket.database, "--to", postgres)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a log"))
    }

    @Test func commandsRunOnAPostgreSQLLog() throws {
        let cluster = try PostgresCluster.require()
        let docket = DocketBench()
        docket.environment["DOCKET_DB"] = try cluster.createDatabase("cli")
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("start", "permit-check", "--case", "Q1", "--by", "li.wei", "--as", "applicant", "--key", "k-Q1")
        // A retry with the same key is answered from the first result.
        let retry = try docket.ok("start", "permit-check", "--case", "Q1", "--by", "li.wei", "--as", "applicant", "--key", "k-Q1")
        #expect(!retry.stdout.isEmpty)
        let history = try docket.ok("history", "Q1")
        #expect(history.stdout.contains("li.wei"))
        let cases = try docket.ok("cases", "--format", "json")
        #expect(cases.stdout.contains("\"Q1\""))
        try docket.ok("report", "--format", "json")
        try docket.ok("verify")
        // API tokens and the access log are kept in the database too.
        let token = try docket.ok("token", "create", "--for", "portal").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try docket.docket(["token", "verify"], stdin: Data((token + "\n").utf8)).stdout == "api_token:portal\n")
        let id = String(token.split(separator: "_")[1])
        #expect(try docket.ok("token", "revoke", id).stdout.contains("revoked"))
        #expect(try docket.docket(["token", "verify"], stdin: Data((token + "\n").utf8)).status != 0)
        #expect(try docket.ok("token", "list").stdout.contains("revoked"))
        let reads = try docket.ok("access-log", "--format", "json").stdout
        #expect((try JSONSerialization.jsonObject(with: Data(reads.utf8)) as? [Any])?.isEmpty == true, "\(reads)")
        // What only an SQLite log keeps is refused, saying so.
        let backup = try docket.docket("backup", "--to", docket.directory.appendingPathComponent("copy.sqlite").path)
        #expect(backup.status != 0)
        #expect(backup.stderr.contains("pg_basebackup"))
    }

    @Test func aMistypedDatabaseIsRefusedAndNothingIsCreated() throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("empty")
        let docket = DocketBench()
        let result = try docket.docket("history", "X1", "--db", url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no event log in"))
        #expect(!result.stderr.contains(cluster.password))
        #expect(try cluster.sql("SELECT to_regclass('events') IS NULL", database: PostgresCluster.databaseName(of: url)).contains("t"))
    }
}
