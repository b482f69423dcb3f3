import DocketCore
import DocketStore

/// The directory in force and its changes: reads the newest deployed directory file and folds its
/// stream's change events (`DocketCore/DirectoryState`), and records appointments, revocations and
/// departures as events of that stream, by a person holding `directory_admin`.
///
/// A log has at most one directory (the deployer refuses a second name). Nothing is cached: a
/// command reads the directory once, at the moment it is recorded.
public final class DirectoryService: Sendable {
    public let catalog: WorkflowCatalog
    private let clock: any WallClock

    public init(catalog: WorkflowCatalog, clock: any WallClock = SystemWallClock()) {
        self.catalog = catalog
        self.clock = clock
    }

    var store: any EventStore { catalog.store }

    /// The newest deployment of the log's directory, or nil when none is deployed.
    func deployment() throws -> Deployment? {
        guard let name = try store.deployments(.directory).first?.id else { return nil }
        return try store.latestDeployment(.directory, id: name)
    }

    /// The directory in force now: the newest file folded with every change event of its stream.
    /// Nil when no directory is deployed.
    ///
    /// - Throws: ``ServiceError`` `invalid_deployment` when the deployed file was edited behind
    ///   Docket's back or no longer loads: then nobody is authorized rather than everybody.
    package func inForce() throws -> DirectoryState? {
        guard let directory = try deployedDirectory() else { return nil }
        let events = try store.events(of: DirectoryStream.caseID(of: directory.name))
        return DirectoryState.fold(directory, events.map { ($0.event, $0.position) })
    }

    /// The newest deployed directory file, parsed (without its change events); nil when none is
    /// deployed. ``CaseService`` folds the changes itself, inside its write transaction.
    ///
    /// - Throws: ``ServiceError`` `invalid_deployment` when the deployed file was edited behind
    ///   Docket's back or no longer loads.
    package func deployedDirectory() throws -> Directory? {
        guard let deployment = try deployment() else { return nil }
        guard deployment.isIntact else {
            throw ServiceError(.invalidDeployment, "deployed directory \(deployment.id) v\(deployment.version) does not match the hash it was deployed with: it was changed behind Docket's back, so Docket will not use it (nothing was written). Run docket verify, and restore the database from a backup.")
        }
        let directory: Directory
        do {
            directory = try DirectoryLoader.load(text: deployment.content, file: "directory \(deployment.id) v\(deployment.version) (deployed)")
        } catch {
            throw ServiceError(.invalidDeployment, "deployed directory \(deployment.id) v\(deployment.version) no longer loads: \(error)")
        }
        return directory
    }

    /// Who decides now, with the directory in force now.
    package func authorizer() throws -> Authorizer {
        Authorizer(directory: try inForce(), now: clock.now())
    }

    /// Records `change` in the directory's stream, made by `person` (the operator's `--by`; a
    /// signed-in principal is the person), who must hold `directory_admin` in a scope covering
    /// the change's unit.
    ///
    /// - Throws: ``AccessDenied`` (forbidden) without the administering role; ``DirectoryRefusal``
    ///   when the change cannot be made (an unknown person or unit, a revocation of nothing);
    ///   the store's `conflict` when another change got there first.
    @discardableResult
    package func change(_ change: DirectoryChange, principal: Principal?, by person: String?) throws -> RecordedEvent {
        let principal = principal ?? Authorizer.inProcess
        guard let state = try inForce() else {
            throw ServiceError(.unknownArtifact, "no directory is deployed: deploy one first (docket deploy Directories/shandong.yaml)")
        }
        let now = clock.now()
        let scope: String?
        switch change {
        case let .grant(_, _, unit, _, _), let .revoke(_, _, unit, _): scope = unit
        case let .leave(who, _): scope = state.person(who)?.unit
        case let .add(newcomer): scope = newcomer.unit
        }
        try Authorizer(directory: state, now: now).authorize(principal, administer: .directoryAdmin, by: person, in: scope)
        let event = try state.decide(change, actor: person ?? principal.id, at: now)
        let result = try store.append([event], to: event.caseID, expectedVersion: state.changes, idempotency: nil, principal: principal)
        return result.events[0]
    }
}
