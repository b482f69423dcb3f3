import DocketCore
import DocketService

/// Filters checked against what is deployed: a mistyped workflow, state, department or role would
/// otherwise select nothing and read as "no cases".
struct DeployedFilters {
    let definitions: [WorkflowDefinition]
    let scope: String

    /// The deployed definitions of `workflow` (every workflow when `nil`); an unknown one is
    /// refused with the deployed ids.
    init(_ catalog: WorkflowCatalog, workflow: String?) throws {
        definitions = try catalog.deployedDefinitions(of: workflow)
        scope = workflow.map { "workflow '\($0)'" } ?? "any deployed workflow"
    }

    func check(state: String?) throws {
        try check(state, "state", known: definitions.reduce(into: Set()) { $0.formUnion($1.stateNames) })
    }

    func check(department: String?) throws {
        try check(department, "department", known: definitions.reduce(into: Set()) { $0.formUnion($1.departments) })
    }

    func check(role: String?) throws {
        try check(role, "role", known: definitions.reduce(into: Set()) { $0.formUnion($1.roles) })
    }

    private func check(_ value: String?, _ noun: String, known: Set<String>) throws {
        guard let value, !known.contains(value) else { return }
        let list = known.isEmpty ? "it has none" : "\(noun)s: " + known.sorted().joined(separator: ", ")
        throw UsageFailure("no \(noun) '\(value)' in \(scope); \(list)")
    }
}
