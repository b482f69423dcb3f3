import DocketTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `docket serve --db postgres://...`: real servers on loopback on the test process's throwaway
/// PostgreSQL cluster, with an API token made by `docket token create --db postgres://...`. They
/// answer as a server on SQLite does; several share one database (the writes spread over them,
/// each acknowledged command in the log once; each deadline breach recorded once); what they read
/// is in the access log `docket access-log` shows.
@Suite("docket serve on PostgreSQL", .requires(.postgreSQL, .sqlite3, .docketBinary))
struct ServePostgresTests {
    /// A case opened, moved on, read, and reported, on one server; the answers, with what differs
    /// from run to run (the times of recording, request ids) left out.
    static func flow(_ server: LiveServer) async throws -> [String] {
        var answers: [String] = []
        func note(_ label: String, _ answer: LiveServer.Answer) {
            answers.append("\(label): \(answer.status) \(normalised(answer.body))")
        }
        note("open", try await server.request(.POST, "/v1/cases", body: """
            {"workflow": "permit-check", "case_id": "S-1", "by": "applicant-1", "as": "applicant", "at": "2026-03-02T09:00:00+08:00"}
            """))
        note("fire", try await server.request(.POST, "/v1/cases/S-1/events", body: """
            {"event": "accept", "by": "clerk-1", "as": "clerk", "at": "2026-03-02T10:00:00+08:00"}
            """))
        note("conflict", try await server.request(.POST, "/v1/cases/S-1/events", body: """
            {"event": "accept", "by": "clerk-1", "as": "clerk", "at": "2026-03-02T10:00:00+08:00"}
            """))
        note("history", try await server.request(.GET, "/v1/cases/S-1/history"))
        note("report", try await server.request(.GET, "/v1/reports/process?now=2026-03-09T00:00:00Z"))
        note("cases", try await server.request(.GET, "/v1/cases?now=2026-03-09T00:00:00Z"))
        note("worklist", try await server.request(.GET, "/v1/worklist?now=2026-03-09T00:00:00Z"))
        note("ready", try await server.request(.GET, "/readyz", authorized: false))
        note("upload refused", try await server.request(.POST, "/v1/attachments", body: "{}"))
        return answers
    }

