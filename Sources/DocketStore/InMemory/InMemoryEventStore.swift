import DocketCore
import Foundation

/// An event store in memory, for tests and dry runs: the same rules, errors and hashes as
/// ``SQLiteEventStore`` (both pass the contract suite), nothing on disk.
///
/// Thread-safe: every operation holds one lock, so appends are serialised like SQLite's writers.
public final class InMemoryEventStore: EventStore, @unchecked Sendable {
    // @unchecked: all mutable state is in `state`, only touched while holding `lock`.
    // Recursive: a unit of ``writeTogether(_:)`` runs under the lock and may read deployments
    // (the service's catalog does), as a SQLite unit reads them on another connection.
    private let lock = NSRecursiveLock()
    private var state = State()
    private let clock: any WallClock

    private struct State {
        var rows: [EventRow] = []
        var signedHeads: [SignedHead] = []
        /// Indices into `rows` of each case's events, in version order.
        var cases: [String: [Int]] = [:]
        /// Case ids in the order they were opened.
        var caseOrder: [String] = []
        var keys: [String: KeyRecord] = [:]
        var deployments: [ArtifactKind: [String: [Int: Deployment]]] = [:]
        var checkpoints: [String: Int64] = [:]
    }

    private struct KeyRecord {
        var fingerprint: String
        var caseID: String
        var events: [RecordedEvent]
    }

    /// An empty store whose `recorded_at` and `deployed_at` come from `clock`.
    public init(clock: any WallClock = SystemWallClock()) {
        self.clock = clock
    }

    private func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    // MARK: - Appending

    @discardableResult

