import DocketCore
@testable import DocketPostgres
@testable import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What the PostgreSQL store promises beyond the contract suite (which runs against it too):
/// positions in commit order under concurrent writers, a continuous hash chain, triggers that
/// refuse changes, `verify` naming the first bad position, the same hashes as SQLite, and the
/// refusal of a newer schema. Every test has a database of its own on the test process's
/// throwaway cluster (``PostgresCluster``).
@Suite("PostgreSQL event store", .requires(.postgreSQL))
struct PostgresEventStoreTests {
    let cluster: PostgresCluster
    let url: String
    var database: String { PostgresCluster.databaseName(of: url) }

    init() throws {
        cluster = try PostgresCluster.require()
        url = try cluster.createDatabase("store")
    }

    // MARK: Commit order

    /// Four writers (each with a pool of its own, as four processes would have) open cases and
    /// move them on while a reader tails the log by position. The reader must see every
    /// position once, in order, without a gap: a writer that took a smaller position but
    /// committed later would show as a gap, then as an event behind the reader's back.
    ///
    /// A few seconds by default; `Scripts/reliability-postgres` runs it with millions of events
    /// (`DOCKET_TAIL_COMMANDS` commands per writer, `DOCKET_TAIL_BATCH` cases per command).
    @Test func aTailingReaderNeverSkipsAnEventUnderConcurrentWriters() throws {
        let environment = ProcessInfo.processInfo.environment
        let writers = 4
        let commandsPerWriter = environment["DOCKET_TAIL_COMMANDS"].flatMap(Int.init) ?? 100
        let casesPerCommand = environment["DOCKET_TAIL_BATCH"].flatMap(Int.init) ?? 1
        let stores = try (0..<writers).map { _ in try PostgresEventStore(url: url) }
        let reader = try PostgresEventStore(url: url)
        let total = Int64(writers * commandsPerWriter * casesPerCommand * 2)
        let failures = Locked<[String]>([])
        let seen = Locked<(count: Int64, last: Int64)>((0, 0))
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            var last: Int64 = 0
            var count: Int64 = 0
            let deadline = Date().addingTimeInterval(Processes.defaultTimeout)
            while last < total && Date() < deadline {
                do {
                    for event in try reader.events(after: last, limit: 1000) {
                        if event.position != last + 1 {
                            failures.update { $0.append("after position \(last) the reader saw \(event.position)") }
                        }
                        last = event.position
                        count += 1
                    }
                } catch {
                    failures.update { $0.append("reader: \(error)") }
                    return
                }
            }
            seen.set((count, last))
        }
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            let store = stores[writer]
            for command in 0..<commandsPerWriter {
                let caseIDs = (0..<casesPerCommand).map { "W\(writer)-\(command)-\($0)" }
                do {
                    try store.append(batch: caseIDs.map { CaseAppend(caseID: $0, expectedVersion: 0, events: [Sample.opened($0)]) })
                    try store.append(batch: caseIDs.map { CaseAppend(caseID: $0, expectedVersion: 1, events: [Sample.accepted($0)]) })
                } catch {
                    failures.update { $0.append("writer \(writer): \(error)") }
                    return
                }
            }
        }
        group.wait()
        #expect(failures.value.isEmpty)
        #expect(seen.value.count == total)
        #expect(seen.value.last == total)
        // The chain runs unbroken through the interleaved writers.
        var previous = String(repeating: "0", count: 64)
        var broken = 0
        try reader.scan(batchSize: 10_000) { event in
            if event.prevHash != previous { broken += 1 }
            previous = event.hash
        }
        #expect(broken == 0)
        let report = try reader.verify()
        #expect(report.isOK)
        #expect(report.eventCount == Int(total))
    }

    @Test func writersRacingForOneCaseWinEachVersionExactlyOnce() throws {
        let stores = [try PostgresEventStore(url: url), try PostgresEventStore(url: url)]
        try stores[0].append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        let threads = 4
        let winsPerThread = 10
        let winners = Locked<[Int]>([])
        let unexpected = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let store = stores[thread % stores.count]
            var wins = 0
            while wins < winsPerThread {
                do {
                    let version = try store.header(of: "C-1")?.version ?? 0
                    do {
                        try store.append([Sample.fired("C-1", "note", from: "review", to: "review", by: "clerk-\(thread)")],
                                         to: "C-1", expectedVersion: version)
                        wins += 1
                        winners.update { $0.append(version) }
                    } catch let error as StoreError where error.code == .conflict {
                        continue
                    }
                } catch {
                    unexpected.update { $0.append("\(error)") }
                    return
                }
            }
        }
        #expect(unexpected.value.isEmpty)
        let total = 1 + threads * winsPerThread
        #expect(winners.value.sorted() == Array(1..<total))
        #expect(try stores[1].events(of: "C-1").map(\.version) == Array(1...total))
        #expect(try stores[0].verify().isOK)
    }

    @Test func aRetriedCommandRacingItselfIsRecordedOnce() throws {
        let stores = [try PostgresEventStore(url: url), try PostgresEventStore(url: url)]
        try stores[0].append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        let key = IdempotencyKey(key: "fire-C-1-accept", fingerprint: "fire C-1 accept by zhang.min")
        let results = Locked<[AppendResult]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            if let result = try? stores[thread % 2].append([Sample.accepted("C-1")], to: "C-1", expectedVersion: 1, idempotency: key) {
                results.update { $0.append(result) }
            }
        }
        #expect(results.value.count == 4)
        #expect(results.value.filter { !$0.isReplay }.count == 1)
        #expect(Set(results.value.map(\.events)).count == 1)
        #expect(try stores[0].lastPosition() == 2)
    }

    // MARK: Faults

    /// The server ends the connections a writer is using (as an operator's
    /// `pg_terminate_backend`, or a backend crash, would) again and again while it runs keyed
    /// commands, retrying each failed one with its key: every command is recorded exactly once,
    /// nothing half-written, and the pool recovers with new connections.
    @Test func aWriterWhoseConnectionsAreKilledRecordsEachCommandOnce() throws {
        let store = try PostgresEventStore(url: url, options: .init(maximumConnections: 2))
        let commands = 60
        let stop = Locked(false)
        let kills = Locked(0)
        let started = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        // A thread of its own, not a dispatch queue: with the whole suite running, the global
        // queues' few threads can be busy for longer than the writer runs, and nothing is killed.
        Thread.detachNewThread {
            started.signal()
            while !stop.value {
                if let killed = try? cluster.sql("""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = '\(database)' AND application_name = 'docket' AND pid <> pg_backend_pid()
                    """, database: "postgres"), let count = Int(killed.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kills.update { $0 += count }
                }
                usleep(30_000)
            }
            finished.signal()
        }
        started.wait()
        var failures: [String] = []
        var retries = 0
        /// Opens `caseID` with its key, retrying what the fault makes fail, as a client would.
        func open(_ caseID: String) {
            let key = IdempotencyKey(key: "open-\(caseID)", fingerprint: "open \(caseID)")
            var attempts = 0
            while true {
                attempts += 1
                do {
                    try store.append([Sample.opened(caseID)], to: caseID, expectedVersion: 0, idempotency: key)
                    return
                } catch let error as StoreError where [.ioError, .cannotOpen, .database].contains(error.code) && attempts < 50 {
                    retries += 1
                } catch {
                    failures.append("\(caseID): \(error)")
                    return
                }
            }
        }
        for command in 0..<commands { open("K-\(command)") }
        // The writer goes on (with more commands) until the fault has hit it at least once.
        var extra = 0
        while kills.value == 0, extra < 200 {
            open("K-extra-\(extra)")
            extra += 1
        }
        stop.set(true)
        finished.wait()
        #expect(failures.isEmpty)
        #expect(try store.lastPosition() == Int64(commands + extra))
        #expect(try store.cases().map(\.caseID).sorted()
                == ((0..<commands).map { "K-\($0)" } + (0..<extra).map { "K-extra-\($0)" }).sorted())
        #expect(try store.verify().isOK)
        // The fault was there: connections were ended under the writer.
        #expect(kills.value > 0)
    }

    // MARK: The same rows as SQLite

    @Test func theSameEventsHashTheSameOnSQLiteAndPostgreSQL() throws {
        let directory = TemporaryDirectory("store")
        let sqlite = try SQLiteEventStore(path: directory.path("docket.sqlite"), clock: SteppingClock())
        let postgres = try PostgresEventStore(url: url, clock: SteppingClock())
        for store in [sqlite, postgres] as [any EventStore] {
            try store.openAndAccept("C-1")
            try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0, idempotency: nil,
                             principal: Principal(method: .jwt, id: "li.wei"))
        }
        let onSQLite = try sqlite.events(after: 0, limit: 10)
        let onPostgres = try postgres.events(after: 0, limit: 10)
        #expect(onSQLite.count == 3)
        #expect(onSQLite == onPostgres)
        #expect(try postgres.verify().headHash == (try sqlite.verify().headHash))
    }

    /// A batch of many events goes in with COPY, a small one with INSERT: both must store what
    /// SQLite stores, byte for byte, whatever the text holds (COPY gives `\`, tab, newline and
    /// carriage return a meaning of their own).
    @Test func aBatchCopiedInHoldsTheSameRowsAsOneInsertedEventByEvent() throws {
        let tricky = ["back\\slash", "tab\there", "line\nbreak", "carriage\rreturn", "\\N", "\\.", "张伟 申请", "\"quoted\""]
        func opening(_ index: Int) -> CaseEvent {
            var event = Sample.opened(String(format: "C-%03d", index))
            event.actor = tricky[index % tricky.count]
            event.onBehalfOf = index % 3 == 0 ? nil : tricky[(index + 1) % tricky.count]
            event.payload.data = ["note": tricky[(index + 2) % tricky.count], "n": "\(index)"]
            return event
        }
        let count = PostgresEventStore.copyThreshold * 2 + 1
        let batch = (0..<count).map { CaseAppend(caseID: String(format: "C-%03d", $0), expectedVersion: 0, events: [opening($0)]) }
        let directory = TemporaryDirectory("store")
        let sqlite = try SQLiteEventStore(path: directory.path("docket.sqlite"), clock: SteppingClock())
        let copied = try PostgresEventStore(url: url, clock: SteppingClock())
        let inserted = try PostgresEventStore(url: try cluster.createDatabase("inserted"), clock: SteppingClock())
        try sqlite.append(batch: batch)
        try copied.append(batch: batch)
        for append in batch { try inserted.append(batch: [append]) }
        let expected = try sqlite.events(after: 0, limit: count + 1)
        #expect(expected.count == count)
        // Recording times differ by store call (one batch, or one call per case): compare the rest.
        let onCopied = try copied.events(after: 0, limit: count + 1)
        #expect(onCopied == expected)
        let onInserted = try inserted.events(after: 0, limit: count + 1)
        #expect(onInserted.map(\.event) == expected.map(\.event))
        #expect(onInserted.map(\.principal) == expected.map(\.principal))
        #expect(try copied.verify().headHash == (try sqlite.verify().headHash))
        #expect(try inserted.verify().isOK)
    }

    /// A batch refused half way through its COPY (one case at the wrong version) leaves nothing
    /// behind, and the same store (the connection the COPY was abandoned on, back in the pool)
    /// writes the next batch.
    @Test func aBatchRefusedHalfWayThroughItsCopyLeavesNothingAndTheStoreWritesOn() throws {
        let store = try PostgresEventStore(url: url, options: .init(maximumConnections: 1))
        try store.openAndAccept("C-held")
        let count = PostgresEventStore.copyThreshold * 2
        var batch = (0..<count).map { CaseAppend(caseID: "C-\($0)", expectedVersion: 0, events: [Sample.opened("C-\($0)")]) }
        batch[count * 3 / 4] = CaseAppend(caseID: "C-held", expectedVersion: 0, events: [Sample.opened("C-held")])
        let error = #expect(throws: StoreError.self) { try store.append(batch: batch) }
        #expect(error?.code == .conflict)
        #expect(error?.caseID == "C-held")
        #expect(try store.lastPosition() == 2)
        batch[count * 3 / 4] = CaseAppend(caseID: "C-new", expectedVersion: 0, events: [Sample.opened("C-new")])
        try store.append(batch: batch)
        #expect(try store.lastPosition() == Int64(2 + count))
        #expect(try store.verify().isOK)
    }

    /// A writer waits for another's commit at most the lock timeout, then fails as `locked`,
    /// having written nothing; once the other commits, it writes.
    @Test func aWriterWaitingLongerThanTheLockTimeoutFailsAsLockedHavingWrittenNothing() throws {
        let store = try PostgresEventStore(url: url, options: .init(lockTimeout: 0.3))
        try store.openAndAccept("C-1")
        // Another writer (psql) holds the head for two seconds.
        let holder = Thread { _ = try? cluster.sql("BEGIN; SELECT position FROM log_head FOR UPDATE; SELECT pg_sleep(2); COMMIT;", database: database) }
        holder.start()
        var held = false
        for _ in 0..<100 where !held {
            let waiting = try cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()", database: "postgres")
            held = waiting.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            if !held { usleep(20_000) }
        }
        #expect(held)
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        }
        #expect(error?.code == .locked)
        #expect(try store.lastPosition() == 2)
        // Once the other writer is done, the same store writes.
        var written = false
        for _ in 0..<100 where !written {
            written = (try? store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)) != nil
            if !written { usleep(100_000) }
        }
        #expect(written)
        #expect(try store.lastPosition() == 3)
    }

    // MARK: Refusing changes

    @Test(arguments: [
        "UPDATE events SET actor = 'someone' WHERE position = 1",
        "DELETE FROM events WHERE position = 2",
        "TRUNCATE events",
        "UPDATE definitions SET content = 'x'",
        "DELETE FROM log_head",
    ])
    func theTriggersRefuseChangingTheLog(_ sql: String) throws {
        let store = try PostgresEventStore(url: url)
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        try store.openAndAccept("C-1")
        let error = #expect(throws: PostgresCommandFailed.self) { try cluster.sql(sql, database: database) }
        #expect(error?.output.contains("docket:") == true)
        #expect(try store.verify().isOK)
        #expect(try store.lastPosition() == 2)
    }

    // MARK: Verifying

    /// A log of three cases, two events each: positions 1...6, C-1 at 1-2, C-2 at 3-4, C-3 at 5-6.
    func filled() throws -> PostgresEventStore {
        let store = try PostgresEventStore(url: url, clock: SteppingClock())
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        for i in 1...3 { try store.openAndAccept("C-\(i)") }
        return store
    }

    /// Runs `sql` with the triggers switched off, as an intruder with the owner's password would.
    func tamper(_ sql: String) throws {
        try cluster.sql("""
            ALTER TABLE events DISABLE TRIGGER USER; ALTER TABLE definitions DISABLE TRIGGER USER;
            ALTER TABLE log_head DISABLE TRIGGER USER; \(sql)
            """, database: database)
    }

    @Test func anEditedPayloadIsNamedAtItsPosition() throws {
        let store = try filled()
        try tamper(#"UPDATE events SET payload = '{"from":"submitted","to":"approved","transition":"accept"}' WHERE position = 4"#)
        let report = try store.verify()
        #expect(report.firstBadPosition == 4)
        #expect(report.problems.map(\.kind) == [.eventEdited])
        #expect(report.problems.first?.caseID == "C-2")
        // A command on the edited case refuses to decide on it.
        let error = #expect(throws: StoreError.self) { try store.events(of: "C-2") }
        #expect(error?.code == .corrupt)
    }

    @Test func aDeletedRowIsNamedAtItsPosition() throws {
        let store = try filled()
        try tamper("DELETE FROM events WHERE position = 3")
        let report = try store.verify()
        #expect(report.firstBadPosition == 3)
        #expect(report.problems.first?.kind == .eventsDeleted)
    }

    @Test func eventsCutFromTheEndAreFoundThroughTheHead() throws {
        let store = try filled()
        try tamper("DELETE FROM events WHERE position >= 5")
        let report = try store.verify()
        #expect(report.firstBadPosition == 5)
        #expect(report.problems.map(\.kind) == [.logTruncated])
    }

    @Test func anEditedDefinitionIsReported() throws {
        let store = try filled()
        try tamper("UPDATE definitions SET content = content || ' '")
        let report = try store.verify()
        #expect(report.problems.map(\.kind) == [.deploymentChanged])
    }

    // MARK: Schema

    @Test func aDatabaseOfANewerDocketIsRefused() throws {
        _ = try PostgresEventStore(url: url)
        try cluster.sql("INSERT INTO docket_migrations (identifier, applied_at) VALUES ('9999_from_the_future', 0)", database: database)
        let error = #expect(throws: StoreError.self) { try PostgresEventStore(url: url) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("9999_from_the_future") == true)
    }

    @Test func processesOpeningANewDatabaseTogetherMigrateItOnce() throws {
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try PostgresEventStore(url: url) } catch { failures.update { $0.append("\(error)") } }
        }
        #expect(failures.value.isEmpty)
        #expect(try cluster.sql("SELECT count(*) FROM docket_migrations", database: database).trimmingCharacters(in: .whitespacesAndNewlines)
            == "\(PostgresSchema.knownIdentifiers.count)")
    }

    @Test func aReadOnlyStoreReadsAndRefusesToWrite() throws {
        try filled().close()
        let store = try PostgresEventStore(url: url, options: .init(readOnly: true))
        #expect(try store.lastPosition() == 6)
        let error = #expect(throws: StoreError.self) { try store.openAndAccept("C-9") }
        #expect(error?.code == .readOnly)
    }

    // MARK: Connecting

    @Test func aWrongPasswordIsACannotOpenThatDoesNotRepeatIt() throws {
        let wrong = cluster.url(database: database).replacingOccurrences(of: cluster.password, with: "not-the-password-42")
        let error = #expect(throws: StoreError.self) { try PostgresEventStore(url: wrong, options: .init(connectTimeout: 20)) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("the URL") == true)
        #expect(error?.message.contains("not-the-password-42") == false)
    }

    @Test func thePasswordMayComeFromPGPASSWORD() throws {
        let location = try PostgresLocation(url: cluster.urlWithoutPassword(database: database),
                                            environment: ["PGPASSWORD": cluster.password], home: "/nonexistent")
        let store = try PostgresEventStore(location: location)
        #expect(try store.lastPosition() == 0)
    }

    @Test func nothingListeningIsACannotOpenNamingTheServer() throws {
        let error = #expect(throws: StoreError.self) {
            try PostgresEventStore(url: "postgres://docket@127.0.0.1:1/nothing", options: .init(connectTimeout: 20))
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("127.0.0.1:1") == true)
    }
}

