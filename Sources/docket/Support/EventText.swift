import DocketCore

/// One line describing an event, for tables: `approve: review → approved`.
func describe(_ e: CaseEvent) -> String {
    let p = e.payload
    var text: String
    switch e.type {
    case .caseOpened: text = "opened in \(p.to ?? "?")"
    case .transitionFired:
        text = "\(p.transition ?? "?"): \(p.from ?? "?") → \(p.to ?? "?")"
    case .voteCast: text = "vote \(p.vote ?? "?")" + (p.approvals.map { " (\($0) approve, \(p.rejections ?? 0) reject)" } ?? "")
    case .deadlineBreached: text = "deadline breached: \(p.deadline == "statutory" ? "statutory limit" : p.state ?? "?")" + (p.limit.map { " (\($0))" } ?? "")
    default: text = e.type.rawValue.replacingOccurrences(of: "_", with: " ") + (p.state.map { " \($0)" } ?? "")
    }
    if let branch = p.branch { text = "[\(branch)] " + text }
    if let outcome = p.outcome { text += " ⇒ \(outcome)" }
    if let reason = p.reason { text += " — \"\(reason)\"" }
    if let docs = p.documents, !docs.isEmpty { text += " +docs: " + docs.joined(separator: ", ") }
    // Data given with an event (the opening's is the case's attributes, shown by `show`).
    if e.type != .caseOpened, let data = p.data, !data.isEmpty {
        text += " +data: " + data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
    return text
}
