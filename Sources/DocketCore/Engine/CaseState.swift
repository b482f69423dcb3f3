/// Everything known about one case, and nothing that is not in its events: a case's state is
/// only ever the fold of its event log (``replay(_:)``), so it is the same after a restart, in
/// another process, or when rebuilt by analytics.
///
/// Folding needs no definition: events carry their from/to, region and branch, outcome, clock
/// stops and votes. Questions that need the definition or a calendar (deadlines, allowed events)
/// take an ``EngineContext``.
public struct CaseState: Hashable, Sendable {
    /// The case's id.
    public var caseID: String
    /// The workflow the case runs on.
    public var workflowID: String
    /// The workflow version the case is pinned to.
    public var workflowVersion: Int
    /// Number of events folded: the version the store expects the next append to follow.
    public var version: Int
    /// Business time of `case_opened`.
    public var openedAt: Timestamp
    /// Who opened the case.
    public var openedBy: String
    /// Case attributes given at opening (e.g. `channel`), and those given with later events (a
    /// later value of a field replaces the earlier one).
    public var data: [String: String]
    /// Business time of the latest event.
    public var lastEventAt: Timestamp
    /// The case-level state the case is in (its final state once closed).
    public var current: StateVisit
    /// The branches of the current state when it is a parallel state, in start order; empty
    /// otherwise. Finished and cancelled branches stay listed until the case leaves the state.
    public var branches: [BranchProgress]
    /// The outcome of the final state reached; `nil` while the case is open.
    public var outcome: String?
    /// When the case reached its final state.
    public var closedAt: Timestamp?
    /// Every document supplied so far, in the order first supplied.
    public var documents: [String]
    /// How many times the case was sent back.
    public var sendBackRounds: Int
    /// Every interval the statutory clock was stopped, oldest first; the last may still be open.
    public var clockStops: [ClockStop]
    /// When each event name first fired (the statutory clock may start on one).
    public var firstFired: [String: Timestamp]
    /// Every deadline breach recorded, oldest first.
    public var breaches: [BreachRecord]
    /// Who did what on the case, for separation of duties: kept as events are folded, so that a
    /// command is checked without reading the case's history again.
    public var duties: CaseDuties
    /// Due times already worked out on this state (a cache, not part of the state: see
    /// ``DueTimeMemo``; `==` and `hash(into:)` leave it out).
    var dueTimes: DueTimeMemo?

    public static func == (a: CaseState, b: CaseState) -> Bool {
        a.caseID == b.caseID && a.workflowID == b.workflowID && a.workflowVersion == b.workflowVersion
            && a.version == b.version && a.openedAt == b.openedAt && a.openedBy == b.openedBy && a.data == b.data
            && a.lastEventAt == b.lastEventAt && a.current == b.current && a.branches == b.branches
            && a.outcome == b.outcome && a.closedAt == b.closedAt && a.documents == b.documents
            && a.sendBackRounds == b.sendBackRounds && a.clockStops == b.clockStops && a.firstFired == b.firstFired
            && a.breaches == b.breaches && a.duties == b.duties
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(caseID)
        hasher.combine(workflowID)
        hasher.combine(workflowVersion)
        hasher.combine(version)
        hasher.combine(openedAt)
        hasher.combine(openedBy)
        hasher.combine(data)
        hasher.combine(lastEventAt)
        hasher.combine(current)
        hasher.combine(branches)
        hasher.combine(outcome)
        hasher.combine(closedAt)
        hasher.combine(documents)
        hasher.combine(sendBackRounds)
        hasher.combine(clockStops)
        hasher.combine(firstFired)
        hasher.combine(breaches)
        hasher.combine(duties)
    }

    /// Whether the case reached a final state.
    public var isClosed: Bool { outcome != nil }

    /// Whether the statutory clock is stopped now.
    public var isClockStopped: Bool { clockStops.last.map { $0.resumedAt == nil } ?? false }

    /// The branches still running.
    public var activeBranches: [BranchProgress] { branches.filter(\.isActive) }

    /// The panel votes cast in the current state so far.
    public var ballots: [BallotRecord] { current.ballots }

    /// Where the case is, for people: `review`, or `verification (health: inspecting, fire: passed)`.
    public var whereabouts: String {
        guard !branches.isEmpty else { return current.state }
        let parts = branches.map { b in
            "\(b.branch): \(b.visit.state)" + (b.cancelled ? " (cancelled)" : "")
        }
        return "\(current.state) (\(parts.joined(separator: ", ")))"
    }