    /// `body` without the values that differ between two runs of the same flow: when events were
    /// recorded and the hashes that cover those times, request ids.
    static func normalised(_ body: String) -> String {
        guard let data = body.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) else { return body }
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !["recorded_at", "request_id", "instance", "hash"].contains($0.key) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let cleaned = try? JSONSerialization.data(withJSONObject: strip(value), options: [.sortedKeys])
        return cleaned.map { String(decoding: $0, as: UTF8.self) } ?? body
    }

    @Test(.timeLimit(.minutes(3)))
    func aServerOnPostgreSQLAnswersAsOneOnSQLite() async throws {
        let cluster = try PostgresCluster.require()
        let onSQLite = try LiveServer.start(DocketBench())
        defer { if onSQLite.isRunning { try? onSQLite.stop() } }
        let url = try cluster.createDatabase("serve")
        let bench = DocketBench()
        let onPostgres = try LiveServer.start(bench, database: url)
        defer { if onPostgres.isRunning { try? onPostgres.stop() } }

        let sqliteAnswers = try await Self.flow(onSQLite)
        let postgresAnswers = try await Self.flow(onPostgres)
        // Everything but the upload: SQLite keeps documents' files, PostgreSQL refuses them, saying so.
        #expect(Array(postgresAnswers.dropLast()) == Array(sqliteAnswers.dropLast()))
        #expect(sqliteAnswers.last?.hasPrefix("upload refused: 201") == true)
        #expect(postgresAnswers.last?.hasPrefix("upload refused: 501") == true)
        #expect(postgresAnswers.last?.contains("not kept for a PostgreSQL log") == true)
        try onPostgres.stop()

        // What the server read is in the access log, as the CLI shows it.
        let reads = try bench.ok("access-log", "--db", url, "--case", "S-1", "--format", "json").stdout
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(reads.utf8)) as? [[String: Any]])
        #expect(rows.contains { $0["action"] as? String == "read_history" && $0["principal"] as? String == "api_token:portal" })
        let all = try bench.ok("access-log", "--db", url).stdout
        #expect(all.contains("report") && all.contains("list_cases"))
        // The token made on the command line is listed there too, never with its secret.
        let tokens = try bench.ok("token", "list", "--db", url).stdout
        #expect(tokens.contains("portal") && tokens.contains("active"))
        #expect(!tokens.contains(onPostgres.token))
        #expect(try bench.docket("verify", "--db", url).status == 0)
    }

    /// Two servers on one database: commands spread over both, concurrently, each answered; every
    /// acknowledged command is in the log once, and the log verifies.
    @Test(.timeLimit(.minutes(3)))
    func twoServersOnOneDatabaseBothServeWrites() async throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("twoservers")
        let bench = DocketBench()
        let first = try LiveServer.start(bench, database: url)
        defer { if first.isRunning { try? first.stop() } }
        let second = try LiveServer.start(bench, database: url)
        defer { if second.isRunning { try? second.stop() } }
        let servers = [first, second]
        let count = 30
        let opened = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for n in 0..<count {
                group.addTask { (n, try await servers[n % 2].open("T-\(n)", by: "applicant-\(n)", key: "open-T-\(n)").status) }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(opened.values.allSatisfy { $0 == 201 }, "\(opened)")
        // Each case moved on through the other server; a retry of an open through either is answered from the first.
        let fired = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<count {
                group.addTask {
                    try await servers[(n + 1) % 2].request(.POST, "/v1/cases/T-\(n)/events", body: #"{"event": "accept", "by": "clerk-1", "as": "clerk"}"#).status
                }
                group.addTask { try await servers[(n + 1) % 2].open("T-\(n)", by: "applicant-\(n)", key: "open-T-\(n)").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(fired.allSatisfy { $0 == 200 || $0 == 201 }, "\(fired)")
        let database = PostgresCluster.databaseName(of: url)
        #expect(try cluster.sql("SELECT count(*) FROM events", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "\(2 * count)")
        #expect(try cluster.sql("SELECT count(*) FROM (SELECT case_id FROM events GROUP BY case_id HAVING count(*) = 2 AND max(version) = 2) c",
                                database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)")
        // Both served: each server recorded reads of its own in the shared access log.
        for server in servers { #expect(try await server.request(.GET, "/v1/cases/T-0").status == 200) }
        try first.stop()
        try second.stop()
        let verified = try bench.docket("verify", "--db", url)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let reads = try bench.ok("access-log", "--db", url, "--case", "T-0", "--format", "json").stdout
        #expect(reads.components(separatedBy: "read_case").count - 1 == 2)
    }

    /// Two servers ticking often on one database, with breaches due on many cases: each breach is
    /// recorded once.
    @Test(.timeLimit(.minutes(3)))
    func twoTickingServersRecordEachBreachOnce() async throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("ticks")
        let database = PostgresCluster.databaseName(of: url)
        let bench = DocketBench()
        try bench.ok("deploy", "--db", url, bench.file("timed.yaml", DeadlineTickerTests.timed))
        let count = 20
        for n in 1...count {
            try bench.ok("start", "timed-permit", "--db", url, "--case", "D-\(n)", "--by", "a-\(n)", "--as", "applicant",
                         "--at", "2026-02-02T09:00:00Z")
        }
        let first = try LiveServer.start(bench, database: url, extra: ["--tick-every", "20ms"])
        defer { if first.isRunning { try? first.stop() } }
        let second = try LiveServer.start(bench, database: url, extra: ["--tick-every", "20ms"])
        defer { if second.isRunning { try? second.stop() } }
        func breaches() throws -> Int {
            Int(try cluster.sql("SELECT count(*) FROM events WHERE type = 'deadline_breached'", database: database)
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        // Both tick until every breach is in; then a few more rounds of both.
        while try breaches() < count { try await Task.sleep(for: .milliseconds(50)) }
        let appended = try cluster.sql("SELECT max(position) FROM events", database: database)
        try await Task.sleep(for: .milliseconds(500))
        try first.stop()
        try second.stop()
        #expect(try breaches() == count)
        #expect(try cluster.sql("SELECT count(*) FROM (SELECT case_id FROM events WHERE type = 'deadline_breached' GROUP BY case_id HAVING count(*) > 1) c",
                                database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try cluster.sql("SELECT max(position) FROM events", database: database) == appended)
        #expect(try bench.docket("verify", "--db", url).status == 0)
    }

    /// `/readyz` follows the database: 503 while it refuses connections (the server stays up and
    /// says why), 200 again once it takes them, with no restart (the pool recovers).
    @Test(.timeLimit(.minutes(3)))
    func readinessFollowsTheDatabaseAndThePoolRecovers() async throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("ready")
        let database = PostgresCluster.databaseName(of: url)
        let server = try LiveServer.start(DocketBench(), database: url)
        defer { if server.isRunning { try? server.stop() } }
        #expect(try await server.request(.GET, "/readyz", authorized: false).status == 200)

        try cluster.sql("ALTER DATABASE \(database) ALLOW_CONNECTIONS false", database: "postgres")
        try cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)'", database: "postgres")
        let down = try await server.request(.GET, "/readyz", authorized: false)
        #expect(down.status == 503, "\(down.body)")
        #expect(down.body.contains(database) && !down.body.contains(cluster.password), "\(down.body)")
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        #expect(server.isRunning)

        try cluster.sql("ALTER DATABASE \(database) ALLOW_CONNECTIONS true", database: "postgres")
        // Ready again without a restart. The probe gives a connection 2 s; on a loaded 2-core
        // machine (the whole suite in CI) the pool's first new connection can take longer, so
        // the probe is asked again for a while rather than once.
        var ready = try await server.request(.GET, "/readyz", authorized: false)
        for _ in 0..<60 where ready.status != 200 {
            try await Task.sleep(for: .milliseconds(500))
            ready = try await server.request(.GET, "/readyz", authorized: false)
        }
        #expect(ready.status == 200, "\(ready.body)")
        #expect(try await server.open("RD-1").status == 201)
    }

    /// `--head-key` on PostgreSQL: the server signs the head into the heads file, the signed heads
    /// are recorded in the database, and `verify --heads` proves the log with them.
    @Test(.timeLimit(.minutes(3)))
    func theServerSignsThePostgreSQLLogsHead() async throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("heads")
        let bench = DocketBench()
        let key = bench.directory.appendingPathComponent("head.key").path
        let trust = try bench.ok("head", "keygen", "--key", key).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let heads = bench.directory.appendingPathComponent("heads.jsonl").path
        let server = try LiveServer.start(bench, database: url, extra: ["--head-key", key, "--heads", heads])
        defer { if server.isRunning { try? server.stop() } }
        #expect(try await server.open("H-1").status == 201)
        var signed = ""
        for _ in 0..<100 where !signed.contains(#""position":1"#) {
            try await Task.sleep(for: .milliseconds(100))
            signed = (try? String(contentsOfFile: heads, encoding: .utf8)) ?? ""
        }
        #expect(signed.contains(#""position":1"#), "\(signed)")
        try server.stop()
        let recorded = try cluster.sql("SELECT count(*) FROM signed_heads WHERE position = 1", database: PostgresCluster.databaseName(of: url))
        #expect(recorded.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        let checked = try bench.docket("verify", "--db", url, "--heads", heads, "--trust", trust)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }
}
