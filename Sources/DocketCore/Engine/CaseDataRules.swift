// What a command's case data must be (the workflow's `data:`), and which route of an event a case
// takes (`when:`): decided in the engine, so the CLI, the API and every replay see one rule.

extension WorkflowDefinition {
    /// The case's data after a command gives `given`, when the workflow's declaration accepts it:
    /// every field declared, every value of its field's type, the fields required at opening
    /// (`event` nil) or on `event` known. A workflow that declares no data accepts any.
    ///
    /// - Parameters:
    ///   - given: the data the command carries.
    ///   - known: the case's data so far (empty when opening).
    ///   - event: the event fired, nil when opening.
    /// - Throws: ``Refusal/Code/invalidData``, naming every problem at once.
    func checkedData(_ given: [String: String], known: [String: String], event: String?, caseID: String) throws(Refusal) -> [String: String] {
        let merged = known.merging(given) { _, new in new }
        guard let fields = dataFields else { return merged }
        var problems: [String] = []
        let names = fields.map(\.name)
        for key in given.keys.sorted() {
            guard let field = fields.first(where: { $0.name == key }) else {
                var problem = "data field '\(key)' is not declared by workflow '\(id)'"
                if let guess = Diagnostic.nearest(to: key, in: names) {
                    problem += "; did you mean '\(guess)'?"
                } else {
                    problem += names.isEmpty ? " (it declares no data)" : " (declared: \(names.joined(separator: ", ")))"
                }
                problems.append(problem)
                continue
            }
            if let value = given[key], let expected = field.type.problem(with: value) {
                problems.append("data field '\(key)' must be \(expected), not '\(value)'")
            }
        }
        let required = fields.filter { field in
            event.map { field.requiredOn.contains($0) } ?? field.requiredAtOpening
        }
        let missing = required.filter { merged[$0.name] == nil }
        if !missing.isEmpty {
            let list = missing.map { "\($0.name) (\($0.type.description))" }.joined(separator: ", ")
            let when = event.map { "'\($0)' needs" } ?? "opening a case of workflow '\(id)' needs"
            problems.append("\(when) data \(missing.count == 1 ? "field" : "fields") \(list): give \(missing.map { "--data \($0.name)=VALUE" }.joined(separator: " "))")
        }
        guard problems.isEmpty else {
            throw Refusal(.invalidData, problems.joined(separator: "; "), caseID: caseID)
        }
        return merged
    }
}

extension Array where Element == TransitionCandidate {
    /// The route each candidate place (state, or branch state) takes on `data`: of the transitions
    /// of one event from one place, the first in declaration order whose `when` holds, else the
    /// one without `when`; a place with no route left is dropped.
    func routed(by data: [String: String], in definition: WorkflowDefinition) -> [TransitionCandidate] {
        var result: [TransitionCandidate] = []
        var decided: [String] = []
        for candidate in self {
            let place = (candidate.region ?? "") + "\u{0}" + (candidate.branch?.name ?? "") + "\u{0}" + candidate.state
            guard !decided.contains(place) else { continue }
            let holds = candidate.transition.condition.map { $0.holds(for: data, fields: definition.dataFields ?? []) } ?? true
            if holds {
                decided.append(place)
                result.append(candidate)
            }
        }
        return result
    }
}
