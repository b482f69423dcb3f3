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
        case .dot: dot(definition, overlay: nil)
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

    /// What the report adds to the diagram (the bottleneck overlay): each state coloured by its
    /// share of the time cases spent in states, each transition drawn as thick as it was frequent
    /// and labelled with how often it was taken and how long it took.
    package struct Overlay: Sendable {
        /// A state's figures.
        package struct State: Sendable {
            /// Its share (0...1) of the cases' time (a parallel state: with its branches').
            package var share: Double
            /// What the node shows under its name: `mean 1 wd 2 h · 120 stays`.
            package var text: String

            package init(share: Double, text: String) {
                self.share = share
                self.text = text
            }
        }

        /// A transition's figures.
        package struct Transition: Sendable {
            /// Times taken.
            package var count: Int
            /// What the edge shows under its event: `120× · mean 2 h`.
            package var text: String

            package init(count: Int, text: String) {
                self.count = count
                self.text = text
            }
        }

        /// By state label (`review`, `region/branch/state`).
        package var states: [String: State]
        /// By ``key(from:to:)``.
        package var transitions: [String: Transition]

        package init(states: [String: State] = [:], transitions: [String: Transition] = [:]) {
            self.states = states
            self.transitions = transitions
        }

        /// The key of a transition between two state labels.
        package static func key(from: String, to: String) -> String { from + "\u{1}" + to }
    }

    /// `text` inside a double-quoted DOT string (labels keep their `\n` line breaks, which are
    /// added after escaping).
    package static func dotEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    /// The fill of a state that took `t` (0...1) of the largest state's time: white to red.
    static func dwellColour(_ t: Double) -> String {
        let c = max(0, min(1, t))
        let a = (255.0, 255.0, 255.0), b = (227.0, 74.0, 51.0)
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * c).rounded()) }
        return "#" + [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)].map { String(format: "%02x", $0) }.joined()
    }

    /// The definition as Graphviz DOT; with `overlay`, the report's figures drawn on it.
    package static func dot(_ d: WorkflowDefinition, overlay: Overlay? = nil) -> String {
        let e = dotEscaped
        let title = "\(d.id) v\(d.version)" + (d.title.map { ": \($0)" } ?? "")
        var out = ["digraph \"\(e(d.id))\" {",
                   "    label=\"\(e(title))\"; labelloc=t; rankdir=LR; fontname=\"Noto Sans CJK SC,sans-serif\";",
                   "    node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Noto Sans CJK SC,sans-serif\", fontsize=11];",
                   "    edge [fontname=\"Noto Sans CJK SC,sans-serif\", fontsize=9, color=\"#55606e\"];"]
        let maxShare = overlay?.states.values.map(\.share).max() ?? 0
        let maxCount = overlay?.transitions.values.map(\.count).max() ?? 0
        var drawn = Set<String>()
        func walk(_ states: [StateDefinition], transitions: [TransitionDefinition], prefix: String, path: [String], indent: String) {
            for s in states {
                let node = id(prefix, s.name)
                let label = (path + [s.name]).joined(separator: "/")
                var lines = [e(name(s))]
                if let dept = s.department { lines.append("(" + e(dept) + ")") }
                if let outcome = s.outcome { lines.append("⇒ " + e(outcome)) }
                if let vote = s.vote { lines.append(e("vote: \(vote.approveAt) of \(vote.seats) \(vote.role)")) }
                if s.stopsClock { lines.append("clock stops") }
                var attributes: [String] = []
                var styles = ["rounded", "filled"]
                if let figure = overlay?.states[label] {
                    lines.append(e(figure.text))
                    attributes.append("fillcolor=\"\(dwellColour(maxShare > 0 ? figure.share / maxShare : 0))\"")
                }
                if s.isFinal { attributes.append("peripheries=2") }
                if s.isInitial { styles.append("bold") }
                if s.vote != nil { attributes.append("shape=hexagon"); styles.removeFirst() }
                attributes.insert("label=\"\(lines.joined(separator: "\\n"))\"", at: 0)
                attributes.append("style=\"\(styles.joined(separator: ","))\"")
                attributes.append("tooltip=\"\(e(label))\"")
                out.append("\(indent)\(node) [\(attributes.joined(separator: ", "))];")
                if let region = s.parallel {
                    for branch in region.branches {
                        out.append("\(indent)subgraph cluster_\(id(prefix, s.name, branch.name)) {")
                        let join = region.join == .all ? "join: all" : "join: first rejection"
                        out.append("\(indent)    label=\"\(e("\(s.name) ∥ \(branch.name)"))\(branch.department.map { " (\(e($0)))" } ?? "")\\n\(join)\"; style=\"dashed,rounded\"; color=\"#7a8a9a\";")
                        walk(branch.states, transitions: branch.transitions, prefix: prefix + "_" + s.name + "_" + branch.name,
                             path: path + [s.name, branch.name], indent: indent + "    ")
                        out.append("\(indent)}")
                    }
                    // The parallel state's node leads into each branch's first state.
                    for branch in region.branches {
                        if let first = branch.initialState {
                            out.append("\(indent)\(node) -> \(id(prefix + "_" + s.name + "_" + branch.name, first.name)) [style=dotted, arrowhead=none];")
                        }
                    }
                }
            }
            for t in transitions {
                for from in t.from {
                    let to = t.to ?? from
                    var text = e(label(t, in: d))
                    var attributes: [String] = []
                    if let overlay {
                        let key = Overlay.key(from: (path + [from]).joined(separator: "/"), to: (path + [to]).joined(separator: "/"))
                        // Figures are per pair of states: shown on the first edge between them.
                        if let figure = overlay.transitions[key], drawn.insert(key).inserted {
                            text += "\\n" + e(figure.text)
                            let width = 1 + 5 * Double(figure.count) / Double(max(1, maxCount))
                            attributes.append(String(format: "penwidth=%.2f", width))
                            attributes.append("color=\"#2f5d8a\"")
                        } else if overlay.transitions[key] == nil {
                            attributes.append("style=dashed")
                            attributes.append("color=\"#a9b3bd\"")
                        }
                    }
                    if t.sendsBack { attributes.append("constraint=false") }
                    attributes.insert("label=\"\(text)\"", at: 0)
                    out.append("\(indent)\(id(prefix, from)) -> \(id(prefix, to)) [\(attributes.joined(separator: ", "))];")
                }
            }
        }
        walk(d.states, transitions: d.transitions, prefix: "s", path: [], indent: "    ")
        out.append("}")
        return out.joined(separator: "\n")
    }
}
