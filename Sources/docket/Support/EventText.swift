import DocketCore
import DocketService

/// One line describing an event, for tables: `approve: review → approved`; times (of a
/// correction) in `time`'s zone.
func describe(_ e: CaseEvent, time: TimeText? = nil) -> String {
    let p = e.payload
    var text: String
    switch e.type {
    case .caseOpened: text = "opened in \(p.to ?? "?")"
    case .transitionFired:
        text = "\(p.transition ?? "?"): \(p.from ?? "?") → \(p.to ?? "?")"
    case .voteCast: text = "vote \(p.vote ?? "?")" + (p.approvals.map { " (\($0) approve, \(p.rejections ?? 0) reject)" } ?? "")
    case .deadlineBreached: text = "deadline breached: \(p.deadline == "statutory" ? "statutory limit" : p.state ?? "?")" + (p.limit.map { " (\($0))" } ?? "")
    case .caseClaimed: text = "claimed \(p.state ?? "?") for \(p.person ?? "?")"
    case .claimReleased: text = "released \(p.state ?? "?") (held by \(p.person ?? "?"))"
    case .caseReassigned: text = "reassigned \(p.state ?? "?") to \(p.person ?? "?")"
    case .eventCorrected:
        var changes: [String] = []
        if let at = p.correctedAt { changes.append("time " + (time.map { $0(at) } ?? at.description)) }
        if let person = p.person { changes.append("actor \(person)") }
        if let docs = p.documents { changes.append("documents " + (docs.isEmpty ? "none" : docs.joined(separator: ", "))) }
        if let data = p.data { changes.append("data " + data.keys.sorted().map { "\($0)=\(data[$0]!)" }.joined(separator: ", ")) }
        text = "corrects v\(p.corrects ?? 0): " + changes.joined(separator: "; ")
        if let reason = p.reason { text += " — \"\(reason)\"" }
        return text
    case .eventVoided:
        return "voids v\(p.corrects ?? 0)" + (p.reason.map { " — \"\($0)\"" } ?? "")
    default: text = e.type.rawValue.replacingOccurrences(of: "_", with: " ") + (p.state.map { " \($0)" } ?? "")
    }
    if let branch = p.branch { text = "[\(branch)] " + text }
    if let outcome = p.outcome { text += " ⇒ \(outcome)" }
    if let reason = p.reason { text += " — \"\(reason)\"" }
    if let docs = p.documents, !docs.isEmpty { text += " +docs: " + docs.joined(separator: ", ") }
    if let files = p.attachments, !files.isEmpty {
        text += " (files: " + files.map { "\($0.document) sha256:\($0.sha256.prefix(12))…" }.joined(separator: ", ") + ")"
    }
    // Data given with an event (the opening's is the case's attributes, shown by `show`).
    if e.type != .caseOpened, let data = p.data, !data.isEmpty {
        text += " +data: " + data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
    return text
}
