import DocketCore

/// Renders a workflow definition as a diagram: Mermaid (for Markdown) or Graphviz DOT.
///
/// States are nodes (initial ones marked, final ones with their outcome), transitions are edges
/// labelled with the event and its roles, parallel states are clusters with one lane per branch.
package enum WorkflowGraph {
    package enum Format: String, CaseIterable, Sendable {
        case mermaid
        case dot
    }

    package static func render(_ definition: WorkflowDefinition, as format: Format) -> String {
        switch format {
        case .mermaid: mermaid(definition)
        case .dot: dot(definition)
        }
    }

    private static func label(_ t: TransitionDefinition, in d: WorkflowDefinition) -> String {
        var text = d.labelled(event: t.event)
        if let roles = t.roles, !roles.isEmpty { text += " [" + roles.joined(separator: ", ") + "]" }
        if let condition = t.condition { text += " when " + condition.description }
        if t.sendsBack { text += " ↩" }
        return text
    }

    /// A state's name and, when it has one, its title: `review 审查`.
    private static func name(_ s: StateDefinition) -> String {
        s.title.map { "\(s.name) \($0.text)" } ?? s.name
    }

    private static func id(_ parts: String...) -> String {
        parts.joined(separator: "__").map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    private static func mermaid(_ d: WorkflowDefinition) -> String {
        var out = ["stateDiagram-v2", "    %% \(d.id) v\(d.version)\(d.title.map { ": \($0)" } ?? "")"]
        func walk(_ states: [StateDefinition], transitions: [TransitionDefinition], prefix: String, indent: String) {
            for s in states {
                let node = id(prefix, s.name)
                out.append("\(indent)\(node) : \(name(s))\(s.department.map { " (\($0))" } ?? "")")
                if s.isInitial { out.append("\(indent)[*] --> \(node)") }
                if s.isFinal { out.append("\(indent)\(node) --> [*] : \(s.outcome ?? "end")") }
                if let vote = s.vote {
                    out.append("\(indent)note right of \(node) : vote \(vote.approveAt) of \(vote.seats) \(vote.role)")
                }
                if let region = s.parallel {
                    out.append("\(indent)state \(node) {")
                    for (i, branch) in region.branches.enumerated() {
                        if i > 0 { out.append("\(indent)    --") }
                        walk(branch.states, transitions: branch.transitions, prefix: prefix + "_" + s.name + "_" + branch.name, indent: indent + "    ")
                    }
                    out.append("\(indent)}")
                }
            }
            for t in transitions {
                for from in t.from {
                    let to = t.to ?? from
                    out.append("\(indent)\(id(prefix, from)) --> \(id(prefix, to)) : \(label(t, in: d))")
                }
            }
        }
        walk(d.states, transitions: d.transitions, prefix: "s", indent: "    ")
        return out.joined(separator: "\n")
    }

    private static func dot(_ d: WorkflowDefinition) -> String {
        var out = ["digraph \"\(d.id)\" {", "    label=\"\(d.id) v\(d.version)\(d.title.map { " \($0)" } ?? "")\"; rankdir=LR; node [shape=box, style=rounded];"]
        func walk(_ states: [StateDefinition], transitions: [TransitionDefinition], prefix: String, indent: String) {
            for s in states {
                let node = id(prefix, s.name)
                var attributes = ["label=\"\(name(s))\(s.department.map { "\\n(\($0))" } ?? "")\(s.outcome.map { "\\n⇒ \($0)" } ?? "")\""]
                if s.isFinal { attributes.append("peripheries=2") }
                if s.isInitial { attributes.append("style=\"rounded,bold\"") }
                out.append("\(indent)\(node) [\(attributes.joined(separator: ", "))];")
                if let region = s.parallel {
                    for branch in region.branches {
                        out.append("\(indent)subgraph cluster_\(id(prefix, s.name, branch.name)) {")
                        out.append("\(indent)    label=\"\(s.name) / \(branch.name)\(branch.department.map { " (\($0))" } ?? "")\";")
                        walk(branch.states, transitions: branch.transitions, prefix: prefix + "_" + s.name + "_" + branch.name, indent: indent + "    ")
                        out.append("\(indent)}")
                    }
                }
            }
            for t in transitions {
                for from in t.from {
                    out.append("\(indent)\(id(prefix, from)) -> \(id(prefix, t.to ?? from)) [label=\"\(label(t, in: d))\"];")
                }
            }
        }
        walk(d.states, transitions: d.transitions, prefix: "s", indent: "    ")
        out.append("}")
        return out.joined(separator: "\n")
    }
}
