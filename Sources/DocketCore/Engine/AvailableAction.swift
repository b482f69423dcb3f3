/// Something a person can do to a case now: fire an event, or vote.
public struct AvailableAction: Hashable, Sendable {
    /// The event's name; `vote` for a panel vote.
    public var event: String
    /// The state it is fired in (a branch's state for branch events).
    public var state: String
    /// The parallel state and branch, for events inside a branch.
    public var region: String?
    public var branch: String?
    /// The roles that may do it.
    public var roles: [String]
    /// Documents it requires.
    public var requires: [String]
    /// Whether it needs a reason.
    public var needsReason: Bool
    /// Whether it is a panel vote (cast with ``CastVote``) rather than an event.
    public var isVote: Bool

    /// `approve (approver; requires site_photos)`, `pass in branch health (health_inspector)`.
    public var description: String {
        var text = event
        if let branch { text += " in branch \(branch)" }
        var notes = [roles.joined(separator: ", ")]
        if !requires.isEmpty { notes.append("requires " + requires.joined(separator: ", ")) }
        if needsReason { notes.append("needs a reason") }
        return text + " (" + notes.joined(separator: "; ") + ")"
    }
}

extension CaseState {
    /// Everything people can do to the case now, in definition order (events Docket alone fires
    /// are left out); empty once closed.
    public func availableActions(in definition: WorkflowDefinition) -> [AvailableAction] {
        guard !isClosed, let stateIndex = definition.states.firstIndex(where: { $0.name == current.state }) else { return [] }
        var actions: [AvailableAction] = []
        if let vote = definition.states[stateIndex].vote {
            actions.append(AvailableAction(event: "vote", state: definition.states[stateIndex].name, roles: [vote.role], requires: [],
                                           needsReason: false, isVote: true))
        }
        // The loops of `candidateTransitions`, reading the definitions in place: the simulator
        // asks this at every step.
        let transitions = definition.transitions
        for i in transitions.indices where transitions[i].from.contains(current.state) {
            guard let roles = transitions[i].roles, !roles.isEmpty else { continue }
            // An event with routes (`when:`) is one action: the case's data picks the route.
            if actions.contains(where: { $0.event == transitions[i].event && $0.branch == nil && !$0.isVote }) { continue }
            actions.append(AvailableAction(
                event: transitions[i].event, state: current.state, region: nil, branch: nil, roles: roles,
                requires: transitions[i].requires, needsReason: transitions[i].needsReason, isVote: false))
        }
        guard !branches.isEmpty, let region = definition.states[stateIndex].parallel else { return actions }
        for progress in branches where progress.isActive {
            guard let b = region.branches.firstIndex(where: { $0.name == progress.branch }) else { continue }
            let branchTransitions = region.branches[b].transitions
            for i in branchTransitions.indices where branchTransitions[i].from.contains(progress.visit.state) {
                let roles = branchTransitions[i].roles ?? region.branches[b].roles ?? []
                guard !roles.isEmpty else { continue }
                if actions.contains(where: { $0.event == branchTransitions[i].event && $0.branch == region.branches[b].name }) { continue }
                actions.append(AvailableAction(
                    event: branchTransitions[i].event, state: progress.visit.state, region: progress.region,
                    branch: region.branches[b].name, roles: roles, requires: branchTransitions[i].requires,
                    needsReason: branchTransitions[i].needsReason, isVote: false))
            }
        }
        return actions
    }

    /// What an actor in `role` (acting for someone when `onBehalfOf` is set) can do now.
    public func availableActions(in definition: WorkflowDefinition, role: String, onBehalfOf: String? = nil) -> [AvailableAction] {
        availableActions(in: definition).filter { definition.permits($0.roles, role: role, onBehalfOf: onBehalfOf) }
    }

    /// Transitions that may fire from the case's current state and its running branches (only
    /// those of `event`, when given), in definition order.
    func candidateTransitions(in definition: WorkflowDefinition, event: String? = nil) -> [TransitionCandidate] {
        var result: [TransitionCandidate] = []
        // Indexing borrows the definitions; `for transition in` would copy every one of them.
        let transitions = definition.transitions
        for i in transitions.indices {
            if let event, transitions[i].event != event { continue }
            guard transitions[i].from.contains(current.state) else { continue }
            result.append(TransitionCandidate(transition: transitions[i], state: current.state, region: nil, branch: nil))
        }
        guard !branches.isEmpty, let stateIndex = definition.states.firstIndex(where: { $0.name == current.state }),
              let region = definition.states[stateIndex].parallel else { return result }
        for progress in branches where progress.isActive {
            guard let branchIndex = region.branches.firstIndex(where: { $0.name == progress.branch }) else { continue }
            let branchTransitions = region.branches[branchIndex].transitions
            for i in branchTransitions.indices {
                if let event, branchTransitions[i].event != event { continue }
                guard branchTransitions[i].from.contains(progress.visit.state) else { continue }
                result.append(TransitionCandidate(transition: branchTransitions[i], state: progress.visit.state,
                                                  region: progress.region, branch: region.branches[branchIndex]))
            }
        }
        return result
    }
}

/// A transition that can fire now, and where.
struct TransitionCandidate {
    var transition: TransitionDefinition
    var state: String
    var region: String?
    var branch: BranchDefinition?
}

extension WorkflowDefinition {
    /// Whether an actor in `role` may do what `roles` may: directly, or (with `onBehalfOf`) for a
    /// role assisted handling lets them represent.
    public func permits(_ roles: [String], role: String, onBehalfOf: String?) -> Bool {
        if roles.contains(role) { return true }
        guard onBehalfOf != nil else { return false }
        return rolesActedFor(by: role).contains { roles.contains($0) }
    }
}
