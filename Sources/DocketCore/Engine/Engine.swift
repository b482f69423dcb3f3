/// The workflow engine, a decider: `decide` turns a command into the events it causes, `evolve`
/// folds an event into a case's state. Both are pure; the store appends what `decide` returns, all
/// of it or none, with the case's ``CaseState/version`` as the expected version.
public enum Engine {
    /// The actor recorded on events Docket fires itself (deadline breaches, joins, vote outcomes).
    public static let systemActor = "system"

    /// The events `command` causes on a case, oldest first, or why it is refused.
    ///
    /// One command can cause several events, all returned together so they are appended
    /// atomically: a branch finishing fires the join, a deciding vote fires its outcome, entering
    /// a parallel state starts its branches, entering or leaving a clock-stopping state stops or
    /// resumes the clock, a breach fires its action.
    ///
    /// Deadlines do not wait for `tick`: a `fire` or `vote` at time `at` first records every
    /// breach that ran out before `at` (and its action), then applies the command to the state
    /// that results; a `tick` records those due at or before its `now`. So the log is the same
    /// however often `tick` runs: an applicant supplying materials after the commitment deadline
    /// finds the acceptance revoked, and an approval after a state's limit follows the breach.
    ///
    /// - Parameters:
    ///   - state: the case's state (``CaseState/replay(_:)`` of its events); `nil` when it has none.
    ///   - command: what to do.
    ///   - context: the definition the case is pinned to (for `open`: the one to pin it to) and
    ///     the calendar that definition names.
    /// - Returns: the events, possibly none (a `tick` with nothing due).
    /// - Throws: a ``Refusal`` saying what is not allowed and what is.
    public static func decide(_ state: CaseState?, _ command: Command, _ context: EngineContext) throws(Refusal) -> [CaseEvent] {
        var state = state
        return try decide(command, evolving: &state, context)
    }

    /// ``decide(_:_:_:)`` for a driver that keeps the case's state (the simulator): on return
    /// `state` is the fold of the events returned, as if each went through ``evolve(_:_:)``; when
    /// the command is refused, `state` is as it was.
    public static func decide(_ command: Command, evolving state: inout CaseState?, _ context: EngineContext) throws(Refusal) -> [CaseEvent] {
        // `system` signs what Docket does itself: no person may claim it, on any case.
        switch command {
        case let .open(c): try Decision.checkNotReserved(c.actor, onBehalfOf: c.onBehalfOf, caseID: c.caseID)
        case let .fire(c): try Decision.checkNotReserved(c.actor, onBehalfOf: c.onBehalfOf, caseID: c.caseID)
        case let .vote(c): try Decision.checkNotReserved(c.actor, onBehalfOf: c.onBehalfOf, caseID: c.caseID)
        case .tick: break
        case let .claim(c): try Decision.checkNotReserved(c.actor, onBehalfOf: c.person, caseID: c.caseID)
        }
        guard let current = state.take() else {
            // Opening is the only command on a case that does not exist yet.
            guard case let .open(open) = command else { throw Refusal.unknownCase(command.caseID) }
            let (opened, events) = try Decision(opening: open, context: context).decided()
            state = opened
            return events
        }
        // The decision owns the state while it decides, and hands it back evolved (or, refused,
        // as it was).
        var decision = Decision(state: consume current, caseID: command.caseID, context: context)
        do throws(Refusal) {
            switch command {
            case .open: throw Refusal(.caseAlreadyExists, "case '\(decision.caseID)' already exists (opened \(decision.local(decision.state.openedAt)) in workflow '\(decision.state.workflowID)')",
                                      caseID: decision.caseID)
            case let .fire(fire): try decision.fire(fire)
            case let .vote(vote): try decision.vote(vote)
            case let .tick(tick): try decision.tick(tick)
            case let .claim(claim): try decision.claim(claim)
            }
        } catch {
            let refusal = decision.explained(error)
            state = decision.refused()
            throw refusal
        }
        let (evolved, events) = (consume decision).decided()
        state = evolved
        return events
    }

