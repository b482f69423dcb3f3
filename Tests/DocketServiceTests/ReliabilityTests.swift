import DocketCore
import DocketService
import DocketStore
import Foundation
import Testing

/// A real SQLite store with faults injected at chosen moments: an append that fails (the disk,
/// a killed process) or a key looked up just before another process records it.
final class FaultyStore: EventStore, @unchecked Sendable {
    let base: SQLiteEventStore
    private let lock = NSLock()
    /// Batch appends left before the next one fails with an I/O error (nil: never).
    private var batchesBeforeFailure: Int?
    /// Key look-ups that report "never used" whatever the log says, as when another process
    /// records the key just after the look-up.
    private var staleKeyLookups = 0

    init(_ base: SQLiteEventStore, failBatchAfter batches: Int? = nil, staleKeyLookups: Int = 0) {
        self.base = base
        self.batchesBeforeFailure = batches
        self.staleKeyLookups = staleKeyLookups
    }

    func append(batch: [CaseAppend]) throws -> [AppendResult] {
        try lock.withLock {
            if let left = batchesBeforeFailure {
                guard left > 0 else { throw StoreError(.ioError, "injected I/O error: the batch was not written") }
                batchesBeforeFailure = left - 1
            }
        }
        return try base.append(batch: batch)
    }

    func recordedResult(for key: IdempotencyKey) throws -> AppendResult? {
        let stale = lock.withLock {
            defer { staleKeyLookups = max(0, staleKeyLookups - 1) }
            return staleKeyLookups > 0
        }
        return stale ? nil : try base.recordedResult(for: key)
    }

    func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?,
                principal: Principal?) throws -> AppendResult {
        try base.append(events, to: caseID, expectedVersion: expectedVersion, idempotency: idempotency, principal: principal)
    }
    func events(of caseID: String) throws -> [RecordedEvent] { try base.events(of: caseID) }
    func writeTogether<T>(_ units: [(any LogTransaction) throws -> T]) throws -> [Result<T, any Error>] {
        // Commands read their key under the write lock now, so a stale look-up cannot happen
        // there: the injected staleness only affects `recordedResult(for:)` outside it.
        try base.writeTogether(units)
    }
    func recordSignedHead(_ head: SignedHead) throws { try base.recordSignedHead(head) }
    func signedHeads() throws -> [SignedHead] { try base.signedHeads() }
    func header(of caseID: String) throws -> CaseHeader? { try base.header(of: caseID) }
    func cases(workflowID: String?) throws -> [CaseHeader] { try base.cases(workflowID: workflowID) }
    func events(after position: Int64, limit: Int) throws -> [RecordedEvent] { try base.events(after: position, limit: limit) }
    func lastPosition() throws -> Int64 { try base.lastPosition() }
    func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult {
        try base.deploy(kind, id: id, version: version, content: content)
    }
    func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment? { try base.deployment(kind, id: id, version: version) }
    func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment? { try base.latestDeployment(kind, id: id) }
    func deployments(_ kind: ArtifactKind) throws -> [Deployment] { try base.deployments(kind) }
    func checkpoint(named name: String) throws -> Int64 { try base.checkpoint(named: name) }
    func saveCheckpoint(named name: String, position: Int64) throws { try base.saveCheckpoint(named: name, position: position) }
    func verify() throws -> VerifyReport { try base.verify() }
}

@Suite("Reliability: the service layer under faults")
struct ReliabilityTests {
    static let workflows = ["remote-video-inspection", "tolerant-acceptance", "joint-verification", "expert-review"]

    /// The authority's workflows deployed in a fresh file; returns its path.
    func deployedLog() throws -> String {
        let path = temporaryDatabase()
        _ = try authorityService(path: path)
        return path
    }

    func plan(batchSize: Int = 10) -> SimulationPlan {
        var plan = SimulationPlan(workflows: Self.workflows, cases: 60, seed: 11)
        plan.batchSize = batchSize
        return plan
    }

    func contents(_ store: any EventStore) throws -> [CaseEvent] {
        try store.events(after: 0, limit: 1_000_000).map(\.event)
    }

    // MARK: Interrupted simulations

    @Test func aSimulationThatFailsMidwayLeavesWholeBatches() throws {
        let store = FaultyStore(try SQLiteEventStore(path: try deployedLog()), failBatchAfter: 3)
        #expect(throws: StoreError.self) { try PopulationSimulator(catalog: WorkflowCatalog(store: store)).run(plan()) }
        #expect(try store.cases().count == 30)
        #expect(try store.verify().isOK)
    }

