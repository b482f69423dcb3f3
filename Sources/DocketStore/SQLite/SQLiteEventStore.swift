import DocketCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Logging

/// The event store on one SQLite file, through GRDB's `DatabasePool`: WAL journal with
/// `synchronous=FULL` (a committed append survives power loss), a busy timeout, foreign keys on.
///
/// Any number of `SQLiteEventStore`s, in any number of processes, may share a file. Every
/// write runs in a `BEGIN IMMEDIATE` transaction, so writers are serialised by SQLite's file
/// lock: the expected-version check, the positions and the hash chain are decided under that
/// lock, and `UNIQUE(case_id, version)` guards the versions once more. A writer that waits
/// longer than the busy timeout gets ``StoreError/Code/locked``.
///
/// The analytics projection keeps its tables in the same file (`SQLiteProjectionStore`):
/// `write(_:)` runs its updates and its checkpoint in one transaction. That transaction API on
/// GRDB's `Database` is `package`: nothing above DocketStore writes SQL.
public final class SQLiteEventStore: EventStore {
    /// How the database is opened.
    public struct Options: Sendable {
        /// How long a writer waits for another one to finish before failing with
        /// ``StoreError/Code/locked``, in seconds.
        public var busyTimeout: Double
        /// Open without writing anything: no migrations, every write fails with
        /// ``StoreError/Code/readOnly``. The schema must be up to date.
        public var readOnly: Bool
        /// With ``readOnly``: the file cannot change while it is open (a backup in a folder no
        /// one may write, with no write-ahead log beside it), so SQLite need not create the
        /// shared-memory file a WAL database otherwise needs beside it (SQLite's `immutable`).
        public var immutable: Bool

        public init(busyTimeout: Double = 5, readOnly: Bool = false, immutable: Bool = false) {
            self.busyTimeout = busyTimeout
            self.readOnly = readOnly
            self.immutable = immutable
        }
    }

    /// The database file.
    public let path: String
    /// The options it was opened with.
    public let options: Options
    private let pool: DatabasePool
    private let clock: any WallClock
    private let logger = Logger(label: "docket.store")

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - path: the SQLite file (created with its directory's permissions when missing).
    ///   - options: how long a writer waits for another, and whether to open read-only.
    ///   - clock: where `recorded_at` and `deployed_at` come from.
    /// - Throws: ``StoreError/Code/schemaTooNew`` when a newer docket wrote the database;
    ///   ``StoreError/Code/cannotOpen``, ``StoreError/Code/corrupt``, ``StoreError/Code/readOnly``
    ///   and the other mapped SQLite failures.
    public init(path: String, options: Options = Options(), clock: any WallClock = SystemWallClock()) throws {
        self.path = path
        self.options = options
        self.clock = clock
        var configuration = Configuration()
        configuration.label = "docket"
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.readonly = options.readOnly
        configuration.foreignKeysEnabled = true
        do {
            pool = try Self.openPool(path: options.readOnly && options.immutable ? Self.immutableURI(path) : path,
                                     configuration: configuration, busyTimeout: options.busyTimeout)
            if options.readOnly {
                try SQLiteSchema.checkUpToDate(pool, path: path)
            } else {
                // DatabasePool lowers `synchronous` to NORMAL when it enables WAL; a committed
                // event must survive a power cut, so raise it back on the (only) writer connection.
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                try SQLiteSchema.migrate(pool, path: path)
            }
            try SQLiteSchema.checkHashAlgorithm(pool, path: path)
        } catch {
            throw SQLiteErrorMapping.map(error, path: path, busyTimeout: options.busyTimeout)
        }
    }

    /// The pool on `path`. Opening switches a new file to WAL, and SQLite answers a second
    /// process doing the same at that moment with SQLITE_BUSY at once, without its busy handler:
    /// that is retried, as a busy write would wait, for up to the busy timeout.
    private static func openPool(path: String, configuration: Configuration, busyTimeout: Double) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    /// `path` as an SQLite URI opening it immutable (absolute, percent-encoded).
    private static func immutableURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    // MARK: - Units of work

    public func writeTogether<T>(_ units: [(any LogTransaction) throws -> T]) throws -> [Result<T, any Error>] {
        try write { db in
            let transaction = Transaction(store: self, db: db)
            return units.map { unit in
                do {
                    var result: T?
                    try db.inSavepoint {
                        result = try unit(transaction)
                        return .commit
                    }
                    guard let result else { throw StoreError(.database, "a unit of work did not complete.") }
                    return .success(result)
                } catch {
                    return .failure(SQLiteErrorMapping.map(error, path: path, busyTimeout: options.busyTimeout))
                }
            }
        }
    }

    /// ``LogTransaction`` on the connection holding the write lock.
    private struct Transaction: LogTransaction {
        let store: SQLiteEventStore
        let db: Database

        func events(of caseID: String) throws -> [RecordedEvent] {
            try SQLiteEventStore.fetchEvents(db, sql: "WHERE case_id = ? ORDER BY version", arguments: [caseID], checkingHashes: true)
        }

        func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
            try SQLiteEventStore.recordedResult(for: key, in: db)
        }

        func append(_ append: CaseAppend) throws -> AppendResult {
            try AppendRules.checkArguments(append)
            return try store.append(batch: [append], in: db)[0]
        }
    }