    /// Folds `event` into the case's state. `state` stays `nil` only when there is no case yet and
    /// the event does not open one. Never fails: an event is a fact, and facts the fold does not
    /// understand are counted (``CaseState/version``) and otherwise ignored.
    public static func evolve(_ state: inout CaseState?, _ event: CaseEvent) {
        if state == nil {
            if event.type == .caseOpened { state = CaseState(opening: event) }
        } else {
            state?.apply(event)
        }
    }
}

/// One `decide` call on an existing case (or the opening of one): the events so far and the state
/// they lead to.
struct Decision {
    let context: EngineContext
    let caseID: String
    /// The case's state after ``events``.
    private(set) var state: CaseState
    /// The events decided so far, oldest first.
    private(set) var events: [CaseEvent] = []
    /// The deadlines this decision recorded as breached, in order.
    private(set) var breached: [Deadline] = []
    /// The state before the first breach this decision recorded: a refused command appends
    /// nothing, not even the breaches it caught up on, so the caller keeps this state.
    private(set) var stateBeforeBreaches: CaseState?

    /// Guards against definitions whose breach actions loop (each step still needs a positive
    /// limit, so this only bounds how far one tick catches up).
    static let maxTickSteps = 1_000

    init(state: CaseState, caseID: String, context: EngineContext) {
        self.state = state
        self.caseID = caseID
        self.context = context
    }

    var definition: WorkflowDefinition { context.definition }

    /// The case's state after the events decided, and the events: the decision's outcome.
    consuming func decided() -> (state: CaseState, events: [CaseEvent]) {
        (state, events)
    }

    /// The state the caller keeps when the command is refused: as it was before the decision.
    consuming func refused() -> CaseState {
        stateBeforeBreaches ?? state
    }

    // MARK: Commands

    /// Opens a case: the `case_opened` event, then whatever entering the initial state sets off.
    init(opening command: OpenCase, context: EngineContext) throws(Refusal) {
        let definition = context.definition
        if let role = command.role { try definition.checkDeclared(role: role, caseID: command.caseID) }
        if command.onBehalfOf != nil { try definition.checkMayActForOthers(role: command.role, caseID: command.caseID) }
        try Decision.checkSeparation(opening: command, context: context)
        if context.checksCaseData { _ = try definition.checkedData(command.data, known: [:], event: nil, caseID: command.caseID) }
        guard let initial = definition.initialState else {
            throw Refusal(.unknownWorkflow, "workflow '\(definition.id)' has no initial state; validate it", caseID: command.caseID)
        }
        let actor = Actor(id: command.actor, role: command.role, onBehalfOf: command.onBehalfOf)
        let opened = CaseEvent(caseID: command.caseID, type: .caseOpened, workflowID: definition.id, workflowVersion: definition.version,
                               actor: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf, occurredAt: command.at,
                               payload: EventPayload(to: initial.name, data: command.data.isEmpty ? nil : command.data,
                                                     department: initial.department, calendar: definition.calendar))
        self.init(state: CaseState(opening: opened), caseID: command.caseID, context: context)
        events = [opened]
        enter(initial, actor, at: command.at)
    }

    mutating func fire(_ command: FireEvent) throws(Refusal) {
        try checkOpen(at: command.at)
        catchUp(until: command.at, inclusive: false)
        let chosen = try choose(command)
        let actor = Actor(id: command.actor, role: command.role, onBehalfOf: command.onBehalfOf)
        take(chosen, actor, at: command.at, documents: command.documents + command.attachments.map(\.document), reason: command.reason,
             trigger: nil, data: command.data.isEmpty ? nil : command.data, attachments: command.attachments.isEmpty ? nil : command.attachments)
    }

