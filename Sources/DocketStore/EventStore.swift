import DocketCore

/// The event log of a Docket installation: an append-only, hash-chained sequence of
/// `CaseEvent`s with optimistic concurrency per case, plus the deployed definitions and
/// calendars the cases are pinned to.
///
/// This protocol is the seam between the engine and storage: ``SQLiteEventStore`` is the
/// embedded store, `PostgresEventStore` (module DocketPostgres) the one on PostgreSQL, and
/// ``InMemoryEventStore`` the one for tests. All three pass the same contract suite (`Tests/DocketStoreTests/EventStoreContractTests`),
/// which is the precise statement of what each requirement below means.
///
/// Promises every implementation keeps:
/// - **All or nothing.** One call to ``append(_:to:expectedVersion:idempotency:)`` or
///   ``append(batch:)`` records all its events or none.
/// - **Optimistic concurrency.** An append names the version it expects the case at (0 for a
///   new case); if another writer moved the case on, it fails with ``StoreError/Code/conflict``
///   naming both versions, and appends nothing. At most one writer wins each version.
/// - **Order.** Positions are 1, 2, 3, ... in append order; a case's versions are 1...n; a reader
///   that has seen position p will never later see a new event at a position ≤ p.
/// - **Idempotency.** A key with the same fingerprint returns the first result; with another
///   fingerprint it is refused with ``StoreError/Code/idempotencyKeyReused``.
/// - **Pinning.** All events of a case carry the workflow id and version of its first event.
/// - **Immutable deployments.** A deployed (id, version) never changes content.
public protocol EventStore: Sendable {
    // MARK: Appending

    /// Appends `events` to case `caseID`, which the writer expects at `expectedVersion` (0 for a
    /// new case). The events get versions `expectedVersion + 1, ...` and the next positions.
    ///
    /// - Throws: ``StoreError/Code/conflict`` when the case is at another version;
    ///   ``StoreError/Code/idempotencyKeyReused`` when the key was used for another command;
    ///   ``StoreError/Code/invalidEvent`` when an event names another case, or a workflow other
    ///   than the one the case is pinned to. Nothing is appended when it throws.
    ///
    /// `principal` (who was authenticated when the command was given) is recorded on every event.
    @discardableResult
    func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?,
                principal: Principal?) throws -> AppendResult

    /// Appends several cases' events in one transaction (import, simulate): all of the batch or
    /// none of it. The same case may appear several times, each entry expecting the version the
    /// previous one left. Returns one result per entry, in order.
    @discardableResult
    func append(batch: [CaseAppend]) throws -> [AppendResult]

    /// Runs each of `units` against the log under its write lock, in one transaction: each unit
    /// reads what it needs (a case, an idempotency key) and appends, all or nothing on its own (a
    /// unit that throws is rolled back alone and its error is its result), and the units that
    /// succeed are committed together with one sync to disk.
    ///
    /// This is how commands are run: a command decided on what it read under the lock can never
    /// lose a race, and commands arriving together share one commit (group commit). When the
    /// commit itself fails (a full disk), every unit fails with that error and nothing is written.
    func writeTogether<T>(_ units: [(any LogTransaction) throws -> T]) throws -> [Result<T, any Error>]

    /// The result recorded under `key`, if that key was used: what a retry would return.
    /// Lets a caller answer a retried command before deciding it again.
    ///
    /// - Throws: ``StoreError/Code/idempotencyKeyReused`` when the key was used with another fingerprint.
    func recordedResult(for key: IdempotencyKey) throws -> AppendResult?

    // MARK: Reading

    /// The events of case `caseID` in version order; empty when there is no such case.
    func events(of caseID: String) throws -> [RecordedEvent]

    /// The case's header (workflow, current version), or nil when there is no such case.
    func header(of caseID: String) throws -> CaseHeader?

    /// All cases, or those of one workflow, in the order they were opened; the log's reserved
    /// streams (ids starting with `@`, a directory's changes) are not cases and are left out.
    func cases(workflowID: String?) throws -> [CaseHeader]

    /// At most `limit` events with a position greater than `position`, in position order. The
    /// page ``scan(after:batchSize:_:)`` is built on.
    func events(after position: Int64, limit: Int) throws -> [RecordedEvent]

    /// The position of the last event (0 when the log is empty).
    func lastPosition() throws -> Int64

    /// Runs `body` on one consistent snapshot of the log: what it reads through the
    /// ``LogSnapshot`` is the log as of one moment, whatever is appended meanwhile. For readers of
    /// the whole log (export), which would otherwise pay a read transaction per case or page.
    ///
    /// A default implementation reads through the store's own methods (no snapshot: an
    /// append-only log read up to a position it had reached reads the same).
    func snapshot<T>(_ body: (any LogSnapshot) throws -> T) throws -> T

    // MARK: Deploying

    /// Stores `content` as `kind` `id` version `version`, with its SHA-256.
    ///
    /// Deploying the same content again is a no-op reported with `isNew == false`.
    /// - Throws: ``StoreError/Code/definitionChanged`` when that id and version hold other content.
    @discardableResult
    func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult

    /// The deployment of `kind` `id` at `version`, if any.
    func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment?

    /// The highest deployed version of `kind` `id`, if any.
    func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment?

    /// Every deployment of `kind`, by id then version.
    func deployments(_ kind: ArtifactKind) throws -> [Deployment]

    // MARK: Signed heads

    /// Keeps a copy of a head signed for this log (`signed_heads`). The copy that proves
    /// anything is the one exported off the machine; this one tells an operator what was signed.
    func recordSignedHead(_ head: SignedHead) throws

    /// The heads recorded with ``recordSignedHead(_:)``, by position.
    func signedHeads() throws -> [SignedHead]

    // MARK: Projection checkpoints

    /// The last position projection `name` has applied (0 when it never ran).
    func checkpoint(named name: String) throws -> Int64

    /// Records that projection `name` has applied every event up to `position`.
    /// (The analytics projection saves its checkpoint in the transaction that writes its tables,
    /// through `ProjectionWriting/saveCheckpoint(_:)`.)
    func saveCheckpoint(named name: String, position: Int64) throws

    // MARK: Verifying

    /// Walks the whole log in position order, recomputing every hash and checking each case's
    /// versions run 1...n, then re-hashes every deployment. Reports the problems found, the
    /// first bad position first; a report without problems means the log is intact.
    func verify() throws -> VerifyReport
}

