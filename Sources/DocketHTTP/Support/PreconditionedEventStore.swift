import DocketCore
import DocketStore

/// The event log as the server's `CaseService` sees it: the store itself, except that an append
/// to a case made under ``requiredVersion`` (an `If-Match`) must be at that version.
///
/// `CaseService` appends at the version it read; checking `If-Match` before the call leaves a
/// moment in which another writer can move the case on and the command be decided on a state
/// the client never saw. Here the check is on the very append: at the version the client named,
/// or refused with 412 and nothing written; and a writer that got in between loses the store's
/// own optimistic-concurrency check (409) as usual.
package struct PreconditionedEventStore: EventStore {
    /// A case and the version an append to it must expect.
    package struct RequiredVersion: Sendable {
        package var caseID: String
        package var version: Int
    }

    /// Set around one command (`StoreExecutor` carries it onto the store's threads).
    @TaskLocal package static var requiredVersion: RequiredVersion?

    package let base: any EventStore

    package init(_ base: any EventStore) {
        self.base = base
    }

    private func check(_ caseID: String, expectedVersion: Int) throws {
        guard let required = Self.requiredVersion, required.caseID == caseID, required.version != expectedVersion else { return }
        throw HTTPProblem.preconditionFailed(caseID: caseID, expected: "v\(required.version)", actual: expectedVersion)
    }

    package func append(_ events: [CaseEvent], to caseID: String, expectedVersion: Int, idempotency: IdempotencyKey?) throws -> AppendResult {
        try check(caseID, expectedVersion: expectedVersion)
        return try base.append(events, to: caseID, expectedVersion: expectedVersion, idempotency: idempotency)
    }

    package func append(batch: [CaseAppend]) throws -> [AppendResult] {
        for entry in batch { try check(entry.caseID, expectedVersion: entry.expectedVersion) }
        return try base.append(batch: batch)
    }

    package func recordedResult(for key: IdempotencyKey) throws -> AppendResult? { try base.recordedResult(for: key) }
    package func events(of caseID: String) throws -> [RecordedEvent] { try base.events(of: caseID) }
    package func header(of caseID: String) throws -> CaseHeader? { try base.header(of: caseID) }
    package func cases(workflowID: String?) throws -> [CaseHeader] { try base.cases(workflowID: workflowID) }
    package func events(after position: Int64, limit: Int) throws -> [RecordedEvent] { try base.events(after: position, limit: limit) }
    package func lastPosition() throws -> Int64 { try base.lastPosition() }
    package func deploy(_ kind: ArtifactKind, id: String, version: Int, content: String) throws -> DeployResult {
        try base.deploy(kind, id: id, version: version, content: content)
    }
    package func deployment(_ kind: ArtifactKind, id: String, version: Int) throws -> Deployment? {
        try base.deployment(kind, id: id, version: version)
    }
    package func latestDeployment(_ kind: ArtifactKind, id: String) throws -> Deployment? { try base.latestDeployment(kind, id: id) }
    package func deployments(_ kind: ArtifactKind) throws -> [Deployment] { try base.deployments(kind) }
    package func checkpoint(named name: String) throws -> Int64 { try base.checkpoint(named: name) }
    package func saveCheckpoint(named name: String, position: Int64) throws { try base.saveCheckpoint(named: name, position: position) }
    package func verify() throws -> VerifyReport { try base.verify() }
}
