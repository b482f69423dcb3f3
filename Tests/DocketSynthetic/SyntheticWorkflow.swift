// Generated workflow definitions of any size, for the validation-at-scale tests and the
// `validation` benchmark (issue 16). Text only: no Docket module is needed to write one, so the
// tests and Benchmarks/DocketBenchmarks share it.

/// The YAML text of a generated workflow of `states` case-level states.
///
/// A chain `s00000 → s00001 → …` (event `advance`, role `clerk`) ending in `approved`, with:
/// a send-back (`send_back`, role `approver`) from every 10th state to the state 5 before it; a
/// `reject` to `rejected` from every 25th; a three-seat panel vote (`expert`, 2 of 3) in every 50th
/// state that fires `advance` or `panel_rejected`; two parallel branches (`health`, `fire`) in
/// every 100th state (offset 70) that fire `advance` or `branches_rejected`; a 3-day limit on
/// every 7th state. `withdraw` leaves every 200th state for `withdrawn`. The last chain state
/// has `reject` and `withdraw` whatever the size.
///
/// `plant` adds one problem, written on a line of its own that ``line(of:in:)`` finds.
public enum SyntheticWorkflow {
    /// One problem planted in an otherwise valid definition.
    public enum Plant: Sendable, Equatable {
        /// A state nothing leads to, `orphan` (declared after `s<after>`): "no transition reaches".
        case unreachableState(after: Int)
        /// An extra transition from `s<from>` to an undeclared state `s_missing`.
        case unknownTarget(from: Int)
        /// A send-back from `s<from>` forward to `s<from + 2>` (`from` % 10 should be 1 or 2, so
        /// no send-back leads back): "not an earlier state".
        case forwardSendBack(from: Int)
    }

    /// The name of the `index`-th chain state.
    public static func state(_ index: Int) -> String {
        let digits = String(index)
        return "s" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Whether chain state `index` holds a panel vote.
    public static func isVote(_ index: Int) -> Bool { index > 0 && index % 50 == 0 }
    /// Whether chain state `index` runs parallel branches.
    public static func isParallel(_ index: Int) -> Bool { index % 100 == 70 }

    /// The definition's text; `states` ≥ 2.
    public static func yaml(states count: Int, id: String = "synthetic", plant: Plant? = nil) -> String {
        precondition(count >= 2, "a generated workflow has at least 2 states")
        var lines: [String] = []
        lines.reserveCapacity(count * 4 + 64)
        lines.append("workflow: \(id)")
        lines.append("version: 1")
        lines.append("title: Generated workflow of \(count) states")
        lines.append("roles: [applicant, clerk, approver, expert, health_inspector, fire_inspector]")
        lines.append("states:")
        for index in 0..<count {
            let name = state(index)
            var keys: [String] = []
            if index == 0 { keys.append("initial: true") }
            if index % 7 == 3 { keys.append("within: 3 days") }
            if isVote(index) {
                keys.append("vote: { role: expert, seats: 3, approve_at: 2 }")
                keys.append("when_approved: advance")
                keys.append("when_rejected: panel_rejected")
            }
            if isParallel(index) {
                lines.append("  \(name):")
                for key in keys { lines.append("    " + key) }
                lines.append("    when_approved: advance")
                lines.append("    when_rejected: branches_rejected")
                lines.append("    branches:")
                for (branch, role) in [("health", "health_inspector"), ("fire", "fire_inspector")] {
                    lines.append("      \(branch):")
                    lines.append("        roles: [\(role)]")
                    lines.append("        states:")
                    lines.append("          checking: { initial: true }")
                    lines.append("          passed: { final: true, outcome: approved }")
                    lines.append("          failed: { final: true, outcome: rejected }")
                    lines.append("        transitions:")
                    lines.append("          - { event: pass, from: checking, to: passed }")
                    lines.append("          - { event: fail, from: checking, to: failed, requires_reason: true }")
                }
            } else {
                lines.append("  \(name): { \(keys.joined(separator: ", ")) }")
            }
            if case let .unreachableState(after) = plant, after == index {
                lines.append("  orphan: {}")
            }
        }
        lines.append("  approved: { final: true, outcome: approved }")
        lines.append("  rejected: { final: true, outcome: rejected }")
        lines.append("  withdrawn: { final: true, outcome: withdrawn }")
        lines.append("transitions:")
        for index in 0..<count {
            let name = state(index)
            let next = index + 1 < count ? state(index + 1) : "approved"
            let docketFires = isVote(index) || isParallel(index)
            lines.append("  - { event: advance, from: \(name), to: \(next)\(docketFires ? "" : ", roles: [clerk]") }")
            if isVote(index) {
                lines.append("  - { event: panel_rejected, from: \(name), to: rejected }")
            }
            if isParallel(index) {
                lines.append("  - { event: branches_rejected, from: \(name), to: rejected }")
            }
            if index % 10 == 0, index >= 10 {
                lines.append("  - { event: send_back, from: \(name), to: \(state(index - 5)), roles: [approver], sends_back: true }")
            }
            let last = index == count - 1  // every final state is reached whatever the size
            if index % 25 == 24 || last {
                lines.append("  - { event: reject, from: \(name), to: rejected, roles: [approver], requires_reason: true }")
            }
            if index % 200 == 199 || last {
                lines.append("  - { event: withdraw, from: \(name), to: withdrawn, roles: [applicant] }")
            }
            switch plant {
            case let .unreachableState(after) where after == index:
                lines.append("  - { event: advance, from: orphan, to: \(next), roles: [clerk] }")
            case let .unknownTarget(from) where from == index:
                lines.append("  - { event: detour, from: \(name), to: s_missing, roles: [clerk] }")
            case let .forwardSendBack(from) where from == index:
                lines.append("  - { event: skip_back, from: \(name), to: \(state(index + 2)), roles: [approver], sends_back: true }")
            default:
                break
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The 1-based line of the first line of `text` containing `fragment`, and the 1-based column
    /// where it starts.
    public static func position(of fragment: String, in text: String) -> (line: Int, column: Int)? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.firstRange(of: fragment) {
                return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1)
            }
        }
        return nil
    }
}