    /// The transition `command` fires, or why it may not.
    private func choose(_ command: FireEvent) throws(Refusal) -> TransitionCandidate {
        // Again: a breach caught up on may have closed the case.
        try checkOpen(at: command.at)
        try definition.checkDeclared(role: command.role, caseID: caseID)
        if command.onBehalfOf != nil { try definition.checkMayActForOthers(role: command.role, caseID: caseID) }

        let matching = state.candidateTransitions(in: definition, event: command.event)
        guard !matching.isEmpty else {
            let allowed = state.availableActions(in: definition)
            let mine = allowed.filter { definition.permits($0.roles, role: command.role, onBehalfOf: command.onBehalfOf) }
            var message = "event '\(command.event)' is not allowed in \(state.whereabouts)"
            if allowed.isEmpty {
                message += "; nothing can be fired now"
            } else {
                message += "; allowed here: " + allowed.map(\.description).joined(separator: ", ")
            }
            throw Refusal(.eventNotAllowed, message, caseID: caseID, allowedEvents: (mine.isEmpty ? allowed : mine).map(\.event))
        }
        var permitted = matching.filter {
            definition.permits($0.transition.effectiveRoles(branch: $0.branch), role: command.role, onBehalfOf: command.onBehalfOf)
        }
        guard !permitted.isEmpty else {
            let roles = orderedUnique(matching.flatMap { $0.transition.effectiveRoles(branch: $0.branch) })
            var message = "role '\(command.role)' may not fire '\(command.event)'"
            message += roles.isEmpty ? "; only Docket fires it (deadline, join or vote)" : "; it may be fired by: " + roles.joined(separator: ", ")
            let represented = definition.rolesActedFor(by: command.role)
            if command.onBehalfOf != nil, !represented.isEmpty {
                message += " (role '\(command.role)' may act on behalf of: \(represented.joined(separator: ", ")))"
            } else if command.onBehalfOf == nil, roles.contains(where: { represented.contains($0) }) {
                message += " (role '\(command.role)' may fire it on behalf of someone: give on-behalf-of)"
            }
            throw Refusal(.roleNotAllowed, message, caseID: caseID, allowedRoles: roles)
        }
        if let branch = command.branch {
            permitted = permitted.filter { $0.branch?.name == branch }
            guard !permitted.isEmpty else {
                throw Refusal(.eventNotAllowed, "event '\(command.event)' is not open in branch '\(branch)' of \(state.whereabouts)",
                              caseID: caseID, allowedEvents: [command.event])
            }
        }
        // The data the case will have, checked against the declaration, picks the route (`when:`).
        let data = context.checksCaseData
            ? try definition.checkedData(command.data, known: state.data, event: command.event, caseID: caseID)
            : state.data.merging(command.data) { _, new in new }
        if matching.contains(where: { $0.transition.condition != nil }) {
            permitted = try route(matching, permitted: permitted, data: data, command: command)
        }
        guard permitted.count == 1, let chosen = permitted.first else {
            let branches = permitted.compactMap { $0.branch?.name }
            throw Refusal(.ambiguousEvent, "event '\(command.event)' is open in several branches (\(branches.joined(separator: ", "))); name the branch",
                          caseID: caseID, allowedEvents: [command.event])
        }
        try checkHolder(of: chosen, actor: command.actor, role: command.role)
        let transition = chosen.transition
        // Who may act comes before what the act needs (a reason, documents): the person acted for
        // acts in the roles the actor represents them in.
        let represented = command.onBehalfOf == nil ? [] : definition.rolesActedFor(by: command.role).filter {
            transition.effectiveRoles(branch: chosen.branch).contains($0)
        }
        try checkSeparation(fire: command.event, actor: command.actor, role: command.role, onBehalfOf: command.onBehalfOf, represented: represented)
        if transition.needsReason, (command.reason ?? "").trimmingBlanks.isEmpty {
            let why = transition.sendsBack ? "a send-back" : "'\(transition.event)'"
            throw Refusal(.reasonRequired, "\(why) needs a reason: say what must be corrected or why", caseID: caseID)
        }
        let missing = transition.requires.filter { name in
            !state.documents.contains(name) && !command.documents.contains(name) && !command.attachments.contains { $0.document == name }
        }
        guard missing.isEmpty else {
            throw Refusal(.documentsMissing, "'\(transition.event)' requires \(missing.count == 1 ? "document" : "documents") not yet supplied: \(missing.joined(separator: ", "))",
                          caseID: caseID, missingDocuments: missing)
        }
        if transition.startsWork {
            let visit = chosen.branch.flatMap { b in state.branches.first { $0.branch == b.name }?.visit } ?? state.current
            if let started = visit.workStartedAt {
                throw Refusal(.workAlreadyStarted, "work on '\(chosen.state)' already started at \(local(started))", caseID: caseID)
            }
        }
        return chosen
    }