/// Reading `postgres://` URLs and password files: no server needed.
@Suite("PostgreSQL locations")
struct PostgresLocationTests {
    @Test func theURLNamesUserHostPortDatabaseAndTLS() throws {
        let location = try PostgresLocation(url: "postgres://clerk:s%40cret@db.example:6543/docket?sslmode=require", environment: [:], home: "/nonexistent")
        #expect(location.user == "clerk")
        #expect(location.host == "db.example")
        #expect(location.port == 6543)
        #expect(location.database == "docket")
        #expect(location.tls == .require)
        #expect(location.description == "postgres://clerk@db.example:6543/docket?sslmode=require")
        #expect(!location.description.contains("cret"))
    }

    @Test func thePasswordFileIsReadAsLibpqReadsIt() throws {
        let directory = TemporaryDirectory("pgpass")
        let file = directory.file("pgpass", "# comment\nother:5432:*:clerk:no\ndb.example:*:docket:clerk:pa\\:ss\n")
        chmod(file, 0o600)
        let location = try PostgresLocation(url: "postgres://clerk@db.example/docket", environment: ["PGPASSFILE": file], home: "/nonexistent")
        #expect(location.description == "postgres://clerk@db.example:5432/docket")
        // A file others may read is ignored, as libpq ignores it.
        chmod(file, 0o644)
        let ignored = try PostgresLocation(url: "postgres://clerk@db.example/docket", environment: ["PGPASSFILE": file], home: "/nonexistent")
        #expect(location.password == "pa:ss")
        #expect(ignored.password == nil)
    }

