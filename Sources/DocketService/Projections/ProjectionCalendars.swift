import Foundation
import DocketAnalytics
import DocketCore
import DocketStore

/// The calendar each workflow version's working time is counted on, for the projections and
/// reports.
///
/// ``deployed(in:)`` reads it from the store: a deployed definition names its calendar, and the
/// newest deployed version of that calendar (with its base, for an override) is used. Workflows
/// that name no calendar, name one that is not deployed, or were never deployed (imported logs)
/// count every second (`AlwaysWorkingCalendar`), and the label says so.
public struct ProjectionCalendars: Sendable {
    private let resolve: @Sendable (WorkflowKey) -> WorkflowCalendar
    /// The definition and calendar of a deployed workflow version, for the desk's deadlines and
    /// applicants; `nil` for versions not deployed (imported logs) and for calendars given by a function.
    package let context: @Sendable (WorkflowKey) -> EngineContext?

    /// Calendars given by a function (tests, imports).
    package init(_ resolve: @escaping @Sendable (WorkflowKey) -> WorkflowCalendar,
                 context: @escaping @Sendable (WorkflowKey) -> EngineContext? = { _ in nil }) {
        self.resolve = resolve
        self.context = context
    }

    /// The calendar of `workflow`.
    package func callAsFunction(_ workflow: WorkflowKey) -> WorkflowCalendar { resolve(workflow) }

    /// Every second counts, for every workflow.
    public static let alwaysWorking = ProjectionCalendars { _ in .alwaysWorking }

    /// The calendars the store's deployments name.
    ///
    /// - Throws: ``ServiceError/Code/calendarUnreadable`` when the newest deployed calendars do
    ///   not load together (an override written for another version of its base, a missing base).
    public static func deployed(in store: some EventStore) throws -> ProjectionCalendars {
        // The catalog resolves definitions and calendars exactly as commands do (newest calendar
        // version, bases included); load every calendar once here so a broken one is an error,
        // not a silent switch to counting every second.
        let catalog = WorkflowCatalog(store: store)
        for name in Set(try store.deployments(.calendar).map(\.id)).sorted() {
            do {
                _ = try catalog.calendar(named: name)
            } catch {
                throw ServiceError(.calendarUnreadable, "the deployed calendars do not load: \(error); deploy a corrected calendar version")
            }
        }
        // Read here, not when a workflow is first asked for: the report asks inside its read of
        // the projection, where reading the store again is not allowed.
        let workflows = Dictionary(try store.deployments(.workflow).map { (WorkflowKey(id: $0.id, version: $0.version), $0) },
                                   uniquingKeysWith: { first, _ in first })
        let contexts = DeployedContexts()
        return ProjectionCalendars({ key in
            guard let deployment = workflows[key], let definition = try? catalog.definition(of: deployment) else {
                return WorkflowCalendar(calendar: AlwaysWorkingCalendar(), label: "always working (workflow not deployed)")
            }
            var resolved: WorkflowCalendar
            if let name = definition.calendar {
                if let calendar = try? catalog.calendar(named: name) {
                    resolved = WorkflowCalendar(calendar)
                } else {
                    resolved = WorkflowCalendar(calendar: AlwaysWorkingCalendar(), label: "always working (calendar '\(name)' is not deployed)")
                }
            } else {
                resolved = .alwaysWorking
            }
            resolved.statutoryLimit = definition.statutoryLimit?.within
            resolved.statutoryStartsOn = definition.statutoryLimit?.startsOn ?? []
            return resolved
        }, context: { key in
            contexts.context(key) {
                guard let deployment = workflows[key], let definition = try? catalog.definition(of: deployment) else { return nil }
                return try? catalog.context(for: definition)
            }
        })
    }
}

/// The engine contexts worked out so far, one per workflow version (a definition is parsed once).
private final class DeployedContexts: @unchecked Sendable {
    // @unchecked: `known` is only touched while holding `lock`.
    private let lock = NSLock()
    private var known: [WorkflowKey: EngineContext?] = [:]

    func context(_ key: WorkflowKey, make: () -> EngineContext?) -> EngineContext? {
        lock.lock()
        defer { lock.unlock() }
        if let found = known[key] { return found }
        let made = make()
        known[key] = made
        return made
    }
}
