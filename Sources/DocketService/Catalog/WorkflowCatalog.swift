import DocketCore
import DocketStore
import Foundation

/// The workflow definitions and calendars deployed in a store, parsed once per process.
///
/// A case is pinned to the definition version it started on; a calendar is always used at its
/// newest deployed version, because holidays are announced (and extended, as the Spring Festival of
/// 2020 was on 27 January) while cases are running, and the statutory clock must follow them.
public final class WorkflowCatalog: @unchecked Sendable {
    public let store: any EventStore
    private let lock = NSLock()
    private var definitions: [String: WorkflowDefinition] = [:]
    private var calendars: [String: BusinessCalendar] = [:]

    public init(store: any EventStore) {
        self.store = store
    }

    /// The definition `id` at `version`, or at its newest deployed version when `version` is nil.
    ///
    /// - Throws: `DocketCore/Refusal` `unknown_workflow` (listing what is deployed) when there is
    ///   no such deployment; ``ServiceError`` `invalid_deployment` when the stored text no longer loads.
    public func definition(_ id: String, version: Int? = nil) throws -> WorkflowDefinition {
        let deployment: Deployment?
        if let version {
            if let cached = lock.withLock({ definitions["\(id)@\(version)"] }) { return cached }
            deployment = try store.deployment(.workflow, id: id, version: version)
        } else {
            deployment = try store.latestDeployment(.workflow, id: id)
        }
        guard let deployment else {
            let known = Set(try store.deployments(.workflow).map(\.id)).sorted()
            throw Refusal.unknownWorkflow(id, version: version, known: known)
        }
        return try definition(of: deployment)
    }

    /// The definition `deployment` holds, parsed once: for a caller that read the deployment
    /// itself (and may be inside a read of the store, where the catalog must not read again).
    package func definition(of deployment: Deployment) throws -> WorkflowDefinition {
        let id = deployment.id
        let key = "\(id)@\(deployment.version)"
        if let cached = lock.withLock({ definitions[key] }) { return cached }
        try Self.checkIntact(deployment)
        // Validated once, when it was deployed, and unchanged since (its hash): parsed only, so a
        // command's cost does not grow with the workflow's size (Docs/performance.md, issue 16).
        switch DefinitionLoader.load(deployed: deployment.content, file: "\(id) v\(deployment.version) (deployed)") {
        case let .success(definition):
            lock.withLock { definitions[key] = definition }
            return definition
        case let .failure(errors):
            throw ServiceError(.invalidDeployment, "deployed workflow \(id) v\(deployment.version) no longer loads: \(errors)")
        }
    }

    /// Every deployed version of workflow `workflowID` (of every workflow when `nil`), oldest
    /// first; refused as ``definition(_:version:)`` refuses an unknown id.
    public func deployedDefinitions(of workflowID: String? = nil) throws -> [WorkflowDefinition] {
        if let workflowID { _ = try definition(workflowID) }
        return try store.deployments(.workflow)
            .filter { workflowID == nil || $0.id == workflowID }
            .map { try definition($0.id, version: $0.version) }
    }

    /// The newest deployed version of calendar `name`, with its base calendars resolved the same way.
    ///
    /// - Throws: ``ServiceError`` `unknown_calendar` when it is not deployed.
    public func calendar(named name: String) throws -> BusinessCalendar {
        if let cached = lock.withLock({ calendars[name] }) { return cached }
        guard let deployment = try store.latestDeployment(.calendar, id: name) else {
            throw ServiceError(.unknownCalendar, "calendar '\(name)' is not deployed: deploy its file from Workflows/calendars/ first")
        }
        try Self.checkIntact(deployment)
        var baseFailure: (any Error)?
        let calendar: BusinessCalendar
        do {
            calendar = try CalendarLoader.load(
                text: deployment.content, file: "calendar \(name) v\(deployment.version) (deployed)",
                base: { [self] base in
                    do { return try self.calendar(named: base) } catch {
                        baseFailure = error
                        return nil
                    }
                })
        } catch {
            if let baseFailure { throw baseFailure }
            throw ServiceError(.invalidDeployment, "deployed calendar \(name) v\(deployment.version) no longer loads: \(error)")
        }
        lock.withLock { calendars[name] = calendar }
        return calendar
    }

    /// The working-time calendar `definition` names, or every-second-counts when it names none.
    public func workingCalendar(for definition: WorkflowDefinition) throws -> any WorkingTimeCalendar {
        guard let name = definition.calendar else { return AlwaysWorkingCalendar() }
        return try calendar(named: name)
    }

    /// What the engine needs to decide commands for cases of `definition`.
    public func context(for definition: WorkflowDefinition) throws -> EngineContext {
        EngineContext(definition: definition, calendar: try workingCalendar(for: definition))
    }

    /// Refuses a deployment whose text no longer matches its hash: a definition or calendar edited
    /// in the database must not decide (or time) any command.
    private static func checkIntact(_ deployment: Deployment) throws {
        guard deployment.isIntact else {
            let what = deployment.kind == .workflow ? "workflow" : "calendar"
            throw ServiceError(
                .invalidDeployment,
                "deployed \(what) \(deployment.id) v\(deployment.version) does not match the hash it was deployed with: "
                    + "it was changed behind Docket's back, so Docket will not use it (nothing was written). Run docket verify, and restore the database from a backup.")
        }
    }

    /// Forgets what was parsed, after a deployment.
    public func invalidate() {
        lock.withLock {
            definitions.removeAll()
            calendars.removeAll()
        }
    }
}
