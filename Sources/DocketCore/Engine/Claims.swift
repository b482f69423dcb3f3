/// Claiming work, as a desk's task list does it: a clerk claims the case's current state (or one
/// branch of a parallel state), and until the case moves on, the claim is released or a
/// supervisor reassigns it, nobody else acts on it. A claim belongs to the visit: when the case
/// (or branch) enters another state, the new state starts unclaimed.
///
/// Claims are enforced, not advisory (`Docs/cli.md`, Claiming): a staff member's `fire` on a
/// visit someone else holds is refused `held_by_other`. The applicant's own acts (supplying
/// documents, withdrawing) and panel votes are never blocked: each is that person's own act.
public struct ClaimCommand: Hashable, Sendable {
    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// Take the work for oneself.
        case claim
        /// Give it back (the holder; or a supervisor, for someone else's claim).
        case release
        /// A supervisor gives the work to ``ClaimCommand/person``.
        case reassign
    }

    public var caseID: String
    public var action: Action
    /// Who gives the command.
    public var actor: String
    /// The role they act in: for a claim, a staff role that can act on the state; for a release
    /// of someone else's claim and for a reassignment, ``Engine/supervisorRole``.
    public var role: String
    /// For a reassignment: who gets the work.
    public var person: String?
    /// The branch meant, in a parallel state; `nil` for the case-level state.
    public var branch: String?
    public var reason: String?
    public var at: Timestamp

    public init(caseID: String, action: Action, actor: String, role: String, person: String? = nil,
                branch: String? = nil, reason: String? = nil, at: Timestamp) {
        self.caseID = caseID
        self.action = action
        self.actor = actor
        self.role = role
        self.person = person
        self.branch = branch
        self.reason = reason
        self.at = at
    }
}

extension Engine {
    /// The role that releases and reassigns claims held by others. It is the directory's to grant
    /// (a `supervisor` grant in a unit covering the case's); no workflow needs to declare it.
    public static let supervisorRole = "supervisor"
}

extension CaseState {
    /// Who holds the case now: the case-level holder, else the holders of running branches.
    public var holders: [(branch: String?, person: String, since: Timestamp?)] {
        var result: [(branch: String?, person: String, since: Timestamp?)] = []
        if let holder = current.heldBy { result.append((branch: nil, person: holder, since: current.heldSince)) }
        for b in activeBranches { if let holder = b.visit.heldBy { result.append((branch: b.branch, person: holder, since: b.visit.heldSince)) } }
        return result
    }

    /// Folds a claim, release or reassignment into the visit it names.
    mutating func applyClaim(_ event: CaseEvent) {
        let p = event.payload
        let holder: String? = event.type == .claimReleased ? nil : p.person
        let since: Timestamp? = holder == nil ? nil : event.occurredAt
        updateVisit(region: p.region, branch: p.branch, state: p.state) {
            $0.heldBy = holder
            $0.heldSince = since
        }
    }
}