    /// The route `command` takes in each place where `permitted` (the transitions the actor may
    /// fire) leaves one: the first route of the event there whose `when` holds for `data`.
    private func route(_ matching: [TransitionCandidate], permitted: [TransitionCandidate], data: [String: String],
                       command: FireEvent) throws(Refusal) -> [TransitionCandidate] {
        func place(_ c: TransitionCandidate) -> String { (c.region ?? "") + "\u{0}" + (c.branch?.name ?? "") + "\u{0}" + c.state }
        let places = Set(permitted.map(place))
        let routed = matching.filter { places.contains(place($0)) }.routed(by: data, in: definition)
        guard !routed.isEmpty else {
            let conditions = matching.compactMap { $0.transition.condition?.description }
            let values = Set(matching.flatMap { $0.transition.condition?.clauses.map(\.field) ?? [] }).sorted()
                .map { "\($0) = \(data[$0].map { "'\($0)'" } ?? "not given")" }
            throw Refusal(.noRoute, "'\(command.event)' has no route for this case in \(state.whereabouts): its routes need \(conditions.joined(separator: ", or "))"
                          + " and the case has \(values.joined(separator: ", "))", caseID: caseID)
        }
        let allowed = routed.filter {
            definition.permits($0.transition.effectiveRoles(branch: $0.branch), role: command.role, onBehalfOf: command.onBehalfOf)
        }
        guard allowed.isEmpty, let taken = routed.first else { return allowed }
        let roles = taken.transition.effectiveRoles(branch: taken.branch)
        throw Refusal(.roleNotAllowed, "on this case's data '\(command.event)' leads to '\(taken.transition.to ?? taken.state)', which role '\(command.role)' may not fire; it may be fired by: \(roles.joined(separator: ", "))",
                      caseID: caseID, allowedRoles: roles)
    }

    mutating func vote(_ command: CastVote) throws(Refusal) {
        try checkOpen(at: command.at)
        catchUp(until: command.at, inclusive: false)
        let counted = try count(command)
        let actor = Actor(id: command.actor, role: command.role, onBehalfOf: command.onBehalfOf)
        emit(.voteCast, actor, at: command.at, EventPayload(
            reason: command.reason, vote: command.ballot.rawValue, state: counted.state,
            approvals: counted.approvals, rejections: counted.rejections))
        if let event = counted.decided {
            fireByDocket(event, from: counted.state, at: command.at, trigger: "vote", tally: (counted.approvals, counted.rejections))
        }
    }