/// The log as a unit of ``EventStore/writeTogether(_:)`` sees it: under the write lock, with
/// its own and the earlier units' appends.
public protocol LogTransaction {
    /// The events of case `caseID` in version order; empty when there is no such case.
    func events(of caseID: String) throws -> [RecordedEvent]
    /// The result recorded under `key`, if that key was used.
    func recordedResult(for key: IdempotencyKey) throws -> AppendResult?
    /// Appends one case's events, with the rules of ``EventStore/append(batch:)``.
    func append(_ append: CaseAppend) throws -> AppendResult
}

/// The log as ``EventStore/snapshot(_:)`` shows it: one consistent moment of it.
public protocol LogSnapshot {
    /// The position of the last event in the snapshot (0 when the log is empty).
    func lastPosition() throws -> Int64
    /// The ids of all cases, or those of one workflow, in the order they were opened (the
    /// reserved streams left out, as ``EventStore/cases(workflowID:)`` does).
    func caseIDs(workflowID: String?) throws -> [String]
    /// The events of case `caseID` in version order, each checked against its hash
    /// (``StoreError/Code/corrupt`` for a row changed behind Docket's back).
    func events(of caseID: String) throws -> [RecordedEvent]
    /// Calls `body` with every event after `position` up to `last` in position order, each
    /// checked against its hash like ``events(of:)``; memory does not grow with the log.
    func scan(after position: Int64, through last: Int64, _ body: (RecordedEvent) throws -> Void) throws
}

extension EventStore {
    /// The store itself as a ``LogSnapshot``, for a store without a snapshot of its own.
    public func snapshot<T>(_ body: (any LogSnapshot) throws -> T) throws -> T {
        try body(StoreAsSnapshot(store: self))
    }
}

/// ``LogSnapshot`` through an ``EventStore``'s own reads (the default of
/// ``EventStore/snapshot(_:)``): `scan` pages through ``EventStore/events(after:limit:)``.
private struct StoreAsSnapshot: LogSnapshot {
    let store: any EventStore

    func lastPosition() throws -> Int64 { try store.lastPosition() }

    func caseIDs(workflowID: String?) throws -> [String] { try store.cases(workflowID: workflowID).map(\.caseID) }

    func events(of caseID: String) throws -> [RecordedEvent] { try store.events(of: caseID) }

    func scan(after position: Int64, through last: Int64, _ body: (RecordedEvent) throws -> Void) throws {
        var reached = position
        while reached < last {
            let page = try store.events(after: reached, limit: Int(min(1_000, last - reached)))
            guard let end = page.last?.position else { return }
            for event in page where event.position <= last { try body(event) }
            reached = end
        }
    }
}

extension EventStore {
    /// Appends without an idempotency key or a principal.
    @discardableResult
    public func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int) throws -> AppendResult {
        try append(events, to: caseID, expectedVersion: expectedVersion, idempotency: nil, principal: nil)
    }

    /// Appends with an idempotency key and no principal.
    @discardableResult
    public func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?) throws -> AppendResult {
        try append(events, to: caseID, expectedVersion: expectedVersion, idempotency: idempotency, principal: nil)
    }

    /// All cases, in the order they were opened.
    public func cases() throws -> [CaseHeader] {
        try cases(workflowID: nil)
    }

    /// Calls `body` with every event after `position`, in position order, reading `batchSize`
    /// events at a time: memory stays bounded however long the log is. Events appended while
    /// the scan runs are included if they land before the scan reaches the end.
    ///
    /// Returns the position of the last event passed to `body` (`position` if none).
    @discardableResult
    public func scan(after position: Int64 = 0, batchSize: Int = 1000, _ body: (RecordedEvent) throws -> Void) throws -> Int64 {
        let batchSize = max(1, batchSize)
        var last = position
        while true {
            var page = try events(after: last, limit: batchSize)
            let count = page.count
            // Popping moves each event out of the page instead of copying it (and its twenty
            // payload fields) for `body`.
            page.withUnsafeMutableBufferPointer { $0.reverse() }
            while let event = page.popLast() {
                try body(event)
                last = event.position
            }
            if count < batchSize { return last }
        }
    }
}