extension Decision {
    /// Claims, releases or reassigns; nothing is recorded when the visit already is as asked
    /// (claiming what one holds, reassigning to its holder).
    mutating func claim(_ command: ClaimCommand) throws(Refusal) {
        try checkOpen(at: command.at)
        let target = try visit(of: command)
        let visit = target.visit
        let supervisor = command.role == Engine.supervisorRole
        var payload = EventPayload(region: target.region, branch: command.branch,
                                   reason: command.reason.flatMap { $0.trimmingBlanks.isEmpty ? nil : $0.trimmingBlanks },
                                   state: visit.state)
        let what = command.branch.map { "branch '\($0)' of case '\(caseID)'" } ?? "case '\(caseID)'"
        let type: CaseEventType
        switch command.action {
        case .claim:
            guard definition.roles.contains(command.role), definition.isStaff(command.role) else {
                throw Refusal(.roleNotAllowed, "a claim is made in a staff role of workflow '\(definition.id)': "
                              + definition.roles.filter(definition.isStaff).joined(separator: ", "), caseID: caseID,
                              allowedRoles: definition.roles.filter(definition.isStaff))
            }
            let actions = state.availableActions(in: definition).filter { $0.branch == command.branch || command.branch == nil }
            let roles = orderedUnique(actions.flatMap(\.roles))
            guard actions.contains(where: { definition.permits($0.roles, role: command.role, onBehalfOf: nil) }) else {
                throw Refusal(.roleNotAllowed, "role '\(command.role)' has nothing to do in \(command.branch.map { "branch '\($0)' of " } ?? "")\(state.whereabouts)"
                              + (roles.isEmpty ? "" : "; the work here is for: " + roles.joined(separator: ", ")), caseID: caseID, allowedRoles: roles)
            }
            if let holder = visit.heldBy {
                if holder == command.actor { return }
                throw heldByOther(holder, since: visit.heldSince, what: what)
            }
            if command.branch == nil, let other = state.holders.first(where: { $0.person != command.actor }) {
                throw heldByOther(other.person, since: other.since, what: "branch '\(other.branch ?? "")' of case '\(caseID)'")
            }
            type = .caseClaimed
            payload.person = command.actor
        case .release:
            guard let holder = visit.heldBy else {
                throw Refusal(.notHeld, "nobody holds \(what) in '\(visit.state)': there is nothing to release", caseID: caseID)
            }
            guard holder == command.actor || supervisor else {
                throw Refusal(.heldByOther, "\(what) is held by \(holder), not \(command.actor): only they release it, or a supervisor (--as \(Engine.supervisorRole))",
                              caseID: caseID)
            }
            type = .claimReleased
            payload.person = holder
        case .reassign:
            guard supervisor else {
                throw Refusal(.roleNotAllowed, "reassigning work is for a supervisor: give --as \(Engine.supervisorRole) (a grant of the directory)",
                              caseID: caseID, allowedRoles: [Engine.supervisorRole])
            }
            guard let person = command.person, !person.trimmingBlanks.isEmpty else {
                throw Refusal(.notHeld, "a reassignment names who gets the work (--to PERSON)", caseID: caseID)
            }
            if visit.heldBy == person { return }
            type = .caseReassigned
            payload.person = person
        }
        emit(type, Actor(id: command.actor, role: command.role, onBehalfOf: nil), at: command.at, payload)
    }

    /// The visit a claim command names: the case-level one, or the running branch `branch`.
    private func visit(of command: ClaimCommand) throws(Refusal) -> (visit: StateVisit, region: String?) {
        guard let branch = command.branch else { return (state.current, nil) }
        guard let progress = state.activeBranches.first(where: { $0.branch == branch }) else {
            let running = state.activeBranches.map(\.branch)
            throw Refusal(.eventNotAllowed, "no branch '\(branch)' is running in \(state.whereabouts)"
                          + (running.isEmpty ? "" : "; running: " + running.joined(separator: ", ")), caseID: caseID)
        }
        return (progress.visit, progress.region)
    }

    private func heldByOther(_ holder: String, since: Timestamp?, what: String) -> Refusal {
        Refusal(.heldByOther, "\(what) is held by \(holder)\(since.map { " since \($0)" } ?? ""): ask them to release it, or a supervisor to reassign it",
                caseID: caseID)
    }

    /// A staff member may not act on a visit someone else holds: the case-level holder holds the
    /// whole case, a branch's holder that branch. The applicant's acts are never blocked.
    func checkHolder(of candidate: TransitionCandidate, actor: String, role: String) throws(Refusal) {
        guard definition.isStaff(role) else { return }
        if let holder = state.current.heldBy, holder != actor {
            throw heldByOther(holder, since: state.current.heldSince, what: "case '\(caseID)'")
        }
        if let branch = candidate.branch?.name, let visit = state.activeBranches.first(where: { $0.branch == branch })?.visit,
           let holder = visit.heldBy, holder != actor {
            throw heldByOther(holder, since: visit.heldSince, what: "branch '\(branch)' of case '\(caseID)'")
        }
    }
}
