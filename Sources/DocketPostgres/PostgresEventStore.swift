import DocketCore
import DocketStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The event store on a PostgreSQL database (`DOCKET_DB=postgres://user@host:port/db`): the same
/// contract as ``SQLiteEventStore`` (the contract suite runs against both), the same rows and
/// the same hash chain, so a log copied from one to the other verifies on both.
///
/// Any number of stores, in any number of processes and machines, may share a database. A
/// writer locks the log's head row (`log_head`, `SELECT ... FOR UPDATE`) before it reads the
/// case, numbers its events and chains their hashes, and holds it until it commits: writers
/// take positions one after another and commit in position order, so a reader tailing the log
/// by position never skips an event that commits late with a smaller number (Docs/store.md).
/// `UNIQUE (case_id, version)` guards the versions once more. A writer that waits for the head
/// longer than the lock timeout gets ``StoreError/Code/locked``.
///
/// The store is synchronous, like every ``EventStore``: each call leases a connection from a
/// pool and waits for its queries on the calling thread (never an event loop thread: see
/// `PostgresConnector`).
public final class PostgresEventStore: EventStore {
    /// How the database is used.
    public struct Options: Sendable {
        /// How long a writer waits for another writer's commit before failing with
        /// ``StoreError/Code/locked``, in seconds (`lock_timeout`).
        public var lockTimeout: Double
        /// How long a call waits for a connection (a new one, or a free one from the pool).
        public var connectTimeout: Double
        /// The most connections the pool opens.
        public var maximumConnections: Int
        /// Open without writing anything: no migrations; the schema must be up to date. A
        /// standby (hot standby, read replica) is opened so whether or not this is set.
        public var readOnly: Bool
        /// Refuse a database that holds no Docket log instead of creating one in it: what every
        /// command but `init`, `deploy` and `import` wants, so a mistyped URL creates nothing.
        public var mustExist: Bool

        public init(lockTimeout: Double = 5, connectTimeout: Double = 10, maximumConnections: Int = 8, readOnly: Bool = false,
                    mustExist: Bool = false) {
            self.lockTimeout = lockTimeout
            self.connectTimeout = connectTimeout
            self.maximumConnections = maximumConnections
            self.readOnly = readOnly
            self.mustExist = mustExist
        }
    }