    @Test func runningAnInterruptedSimulationAgainGivesTheUninterruptedLog() throws {
        let uninterrupted = try SQLiteEventStore(path: try deployedLog())
        _ = try PopulationSimulator(catalog: WorkflowCatalog(store: uninterrupted)).run(plan())

        let path = try deployedLog()
        let faulty = FaultyStore(try SQLiteEventStore(path: path), failBatchAfter: 2)
        #expect(throws: StoreError.self) { try PopulationSimulator(catalog: WorkflowCatalog(store: faulty)).run(plan()) }
        let resumed = try SQLiteEventStore(path: path)
        // Another batch size on the second run: the cases already there need not line up with its batches.
        let summary = try PopulationSimulator(catalog: WorkflowCatalog(store: resumed)).run(plan(batchSize: 7))
        #expect(summary.alreadyInLog == 20)
        #expect(summary.cases == 60)
        #expect(try contents(resumed) == contents(uninterrupted))
        #expect(try resumed.cases().count == 60)
        #expect(try resumed.verify().isOK)
    }

    @Test func aCompletedSimulationRunAgainAppendsNothing() throws {
        let store = try SQLiteEventStore(path: try deployedLog())
        _ = try PopulationSimulator(catalog: WorkflowCatalog(store: store)).run(plan())
        let last = try store.lastPosition()
        let again = try PopulationSimulator(catalog: WorkflowCatalog(store: store)).run(plan())
        #expect(again.alreadyInLog == 60)
        #expect(try store.lastPosition() == last)
    }

    @Test func aSimulationMeetingOtherEventsUnderItsCaseIDsIsAConflictAndAppendsNothing() throws {
        let store = try SQLiteEventStore(path: try deployedLog())
        _ = try PopulationSimulator(catalog: WorkflowCatalog(store: store)).run(plan())
        let last = try store.lastPosition()
        var other = plan()
        other.seed = 12
        let error = #expect(throws: StoreError.self) { try PopulationSimulator(catalog: WorkflowCatalog(store: store)).run(other) }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("pass another --prefix") == true)
        #expect(try store.lastPosition() == last)
    }

    // MARK: A keyed command and its own earlier run

    @Test func aKeyedFireRefusedBecauseItsOwnEarlierRunClosedTheCaseReturnsThatRun() throws {
        let path = temporaryDatabase()
        let first = try service(path: path)
        _ = try first.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        _ = try first.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk")
        let done = try first.fire(caseID: "P1", event: "reject", actor: "carol", role: "approver", idempotencyKey: "K")
        // The retry looked for its key just before the first run recorded it, then found the
        // case closed: the answer is still the first run's.
        let store = FaultyStore(try SQLiteEventStore(path: path), staleKeyLookups: 1)
        let retry = try CaseService(catalog: WorkflowCatalog(store: store))
            .fire(caseID: "P1", event: "reject", actor: "carol", role: "approver", idempotencyKey: "K")
        #expect(retry.isReplay)
        #expect(retry.recorded == done.recorded)
        #expect(try store.lastPosition() == 3)
    }

    @Test func aKeyedOpenRefusedBecauseItsOwnEarlierRunOpenedTheCaseReturnsThatRun() throws {
        let path = temporaryDatabase()
        let first = try service(path: path)
        let opened = try first.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", idempotencyKey: "K")
        let store = FaultyStore(try SQLiteEventStore(path: path), staleKeyLookups: 1)
        let retry = try CaseService(catalog: WorkflowCatalog(store: store))
            .open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", idempotencyKey: "K")
        #expect(retry.isReplay)
        #expect(retry.recorded == opened.recorded)
    }

    @Test func aRefusalForAnotherReasonIsStillARefusal() throws {
        let path = temporaryDatabase()
        let first = try service(path: path)
        _ = try first.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        let store = FaultyStore(try SQLiteEventStore(path: path), staleKeyLookups: 1)
        #expect {
            try CaseService(catalog: WorkflowCatalog(store: store))
                .fire(caseID: "P1", event: "approve", actor: "carol", role: "approver", idempotencyKey: "K")
        } throws: { ($0 as? Refusal)?.code == .eventNotAllowed }
        #expect(try store.lastPosition() == 1)
    }

    // MARK: Keys across stores

    @Test func aKeyedCommandRetriedThroughAnotherStoreOnTheSameFileAppendsNothing() throws {
        let path = temporaryDatabase()
        let first = try service(path: path)
        _ = try first.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", idempotencyKey: "open-P1")
        let other = CaseService(catalog: WorkflowCatalog(store: try SQLiteEventStore(path: path)))
        let retry = try other.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", idempotencyKey: "open-P1")
        #expect(retry.isReplay)
        #expect(try other.store.lastPosition() == 1)
    }

    @Test func aStartWithoutACaseIDRetriedWithItsKeyReturnsTheFirstCase() throws {
        let cases = try service()
        let first = try cases.open(workflowID: "permit-check", actor: "alice", role: "applicant", idempotencyKey: "walk-in")
        let retry = try cases.open(workflowID: "permit-check", actor: "alice", role: "applicant", idempotencyKey: "walk-in")
        #expect(retry.isReplay)
        #expect(retry.caseID == first.caseID)
        #expect(try cases.store.cases().count == 1)
    }
}
