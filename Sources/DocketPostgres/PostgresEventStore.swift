import DocketCore
import DocketStore
import Foundation
import Logging
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
                                          connectTimeout: options.connectTimeout, logger: Logger(label: "docket.postgres"))
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
        try connector.withConnection { session in try session.transaction(readOnly: true) { try body(session) } }
    }

    /// One read, outside a transaction (a single statement sees one snapshot anyway).
    private func readOnce<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try connector.withConnection(body)
    }

    /// A write transaction holding the log's head (its write lock) from its start.
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard !isReadOnly else {
            throw StoreError(.readOnly, "\(location) is open read-only (or is a standby): nothing can be written. Write to the primary.")
        }
        return try connector.withConnection { session in
            try session.transaction(lockTimeout: options.lockTimeout) { try body(session) }
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
        try write { session in
            // The head first: every unit decides on what it reads under the write lock.
            _ = try head(session, locking: true)
            let transaction = Transaction(store: self, session: session)
            return units.map { unit in
                do {
                    return .success(try session.savepoint { try unit(transaction) })
                } catch {
                    return .failure(connector.mapped(error))
                }
            }
        }
    }

    /// ``LogTransaction`` on the connection holding the head.
    private struct Transaction: LogTransaction {
        let store: PostgresEventStore
        let session: PostgresSession

        func events(of caseID: String) throws -> [RecordedEvent] {
            try store.fetchEvents(session, "WHERE case_id = $1 ORDER BY version", binds: [caseID], checkingHashes: true)
        }

        func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
            try store.recordedResult(for: key, in: session)
        }

        func append(_ append: CaseAppend) throws -> AppendResult {
            try AppendRules.checkArguments(append)
            return try store.appendBatch([append], in: session)[0]
        }
    }

    /// The head of the log (last position and its hash); `locking` takes the writers' lock.
    private func head(_ session: PostgresSession, locking: Bool) throws -> (position: Int64, hash: String) {
        guard let row = try session.run("SELECT position, hash FROM log_head\(locking ? " FOR UPDATE" : "")").first else {
            throw StoreError(.corrupt, "\(location) has no row in log_head: the table was emptied behind Docket's back. Run docket verify, and restore the database from a backup.")
        }
        let (position, hash) = try row.decode((Int64, String).self)
        return (position, hash)
    }

    /// The case's version and pin as the log has it, for each of `caseIDs`.
    private func caseStates(_ caseIDs: [String], in session: PostgresSession) throws -> [String: (version: Int, workflowID: String, workflowVersion: Int)] {
        var states: [String: (version: Int, workflowID: String, workflowVersion: Int)] = [:]
        guard !caseIDs.isEmpty else { return states }
        var binds = PostgresBindings()
        try binds.append(caseIDs)
        for row in try session.query(PostgresQuery(unsafeSQL: """
            SELECT DISTINCT ON (case_id) case_id, version, workflow_id, workflow_version FROM events
            WHERE case_id = ANY($1) ORDER BY case_id, version DESC
            """, binds: binds)) {
            let (caseID, version, workflowID, workflowVersion) = try row.decode((String, Int, String, Int).self)
            states[caseID] = (version, workflowID, workflowVersion)
        }
        return states
    }

    /// Appends `batch` in the caller's write transaction: same rules and errors as
    /// ``append(batch:)``; when it throws, the caller rolls back.
    func appendBatch(_ batch: [CaseAppend], in session: PostgresSession) throws -> [AppendResult] {
        let recordedAt = clock.now()
        var head = try head(session, locking: true)
        var states = try caseStates(Array(Set(batch.map(\.caseID))), in: session)
        var coder = PayloadCoder()
        var rows: [EventRow] = []
        var keys: [(key: IdempotencyKey, caseID: String, first: Int64?, last: Int64?)] = []
        var keysOfBatch: [String: (fingerprint: String, caseID: String, result: AppendResult)] = [:]
        var results: [AppendResult] = []
        results.reserveCapacity(batch.count)
        for append in batch {
            try AppendRules.checkArguments(append)
            if let key = append.idempotency {
                if let earlier = keysOfBatch[key.key] {
                    guard earlier.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: earlier.caseID) }
                    results.append(AppendResult(events: earlier.result.events, isReplay: true))
                    continue
                }
                if let recorded = try recordedResult(for: key, in: session) {
                    results.append(recorded)
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
                rows.append(row)
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
        try insert(rows, in: session)
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
            try session.query(PostgresQuery(unsafeSQL: """
                INSERT INTO idempotency_keys (key, fingerprint, case_id, first_position, last_position, recorded_at)
                VALUES \(values.joined(separator: ", "))
                """, binds: binds))
        }
        if !rows.isEmpty {
            try session.query("UPDATE log_head SET position = \(head.position), hash = \(head.hash)")
            logger.trace("appended", metadata: ["events": "\(rows.count)"])
        }
        return results
    }

    /// The columns of `events`, in ``EventRow``'s order.
    static let eventColumns = """
        position, case_id, version, type, workflow_id, workflow_version, payload, actor, role, on_behalf_of,
        occurred_at, recorded_at, prev_hash, hash, encoding, principal
        """

    /// Inserts `rows` as they are (positions and hashes decided), a thousand to a statement.
    /// A duplicate (case, version) can only come from a writer that skipped the head's lock: it
    /// is reported as the conflict it is.
    func insert(_ rows: [EventRow], in session: PostgresSession) throws {
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
            do {
                try session.query(PostgresQuery(unsafeSQL: "INSERT INTO events (\(Self.eventColumns)) VALUES \(values.joined(separator: ", "))", binds: binds))
            } catch let error as StoreError where error.message.contains("23505") {
                let first = part.first!
                throw StoreError.conflict(caseID: first.caseID, expected: first.version - 1, actual: first.version)
            }
        }
    }

    public func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
        try read { session in try recordedResult(for: key, in: session) }
    }

    private func recordedResult(for key: IdempotencyKey, in session: PostgresSession) throws -> AppendResult? {
        guard let row = try session.query("""
            SELECT fingerprint, case_id, first_position, last_position FROM idempotency_keys WHERE key = \(key.key)
            """).first else { return nil }
        let (fingerprint, caseID, first, last) = try row.decode((String, String, Int64?, Int64?).self)
        guard fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: caseID) }
        guard let first, let last else { return AppendResult(events: [], isReplay: true) }
        let events = try fetchEvents(session, "WHERE position BETWEEN $1 AND $2 ORDER BY position", binds: [first, last])
        return AppendResult(events: events, isReplay: true)
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