    // MARK: - Signed heads

    public func recordSignedHead(_ head: SignedHead) throws {
        try write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO signed_heads (position, hash, signed_at, key_id, algorithm, signature)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [head.position, head.hash, head.signedAt.microseconds, head.keyID, head.algorithm, head.signature])
        }
    }

    public func signedHeads() throws -> [SignedHead] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT position, hash, signed_at, key_id, algorithm, signature FROM signed_heads ORDER BY position, key_id
                """).map { row in
                SignedHead(position: row[0], hash: row[1], signedAt: Timestamp(microseconds: row[2]), keyID: row[3],
                           algorithm: row[4], signature: row[5])
            }
        }
    }

    // MARK: - Transactions for projections

    /// Runs `body` in one `BEGIN IMMEDIATE` write transaction, committed when `body` returns and
    /// rolled back when it throws. For projections: update their tables and their checkpoint
    /// together, so they never disagree after a crash.
    ///
    /// SQLite errors thrown inside are mapped to ``StoreError``s; `body`'s own errors pass through.
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
        try mappingErrors {
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError(.database, "the write transaction did not complete.") }
                return result
            }
        }
    }

    /// Runs `body`, a long series of ``write(_:)``s, with the writer connection checkpointing the
    /// write-ahead log every ``bulkCheckpointPages`` pages instead of SQLite's 1,000, and back to
    /// 1,000 after it however it ends.
    ///
    /// A rebuild of the projection rewrites the same index pages batch after batch: checkpointed
    /// every 4 MB, each page went to the log and then to the database again and again; in a log
    /// of 400 MB most are written back once. (The province month's `replay`: 307 s, 119 s of it
    /// in the kernel, against 250 s and 91 s.) The log shrinks back to ``walSizeLimit`` after the
    /// next checkpoint that empties it, so a server does not keep 400 MB on disk.
    package func bulkWriting<T>(_ body: () throws -> T) throws -> T {
        guard !options.readOnly else { return try body() }
        try setCheckpointInterval(Self.bulkCheckpointPages)
        do {
            let result = try body()
            try setCheckpointInterval(1_000)
            return result
        } catch {
            try? setCheckpointInterval(1_000)
            throw error
        }
    }

    /// Write-ahead log pages between checkpoints in ``bulkWriting(_:)``: about 400 MB at SQLite's
    /// 4 KB pages.
    package static let bulkCheckpointPages = 100_000

    /// The size the write-ahead log file is cut back to after a checkpoint empties it.
    package static let walSizeLimit = 64 << 20

    private func setCheckpointInterval(_ pages: Int) throws {
        try mappingErrors {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)")
                try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            }
        }
    }

    /// Runs `body` in a read transaction: a consistent snapshot of the database.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mappingErrors { try pool.read(body) }
    }

    // MARK: - Appending

    @discardableResult

    public func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?,
                       principal: Principal?) throws -> AppendResult {
        let append = CaseAppend(caseID: caseID, expectedVersion: expectedVersion, events: events, idempotency: idempotency,
                                principal: principal)
        try AppendRules.checkArguments(append)
        return try write { db in try self.append(batch: [append], in: db)[0] }
    }

    @discardableResult

    public func append(batch: [CaseAppend]) throws -> [AppendResult] {
        for append in batch { try AppendRules.checkArguments(append) }
        return try write { db in try self.append(batch: batch, in: db) }
    }

    /// Appends `batch` inside the caller's write transaction (see ``write(_:)``), for a
    /// caller that updates projections in the same transaction. Same rules and errors as
    /// ``append(batch:)``; when it throws, the caller must let the transaction roll back.
    @discardableResult
    package func append(batch: [CaseAppend], in db: Database) throws -> [AppendResult] {
        try Self.appendBatch(batch, in: db, recordedAt: clock.now(), logger: logger)
    }

    private static func appendBatch(_ batch: [CaseAppend], in db: Database, recordedAt: Timestamp, logger: Logger) throws -> [AppendResult] {
        var coder = PayloadCoder()
        var head = try Self.head(db)
        let insert = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO events (position, case_id, version, type, workflow_id, workflow_version, payload,
                                actor, role, on_behalf_of, occurred_at, recorded_at, prev_hash, hash,
                                encoding, principal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
        let current = RawStatement(try db.cachedStatement(sql: """
            SELECT version, workflow_id, workflow_version FROM events
            WHERE case_id = ? ORDER BY version DESC LIMIT 1
            """))
        var results: [AppendResult] = []
        results.reserveCapacity(batch.count)
        for append in batch {
            try AppendRules.checkArguments(append)
            if let key = append.idempotency, let recorded = try Self.recordedResult(for: key, in: db) {
                results.append(recorded)
                continue
            }
            current.bind(1, append.caseID)
            let state = try current.step(db)
                ? (version: current.int(0), workflowID: current.string(1) ?? "", workflowVersion: current.int(2))
                : nil
            current.reset()
            try AppendRules.checkAgainstCase(append, current: state)

            var recorded: [RecordedEvent] = []
            recorded.reserveCapacity(append.events.count)
            for (offset, event) in append.events.enumerated() {
                let row = try EventRow(
                    event: event, position: head.position + 1, version: append.expectedVersion + 1 + offset,
                    recordedAt: recordedAt, prevHash: head.hash, principal: append.principal, coder: &coder)
                insert.bind(1, row.position)
                insert.bind(2, row.caseID)
                insert.bind(3, row.version)
                insert.bind(4, row.type)
                insert.bind(5, row.workflowID)
                insert.bind(6, row.workflowVersion)
                insert.bind(7, row.payload)
                insert.bind(8, row.actor)
                insert.bind(9, row.role)
                insert.bind(10, row.onBehalfOf)
                insert.bind(11, row.occurredAt)
                insert.bind(12, row.recordedAt)
                insert.bind(13, row.prevHash)
                insert.bind(14, row.hash)
                insert.bind(15, row.encoding)
                insert.bind(16, row.principal)
                do {
                    try insert.execute(db)
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    // Unreachable while every writer uses BEGIN IMMEDIATE; kept as the last guard.
                    throw StoreError.conflict(caseID: append.caseID, expected: append.expectedVersion, actual: row.version)
                }
                head = (row.position, row.hash)
                recorded.append(RecordedEvent(
                    position: row.position, version: row.version, recordedAt: recordedAt,
                    prevHash: row.prevHash, hash: row.hash, event: event, principal: append.principal))
            }
            if let key = append.idempotency {
                let insertKey = try db.cachedStatement(sql: """
                    INSERT INTO idempotency_keys (key, fingerprint, case_id, first_position, last_position, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                try insertKey.execute(arguments: [
                    key.key, key.fingerprint, append.caseID, recorded.first?.position, recorded.last?.position,
                    recordedAt.microseconds,
                ])
            }
            if !recorded.isEmpty {
                logger.trace("appended", metadata: ["case": "\(append.caseID)", "events": "\(recorded.count)"])
            }
            results.append(AppendResult(events: recorded, isReplay: false))
        }
        return results
    }

    public func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
        try read { db in try Self.recordedResult(for: key, in: db) }
    }

    private static func recordedResult(for key: IdempotencyKey, in db: Database) throws -> AppendResult? {
        let lookup = try db.cachedStatement(
            sql: "SELECT fingerprint, case_id, first_position, last_position FROM idempotency_keys WHERE key = ?")
        guard let row = try Row.fetchOne(lookup, arguments: [key.key]) else { return nil }
        let caseID: String = row[1]
        guard row[0] as String == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: caseID) }
        guard let first = row[2] as Int64?, let last = row[3] as Int64? else {
            return AppendResult(events: [], isReplay: true)
        }
        let events = try fetchEvents(db, sql: "WHERE position BETWEEN ? AND ? ORDER BY position", arguments: [first, last])
        return AppendResult(events: events, isReplay: true)
    }

    // MARK: - Reading

    /// The case's events, each row checked against its hash first: commands decide on what this
    /// returns, and an event edited behind Docket's back must not decide anything. A row that does
    /// not match is ``StoreError/Code/corrupt`` (`docket verify` then names every bad position).
    public func events(of caseID: String) throws -> [RecordedEvent] {
        try read { db in
            try Self.fetchEvents(db, sql: "WHERE case_id = ? ORDER BY version", arguments: [caseID], checkingHashes: true)
        }
    }

    public func header(of caseID: String) throws -> CaseHeader? {
        try read { db in
            try Self.fetchHeaders(db, sql: "AND o.case_id = ?", arguments: [caseID]).first
        }
    }

    public func cases(workflowID: String?) throws -> [CaseHeader] {
        try read { db in
            if let workflowID {
                return try Self.fetchHeaders(db, sql: "AND o.workflow_id = ? AND o.case_id NOT LIKE '@%' ORDER BY o.position", arguments: [workflowID])
            }
            // Ids starting with `@` are the log's reserved streams (a directory's changes), not cases.
            return try Self.fetchHeaders(db, sql: "AND o.case_id NOT LIKE '@%' ORDER BY o.position", arguments: [])
        }
    }

    public func events(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try read { db in try events(after: position, limit: limit, in: db) }
    }

    /// ``events(after:limit:)`` inside the caller's transaction.
    package func events(after position: Int64, limit: Int, in db: Database) throws -> [RecordedEvent] {
        try Self.fetchEvents(
            db, sql: "WHERE position > ? ORDER BY position LIMIT ?", arguments: [position, max(0, limit)],
            expected: min(max(0, limit), 100_000))
    }

    public func lastPosition() throws -> Int64 {
        try read { db in try Self.head(db).position }
    }

    /// One read transaction for the whole of `body`: every read through the ``LogSnapshot`` is
    /// on one prepared statement of this connection, with no transaction of its own.
    public func snapshot<T>(_ body: (any LogSnapshot) throws -> T) throws -> T {
        try read { db in try body(Snapshot(db: db)) }
    }

    /// ``LogSnapshot`` on a connection inside a read transaction.
    private struct Snapshot: LogSnapshot {
        let db: Database

        func lastPosition() throws -> Int64 {
            try SQLiteEventStore.head(db).position
        }

        func caseIDs(workflowID: String?) throws -> [String] {
            // The openings' partial index holds every case id with its position: read it alone
            // (not the whole table, as a scan in position order would) and order the ids here.
            let filter = workflowID == nil ? "" : " AND workflow_id = ?"
            let statement = RawStatement(try db.cachedStatement(sql: """
                SELECT position, case_id FROM events INDEXED BY events_case_openings
                WHERE version = 1 AND case_id NOT LIKE '@%'\(filter)
                """))
            defer { statement.reset() }
            if let workflowID { statement.bind(1, workflowID) }
            var openings: [(position: Int64, caseID: String)] = []
            while try statement.step(db) { openings.append((statement.int64(0), statement.string(1) ?? "")) }
            openings.sort { $0.position < $1.position }
            return openings.map(\.caseID)
        }

        func events(of caseID: String) throws -> [RecordedEvent] {
            try SQLiteEventStore.fetchEvents(db, sql: "WHERE case_id = ? ORDER BY version", arguments: [caseID], checkingHashes: true)
        }

        func scan(after position: Int64, through last: Int64, _ body: (RecordedEvent) throws -> Void) throws {
            let statement = try db.cachedStatement(
                sql: "SELECT \(SQLiteEventStore.eventColumns) FROM events WHERE position > ? AND position <= ? ORDER BY position")
            let rows = RawStatement(statement)
            defer { rows.reset() }
            rows.bind(1, position)
            rows.bind(2, last)
            var reader = EventRowReader()
            var stored = StoredRowHash()
            while try rows.step(db) {
                let event = try reader.read(rows)
                guard stored.matches(rows) else { throw SQLiteEventStore.changedBehindDocketsBack(event) }
                try body(event)
            }
        }
    }

    static let eventColumns = """
        position, case_id, version, type, workflow_id, workflow_version, payload,
        actor, role, on_behalf_of, occurred_at, recorded_at, prev_hash, hash, encoding, principal
        """

    static func eventRow(_ row: Row) -> EventRow {
        EventRow(
            position: row[0], caseID: row[1], version: row[2], type: row[3], workflowID: row[4],
            workflowVersion: row[5], payload: row[6], actor: row[7], role: row[8], onBehalfOf: row[9],
            occurredAt: row[10], recordedAt: row[11], prevHash: row[12], hash: row[13],
            encoding: row[14], principal: row[15])
    }

    private static func fetchEvents(
        _ db: Database, sql: String, arguments: StatementArguments, expected: Int = 16, checkingHashes: Bool = false
    ) throws -> [RecordedEvent] {
        let statement = try db.cachedStatement(sql: "SELECT \(eventColumns) FROM events \(sql)")
        try statement.setArguments(arguments)
        let rows = RawStatement(statement)
        defer { rows.reset() }
        var events: [RecordedEvent] = []
        events.reserveCapacity(expected)
        var reader = EventRowReader()
        var stored = StoredRowHash()
        while try rows.step(db) {
            let event = try reader.read(rows)
            if checkingHashes, !stored.matches(rows) { throw changedBehindDocketsBack(event) }
            events.append(event)
        }
        return events
    }

    /// The error for a row read as `event` that does not match its hash.
    private static func changedBehindDocketsBack(_ event: RecordedEvent) -> StoreError {
        StoreError(
            .corrupt,
            "event at position \(event.position) (case \(event.event.caseID), version \(event.version)) does not match its hash: "
                + "it was changed behind Docket's back, so Docket will not use it (nothing was written). "
                + "Run docket verify, and restore the database from a backup.",
            caseID: event.event.caseID)
    }

    private static func fetchHeaders(_ db: Database, sql: String, arguments: StatementArguments) throws -> [CaseHeader] {
        // Cached: `header(of:)` runs before every command.
        let statement = try db.cachedStatement(sql: """
            SELECT o.case_id, o.workflow_id, o.workflow_version,
                   (SELECT MAX(e.version) FROM events e WHERE e.case_id = o.case_id), o.occurred_at
            FROM events o WHERE o.version = 1 \(sql)
            """)
        return try Row.fetchAll(statement, arguments: arguments).map { row in
            CaseHeader(
                caseID: row[0], workflowID: row[1], workflowVersion: row[2], version: row[3],
                openedAt: Timestamp(microseconds: row[4]))
        }
    }

    static func head(_ db: Database) throws -> (position: Int64, hash: String) {
        let statement = try db.cachedStatement(sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        if let row = try Row.fetchOne(statement) {
            return (row[0], row[1])
        }
        return (0, ContentHash.genesis)
    }

    /// Reads event rows into ``RecordedEvent``s, reusing the strings that repeat from row to row
    /// and decoding the payload straight from SQLite's buffer.
    private struct EventRowReader {
        var coder = PayloadCoder()
        var caseID = ""
        /// The payload each row's is decoded into: copying it costs less than `EventPayload()`,
        /// whose initializer takes all thirty-five fields as arguments (5 % of reading a row).
        static let noPayload = EventPayload()
        /// Every event type with its stored name's bytes, to read the type without a string.
        static let types = CaseEventType.allCases.map { (type: $0, bytes: Array($0.rawValue.utf8)) }
        var workflowID = ""
        var actor = ""
        var role = ""
        var onBehalfOf = ""
        var hash = ""

        /// The last principal read, as stored and parsed: rows of one session repeat it.
        var principalText: [UInt8] = []
        var lastPrincipal: Principal?

        mutating func principal(_ rows: RawStatement) -> Principal? {
            guard !rows.isNull(15) else { return nil }
            let bytes = rows.bytes(15)
            if lastPrincipal != nil, bytes.elementsEqual(principalText) { return lastPrincipal }
            lastPrincipal = rows.string(15).flatMap(Principal.init(recorded:))
            principalText = Array(bytes)
            return lastPrincipal
        }

        mutating func read(_ rows: RawStatement) throws -> RecordedEvent {
            let position = rows.int64(0)
            let caseID = rows.string(1, reusing: &caseID)
            let typeBytes = rows.bytes(3)
            guard let type = Self.types.first(where: { $0.bytes.elementsEqual(typeBytes) })?.type else {
                throw EventRow.unknownType(rows.string(3) ?? "", position: position, caseID: caseID)
            }
            // The previous row's hash is this row's prev_hash when the chain is intact.
            let prevHash = rows.string(12, reusing: &hash)
            hash = rows.string(13) ?? ""
            var recorded = RecordedEvent(
                position: position, version: rows.int(2), recordedAt: Timestamp(microseconds: rows.int64(11)),
                prevHash: prevHash, hash: hash,
                event: CaseEvent(
                    caseID: caseID, type: type, workflowID: rows.string(4, reusing: &workflowID),
                    workflowVersion: rows.int(5), actor: rows.string(7, reusing: &actor),
                    role: rows.isNull(8) ? nil : rows.string(8, reusing: &role),
                    onBehalfOf: rows.isNull(9) ? nil : rows.string(9, reusing: &onBehalfOf),
                    occurredAt: Timestamp(microseconds: rows.int64(10)), payload: Self.noPayload),
                principal: principal(rows))
            do {
                try coder.decode(utf8: rows.bytes(6), into: &recorded.event.payload)
            } catch {
                throw EventRow.invalidPayload(error, position: position, caseID: caseID)
            }
            return recorded
        }
    }

    // MARK: - Deploying

    @discardableResult
    public func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult {
        try AppendRules.checkDeploy(kind, id: id, version: version)
        let hash = ContentHash.sha256Hex(content)
        let table = kind.deploymentTable
        return try write { db in
            if let existing = try Self.fetchDeployments(kind, db, sql: "WHERE \(table.id) = ? AND version = ?", arguments: [id, version]).first {
                guard existing.content == content, existing.contentHash == hash else {
                    throw StoreError.definitionChanged(kind, id: id, version: version, deployedHash: existing.contentHash)
                }
                return DeployResult(deployment: existing, isNew: false)
            }
            let deployment = Deployment(kind: kind, id: id, version: version, content: content, contentHash: hash, deployedAt: clock.now())
            try db.execute(
                sql: "INSERT INTO \(table.name) (\(table.id), version, content, content_hash, deployed_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, version, content, hash, deployment.deployedAt.microseconds])
            logger.debug("deployed", metadata: ["kind": "\(kind.rawValue)", "id": "\(id)", "version": "\(version)"])
            return DeployResult(deployment: deployment, isNew: true)
        }
    }

    public func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment? {
        try read { db in
            try Self.fetchDeployments(kind, db, sql: "WHERE \(kind.deploymentTable.id) = ? AND version = ?", arguments: [id, version]).first
        }
    }

    public func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment? {
        try read { db in
            try Self.fetchDeployments(kind, db, sql: "WHERE \(kind.deploymentTable.id) = ? ORDER BY version DESC LIMIT 1", arguments: [id]).first
        }
    }

    public func deployments(_ kind: ArtifactKind) throws -> [Deployment] {
        try read { db in
            try Self.fetchDeployments(kind, db, sql: "ORDER BY \(kind.deploymentTable.id), version", arguments: [])
        }
    }

    private static func fetchDeployments(_ kind: ArtifactKind, _ db: Database, sql: String, arguments: StatementArguments) throws -> [Deployment] {
        let table = kind.deploymentTable
        return try Row.fetchAll(
            db, sql: "SELECT \(table.id), version, content, content_hash, deployed_at FROM \(table.name) \(sql)",
            arguments: arguments
        ).map { row in
            Deployment(
                kind: kind, id: row[0], version: row[1], content: row[2], contentHash: row[3],
                deployedAt: Timestamp(microseconds: row[4]))
        }
    }

    // MARK: - Projection checkpoints

    public func checkpoint(named name: String) throws -> Int64 {
        try read { db in try checkpoint(named: name, in: db) }
    }

    public func saveCheckpoint(named name: String, position: Int64) throws {
        try write { db in try saveCheckpoint(named: name, position: position, in: db) }
    }

    /// The checkpoint of projection `name` inside the caller's transaction (0 when it never ran).
    package func checkpoint(named name: String, in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT position FROM projection_checkpoints WHERE projection = ?", arguments: [name]) ?? 0
    }

    /// Saves the checkpoint of projection `name` inside the caller's write transaction, so it
    /// commits (or rolls back) with the projection's own table updates.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` for a position beyond the end of the log.
    package func saveCheckpoint(named name: String, position: Int64, in db: Database) throws {
        let last = try Self.head(db).position
        guard position >= 0, position <= last else {
            throw StoreError(
                .invalidArgument,
                "checkpoint '\(name)' cannot be set to position \(position): the log holds positions 0...\(last).")
        }
        try db.execute(
            sql: """
                INSERT INTO projection_checkpoints (projection, position) VALUES (?, ?)
                ON CONFLICT (projection) DO UPDATE SET position = excluded.position
                """,
            arguments: [name, position])
    }

    // MARK: - Verifying

    public func verify() throws -> VerifyReport {
        try read { db in
            var verifier = ChainVerifier { hash in
                try Int64.fetchOne(db, sql: "SELECT position FROM events WHERE hash = ? LIMIT 1", arguments: [hash])
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.eventColumns) FROM events ORDER BY position")
            while let row = try rows.next() {
                try verifier.consume(Self.eventRow(row))
            }
            var deploymentCount = 0
            for kind in ArtifactKind.allCases {
                for deployment in try Self.fetchDeployments(kind, db, sql: "", arguments: []) {
                    deploymentCount += 1
                    verifier.consume(deployment)
                }
            }
            if let row = try Row.fetchOne(
                db, sql: "SELECT key, last_position FROM idempotency_keys WHERE last_position IS NOT NULL ORDER BY last_position DESC LIMIT 1")
            {
                verifier.consumeReference(row[1], from: "idempotency key '\(row[0] as String)'")
            }
            if let row = try Row.fetchOne(db, sql: "SELECT projection, position FROM projection_checkpoints ORDER BY position DESC LIMIT 1") {
                verifier.consumeReference(row[1], from: "the checkpoint of projection '\(row[0] as String)'")
            }
            return verifier.report(deploymentCount: deploymentCount)
        }
    }

    // MARK: - Readiness and backup

    /// Checks that a writer could append now: takes the write lock (`BEGIN IMMEDIATE`) and
    /// rolls back at once, writing nothing. For the server's readiness probe, which must fail
    /// while the file is read-only, locked past the busy timeout, or gone.
    ///
    /// - Throws: ``StoreError/Code/readOnly``, ``StoreError/Code/locked`` and the other mapped
    ///   SQLite failures.
    package func checkWritable() throws {
        try mappingErrors {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) { .rollback }
            }
        }
        try checkFileSystem()
    }

    /// Below this many free bytes on the log's file system, ``checkWritable()`` reports the disk
    /// full: taking the lock writes nothing, so only the file system can tell that the next
    /// append has no room (SQLite reuses its WAL, so a few commands may still fit).
    package static let minimumFreeBytes: UInt64 = 256 * 1024

    /// The file system holding the log: read-only (remounted so), or full.
    private func checkFileSystem() throws {
        let directory = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return }
        if info.f_flag & UInt(ST_RDONLY) != 0 {
            throw StoreError(.readOnly, "database \(path) is on a read-only file system: nothing can be written. Remount it read-write.")
        }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        if free < Self.minimumFreeBytes {
            throw StoreError(.diskFull, "database \(path) is on a full disk (\(free) bytes free): nothing can be written. Free some disk space.")
        }
    }

    /// Closes the database's connections: what a server does last, once its requests are done.
    /// Any use of the store afterwards fails.
    package func close() throws {
        try mappingErrors { try pool.close() }
    }

    /// Writes a consistent snapshot of the whole database to a new file at `target`
    /// (`VACUUM INTO`), while other connections go on reading and appending: the copy is the
    /// database as of one transaction, hash chain and deployments included.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` when `target` already exists (a backup never
    ///   overwrites anything); the mapped SQLite failures (a full disk, a missing directory).
    package func backup(to target: String) throws {
        guard !FileManager.default.fileExists(atPath: target) else {
            throw StoreError(.invalidArgument, "\(target) already exists: a backup never overwrites a file; choose a new name")
        }
        do {
            // A read transaction's snapshot, so appends by this store's writer are not held up;
            // VACUUM cannot run inside a transaction, hence the transaction-less reader.
            try pool.unsafeReentrantRead { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [target])
            }
        } catch {
            throw SQLiteErrorMapping.map(error, path: target, busyTimeout: options.busyTimeout)
        }
    }

    // MARK: - Errors

    private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw SQLiteErrorMapping.map(error, path: path, busyTimeout: options.busyTimeout)
        }
    }
}
