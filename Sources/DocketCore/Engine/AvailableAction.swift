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
        guard !isClosed, let state = definition.state(named: current.state) else { return [] }
        var actions: [AvailableAction] = []
        for candidate in candidateTransitions(in: definition) {
            let roles = candidate.transition.effectiveRoles(branch: candidate.branch)
            guard !roles.isEmpty else { continue }
            actions.append(AvailableAction(
                event: candidate.transition.event, state: candidate.state, region: candidate.region,
                branch: candidate.branch?.name, roles: roles, requires: candidate.transition.requires,
                needsReason: candidate.transition.needsReason, isVote: false))
        }
        if let vote = state.vote {
            actions.insert(AvailableAction(event: "vote", state: state.name, roles: [vote.role], requires: [],
                                           needsReason: false, isVote: true), at: 0)
        }
        return actions
    }

    /// What an actor in `role` (acting for someone when `onBehalfOf` is set) can do now.
    public func availableActions(in definition: WorkflowDefinition, role: String, onBehalfOf: String? = nil) -> [AvailableAction] {
        availableActions(in: definition).filter { definition.permits($0.roles, role: role, onBehalfOf: onBehalfOf) }
    }

    /// Transitions that may fire from the case's current state and its running branches.
    func candidateTransitions(in definition: WorkflowDefinition) -> [TransitionCandidate] {
        var result: [TransitionCandidate] = []
        for transition in definition.transitions where transition.from.contains(current.state) {
            result.append(TransitionCandidate(transition: transition, state: current.state, region: nil, branch: nil))
        }
        if let region = definition.state(named: current.state)?.parallel {
            for progress in activeBranches {
                guard let branch = region.branch(named: progress.branch) else { continue }
                for transition in branch.transitions where transition.from.contains(progress.visit.state) {
                    result.append(TransitionCandidate(transition: transition, state: progress.visit.state,
                                                      region: progress.region, branch: branch))
                }
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