    /// The vote's state, the tally with `command`'s ballot, and the event the tally decides (if it
    /// does), or why the vote may not be cast.
    private func count(_ command: CastVote) throws(Refusal) -> (state: String, approvals: Int, rejections: Int, decided: String?) {
        // Again: a breach caught up on may have closed the case or moved it out of the vote.
        try checkOpen(at: command.at)
        guard let stateDefinition = definition.state(named: state.current.state), let rule = stateDefinition.vote else {
            throw Refusal(.noVoteOpen, "no vote is open: case '\(caseID)' is in \(state.whereabouts)", caseID: caseID,
                          allowedEvents: state.availableActions(in: definition).map(\.event))
        }
        try definition.checkDeclared(role: command.role, caseID: caseID)
        if command.onBehalfOf != nil { try definition.checkMayActForOthers(role: command.role, caseID: caseID) }
        guard definition.permits([rule.role], role: command.role, onBehalfOf: command.onBehalfOf) else {
            throw Refusal(.roleNotAllowed, "the vote in '\(stateDefinition.name)' is cast by role '\(rule.role)', not '\(command.role)'",
                          caseID: caseID, allowedRoles: [rule.role])
        }
        let voter = command.voter
        let ballots = state.current.ballots
        if let earlier = ballots.first(where: { $0.voter == voter }) {
            throw Refusal(.alreadyVoted, "'\(voter)' already voted \(earlier.ballot.rawValue) at \(local(earlier.at)); one vote per panel member", caseID: caseID)
        }
        if let panel = rule.panel {
            guard panel.contains(voter) else {
                throw Refusal(.notOnPanel, "'\(voter)' is not on the panel of '\(stateDefinition.name)'; members: \(panel.joined(separator: ", "))", caseID: caseID)
            }
        } else if ballots.count >= rule.seats {
            throw Refusal(.notOnPanel, "the panel of '\(stateDefinition.name)' has \(rule.seats) seats and all have voted", caseID: caseID)
        }
        // The vote counts as the voter's act in the vote's role, whoever casts it.
        try checkSeparation(voteAs: rule.role, actor: command.actor, role: command.role, voter: voter)
        let approvals = ballots.filter { $0.ballot == .approve }.count + (command.ballot == .approve ? 1 : 0)
        let rejections = ballots.filter { $0.ballot == .reject }.count + (command.ballot == .reject ? 1 : 0)
        let decided: String?
        if approvals >= rule.approveAt {
            decided = stateDefinition.whenApproved
        } else if rejections >= rule.effectiveRejectAt {
            decided = stateDefinition.whenRejected
        } else {
            decided = nil
        }
        return (stateDefinition.name, approvals, rejections, decided)
    }

    mutating func tick(_ command: Tick) throws(Refusal) {
        try checkWorkflow()
        catchUp(until: command.now, inclusive: true)
    }

    /// Records, earliest first, every breach due before `limit` (or at it, when `inclusive`),
    /// including those of states the breach actions lead to.
    mutating func catchUp(until limit: Timestamp, inclusive: Bool) {
        for _ in 0..<Decision.maxTickSteps {
            guard let deadline = state.firstUnrecordedDeadline(in: context, dueBefore: limit, inclusive: inclusive),
                  let dueAt = deadline.dueAt else { return }
            if breached.isEmpty { stateBeforeBreaches = state }
            breached.append(deadline)
            breach(deadline, dueAt: dueAt)
        }
    }

    /// `refusal`, saying which deadline ran out first when the decision caught up on any: it
    /// changed what the command found, and the refused command records nothing (a `tick` will).
    func explained(_ refusal: Refusal) -> Refusal {
        guard let passed = breached.first, let due = passed.dueAt else { return refusal }
        var refusal = refusal
        let what = passed.kind == .statutory ? "the statutory limit" : "the limit of '\(passed.state ?? "")'"
        refusal.message += " (\(what), \(passed.limit), ran out at \(due))"
        return refusal
    }

    // MARK: Steps

    /// Records a breach and fires its action. The breach happened at its due time; it is recorded
    /// no earlier than the case's last event, so the log's business time never runs backwards.
    private mutating func breach(_ deadline: Deadline, dueAt: Timestamp) {
        let at = max(dueAt, state.lastEventAt)
        let system = Actor(id: Engine.systemActor, role: nil, onBehalfOf: nil)
        emit(.deadlineBreached, system, at: at, EventPayload(
            region: deadline.region, branch: deadline.branch, dueAt: dueAt, state: deadline.state,
            limit: deadline.limit.description, deadline: deadline.kind.rawValue))
        guard let event = deadline.onBreach else { return }
        switch deadline.kind {
        case .statutory:
            fireByDocket(event, from: state.current.state, at: at, trigger: "deadline")
        case .state:
            if let region = deadline.region, let branchName = deadline.branch, let stateName = deadline.state,
               let branch = definition.state(named: region)?.parallel?.branch(named: branchName),
               let transition = branch.transitions.first(where: { $0.event == event && $0.from.contains(stateName) && routes($0) }) {
                take(TransitionCandidate(transition: transition, state: stateName, region: region, branch: branch),
                     system, at: at, documents: [], reason: nil, trigger: "deadline")
            } else if let stateName = deadline.state {
                fireByDocket(event, from: stateName, at: at, trigger: "deadline")
            }
        }
    }