    @Test(arguments: ["postgres://h/db?sslmode=sometimes", "postgres://h:99999/db", "postgres://h/db?pool=3", "mysql://h/db"])
    func aBadURLIsRefusedSayingWhy(_ url: String) {
        let error = #expect(throws: StoreError.self) { try PostgresLocation(url: url, environment: [:], home: "/nonexistent") }
        #expect(error?.code == .invalidArgument)
    }

    @Test func aURLThatDoesNotParseIsNamedWithoutItsPassword() {
        let error = #expect(throws: StoreError.self) { try PostgresLocation(url: "mysql://clerk:hunter2@h/db", environment: [:], home: "/nonexistent") }
        #expect(error?.message.contains("hunter2") == false)
    }
}

/// The PostgreSQL migrations compiled into the binary are exactly the files of
/// `Migrations/postgres/`, and split into the statements the store sends one by one.
@Suite("Embedded PostgreSQL migrations")
struct EmbeddedPostgresMigrationsTests {
    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: Repository.migrations.appendingPathComponent("postgres"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func theEmbeddedMigrationsAreByteForByteTheFilesInOrder() throws {
        let files = try Self.files()
        #expect(!files.isEmpty)
        #expect(PostgresSchema.embeddedMigrations.map(\.identifier) == files.map { $0.deletingPathExtension().lastPathComponent })
        for (file, embedded) in zip(files, PostgresSchema.embeddedMigrations) {
            #expect(Data(embedded.sql.utf8) == (try Data(contentsOf: file)), "\(file.lastPathComponent) differs from its embedded copy: run Scripts/embed-migrations")
        }
    }

    @Test func aFunctionBodyStaysOneStatement() {
        let statements = PostgresSchema.statements(of: """
            -- a comment; with a semicolon;
            CREATE TABLE t (a int);
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'x';
            END;
            $$;
            INSERT INTO t VALUES (1);
            """)
        #expect(statements.count == 3)
        #expect(statements[1].hasPrefix("CREATE FUNCTION") && statements[1].hasSuffix("$$"))
    }
}
