import DocketCore
import DocketService

/// Filters checked against what is deployed: a mistyped workflow, state, department or role would
/// otherwise select nothing and read as "no cases".
enum DeployedFilters {
    /// Refuses a filter that nothing deployed has, listing what is. Reads no definition when no
    /// filter is given, and only the newest version of `workflow` when only it is.
    static func check(_ catalog: WorkflowCatalog, workflow: String?, state: String? = nil,
                      department: String? = nil, role: String? = nil) throws {
        guard state != nil || department != nil || role != nil else {
            // Throws `unknown_workflow`, listing the deployed workflows.
            if let workflow { _ = try catalog.definition(workflow) }
            return
        }
        let definitions = try catalog.deployedDefinitions(of: workflow)
        let scope = workflow.map { "workflow '\($0)'" } ?? "any deployed workflow"
        func check(_ value: String?, _ noun: String, known: (WorkflowDefinition) -> Set<String>) throws {
            guard let value else { return }
            let names = definitions.reduce(into: Set<String>()) { $0.formUnion(known($1)) }
            guard !names.contains(value) else { return }
            let list = names.isEmpty ? "it has none" : "\(noun)s: " + names.sorted().joined(separator: ", ")
            throw UsageFailure("no \(noun) '\(value)' in \(scope); \(list)")
        }
        try check(state, "state") { $0.stateNames }
        try check(department, "department") { $0.departments }
        try check(role, "role") { Set($0.roles) }
    }
}