    /// Fires a case-level transition on Docket's behalf (a join, a vote outcome, a breach action),
    /// if the case is still in `from` and the transition exists.
    private mutating func fireByDocket(_ event: String, from: String, at: Timestamp, trigger: String, tally: (Int, Int)? = nil) {
        guard state.current.state == from,
              let transition = definition.transitions.first(where: { $0.event == event && $0.from.contains(from) && routes($0) }) else { return }
        take(TransitionCandidate(transition: transition, state: from, region: nil, branch: nil),
             Actor(id: Engine.systemActor, role: nil, onBehalfOf: nil), at: at, documents: [], reason: nil,
             trigger: trigger, tally: tally)
    }

    /// Whether the case's data takes `transition` among its event's routes (one without `when` always).
    private func routes(_ transition: TransitionDefinition) -> Bool {
        transition.condition.map { $0.holds(for: state.data, fields: definition.dataFields ?? []) } ?? true
    }

    /// Takes a transition and everything it sets off; `data` is recorded on the transition's event.
    private mutating func take(_ candidate: TransitionCandidate, _ actor: Actor, at: Timestamp, documents: [String],
                               reason: String?, trigger: String?, tally: (Int, Int)? = nil, data: [String: String]? = nil,
                               attachments: [DocumentAttachment]? = nil) {
        let transition = candidate.transition
        let documents = documents.isEmpty ? nil : orderedUnique(documents)
        let reason = reason.map(\.trimmingBlanks).flatMap { $0.isEmpty ? nil : $0 }
        let round = transition.sendsBack ? state.sendBackRounds + 1 : nil

        if let branch = candidate.branch, let region = candidate.region {
            if transition.startsWork {
                emit(.workStarted, actor, at: at, EventPayload(
                    transition: transition.event, region: region, branch: branch.name, documents: documents, reason: reason,
                    data: data, state: candidate.state, trigger: trigger, attachments: attachments))
                return
            }
            guard let toName = transition.to, let to = branch.state(named: toName) else { return }
            emit(.transitionFired, actor, at: at, EventPayload(
                transition: transition.event, from: candidate.state, to: to.name, region: region, branch: branch.name,
                documents: documents, reason: reason, outcome: to.isFinal ? to.outcome : nil,
                data: data, department: to.department, trigger: trigger, round: round, attachments: attachments))
            if to.isFinal { join(region, at: at) }
            return
        }

        if transition.startsWork {
            emit(.workStarted, actor, at: at, EventPayload(
                transition: transition.event, documents: documents, reason: reason, data: data, state: candidate.state, trigger: trigger, attachments: attachments))
            return
        }
        guard let toName = transition.to, let to = definition.state(named: toName) else { return }
        let from = definition.states.firstIndex { $0.name == candidate.state }
        // Leaving a parallel state cancels the branches still running; leaving a clock-stopping
        // state starts the statutory clock again.
        if let from, definition.states[from].parallel != nil {
            for progress in state.activeBranches {
                emit(.branchCancelled, actor, at: at, EventPayload(
                    from: progress.visit.state, region: progress.region, branch: progress.branch, trigger: trigger))
            }
        }
        if let from, definition.states[from].stopsClock, state.isClockStopped {
            emit(.clockResumed, actor, at: at, EventPayload(state: candidate.state, trigger: trigger, attachments: attachments))
        }
        emit(.transitionFired, actor, at: at, EventPayload(
            transition: transition.event, from: candidate.state, to: to.name, documents: documents, reason: reason,
            outcome: to.isFinal ? to.outcome : nil, data: data, department: to.department, trigger: trigger, round: round,
            approvals: tally?.0, rejections: tally?.1, attachments: attachments))
        enter(to, actor, at: at)
    }

    /// What entering a case-level state sets off: its branches start, its clock stops.
    private mutating func enter(_ entered: StateDefinition, _ actor: Actor, at: Timestamp) {
        if let region = entered.parallel {
            for branch in region.branches {
                guard let initial = branch.initialState else { continue }
                emit(.branchStarted, actor, at: at, EventPayload(
                    to: initial.name, region: entered.name, branch: branch.name, department: initial.department))
            }
        }
        if entered.stopsClock, !state.isClockStopped {
            emit(.clockStopped, actor, at: at, EventPayload(state: entered.name))
        }
    }