    /// Where the database is (its description never holds the password).
    public let location: PostgresLocation
    /// The options it was opened with.
    public let options: Options
    /// True when the database only reads: opened read-only, or a standby.
    public let isReadOnly: Bool
    let connector: PostgresConnector
    private let clock: any WallClock
    private let logger = Logger(label: "docket.store.postgres")

    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` for a URL that is not a PostgreSQL URL;
    ///   ``StoreError/Code/cannotOpen`` when the server cannot be reached or refuses the user;
    ///   ``StoreError/Code/schemaTooNew`` when a newer docket created the tables;
    ///   ``StoreError/Code/schemaOutdated`` for a standby whose primary has not been migrated.
    public convenience init(url: String, options: Options = Options(), clock: any WallClock = SystemWallClock()) throws {
        try self.init(location: PostgresLocation(url: url), options: options, clock: clock)
    }

    /// Opens the database at `location` and brings its schema up to date (see ``init(url:options:clock:)``).
    public init(location: PostgresLocation, options: Options = Options(), clock: any WallClock = SystemWallClock()) throws {
        self.location = location
        self.options = options
        self.clock = clock
        connector = try PostgresConnector(location: location, maximumConnections: options.maximumConnections,
                                          connectTimeout: options.connectTimeout, lockTimeout: options.lockTimeout, logger: Logger(label: "docket.postgres"))
        isReadOnly = try connector.withDirectConnection { session in
            if options.mustExist, try session.run("SELECT to_regclass('docket_migrations') IS NULL").first?.decode(Bool.self) ?? true {
                throw StoreError(.invalidArgument, "no event log in \(location): nothing was created. Check --db or $DOCKET_DB; "
                    + "a new log is created by docket deploy (or an empty one by docket init --db \(location))")
            }
            let standby = try session.run("SELECT pg_is_in_recovery()").first?.decode(Bool.self) ?? false
            if options.readOnly || standby {
                try PostgresSchema.checkUpToDate(session)
            } else {
                try PostgresSchema.migrate(session)
            }
            try PostgresSchema.checkHashAlgorithm(session)
            return options.readOnly || standby
        }
    }

    /// Closes the pool's connections; later calls fail.
    public func close() {
        connector.close()
    }

    // MARK: - Sessions

    /// A read in one snapshot (REPEATABLE READ, read-only).
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try retryingLostConnection { try connector.withConnection { session in try session.transaction(readOnly: true) { try body(session) } } }
    }

    /// One read, outside a transaction (a single statement sees one snapshot anyway).
    private func readOnce<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try retryingLostConnection { try connector.withConnection(body) }
    }

    /// A read is asked again, once, on another connection when its own was lost: a pooled
    /// connection the server ended while idle (a restart, `pg_terminate_backend`) is found dead
    /// only when used. Writes are not: whether a lost one committed is for the caller to find out.
    private func retryingLostConnection<T>(_ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as StoreError where error.code == .ioError {
            return try read()
        }
    }

    /// A write transaction holding the log's head (its write lock) from its start.
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard !isReadOnly else {
            throw StoreError(.readOnly, "\(location) is open read-only (or is a standby): nothing can be written. Write to the primary.")
        }
        do {
            return try connector.withConnection { session in
                try session.transaction(lockTimeout: options.lockTimeout) { try body(session) }
            }
        } catch let error as StoreError where error.message.contains("23505") {
            // An INSERT answered with the commit: the duplicate is a conflict, as when waited for.
            throw Self.conflict(error, rows: [])
        }
    }

    // MARK: - Appending

    @discardableResult
    public func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?,
                       principal: Principal?) throws -> AppendResult {
        let append = CaseAppend(caseID: caseID, expectedVersion: expectedVersion, events: events, idempotency: idempotency,
                                principal: principal)
        try AppendRules.checkArguments(append)
        return try write { session in try appendBatch([append], in: session)[0] }
    }

    @discardableResult
    public func append(batch: [CaseAppend]) throws -> [AppendResult] {
        for append in batch { try AppendRules.checkArguments(append) }
        return try write { session in try appendBatch(batch, in: session) }
    }

    public func writeTogether<T>(_ units: [(any LogTransaction) throws -> T]) throws -> [Result<T, any Error>] {
        // One unit is the whole transaction: no savepoint to set and release around it.
        if units.count == 1 {
            do {
                return [.success(try write { session in
                    let locked = LockedLog(head: try head(session, locking: true), isAlone: true)
                    let result = try units[0](Transaction(store: self, session: session, locked: locked))
                    try updateHead(locked, in: session)
                    return result
                })]
            } catch {
                return [.failure(unitError(error))]
            }
        }
        return try write { session in
            // The head first: every unit decides on what it reads under the write lock.
            let locked = LockedLog(head: try head(session, locking: true))
            let transaction = Transaction(store: self, session: session, locked: locked)
            let results = units.map { unit -> Result<T, any Error> in
                let before = locked.saved()
                do {
                    return .success(try session.savepoint { try unit(transaction) })
                } catch {
                    locked.restore(before)
                    return .failure(unitError(error))
                }
            }
            try updateHead(locked, in: session)
            return results
        }
    }

    /// A unit's error as its caller should see it: the database's errors as ``StoreError``s, the
    /// unit's own (a refusal of the engine, say) as they are.
    private func unitError(_ error: any Error) -> any Error {
        error is PSQLError ? connector.mapped(error) : error
    }

    /// The head row, once for a whole group, answered with the commit.
    private func updateHead(_ locked: LockedLog, in session: PostgresSession) throws {
        if locked.head != locked.first {
            try session.send("UPDATE log_head SET position = \(locked.head.position), hash = \(locked.head.hash)" as PostgresQuery)
        }
    }

    /// ``LogTransaction`` on the connection holding the head.
    private struct Transaction: LogTransaction {
        let store: PostgresEventStore
        let session: PostgresSession
        let locked: LockedLog

        func events(of caseID: String) throws -> [RecordedEvent] {
            let events = try store.fetchEvents(session, "WHERE case_id = $1 ORDER BY version", binds: [caseID], checkingHashes: true)
            // Nobody else appends while the head is held: what was read stays true until commit.
            let state: LockedLog.CaseState? = events.last.map { ($0.version, $0.event.workflowID, $0.event.workflowVersion) }
            locked.cases[caseID] = .some(state)
            return events
        }

        func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
            let recorded = try store.recordedResult(for: key, in: session)
            if recorded == nil { locked.unusedKeys.insert(key.key) }
            return recorded
        }

        func append(_ append: CaseAppend) throws -> AppendResult {
            try AppendRules.checkArguments(append)
            return try store.appendBatch([append], in: session, locked: locked)[0]
        }
    }

    /// What a transaction holding the head knows of the log, so that a unit does not ask the
    /// database again what it just read under the same lock: the head, the state of the cases
    /// read (`nil` inside: no such case) and the idempotency keys found unused.
    final class LockedLog {
        typealias CaseState = (version: Int, workflowID: String, workflowVersion: Int)
        var head: (position: Int64, hash: String)
        let first: (position: Int64, hash: String)
        var cases: [String: CaseState?] = [:]
        var unusedKeys: Set<String> = []
        /// True when the unit is the whole transaction: what fails in it fails the commit too, so
        /// its writes need not be waited for one by one.
        let isAlone: Bool

        init(head: (position: Int64, hash: String), isAlone: Bool = false) {
            self.head = head
            first = head
            self.isAlone = isAlone
        }

        /// What to restore when a unit is rolled back to its savepoint.
        func saved() -> (head: (position: Int64, hash: String), cases: [String: CaseState?], unusedKeys: Set<String>) {
            (head, cases, unusedKeys)
        }

        func restore(_ saved: (head: (position: Int64, hash: String), cases: [String: CaseState?], unusedKeys: Set<String>)) {
            (head, cases, unusedKeys) = saved
        }
    }

    /// The head of the log (last position and its hash); `locking` takes the writers' lock.
    private func head(_ session: PostgresSession, locking: Bool) throws -> (position: Int64, hash: String) {
        try head(of: session.send(sql: "SELECT position, hash FROM log_head\(locking ? " FOR UPDATE" : "")"))
    }

    private func head(of sent: SentQuery) throws -> (position: Int64, hash: String) {
        guard let row = try sent.rows().first else {
            throw StoreError(.corrupt, "\(location) has no row in log_head: the table was emptied behind Docket's back. Run docket verify, and restore the database from a backup.")
        }
        let (position, hash) = try row.decode((Int64, String).self)
        return (position, hash)
    }

    /// Asks for the case's version and pin as the log has it, for each of `caseIDs` (nil when
    /// there are none to ask for); ``caseStates(of:)`` reads the answer.
    private func sendCaseStates(_ caseIDs: [String], in session: PostgresSession) throws -> SentQuery? {
        guard !caseIDs.isEmpty else { return nil }
        var binds = PostgresBindings()
        try binds.append(caseIDs)
        // Each case's last event, read backwards on (case_id, version): no sort of every event.
        return try session.send(PostgresQuery(unsafeSQL: """
            SELECT c.case_id, e.version, e.workflow_id, e.workflow_version
            FROM unnest($1::text[]) AS c(case_id)
            CROSS JOIN LATERAL (SELECT version, workflow_id, workflow_version FROM events
                                WHERE events.case_id = c.case_id ORDER BY version DESC LIMIT 1) AS e
            """, binds: binds))
    }

    private func caseStates(of sent: SentQuery?) throws -> [String: (version: Int, workflowID: String, workflowVersion: Int)] {
        var states: [String: (version: Int, workflowID: String, workflowVersion: Int)] = [:]
        for row in try sent?.rows() ?? [] {
            let (caseID, version, workflowID, workflowVersion) = try row.decode((String, Int, String, Int).self)
            states[caseID] = (version, workflowID, workflowVersion)
        }
        return states
    }

    /// Appends `batch` in the caller's write transaction: same rules and errors as
    /// ``append(batch:)``; when it throws, the caller rolls back.
    ///
    /// With `locked` (inside ``writeTogether(_:)``), the head and what the units read under it
    /// are not asked for again, and the head row is left for the group to update once.
    func appendBatch(_ batch: [CaseAppend], in session: PostgresSession, locked: LockedLog? = nil) throws -> [AppendResult] {
        let recordedAt = clock.now()
        var head: (position: Int64, hash: String)
        var states: [String: (version: Int, workflowID: String, workflowVersion: Int)] = [:]
        var unread = Array(Set(batch.map(\.caseID)))
        if let locked {
            head = locked.head
            unread.removeAll { caseID in
                guard let known = locked.cases[caseID] else { return false }
                states[caseID] = known
                return true
            }
            states = states.merging(try caseStates(of: sendCaseStates(unread, in: session))) { known, _ in known }
        } else {
            // One wait for both: the server answers them in order, the states after the lock.
            let sentHead = try session.send(sql: "SELECT position, hash FROM log_head FOR UPDATE")
            let sentStates = try sendCaseStates(unread, in: session)
            head = try self.head(of: sentHead)
            states = try caseStates(of: sentStates)
        }
        // What the batch's keys recorded before, asked before any row goes in (a COPY in
        // progress leaves the connection to itself).
        let asked = batch.compactMap(\.idempotency).filter { locked?.unusedKeys.contains($0.key) != true }
        let recordedKeys = try recorded(asked.map(\.key), in: session)
        // Many rows are streamed into a COPY as they are chained; a few are inserted.
        let total = batch.reduce(0) { $0 + $1.events.count }
        let copy = total >= Self.copyThreshold ? try session.copyIn(into: "events", columns: Self.eventColumnNames) : nil
        var chunk = ByteBufferAllocator().buffer(capacity: copy == nil ? 0 : 1 << 18)
        var coder = PayloadCoder()
        var rows: [EventRow] = []
        var appended = 0
        var keys: [(key: IdempotencyKey, caseID: String, first: Int64?, last: Int64?)] = []
        var keysOfBatch: [String: (fingerprint: String, caseID: String, result: AppendResult)] = [:]
        var results: [AppendResult] = []
        results.reserveCapacity(batch.count)
        do {
            for append in batch {
                try AppendRules.checkArguments(append)
                if let key = append.idempotency {
                    if let earlier = keysOfBatch[key.key] {
                        guard earlier.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: earlier.caseID) }
                        results.append(AppendResult(events: earlier.result.events, isReplay: true))
                        continue
                    }
                    if let record = recordedKeys[key.key] {
                        guard record.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: record.caseID) }
                        results.append(record.result)
                        continue
                    }
                }
                let state = states[append.caseID]
                try AppendRules.checkAgainstCase(append, current: state)
                var recorded: [RecordedEvent] = []
                recorded.reserveCapacity(append.events.count)
                for (offset, event) in append.events.enumerated() {
                    let row = try EventRow(
                        event: event, position: head.position + 1, version: append.expectedVersion + 1 + offset,
                        recordedAt: recordedAt, prevHash: head.hash, principal: append.principal, coder: &coder)
                    if let copy {
                        Self.writeCopyLine(row, to: &chunk)
                        if chunk.readableBytes >= 1 << 18 {
                            copy.write(chunk)
                            chunk = ByteBufferAllocator().buffer(capacity: 1 << 18)
                        }
                    } else {
                        rows.append(row)
                    }
                    appended += 1
                    head = (row.position, row.hash)
                    recorded.append(RecordedEvent(
                        position: row.position, version: row.version, recordedAt: recordedAt,
                        prevHash: row.prevHash, hash: row.hash, event: event, principal: append.principal))
                }
                if let last = append.events.last {
                    states[append.caseID] = (append.expectedVersion + append.events.count,
                                             state?.workflowID ?? last.workflowID, state?.workflowVersion ?? last.workflowVersion)
                }
                let result = AppendResult(events: recorded, isReplay: false)
                if let key = append.idempotency {
                    keys.append((key, append.caseID, recorded.first?.position, recorded.last?.position))
                    keysOfBatch[key.key] = (key.fingerprint, append.caseID, result)
                }
                results.append(result)
            }
        } catch {
            copy?.abandon()
            throw error
        }
        if let copy {
            if chunk.readableBytes > 0 { copy.write(chunk) }
            do {
                try copy.finish()
            } catch let error as StoreError where error.message.contains("23505") {
                throw Self.conflict(error, rows: [])
            }
        } else {
            // Alone in its transaction, an append's INSERT is answered with the commit.
            try insert(rows, in: session, waiting: locked.map { !$0.isAlone } ?? false)
        }
        for chunk in stride(from: 0, to: keys.count, by: 1000) {
            let part = keys[chunk..<min(keys.count, chunk + 1000)]
            var binds = PostgresBindings(capacity: part.count * 6)
            var values: [String] = []
            for (index, entry) in part.enumerated() {
                let base = index * 6
                values.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6))")
                binds.append(entry.key.key)
                binds.append(entry.key.fingerprint)
                binds.append(entry.caseID)
                binds.append(entry.first)
                binds.append(entry.last)
                binds.append(recordedAt.microseconds)
            }
            // Answered with the commit (a key is unique under the head's lock).
            try session.send(PostgresQuery(unsafeSQL: """
                INSERT INTO idempotency_keys (key, fingerprint, case_id, first_position, last_position, recorded_at)
                VALUES \(values.joined(separator: ", "))
                """, binds: binds))
        }
        if let locked {
            locked.head = head
            for (caseID, state) in states { locked.cases[caseID] = .some(state) }
            for entry in keys { locked.unusedKeys.remove(entry.key.key) }
        } else if appended > 0 {
            try session.send("UPDATE log_head SET position = \(head.position), hash = \(head.hash)" as PostgresQuery)
        }
        if appended > 0 { logger.trace("appended", metadata: ["events": "\(appended)"]) }
        return results
    }

    /// The columns of `events`, in ``EventRow``'s order.
    static let eventColumns = """
        position, case_id, version, type, workflow_id, workflow_version, payload, actor, role, on_behalf_of,
        occurred_at, recorded_at, prev_hash, hash, encoding, principal
        """

    /// Rows from which ``insert(_:in:)`` copies (`COPY ... FROM STDIN`) rather than inserts: a
    /// COPY costs a round trip more than an INSERT, and a thousand-row INSERT costs the server
    /// 16,000 bind parameters to parse (Benchmarks/run, section 11, measures both).
    static let copyThreshold = 64

    /// Inserts `rows` as they are (positions and hashes decided): a few with INSERT, many with
    /// COPY. A duplicate (case, version) can only come from a writer that skipped the head's
    /// lock: it is reported as the conflict it is.
    ///
    /// - Parameter waiting: false to send the INSERTs without waiting for their answers: their
    ///   errors then come with the commit (as ``write(_:)`` maps them).
    func insert(_ rows: [EventRow], in session: PostgresSession, waiting: Bool = true) throws {
        do {
            if rows.count >= Self.copyThreshold {
                try session.copy(into: "events", columns: Self.eventColumnNames, data: Self.copyText(rows))
            } else {
                try insertStatements(rows, in: session, waiting: waiting)
            }
        } catch let error as StoreError where error.message.contains("23505") {
            throw Self.conflict(error, rows: rows)
        }
    }

    /// A duplicate (case, version) as the conflict it is, naming the case the server names
    /// (`Key (case_id, version)=(C-1, 2) already exists`), else the first of `rows`.
    static func conflict(_ error: StoreError, rows: [EventRow]) -> StoreError {
        let message = error.message
        if let open = message.range(of: "(case_id, version)=("), let close = message[open.upperBound...].range(of: ")") {
            let parts = message[open.upperBound..<close.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let version = Int(parts[1]) {
                return StoreError.conflict(caseID: parts[0], expected: version - 1, actual: version)
            }
        }
        guard let first = rows.first else { return error }
        return StoreError.conflict(caseID: first.caseID, expected: first.version - 1, actual: first.version)
    }

    /// The columns of `events`, one name each.
    static let eventColumnNames = eventColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// `rows` in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
    static func copyText(_ rows: [EventRow]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: rows.count * 1024)
        for row in rows { writeCopyLine(row, to: &buffer) }
        return buffer
    }

    /// One row in COPY's text format, ending in a newline.
    static func writeCopyLine(_ row: EventRow, to buffer: inout ByteBuffer) {
        buffer.writeString(String(row.position)); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.caseID, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(row.version)); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.type, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.workflowID, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(row.workflowVersion)); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.payload, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.actor, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.role, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.onBehalfOf, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(row.occurredAt)); buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(row.recordedAt)); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.prevHash, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.hash, to: &buffer); buffer.writeInteger(UInt8(ascii: "\t"))
        buffer.writeString(String(row.encoding)); buffer.writeInteger(UInt8(ascii: "\t"))
        writeCopyField(row.principal, to: &buffer); buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// One text field: the bytes as they are but for the four COPY gives a meaning to.
    private static func writeCopyField(_ text: String?, to buffer: inout ByteBuffer) {
        guard let text else {
            buffer.writeStaticString("\\N")
            return
        }
        // Most fields hold none of them: written whole.
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeString(text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// `rows` as multi-row INSERTs, a thousand to a statement.
    private func insertStatements(_ rows: [EventRow], in session: PostgresSession, waiting: Bool) throws {
        for chunk in stride(from: 0, to: rows.count, by: 1000) {
            let part = rows[chunk..<min(rows.count, chunk + 1000)]
            var binds = PostgresBindings(capacity: part.count * 16)
            var values: [String] = []
            values.reserveCapacity(part.count)
            for (index, row) in part.enumerated() {
                let base = index * 16
                values.append("(" + (1...16).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                binds.append(row.position)
                binds.append(row.caseID)
                binds.append(row.version)
                binds.append(row.type)
                binds.append(row.workflowID)
                binds.append(row.workflowVersion)
                binds.append(row.payload)
                binds.append(row.actor)
                binds.append(row.role)
                binds.append(row.onBehalfOf)
                binds.append(row.occurredAt)
                binds.append(row.recordedAt)
                binds.append(row.prevHash)
                binds.append(row.hash)
                binds.append(row.encoding)
                binds.append(row.principal)
            }
            let sent = try session.send(PostgresQuery(unsafeSQL: "INSERT INTO events (\(Self.eventColumns)) VALUES \(values.joined(separator: ", "))", binds: binds))
            if waiting { _ = try sent.rows() }
        }
    }

    public func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
        try read { session in try recordedResult(for: key, in: session) }
    }

    private func recordedResult(for key: IdempotencyKey, in session: PostgresSession) throws -> AppendResult? {
        guard let record = try recorded([key.key], in: session)[key.key] else { return nil }
        guard record.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: record.caseID) }
        return record.result
    }

    /// What each of `keys` recorded (the command's fingerprint, its case, the events it
    /// appended), for those that were used: one query for the keys, one per key found.
    private func recorded(_ keys: [String], in session: PostgresSession) throws
        -> [String: (fingerprint: String, caseID: String, result: AppendResult)] {
        guard !keys.isEmpty else { return [:] }
        var binds = PostgresBindings()
        try binds.append(keys)
        var found: [String: (fingerprint: String, caseID: String, result: AppendResult)] = [:]
        for row in try session.query(PostgresQuery(unsafeSQL: """
            SELECT key, fingerprint, case_id, first_position, last_position FROM idempotency_keys WHERE key = ANY($1)
            """, binds: binds)) {
            let (key, fingerprint, caseID, first, last) = try row.decode((String, String, String, Int64?, Int64?).self)
            var events: [RecordedEvent] = []
            if let first, let last {
                events = try fetchEvents(session, "WHERE position BETWEEN $1 AND $2 ORDER BY position", binds: [first, last])
            }
            found[key] = (fingerprint, caseID, AppendResult(events: events, isReplay: true))
        }
        return found
    }

    // MARK: - Reading

    /// The case's events, each row checked against its hash first (as on SQLite): commands
    /// decide on what this returns.
    public func events(of caseID: String) throws -> [RecordedEvent] {
        try readOnce { session in
            try fetchEvents(session, "WHERE case_id = $1 ORDER BY version", binds: [caseID], checkingHashes: true)
        }
    }

    public func header(of caseID: String) throws -> CaseHeader? {
        try readOnce { session in try fetchHeaders(session, "AND o.case_id = $1", binds: [caseID]).first }
    }

    public func cases(workflowID: String?) throws -> [CaseHeader] {
        try readOnce { session in
            // Ids starting with `@` are the log's reserved streams (a directory's changes), not cases.
            if let workflowID {
                return try fetchHeaders(session, "AND o.workflow_id = $1 AND o.case_id NOT LIKE '@%' ORDER BY o.position", binds: [workflowID])
            }
            return try fetchHeaders(session, "AND o.case_id NOT LIKE '@%' ORDER BY o.position", binds: [])
        }
    }

    public func events(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try readOnce { session in
            try fetchEvents(session, "WHERE position > $1 ORDER BY position LIMIT $2", binds: [position, Int64(max(0, limit))])
        }
    }

    public func lastPosition() throws -> Int64 {
        try readOnce { session in try head(session, locking: false).position }
    }

    /// At most `limit` stored rows after `position`, exactly as stored (for copying a log and for
    /// verifying): the payload as its text, the hash unchecked.
    package func rows(after position: Int64, limit: Int) throws -> [EventRow] {
        try readOnce { session in try fetchRows(session, "WHERE position > $1 ORDER BY position LIMIT $2", binds: [position, Int64(max(0, limit))]) }
    }

    private func fetchRows(_ session: PostgresSession, _ clause: String, binds values: [any PostgresThrowingDynamicTypeEncodable & Sendable]) throws -> [EventRow] {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try binds.append(value) }
        return try session.query(PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events \(clause)", binds: binds)).map(Self.eventRow)
    }

    private static func eventRow(_ row: PostgresRow) throws -> EventRow {
        let cells = row.makeRandomAccess()
        return EventRow(
            position: try cells[0].decode(Int64.self), caseID: try cells[1].decode(String.self), version: try cells[2].decode(Int.self),
            type: try cells[3].decode(String.self), workflowID: try cells[4].decode(String.self),
            workflowVersion: try cells[5].decode(Int.self), payload: try cells[6].decode(String.self),
            actor: try cells[7].decode(String.self), role: try cells[8].decode(String?.self), onBehalfOf: try cells[9].decode(String?.self),
            occurredAt: try cells[10].decode(Int64.self), recordedAt: try cells[11].decode(Int64.self),
            prevHash: try cells[12].decode(String.self), hash: try cells[13].decode(String.self),
            encoding: try cells[14].decode(Int.self), principal: try cells[15].decode(String?.self))
    }

    private func fetchEvents(_ session: PostgresSession, _ clause: String, binds: [any PostgresThrowingDynamicTypeEncodable & Sendable],
                             checkingHashes: Bool = false) throws -> [RecordedEvent] {
        var coder = PayloadCoder()
        return try fetchRows(session, clause, binds: binds).map { row in
            if checkingHashes && row.computedHash() != row.hash {
                throw StoreError(
                    .corrupt,
                    "event at position \(row.position) (case \(row.caseID), version \(row.version)) does not match its hash: "
                        + "it was changed behind Docket's back, so Docket will not use it (nothing was written). "
                        + "Run docket verify, and restore the database from a backup.",
                    caseID: row.caseID)
            }
            return try row.recordedEvent(coder: &coder)
        }
    }

    private func fetchHeaders(_ session: PostgresSession, _ clause: String, binds values: [String]) throws -> [CaseHeader] {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return try session.query(PostgresQuery(unsafeSQL: """
            SELECT o.case_id, o.workflow_id, o.workflow_version,
                   (SELECT MAX(e.version) FROM events e WHERE e.case_id = o.case_id), o.occurred_at
            FROM events o WHERE o.version = 1 \(clause)
            """, binds: binds)).map { row in
            let (caseID, workflowID, workflowVersion, version, openedAt) = try row.decode((String, String, Int, Int, Int64).self)
            return CaseHeader(caseID: caseID, workflowID: workflowID, workflowVersion: workflowVersion, version: version,
                              openedAt: Timestamp(microseconds: openedAt))
        }
    }

    // MARK: - Deploying

    @discardableResult
    public func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult {
        try AppendRules.checkDeploy(kind, id: id, version: version)
        let hash = ContentHash.sha256Hex(content)
        let table = kind.deploymentTable
        return try write { session in
            func existing() throws -> DeployResult? {
                guard let existing = try fetchDeployments(kind, session, "WHERE \(table.id) = $1 AND version = $2", id: id, version: version).first
                else { return nil }
                guard existing.content == content, existing.contentHash == hash else {
                    throw StoreError.definitionChanged(kind, id: id, version: version, deployedHash: existing.contentHash)
                }
                return DeployResult(deployment: existing, isNew: false)
            }
            if let unchanged = try existing() { return unchanged }
            let deployment = Deployment(kind: kind, id: id, version: version, content: content, contentHash: hash, deployedAt: clock.now())
            // Not inserted when a concurrent deployer got there first: then judged like a redeploy.
            guard try insert(deployment, in: session) else {
                guard let raced = try existing() else {
                    throw StoreError(.database, "\(kind.noun) '\(id)' version \(version) could neither be deployed nor read back; retry.")
                }
                return raced
            }
            logger.debug("deployed", metadata: ["kind": "\(kind.rawValue)", "id": "\(id)", "version": "\(version)"])
            return DeployResult(deployment: deployment, isNew: true)
        }
    }

    /// Inserts `deployment` as it is (its time kept) unless its id and version exist; true when inserted.
    func insert(_ deployment: Deployment, in session: PostgresSession) throws -> Bool {
        let table = deployment.kind.deploymentTable
        return !(try session.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table.name) (\(table.id), version, content, content_hash, deployed_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING RETURNING version
            """, binds: try Self.binds(deployment.id, deployment.version, deployment.content, deployment.contentHash,
                                      deployment.deployedAt.microseconds)))).isEmpty
    }

    public func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment? {
        try readOnce { session in
            try fetchDeployments(kind, session, "WHERE \(kind.deploymentTable.id) = $1 AND version = $2", id: id, version: version).first
        }
    }

    public func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment? {
        try readOnce { session in
            try fetchDeployments(kind, session, "WHERE \(kind.deploymentTable.id) = $1 ORDER BY version DESC LIMIT 1", id: id).first
        }
    }

    public func deployments(_ kind: ArtifactKind) throws -> [Deployment] {
        try readOnce { session in try fetchDeployments(kind, session, "ORDER BY \(kind.deploymentTable.id), version") }
    }

    private func fetchDeployments(_ kind: ArtifactKind, _ session: PostgresSession, _ clause: String, id: String? = nil,
                                  version: Int? = nil) throws -> [Deployment] {
        let table = kind.deploymentTable
        var binds = PostgresBindings()
        if let id { binds.append(id) }
        if let version { binds.append(version) }
        return try session.query(PostgresQuery(
            unsafeSQL: "SELECT \(table.id), version, content, content_hash, deployed_at FROM \(table.name) \(clause)", binds: binds)
        ).map { row in
            let (id, version, content, hash, at) = try row.decode((String, Int, String, String, Int64).self)
            return Deployment(kind: kind, id: id, version: version, content: content, contentHash: hash, deployedAt: Timestamp(microseconds: at))
        }
    }

    private static func binds(_ values: any PostgresThrowingDynamicTypeEncodable...) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try binds.append(value) }
        return binds
    }

    // MARK: - Signed heads

    public func recordSignedHead(_ head: SignedHead) throws {
        try write { session in
            try session.query("""
                INSERT INTO signed_heads (position, hash, signed_at, key_id, algorithm, signature)
                VALUES (\(head.position), \(head.hash), \(head.signedAt.microseconds), \(head.keyID), \(head.algorithm), \(head.signature))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    public func signedHeads() throws -> [SignedHead] {
        try readOnce { session in
            try session.run("SELECT position, hash, signed_at, key_id, algorithm, signature FROM signed_heads ORDER BY position, key_id").map { row in
                let (position, hash, signedAt, keyID, algorithm, signature) = try row.decode((Int64, String, Int64, String, String, String).self)
                return SignedHead(position: position, hash: hash, signedAt: Timestamp(microseconds: signedAt), keyID: keyID,
                                  algorithm: algorithm, signature: signature)
            }
        }
    }

    // MARK: - Projection checkpoints

    public func checkpoint(named name: String) throws -> Int64 {
        try readOnce { session in
            try session.query("SELECT position FROM projection_checkpoints WHERE projection = \(name)").first?.decode(Int64.self) ?? 0
        }
    }

    public func saveCheckpoint(named name: String, position: Int64) throws {
        try write { session in
            let last = try head(session, locking: false).position
            guard position >= 0, position <= last else {
                throw StoreError(
                    .invalidArgument,
                    "checkpoint '\(name)' cannot be set to position \(position): the log holds positions 0...\(last).")
            }
            try session.query("""
                INSERT INTO projection_checkpoints (projection, position) VALUES (\(name), \(position))
                ON CONFLICT (projection) DO UPDATE SET position = excluded.position
                """)
        }
    }

    // MARK: - Verifying

    /// How many rows `verify` reads at a time: memory stays bounded however long the log is.
    static let verifyPage = 10_000

    public func verify() throws -> VerifyReport {
        try read { session in
            var verifier = ChainVerifier { hash in
                try session.query("SELECT position FROM events WHERE hash = \(hash) LIMIT 1").first?.decode(Int64.self)
            }
            var after: Int64 = 0
            while true {
                let page = try fetchRows(session, "WHERE position > $1 ORDER BY position LIMIT $2", binds: [after, Int64(Self.verifyPage)])
                for row in page { try verifier.consume(row) }
                guard let last = page.last, page.count == Self.verifyPage else { break }
                after = last.position
            }
            var deploymentCount = 0
            for kind in ArtifactKind.allCases {
                for deployment in try fetchDeployments(kind, session, "") {
                    deploymentCount += 1
                    verifier.consume(deployment)
                }
            }
            if let row = try session.run("SELECT key, last_position FROM idempotency_keys WHERE last_position IS NOT NULL ORDER BY last_position DESC LIMIT 1").first {
                let (key, position) = try row.decode((String, Int64).self)
                verifier.consumeReference(position, from: "idempotency key '\(key)'")
            }
            if let row = try session.run("SELECT projection, position FROM projection_checkpoints ORDER BY position DESC LIMIT 1").first {
                let (name, position) = try row.decode((String, Int64).self)
                verifier.consumeReference(position, from: "the checkpoint of projection '\(name)'")
            }
            // The head row is written with every append: events cut from the end of the log
            // (with the triggers dropped) leave it pointing past the last row.
            verifier.consumeReference(try head(session, locking: false).position, from: "the head of the log (log_head)")
            return verifier.report(deploymentCount: deploymentCount)
        }
    }
}