    /// Folds a case's events, oldest first, into its state; `nil` when they do not start with
    /// `case_opened` (no such case).
    ///
    /// Corrections and voids (``CaseHistory``) are resolved first: the state is the fold of the
    /// corrected events that still count, and ``version`` still counts every event recorded.
    public static func replay(_ events: some Sequence<CaseEvent>) -> CaseState? {
        let events = Array(events)
        if events.contains(where: { $0.type.isCorrection }) { return replay(history: CaseHistory(events)) }
        var state: CaseState?
        for event in events { Engine.evolve(&state, event) }
        return state
    }

    /// The fold of a case's history with its corrections resolved: the effective events folded,
    /// the others (corrections, voided events) only counted.
    public static func replay(history: CaseHistory) -> CaseState? {
        var state: CaseState?
        for entry in history.entries {
            if entry.isEffective { Engine.evolve(&state, entry.event) } else { state?.version += 1 }
        }
        return state
    }

    /// A case just opened by `event`.
    init(opening event: CaseEvent) {
        caseID = event.caseID
        workflowID = event.workflowID
        workflowVersion = event.workflowVersion
        version = 1
        openedAt = event.occurredAt
        openedBy = event.actor
        data = event.payload.data ?? [:]
        lastEventAt = event.occurredAt
        current = StateVisit(state: event.payload.to ?? "", enteredAt: event.occurredAt, department: event.payload.department)
        branches = []
        outcome = nil
        closedAt = nil
        documents = []
        sendBackRounds = 0
        clockStops = []
        firstFired = [:]
        breaches = []
        duties = CaseDuties(openedAs: event.role, openedFor: event.onBehalfOf)
        supply(event.payload.documents)
        duties.record(event, version: version)
    }

    /// Applies one event that follows the opening.
    mutating func apply(_ event: CaseEvent) {
        let p = event.payload, at = event.occurredAt
        version += 1
        lastEventAt = max(lastEventAt, at)
        supply(p.documents)
        // Data given with an event adds to the case's data (a later value of a field replaces it).
        if let given = p.data, event.type == .transitionFired || event.type == .workStarted {
            data.merge(given) { _, new in new }
        }
        duties.record(event, version: version)
        switch event.type {
        case .caseOpened:
            break  // a second opening is not a fact the engine produces; ignore it
        case .transitionFired:
            if let name = p.transition, firstFired[name] == nil { firstFired[name] = at }
            if let round = p.round { sendBackRounds = max(sendBackRounds, round) }
            let visit = StateVisit(state: p.to ?? "", enteredAt: at, department: p.department)
            if let region = p.region, let branch = p.branch {
                guard let index = branchIndex(region, branch) else { return }
                branches[index].visit = visit
                if let outcome = p.outcome { branches[index].outcome = outcome }
            } else {
                current = visit
                branches = []
                if let outcome = p.outcome {
                    self.outcome = outcome
                    closedAt = at
                }
            }
        case .branchStarted:
            guard let region = p.region, let branch = p.branch else { return }
            branches.append(BranchProgress(region: region, branch: branch,
                                           visit: StateVisit(state: p.to ?? "", enteredAt: at, department: p.department)))
        case .branchCancelled:
            guard let region = p.region, let branch = p.branch, let index = branchIndex(region, branch) else { return }
            branches[index].cancelled = true
        case .voteCast:
            guard let vote = p.vote.flatMap(Ballot.init(rawValue:)) else { return }
            current.ballots.append(BallotRecord(voter: event.onBehalfOf ?? event.actor, ballot: vote, actor: event.actor, at: at))
        case .deadlineBreached:
            let record = BreachRecord(deadline: p.deadline ?? "state", state: p.state, region: p.region, branch: p.branch,
                                      dueAt: p.dueAt ?? at, recordedAt: at)
            breaches.append(record)
            if record.deadline == "state" {
                updateVisit(region: p.region, branch: p.branch, state: p.state) { $0.breachDueAt = record.dueAt }
            }
        case .clockStopped:
            if !isClockStopped { clockStops.append(ClockStop(state: p.state, stoppedAt: at)) }
        case .clockResumed:
            if isClockStopped { clockStops[clockStops.count - 1].resumedAt = at }
        case .workStarted:
            updateVisit(region: p.region, branch: p.branch, state: p.state) { $0.workStartedAt = at }
        case .caseClaimed, .claimReleased, .caseReassigned:
            applyClaim(event)
        case .roleGranted, .roleRevoked, .personLeft, .personAdded:
            break  // directory changes belong to no case (their own stream); ignore one that strayed
        case .eventCorrected, .eventVoided:
            break  // counted only: they change earlier events, which `replay` resolves (CaseHistory)
        }
    }