    /// After a branch finished: ends the region when its join policy says so.
    private mutating func join(_ region: String, at: Timestamp) {
        let (rejected, finished) = state.progress(of: region)
        guard let regionState = definition.state(named: region), let parallel = regionState.parallel,
              finished || (rejected && parallel.join == .firstRejection),
              let event = rejected ? regionState.whenRejected : regionState.whenApproved else { return }
        fireByDocket(event, from: region, at: at, trigger: "join")
    }

    // MARK: Checks

    /// `t` in the workflow calendar's zone, as tables print it (a refusal names times as the clerk
    /// reads them, not in UTC).
    func local(_ t: Timestamp) -> String {
        t.iso8601(offsetSeconds: context.calendar.utcOffsetSeconds(at: t))
    }

    /// The case is open, pinned to this definition, and `at` is not before its last event.
    func checkOpen(at: Timestamp) throws(Refusal) {
        try checkWorkflow()
        if let outcome = state.outcome {
            let when = state.closedAt.map { " at \(local($0))" } ?? ""
            throw Refusal(.caseClosed, "case '\(caseID)' is closed: it ended \(outcome) in '\(state.current.state)'\(when)", caseID: caseID)
        }
        if at < state.lastEventAt {
            throw Refusal(.timeBeforeLastEvent, "the command's time \(local(at)) is before the case's last event (\(local(state.lastEventAt))); events are recorded in order",
                          caseID: caseID)
        }
    }

    private func checkWorkflow() throws(Refusal) {
        guard state.workflowID != definition.id || state.workflowVersion != definition.version else { return }
        throw Refusal(.workflowMismatch, "case '\(caseID)' runs on workflow '\(state.workflowID)' version \(state.workflowVersion), not '\(definition.id)' version \(definition.version)",
                      caseID: caseID)
    }

    // MARK: Emitting

    struct Actor {
        var id: String
        var role: String?
        var onBehalfOf: String?
    }

    /// Appends an event of the case's workflow and folds it into the state.
    mutating func emit(_ type: CaseEventType, _ actor: Actor, at: Timestamp, _ payload: EventPayload) {
        let event = CaseEvent(caseID: caseID, type: type, workflowID: state.workflowID, workflowVersion: state.workflowVersion,
                              actor: actor.id, role: actor.role, onBehalfOf: actor.onBehalfOf, occurredAt: at, payload: payload)
        state.apply(event)
        events.append(event)
    }
}

extension WorkflowDefinition {
    fileprivate func checkDeclared(role: String, caseID: String) throws(Refusal) {
        guard roles.contains(role) else {
            throw Refusal(.roleNotAllowed, "role '\(role)' is not declared in workflow '\(id)'; roles: \(roles.joined(separator: ", "))",
                          caseID: caseID, allowedRoles: roles)
        }
    }

    fileprivate func checkMayActForOthers(role: String?, caseID: String) throws(Refusal) {
        guard let role, !rolesActedFor(by: role).isEmpty else {
            let rules = assistedHandling.keys.sorted().map { "\($0) for \(assistedHandling[$0, default: []].joined(separator: ", "))" }
            let who = role.map { "role '\($0)'" } ?? "an actor without a role"
            let allowed = rules.isEmpty ? "this workflow allows no assisted handling" : "assisted handling allows: " + rules.joined(separator: "; ")
            throw Refusal(.proxyNotAllowed, "\(who) may not act on behalf of others; \(allowed)", caseID: caseID)
        }
    }
}

func orderedUnique(_ items: [String]) -> [String] {
    // Lists here are a handful of documents or roles: comparing beats hashing.
    guard items.count > 1 else { return items }
    guard items.count <= 16 else {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
    var result: [String] = []
    result.reserveCapacity(items.count)
    for item in items where !result.contains(item) { result.append(item) }
    return result
}
