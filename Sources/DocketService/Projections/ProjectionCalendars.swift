import DocketAnalytics
import DocketCore
import DocketStore

/// The calendar each workflow version's working time is counted on, for the projections and
/// reports.
///
/// ``deployed(in:)`` reads it from the store: a deployed definition names its calendar, and the
/// newest deployed version of that calendar (with its base, for an override) is used. Workflows
/// that name no calendar, name one that is not deployed, or were never deployed (imported logs)
/// count every second (``AlwaysWorkingCalendar``), and the label says so.
public struct ProjectionCalendars: Sendable {
    private let resolve: @Sendable (WorkflowKey) -> WorkflowCalendar

    /// Calendars given by a function (tests, imports).
    public init(_ resolve: @escaping @Sendable (WorkflowKey) -> WorkflowCalendar) {
        self.resolve = resolve
    }

    /// The calendar of `workflow`.
    public func callAsFunction(_ workflow: WorkflowKey) -> WorkflowCalendar { resolve(workflow) }

    /// Every second counts, for every workflow.
    public static let alwaysWorking = ProjectionCalendars { _ in .alwaysWorking }

    /// The calendars the store's deployments name.
    ///
    /// - Throws: ``ProjectionError/Code/calendarUnreadable`` when the newest deployed calendars do
    ///   not load together (an override written for another version of its base, a missing base).
    public static func deployed(in store: some EventStore) throws -> ProjectionCalendars {
        var newest: [String: Deployment] = [:]
        for deployment in try store.deployments(.calendar) where deployment.version >= (newest[deployment.id]?.version ?? 0) {
            newest[deployment.id] = deployment
        }
        let sources = newest.values.sorted { $0.id < $1.id }.map {
            CalendarLoader.Source(file: "deployed calendar \($0.id) v\($0.version)", text: $0.content)
        }
        let calendars: [String: BusinessCalendar]
        do {
            calendars = try CalendarLoader.loadAll(sources)
        } catch {
            throw ProjectionError(.calendarUnreadable, "the deployed calendars do not load: \(error); deploy a corrected calendar version")
        }
        var named: [WorkflowKey: String?] = [:]
        for deployment in try store.deployments(.workflow) {
            let key = WorkflowKey(id: deployment.id, version: deployment.version)
            if case let .success(definition) = DefinitionLoader.load(text: deployment.content, file: "deployed workflow \(key)") {
                named[key] = .some(definition.calendar)
            }
        }
        let resolved = named
        return ProjectionCalendars { key in
            guard let entry = resolved[key] else {
                return WorkflowCalendar(calendar: AlwaysWorkingCalendar(), label: "always working (workflow not deployed)")
            }
            guard let name = entry else { return .alwaysWorking }
            guard let calendar = calendars[name] else {
                return WorkflowCalendar(calendar: AlwaysWorkingCalendar(), label: "always working (calendar '\(name)' is not deployed)")
            }
            return WorkflowCalendar(calendar)
        }
    }
}