    private mutating func supply(_ supplied: [String]?) {
        for document in supplied ?? [] where !documents.contains(document) { documents.append(document) }
    }

    func branchIndex(_ region: String, _ branch: String) -> Int? {
        branches.firstIndex { $0.region == region && $0.branch == branch }
    }

    /// Changes the visit an event concerns: a branch's, or the case-level one.
    mutating func updateVisit(region: String?, branch: String?, state: String?, _ change: (inout StateVisit) -> Void) {
        if let region, let branch {
            guard let index = branchIndex(region, branch), state == nil || branches[index].visit.state == state else { return }
            change(&branches[index].visit)
        } else if state == nil || current.state == state {
            change(&current)
        }
    }

    /// Whether a branch of `region` ended rejected, and whether all its branches have ended.
    func progress(of region: String) -> (rejected: Bool, finished: Bool) {
        var rejected = false
        var finished = true
        for branch in branches where branch.region == region {
            if branch.outcome == "rejected" { rejected = true }
            if branch.isActive { finished = false }
        }
        return (rejected, finished)
    }

    /// The breach recorded for the statutory limit, if any.
    public var statutoryBreach: BreachRecord? { breaches.last { $0.deadline == "statutory" } }
}

/// Who did what on a case, as separation-of-duties rules (``SeparationRule``) ask: for each
/// person, the first event they fired by name, their first act in each role, their vote in each
/// vote state, and how the case was opened (which says who its applicant is). Positions are the
/// case's versions (event 1 is the opening), so a refusal can name the earlier event.
///
/// Docket's own events (actor ``Engine/systemActor``) are not acts of a person and are left out.
public struct CaseDuties: Hashable, Sendable {
    /// The role the case was opened in (`nil` when none was given).
    public var openedAs: String?
    /// The person the case was opened on behalf of (assisted handling).
    public var openedFor: String?
    /// Every first act recorded, in the order recorded. A list rather than nested dictionaries:
    /// a case has a few dozen at most, and folding a case (every replay, every command) looked
    /// each act up and stored it in a dictionary of dictionaries, a tenth of an export's work.
    private var acts: [Act] = []

    /// One first act: `person`'s first firing of the event named `name`, first act in the role
    /// `name`, or vote in the vote state `name`, at the case's `version`.
    private struct Act: Hashable, Sendable {
        enum Kind: Hashable, Sendable { case fired, actedAs, voted }
        var kind: Kind
        var name: String
        var person: String
        var version: Int
    }

    public init(openedAs: String? = nil, openedFor: String? = nil) {
        self.openedAs = openedAs
        self.openedFor = openedFor
    }

    /// Event name → person → the version of the first event of that name they fired.
    public var fired: [String: [String: Int]] { table(.fired) }
    /// Role → person → the version of their first act in that role (opening, firing, voting).
    public var actedAs: [String: [String: Int]] { table(.actedAs) }
    /// Vote state → panel member → the version of the vote cast for them (by them or for them).
    public var voted: [String: [String: Int]] { table(.voted) }

    /// The version of `person`'s first firing of `event`, if they fired it.
    public func firstFiring(of event: String, by person: String) -> Int? { version(.fired, event, person) }

    /// The version of `person`'s first act in `role`, if they acted in it.
    public func firstAct(as role: String, by person: String) -> Int? { version(.actedAs, role, person) }

    /// Two cases' duties are equal when they hold the same acts, in whatever order recorded.
    public static func == (a: CaseDuties, b: CaseDuties) -> Bool {
        a.openedAs == b.openedAs && a.openedFor == b.openedFor && a.fired == b.fired && a.actedAs == b.actedAs && a.voted == b.voted
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(openedAs)
        hasher.combine(openedFor)
        hasher.combine(fired)
        hasher.combine(actedAs)
        hasher.combine(voted)
    }