    public func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?,
                       principal: Principal?) throws -> AppendResult {
        try append(batch: [CaseAppend(caseID: caseID, expectedVersion: expectedVersion, events: events, idempotency: idempotency,
                                      principal: principal)])[0]
    }

    @discardableResult

    public func append(batch: [CaseAppend]) throws -> [AppendResult] {
        for append in batch { try AppendRules.checkArguments(append) }
        let recordedAt = clock.now()
        return try withState { state in try Self.append(batch, to: &state, recordedAt: recordedAt) }
    }

    /// Appends `batch` to `state`: the whole batch is decided against `state` plus what the batch
    /// itself added, then committed in one go, all or nothing, as in one SQLite transaction.
    private static func append(_ batch: [CaseAppend], to state: inout State, recordedAt: Timestamp) throws -> [AppendResult] {
            var coder = PayloadCoder()
            var newRows: [EventRow] = []
            var newVersions: [String: (version: Int, workflowID: String, workflowVersion: Int)] = [:]
            var newKeys: [String: KeyRecord] = [:]
            var results: [AppendResult] = []
            var head = (position: Int64(state.rows.count), hash: state.rows.last?.hash ?? ContentHash.genesis)
            for append in batch {
                if let key = append.idempotency, let recorded = newKeys[key.key] ?? state.keys[key.key] {
                    guard recorded.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: recorded.caseID) }
                    results.append(AppendResult(events: recorded.events, isReplay: true))
                    continue
                }
                let current = newVersions[append.caseID] ?? state.cases[append.caseID].flatMap { indices in
                    indices.last.map { last in
                        let row = state.rows[last]
                        return (row.version, row.workflowID, row.workflowVersion)
                    }
                }
                try AppendRules.checkAgainstCase(append, current: current)
                var recorded: [RecordedEvent] = []
                for (offset, event) in append.events.enumerated() {
                    let row = try EventRow(
                        event: event, position: head.position + 1, version: append.expectedVersion + 1 + offset,
                        recordedAt: recordedAt, prevHash: head.hash, principal: append.principal, coder: &coder)
                    head = (row.position, row.hash)
                    newRows.append(row)
                    newVersions[append.caseID] = (row.version, row.workflowID, row.workflowVersion)
                    recorded.append(RecordedEvent(
                        position: row.position, version: row.version, recordedAt: recordedAt,
                        prevHash: row.prevHash, hash: row.hash, event: event, principal: append.principal))
                }
                if let key = append.idempotency {
                    newKeys[key.key] = KeyRecord(fingerprint: key.fingerprint, caseID: append.caseID, events: recorded)
                }
                results.append(AppendResult(events: recorded, isReplay: false))
            }

            for row in newRows {
                if state.cases[row.caseID] == nil { state.caseOrder.append(row.caseID) }
                state.cases[row.caseID, default: []].append(state.rows.count)
                state.rows.append(row)
            }
            state.keys.merge(newKeys) { _, new in new }
            return results
    }

    public func writeTogether<T>(_ units: [(any LogTransaction) throws -> T]) throws -> [Result<T, any Error>] {
        let recordedAt = clock.now()
        // The lock is held throughout (writers are serialised), but `state` is only touched at
        // the start and the end: a unit may read deployments through the store meanwhile.
        lock.lock()
        defer { lock.unlock() }
        let transaction = Transaction(state: state, recordedAt: recordedAt)
        let results = units.map { unit -> Result<T, any Error> in
            // A unit that throws leaves the state as it found it, like a rolled-back savepoint.
            let saved = transaction.state
            do {
                return .success(try unit(transaction))
            } catch {
                transaction.state = saved
                return .failure(error)
            }
        }
        state = transaction.state
        return results
    }

    /// ``LogTransaction`` on a copy of the state, written back when every unit has run.
    private final class Transaction: LogTransaction {
        var state: State
        let recordedAt: Timestamp

        init(state: State, recordedAt: Timestamp) {
            self.state = state
            self.recordedAt = recordedAt
        }

        func events(of caseID: String) throws -> [RecordedEvent] { try InMemoryEventStore.events(of: caseID, in: state) }

        func recordedResult(for key: IdempotencyKey) throws -> AppendResult? { try InMemoryEventStore.recordedResult(for: key, in: state) }

        func append(_ append: CaseAppend) throws -> AppendResult {
            try AppendRules.checkArguments(append)
            return try InMemoryEventStore.append([append], to: &state, recordedAt: recordedAt)[0]
        }
    }

    public func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
        try withState { state in try Self.recordedResult(for: key, in: state) }
    }

    private static func recordedResult(for key: IdempotencyKey, in state: State) throws -> AppendResult? {
        guard let recorded = state.keys[key.key] else { return nil }
        guard recorded.fingerprint == key.fingerprint else { throw StoreError.keyReused(key.key, caseID: recorded.caseID) }
        return AppendResult(events: recorded.events, isReplay: true)
    }

    // MARK: - Reading

    public func events(of caseID: String) throws -> [RecordedEvent] {
        try withState { state in try Self.events(of: caseID, in: state) }
    }

    private static func events(of caseID: String, in state: State) throws -> [RecordedEvent] {
        try (state.cases[caseID] ?? []).map { try state.rows[$0].recordedEvent() }
    }

    public func header(of caseID: String) throws -> CaseHeader? {
        withState { state in Self.header(of: caseID, in: state) }
    }

    public func cases(workflowID: String?) throws -> [CaseHeader] {
        withState { state in
            state.caseOrder.compactMap { Self.header(of: $0, in: state) }
                .filter { (workflowID == nil || $0.workflowID == workflowID) && !CaseID.isReserved($0.caseID) }
        }
    }

    private static func header(of caseID: String, in state: State) -> CaseHeader? {
        guard let indices = state.cases[caseID], let first = indices.first, let last = indices.last else { return nil }
        let opening = state.rows[first]
        return CaseHeader(
            caseID: caseID, workflowID: opening.workflowID, workflowVersion: opening.workflowVersion,
            version: state.rows[last].version, openedAt: Timestamp(microseconds: opening.occurredAt))
    }

    public func events(after position: Int64, limit: Int) throws -> [RecordedEvent] {
        try withState { state in
            // Positions are 1...n, so position p is at index p - 1.
            let start = Int(clamping: max(0, position))
            guard start < state.rows.count, limit > 0 else { return [] }
            let end = start + min(limit, state.rows.count - start)
            return try state.rows[start..<end].map { try $0.recordedEvent() }
        }
    }

    public func lastPosition() throws -> Int64 {
        withState { Int64($0.rows.count) }
    }

    // MARK: - Deploying

    @discardableResult

    public func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult {
        try AppendRules.checkDeploy(kind, id: id, version: version)
        let hash = ContentHash.sha256Hex(content)
        return try withState { state in
            if let existing = state.deployments[kind]?[id]?[version] {
                guard existing.content == content, existing.contentHash == hash else {
                    throw StoreError.definitionChanged(kind, id: id, version: version, deployedHash: existing.contentHash)
                }
                return DeployResult(deployment: existing, isNew: false)
            }
            let deployment = Deployment(kind: kind, id: id, version: version, content: content, contentHash: hash, deployedAt: clock.now())
            state.deployments[kind, default: [:]][id, default: [:]][version] = deployment
            return DeployResult(deployment: deployment, isNew: true)
        }
    }

    public func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment? {
        withState { $0.deployments[kind]?[id]?[version] }
    }

    public func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment? {
        withState { state in
            state.deployments[kind]?[id].flatMap { versions in versions.max { $0.key < $1.key }?.value }
        }
    }

    public func deployments(_ kind: ArtifactKind) throws -> [Deployment] {
        withState { state in
            (state.deployments[kind] ?? [:]).values.flatMap(\.values)
                .sorted { ($0.id, $0.version) < ($1.id, $1.version) }
        }
    }

    // MARK: - Projection checkpoints

    public func recordSignedHead(_ head: SignedHead) throws {
        withState { state in
            if !state.signedHeads.contains(where: { $0.position == head.position && $0.keyID == head.keyID }) {
                state.signedHeads.append(head)
            }
        }
    }

    public func signedHeads() throws -> [SignedHead] {
        withState { $0.signedHeads.sorted { ($0.position, $0.keyID) < ($1.position, $1.keyID) } }
    }

    public func checkpoint(named name: String) throws -> Int64 {
        withState { $0.checkpoints[name] ?? 0 }
    }

    public func saveCheckpoint(named name: String, position: Int64) throws {
        try withState { state in
            let last = Int64(state.rows.count)
            guard position >= 0, position <= last else {
                throw StoreError(
                    .invalidArgument,
                    "checkpoint '\(name)' cannot be set to position \(position): the log holds positions 0...\(last).")
            }
            state.checkpoints[name] = position
        }
    }

    // MARK: - Verifying

    public func verify() throws -> VerifyReport {
        try withState { state in
            let rows = state.rows
            var verifier = ChainVerifier { hash in rows.first { $0.hash == hash }?.position }
            for row in rows { try verifier.consume(row) }
            var deploymentCount = 0
            for kind in ArtifactKind.allCases {
                for deployment in (state.deployments[kind] ?? [:]).values.flatMap(\.values) {
                    deploymentCount += 1
                    verifier.consume(deployment)
                }
            }
            for (key, record) in state.keys {
                if let last = record.events.last?.position {
                    verifier.consumeReference(last, from: "idempotency key '\(key)'")
                }
            }
            for (name, position) in state.checkpoints {
                verifier.consumeReference(position, from: "the checkpoint of projection '\(name)'")
            }
            return verifier.report(deploymentCount: deploymentCount)
        }
    }
}
