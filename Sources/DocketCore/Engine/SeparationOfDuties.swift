// Separation of duties in `decide`: the definition's rules (``SeparationRule``) against what the
// case's state remembers of who did what (``CaseDuties``). Each check is a few dictionary lookups
// per rule: the history is folded once, as events arrive, never scanned per command.

/// One act a rule may forbid: firing an event, or acting in a role.
enum DutyAct: Equatable {
    case fire(String)
    case actAs(String)

    var description: String {
        switch self {
        case let .fire(event): "fire '\(event)'"
        case let .actAs(role): "act as \(role)"
        }
    }
}

extension Decision {
    /// The reserved actor is Docket's; no command may claim it, as the actor or the person acted for.
    static func checkNotReserved(_ actor: String, onBehalfOf: String?, caseID: String) throws(Refusal) {
        for (who, option) in [(actor, "actor"), (onBehalfOf, "person acted for")] where who == Engine.systemActor {
            throw Refusal(.reservedActor, "'\(Engine.systemActor)' is reserved for what Docket does itself (deadlines, joins, vote outcomes) and cannot be the \(option) of a command; give a person's id",
                          caseID: caseID)
        }
    }

    /// Checks firing `event` as `actor` in `role`, for `onBehalfOf` represented in `represented`.
    ///
    /// The rules bind the actor who acts. In assisted handling the person acted for acts too, in
    /// the roles they are represented in, so they are checked for those roles (an applicant
    /// represented as the applicant is not staff; a panel member whose vote is recorded for them
    /// acts as a panel member).
    func checkSeparation(fire event: String, actor: String, role: String, onBehalfOf: String?, represented: [String]) throws(Refusal) {
        guard context.enforcesSeparationOfDuties, !definition.separationOfDuties.isEmpty else { return }
        try check(actor, [.fire(event), .actAs(role)])
        if let onBehalfOf, onBehalfOf != actor { try check(onBehalfOf, represented.map(DutyAct.actAs)) }
    }

    /// Checks a vote cast by `actor` in `role` that counts for `voter`, in a vote of `voteRole`.
    func checkSeparation(voteAs voteRole: String, actor: String, role: String, voter: String) throws(Refusal) {
        guard context.enforcesSeparationOfDuties, !definition.separationOfDuties.isEmpty else { return }
        try check(actor, [.actAs(role)])
        if voter != actor || voteRole != role { try check(voter, [.actAs(voteRole)]) }
    }

    /// Refuses the first of `acts` a rule forbids `person`, naming the rule and what binds them.
    private func check(_ person: String, _ acts: [DutyAct]) throws(Refusal) {
        for act in acts {
            for rule in definition.separationOfDuties {
                switch act {
                case let .fire(event): guard rule.mayNotFire.contains(event) else { continue }
                case let .actAs(role): guard rule.forbids(role: role, in: definition) else { continue }
                }
                guard let why = Self.binding(rule, person, state: state, definition: definition) else { continue }
                throw Refusal(.separationOfDuties, "\(person) may not \(act.description) on case \(caseID): rule \(rule.name); \(why)",
                              caseID: caseID)
            }
        }
    }

    /// Why `rule` binds `person` on the case (what they did, and where in the case), or `nil`.
    static func binding(_ rule: SeparationRule, _ person: String, state: CaseState, definition: WorkflowDefinition) -> String? {
        let duties = state.duties
        switch rule.party {
        case let .fired(events):
            let first = events.compactMap { event in duties.firstFiring(of: event, by: person).map { (event, $0) } }.min { $0.1 < $1.1 }
            return first.map { "\(person) fired '\($0.0)' (event \($0.1) of the case)" }
        case let .actedAs(roles):
            var first: (role: String, version: Int)?
            for role in roles {
                var versions = [duties.firstAct(as: role, by: person)]
                // A vote cast for a panel member is their act in the vote's role, whoever cast it
                // (the case's vote states are few: only those it voted in are looked up).
                for (voteState, voters) in duties.voted {
                    guard let version = voters[person], definition.state(named: voteState)?.vote?.role == role else { continue }
                    versions.append(version)
                }
                if let version = versions.compactMap({ $0 }).min(), version < first?.version ?? .max { first = (role, version) }
            }
            return first.map { "\(person) acted as \($0.role) (event \($0.version) of the case)" }
        case .applicant:
            guard duties.applicant(openedBy: state.openedBy, in: definition) == person else { return nil }
            return "\(person) is the case's applicant (event 1 of the case)"
        }
    }

    /// At opening: the case's applicant may not open it in a staff role (a clerk filing their own
    /// application, `--as clerk --on-behalf-of` themselves), and the opener may not act in a role
    /// a rule forbids them.
    static func checkSeparation(opening command: OpenCase, context: EngineContext) throws(Refusal) {
        let definition = context.definition
        guard context.enforcesSeparationOfDuties, !definition.separationOfDuties.isEmpty, let role = command.role else { return }
        let duties = CaseDuties(openedAs: role, openedFor: command.onBehalfOf)
        let applicant = duties.applicant(openedBy: command.actor, in: definition)
        for rule in definition.separationOfDuties where rule.party == .applicant && applicant == command.actor && rule.forbids(role: role, in: definition) {
            throw Refusal(.separationOfDuties, "\(command.actor) may not act as \(role) on case \(command.caseID): rule \(rule.name); \(command.actor) is the case's applicant",
                          caseID: command.caseID)
        }
    }
}