    /// Records the acts of `event`, the case's `version`-th.
    mutating func record(_ event: CaseEvent, version: Int) {
        guard event.actor != Engine.systemActor else { return }
        switch event.type {
        case .caseOpened:
            note(.actedAs, event.role, event.actor, version)
        case .transitionFired, .workStarted:
            // Only a person's own command names no trigger; what it sets off is Docket's.
            guard event.payload.trigger == nil else { return }
            note(.fired, event.payload.transition, event.actor, version)
            note(.actedAs, event.role, event.actor, version)
        case .voteCast:
            note(.actedAs, event.role, event.actor, version)
            note(.voted, event.payload.state, event.onBehalfOf ?? event.actor, version)
        default:
            return
        }
    }

    /// Keeps `person`'s act under `name` unless an earlier one is kept.
    private mutating func note(_ kind: Act.Kind, _ name: String?, _ person: String, _ version: Int) {
        guard let name, self.version(kind, name, person) == nil else { return }
        acts.append(Act(kind: kind, name: name, person: person, version: version))
    }

    private func version(_ kind: Act.Kind, _ name: String, _ person: String) -> Int? {
        acts.first { $0.kind == kind && $0.name == name && $0.person == person }?.version
    }

    private func table(_ kind: Act.Kind) -> [String: [String: Int]] {
        var table: [String: [String: Int]] = [:]
        for act in acts where act.kind == kind { table[act.name, default: [:]][act.person] = act.version }
        return table
    }

    /// The case's applicant: the person it was opened on behalf of; else its opener, when they
    /// opened it in the applicant role or in none. A case opened in a staff role for no one was
    /// opened by the authority itself and has no applicant.
    public func applicant(openedBy opener: String, in definition: WorkflowDefinition) -> String? {
        if let openedFor { return openedFor }
        guard let openedAs else { return opener }
        return definition.isStaff(openedAs) ? nil : opener
    }
}

/// One stay of a case (or branch) in a state: from entering to leaving.
public struct StateVisit: Hashable, Sendable {
    /// The state's name.
    public var state: String
    /// When the case (or branch) entered it.
    public var enteredAt: Timestamp
    /// The department holding the case in this state, as recorded when it entered.
    public var department: String?
    /// When someone started working on it (a `starts_work` event); `nil` while it waits.
    public var workStartedAt: Timestamp?
    /// The due time of this visit's breached limit, once `tick` recorded the breach.
    public var breachDueAt: Timestamp?
    /// Votes cast during this visit.
    public var ballots: [BallotRecord]
    /// Who holds (has claimed) this visit, and since when; a new visit starts unclaimed.
    public var heldBy: String?
    public var heldSince: Timestamp?

    public init(state: String, enteredAt: Timestamp, department: String? = nil) {
        self.state = state
        self.enteredAt = enteredAt
        self.department = department
        self.workStartedAt = nil
        self.breachDueAt = nil
        self.ballots = []
    }
}

/// One branch of the parallel state the case is in.
public struct BranchProgress: Hashable, Sendable {
    /// The parallel state the branch belongs to.
    public var region: String
    /// The branch's name.
    public var branch: String
    /// The branch's current (or final) state.
    public var visit: StateVisit
    /// `approved` or `rejected` once the branch reached a final state.
    public var outcome: String?
    /// The branch was stopped before finishing.
    public var cancelled: Bool = false

    /// Still running: neither finished nor cancelled.
    public var isActive: Bool { outcome == nil && !cancelled }
}

/// A vote as cast.
public struct BallotRecord: Hashable, Sendable {
    /// The panel member it counts for.
    public var voter: String
    /// Approve or reject.
    public var ballot: Ballot
    /// Who cast it (the voter, or someone acting for them).
    public var actor: String
    /// Business time of the vote.
    public var at: Timestamp
}

/// An interval during which the statutory clock was stopped.
public struct ClockStop: Hashable, Sendable {
    /// The state that stopped it.
    public var state: String?
    /// When the clock stopped.
    public var stoppedAt: Timestamp
    /// When it resumed; `nil` while still stopped.
    public var resumedAt: Timestamp?
}

/// A deadline breach as recorded by `tick`.
public struct BreachRecord: Hashable, Sendable {
    /// `state` or `statutory`.
    public var deadline: String
    /// For a state limit: the state, and the region and branch when inside a branch.
    public var state: String?
    public var region: String?
    public var branch: String?
    /// When the limit ran out.
    public var dueAt: Timestamp
    /// Business time of the breach event.
    public var recordedAt: Timestamp
}
