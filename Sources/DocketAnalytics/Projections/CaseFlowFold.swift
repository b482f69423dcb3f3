import DocketCore

/// The projection fold: consumes the event log in global order and emits stay, transition,
/// decision, breach and party facts (``ProjectionFact``) as stays end and cases close.
///
/// It keeps only what open cases need (``OpenCaseProgress``) plus one calendar per workflow
/// version: memory grows with the number of open cases, never with the number of events. A
/// decided case is forgotten. Folding events `1...n` in one go, or in several runs that hand
/// ``openCases`` from one to the next, emits the same facts.
///
/// The fold needs no definitions: events carry their from/to, region, branch, department and
/// outcome. Working time is counted on the calendar the caller's lookup returns for the case's
/// workflow version (``AlwaysWorkingCalendar`` for imported or unknown workflows), and the
/// statutory clock starts as the engine starts it, on the version's `starts_on` events (from
/// opening when it names none).
///
/// Events the fold cannot place (anything for a case it never saw opened, a second opening, a
/// branch event for a branch not running) are counted in ``ignoredEvents`` and otherwise skipped:
/// the log is a record of facts, and the fold never fails on it.
package struct CaseFlowFold {
    /// The open cases, by case id. A box each: a province holds hundreds of thousands, and a
    /// dictionary of the progress itself (368 bytes inline) kept at least a quarter of its slots
    /// empty and, when it grew, both tables at once (about 300 MB at 360,000 open cases).
    private var held: [String: HeldProgress]
    /// Events folded so far by this value.
    package private(set) var eventsApplied: Int64 = 0
    /// Events that could not be placed (see the type's documentation).
    package private(set) var ignoredEvents: Int64 = 0
    /// The cases whose progress changed (or that closed) since the last ``drainTouched()``.
    package private(set) var touched: Set<String> = []

    private let lookup: (WorkflowKey) -> any WorkingTimeCalendar
    private let startsOnLookup: (WorkflowKey) -> [String]
    private var calendars: [WorkflowKey: any WorkingTimeCalendar] = [:]
    /// Lists of names the open cases share (see ``SharedLists``); a copy of the fold shares them
    /// too, which is safe: a shared list is never changed, only replaced.
    private let lists = SharedLists()
    private var startsOn: [WorkflowKey: [String]] = [:]

    /// A fold that resumes with `openCases` (empty for a fold from the start of the log).
    ///
    /// - Parameters:
    ///   - calendars: the calendar working time is counted on for a workflow version; asked once
    ///     per version.
    ///   - statutoryStartsOn: the events whose first firing starts a version's statutory clock
    ///     (its `statutory_limit`'s `starts_on`); empty (the default) starts it at opening. Asked
    ///     once per version.
    package init(openCases: [OpenCaseProgress] = [], calendars: @escaping (WorkflowKey) -> any WorkingTimeCalendar,
                 statutoryStartsOn: @escaping (WorkflowKey) -> [String] = { _ in [] }) {
        self.lookup = calendars
        self.startsOnLookup = statutoryStartsOn
        var byID: [String: HeldProgress] = [:]
        for progress in openCases { byID[progress.caseID] = HeldProgress(progress) }
        self.held = byID
    }

    /// The open cases, by case id (a copy: for tests and small folds).
    package var openCases: [String: OpenCaseProgress] { held.mapValues(\.progress) }

    /// Takes up a case that was open when a previous run stopped, with the progress it saved:
    /// a persisted projection resumes only the cases its new events concern, not every open case.
    /// A case the fold already holds keeps its own progress.
    package mutating func resume(_ progress: OpenCaseProgress) {
        if held[progress.caseID] == nil { held[progress.caseID] = HeldProgress(progress) }
    }

    /// The calendar of `workflow`, as the lookup answered it.
    package mutating func calendar(for workflow: WorkflowKey) -> any WorkingTimeCalendar {
        if let calendar = calendars[workflow] { return calendar }
        let calendar = lookup(workflow)
        calendars[workflow] = calendar
        return calendar
    }

    /// The events that start `workflow`'s statutory clock, as the lookup answered them.
    private mutating func statutoryStartsOn(for workflow: WorkflowKey) -> [String] {
        if let known = startsOn[workflow] { return known }
        let events = startsOnLookup(workflow)
        startsOn[workflow] = events
        return events
    }

    /// The cases touched since the last call, with their progress (`nil` for a case that was
    /// decided), and forgets them: what a persisted projection must write after a batch.
    package mutating func drainTouched() -> [(caseID: String, progress: OpenCaseProgress?)] {
        defer { touched.removeAll(keepingCapacity: true) }
        return touched.sorted().map { ($0, held[$0]?.progress) }
    }

    /// Folds one event, appending the facts it completes to `facts`, in order.
    ///
    /// - Parameter position: the event's global position (facts record it).
    package mutating func apply(_ event: CaseEvent, position: Int64, into facts: inout [ProjectionFact]) {
        eventsApplied += 1
        if event.type == .caseOpened {
            guard held[event.caseID] == nil else {
                ignoredEvents += 1
                return
            }
            open(event, into: &facts)
            return
        }
        guard let index = held.index(forKey: event.caseID) else {
            ignoredEvents += 1
            return
        }
        // The fold is a value: a copy of it shares the boxes until one of them changes a case.
        if !isKnownUniquelyReferenced(&held.values[index]) { held.values[index] = HeldProgress(held.values[index].progress) }
        let box = held.values[index]
        let workflow = box.progress.workflow
        var step = Step(
            event: event, position: position, calendar: calendar(for: workflow), startsOn: statutoryStartsOn(for: workflow), lists: lists)
        let closed = step.apply(to: &box.progress, into: &facts)
        if step.ignored { ignoredEvents += 1 }
        touched.insert(event.caseID)
        if closed { held.remove(at: index) }
    }

    /// Folds a case again from the start of its corrected course, after a correction or void
    /// named one of its events (``CaseHistory``): what the fold held of it is dropped and
    /// `events` (its effective events, corrected, with their positions) are folded anew. The
    /// caller forgets the facts the case emitted before: they are emitted again, corrected.
    /// Folding from the start of the log and catching up in runs both refold at the correction,
    /// so both give the same facts.
    package mutating func refold(caseID: String, _ events: [(event: CaseEvent, position: Int64)], into facts: inout [ProjectionFact]) {
        held[caseID] = nil
        touched.insert(caseID)
        for (event, position) in events { apply(event, position: position, into: &facts) }
    }

    private mutating func open(_ event: CaseEvent, into facts: inout [ProjectionFact]) {
        let p = event.payload
        let workflow = WorkflowKey(id: event.workflowID, version: event.workflowVersion)
        var progress = OpenCaseProgress(
            caseID: event.caseID, workflow: workflow, openedAt: event.occurredAt, channel: p.data?["channel"],
            current: StayProgress(state: p.to ?? "", department: p.department, enteredAt: event.occurredAt),
            branches: [], clockStops: [], sendBackRounds: 0, breaches: 0, statutoryBreachDueAt: nil,
            lastEventAt: event.occurredAt, departments: [], roles: [], onBehalfOf: [])
        // Without `starts_on` the statutory clock starts at opening, as the engine's does.
        let startEvents = statutoryStartsOn(for: workflow)
        progress.statutoryStartedAt = StatutoryLimit.clockStart(startsOn: startEvents, openedAt: event.occurredAt) { _ in nil }
        Step.noteParties(of: event, in: &progress, into: &facts, sharing: lists)
        Step.noteDepartment(p.department, in: &progress, into: &facts, sharing: lists)
        held[event.caseID] = HeldProgress(progress)
        touched.insert(event.caseID)
    }
}

/// An open case's progress where the fold holds it, changed in place.
private final class HeldProgress {
    var progress: OpenCaseProgress

    init(_ progress: OpenCaseProgress) {
        self.progress = progress
    }
}

/// Folding one event into one open case.
private struct Step {
    let event: CaseEvent
    let position: Int64
    let calendar: any WorkingTimeCalendar
    /// The events that start the workflow's statutory clock (empty: it started at opening).
    let startsOn: [String]
    let lists: SharedLists
    /// Set when the event could not be placed.
    var ignored = false

    init(event: CaseEvent, position: Int64, calendar: any WorkingTimeCalendar, startsOn: [String], lists: SharedLists) {
        self.event = event
        self.position = position
        self.calendar = calendar
        self.startsOn = startsOn
        self.lists = lists
    }

    var at: Timestamp { event.occurredAt }
    var payload: EventPayload { event.payload }
    /// The event was recorded by a person (not by Docket itself).
    var byPerson: Bool { event.actor != Engine.systemActor }
    var actorRef: ActorRef { ActorRef(role: event.role, onBehalfOf: event.onBehalfOf) }

    /// Applies the event; returns true when the case was decided (and must be forgotten).
    mutating func apply(to progress: inout OpenCaseProgress, into facts: inout [ProjectionFact]) -> Bool {
        progress.lastEventAt = max(progress.lastEventAt, at)
        Step.noteParties(of: event, in: &progress, into: &facts, sharing: lists)
        switch event.type {
        case .caseOpened:
            ignored = true  // handled by the fold; a second opening is not placed
        case .caseClaimed, .claimReleased, .caseReassigned:
            break  // who holds a case is the desk's concern (the desk tables), not a stay's
        case .roleGranted, .roleRevoked, .personLeft, .personAdded:
            ignored = true  // directory changes belong to no case; the fold skips their stream
        case .eventCorrected, .eventVoided:
            ignored = true  // the caller refolds the case (``CaseFlowFold/refold``) instead
        case .transitionFired:
            noteClockStart(in: &progress)
            if let region = payload.region, let branch = payload.branch {
                branchTransition(region: region, branch: branch, in: &progress, into: &facts)
            } else {
                return caseTransition(in: &progress, into: &facts)
            }
        case .branchStarted:
            guard let region = payload.region, let branch = payload.branch else {
                ignored = true
                return false
            }
            // The parallel state's time is shared from its entry: until its first branch starts
            // (normally the same instant) it is the state's own.
            if progress.sharedUntil == nil {
                progress.sharedUntil = progress.current.enteredAt
                progress.current.shared = .zero
            }
            share(until: at, in: &progress)
            var stay = StayProgress(state: payload.to ?? "", region: region, branch: branch, department: payload.department, enteredAt: at)
            stay.shared = .zero
            progress.branches.append(stay)
            if let department = payload.department, !(progress.current.branchDepartments ?? []).contains(department) {
                progress.current.branchDepartments = lists.shared((progress.current.branchDepartments ?? []) + [department])
            }
            Step.noteDepartment(payload.department, in: &progress, into: &facts, sharing: lists)
        case .branchCancelled:
            guard let region = payload.region, let branch = payload.branch,
                  let index = progress.branches.firstIndex(where: { $0.region == region && $0.branch == branch }) else {
                ignored = true
                return false
            }
            share(until: at, in: &progress)
            let stay = progress.branches.remove(at: index)
            facts.append(.stay(stayFact(stay, of: progress, exit: nil, cancelled: true)))
        case .voteCast:
            if byPerson { progress.current.lastActor = actorRef }
        case .workStarted:
            let at = self.at
            let person = byPerson ? actorRef : nil
            if !withStay(in: &progress, { stay in
                if stay.workStartedAt == nil { stay.workStartedAt = at }
                if let person { stay.lastActor = person }
            }) { ignored = true }
        case .deadlineBreached:
            breach(in: &progress, into: &facts)
        case .clockStopped:
            if !progress.isClockStopped { progress.clockStops.append(ClockStopInterval(stoppedAt: at)) }
        case .clockResumed:
            if progress.isClockStopped { progress.clockStops[progress.clockStops.count - 1].resumedAt = at }
        }
        return false
    }

    /// A case-level transition: ends the case-level stay (and any branch still running), and
    /// either enters the next state or decides the case.
    private mutating func caseTransition(in progress: inout OpenCaseProgress, into facts: inout [ProjectionFact]) -> Bool {
        share(until: at, in: &progress)
        progress.sharedUntil = nil
        // The engine cancels running branches before leaving a parallel state; a log that did not
        // still ends their stays here, as cancelled.
        for stay in progress.branches {
            facts.append(.stay(stayFact(stay, of: progress, exit: nil, cancelled: true)))
        }
        progress.branches = []
        let left = progress.current
        let stay = stayFact(left, of: progress, exit: payload.transition, cancelled: false)
        facts.append(.stay(stay))
        facts.append(.transition(transitionFact(from: left, stay: stay, of: progress)))
        if let round = payload.round { progress.sendBackRounds = max(progress.sendBackRounds, round) }
        if let outcome = payload.outcome {
            facts.append(.decided(caseFact(progress, outcome: outcome)))
            return true
        }
        progress.current = StayProgress(state: payload.to ?? "", department: payload.department, enteredAt: at)
        Step.noteDepartment(payload.department, in: &progress, into: &facts, sharing: lists)
        return false
    }

    /// A transition inside a branch: ends the branch's stay; the branch enters its next state or,
    /// in a final state, finishes.
    private mutating func branchTransition(
        region: String, branch: String, in progress: inout OpenCaseProgress, into facts: inout [ProjectionFact]
    ) {
        guard let index = progress.branches.firstIndex(where: { $0.region == region && $0.branch == branch }) else {
            ignored = true
            return
        }
        share(until: at, in: &progress)
        let left = progress.branches[index]
        let stay = stayFact(left, of: progress, exit: payload.transition, cancelled: false)
        facts.append(.stay(stay))
        facts.append(.transition(transitionFact(from: left, stay: stay, of: progress)))
        if let round = payload.round { progress.sendBackRounds = max(progress.sendBackRounds, round) }
        if payload.outcome != nil {
            progress.branches.remove(at: index)
        } else {
            var next = StayProgress(state: payload.to ?? "", region: region, branch: branch, department: payload.department, enteredAt: at)
            next.shared = .zero
            progress.branches[index] = next
            Step.noteDepartment(payload.department, in: &progress, into: &facts, sharing: lists)
        }
    }

    /// Records the first firing of a `starts_on` event and starts the statutory clock as the
    /// engine does (``StatutoryLimit/clockStart(startsOn:openedAt:firstFired:)``).
    private func noteClockStart(in progress: inout OpenCaseProgress) {
        guard let name = payload.transition, startsOn.contains(name) else { return }
        var fired = progress.statutoryStartEvents ?? [:]
        guard fired[name] == nil else { return }
        fired[name] = at
        progress.statutoryStartEvents = fired
        progress.statutoryStartedAt = StatutoryLimit.clockStart(startsOn: startsOn, openedAt: progress.openedAt) { fired[$0] }
    }

    /// Shares the parallel state's time since it was last shared out, up to `end`: equally among
    /// the branch stays running (exact to the microsecond), or to the parallel state's own stay
    /// while none runs. Outside a parallel state it does nothing.
    private func share(until end: Timestamp, in progress: inout OpenCaseProgress) {
        guard let since = progress.sharedUntil else { return }
        let until = max(since, end)
        if until > since {
            let time = StayClock.measure(from: since, to: until, clock: progress.statutoryClock, calendar: calendar)
            if progress.branches.isEmpty {
                progress.current.shared = (progress.current.shared ?? .zero) + time
            } else {
                for (i, part) in time.split(into: progress.branches.count).enumerated() {
                    progress.branches[i].shared = (progress.branches[i].shared ?? .zero) + part
                }
            }
        }
        progress.sharedUntil = until
    }

    private mutating func breach(in progress: inout OpenCaseProgress, into facts: inout [ProjectionFact]) {
        let kind = payload.deadline ?? "state"
        let dueAt = payload.dueAt ?? at
        var breached: StayProgress?
        if kind == "statutory" {
            if progress.statutoryBreachDueAt == nil { progress.statutoryBreachDueAt = dueAt }
            breached = progress.current
        } else {
            if !withStay(in: &progress, { stay in
                if stay.breachDueAt == nil { stay.breachDueAt = dueAt }
                breached = stay
            }) { ignored = true }
        }
        progress.breaches += 1
        var fact = BreachFact(
            position: position, caseID: progress.caseID, workflow: progress.workflow, caseOpenedAt: progress.openedAt,
            channel: progress.channel, deadline: kind,
            state: kind == "statutory" ? progress.current.state : (payload.state ?? breached?.state ?? progress.current.state),
            region: kind == "statutory" ? nil : payload.region, branch: kind == "statutory" ? nil : payload.branch,
            department: breached?.departmentShown, dueAt: dueAt, recordedAt: at, limit: payload.limit)
        var groups = progress.breachedGroups ?? []
        let group = fact.group
        let index = groups.firstIndex { $0 >= group } ?? groups.endIndex  // a few groups a case
        fact.firstInCase = index == groups.endIndex || groups[index] != group
        if fact.firstInCase {
            groups.insert(group, at: index)
            progress.breachedGroups = lists.shared(groups)
        }
        facts.append(.breach(fact))
    }

    /// Changes the stay the event concerns (a branch's when it names region and branch, else the
    /// case-level one), if it is still in the state the event names; returns false when it is not.
    private func withStay(in progress: inout OpenCaseProgress, _ change: (inout StayProgress) -> Void) -> Bool {
        if let region = payload.region, let branch = payload.branch {
            guard let index = progress.branches.firstIndex(where: { $0.region == region && $0.branch == branch }),
                  payload.state == nil || progress.branches[index].state == payload.state else {
                return false
            }
            change(&progress.branches[index])
        } else if payload.state == nil || progress.current.state == payload.state {
            change(&progress.current)
        } else {
            return false
        }
        return true
    }

    // MARK: Facts

    private func stayFact(_ stay: StayProgress, of progress: OpenCaseProgress, exit: String?, cancelled: Bool) -> StayFact {
        let holder = byPerson && !cancelled ? actorRef : stay.lastActor
        let clock = progress.statutoryClock
        let durations = StayClock.measure(from: stay.enteredAt, to: at, clock: clock, calendar: calendar)
        let waiting = stay.workStartedAt.map { started in
            StayClock.measure(from: stay.enteredAt, to: min(max(started, stay.enteredAt), at), clock: clock, calendar: calendar)
        }
        return StayFact(
            position: position, caseID: progress.caseID, workflow: progress.workflow, caseOpenedAt: progress.openedAt,
            channel: progress.channel, state: stay.state, region: stay.region, branch: stay.branch,
            department: stay.departmentShown, role: holder?.role, onBehalfOf: holder?.onBehalfOf,
            enteredAt: stay.enteredAt, leftAt: max(at, stay.enteredAt), exit: exit, cancelled: cancelled,
            breached: stay.breachDueAt != nil, durations: durations, waiting: waiting, attributed: stay.shared)
    }

    private func transitionFact(from stay: StayProgress, stay fact: StayFact, of progress: OpenCaseProgress) -> TransitionFact {
        TransitionFact(
            position: position, caseID: progress.caseID, workflow: progress.workflow, caseOpenedAt: progress.openedAt,
            channel: progress.channel, transition: payload.transition ?? "", from: payload.from ?? stay.state,
            to: payload.to ?? "", region: stay.region, branch: stay.branch,
            role: byPerson ? event.role : nil, onBehalfOf: byPerson ? event.onBehalfOf : nil,
            department: stay.departmentShown, at: at, durations: fact.durations, sendBackRound: payload.round,
            trigger: payload.trigger)
    }

    private func caseFact(_ progress: OpenCaseProgress, outcome: String) -> CaseFact {
        let stopped = StayClock.stopped(from: progress.openedAt, to: at, stops: progress.clockStops, calendar: calendar)
        let clock = progress.statutoryClock
        return CaseFact(
            position: position, caseID: progress.caseID, workflow: progress.workflow, openedAt: progress.openedAt,
            decidedAt: max(at, progress.openedAt), outcome: outcome, finalState: payload.to ?? "", channel: progress.channel,
            durations: StayClock.measure(from: progress.openedAt, to: at, clock: clock, calendar: calendar),
            sendBackRounds: progress.sendBackRounds, breaches: progress.breaches, clockStops: progress.clockStops.count,
            clockStoppedWall: stopped.wall, clockStoppedWorking: stopped.working,
            statutoryStartedAt: clock.startedAt, statutoryWall: StayClock.statutoryWall(from: progress.openedAt, to: at, clock: clock))
    }

    // MARK: Parties

    static func noteParties(
        of event: CaseEvent, in progress: inout OpenCaseProgress, into facts: inout [ProjectionFact], sharing lists: SharedLists
    ) {
        guard event.actor != Engine.systemActor else { return }
        if let role = event.role, insertSorted(role, into: &progress.roles) {
            progress.roles = lists.shared(progress.roles)
            facts.append(.party(PartyFact(caseID: progress.caseID, kind: .role, value: role)))
        }
        if let party = event.onBehalfOf, insertSorted(party, into: &progress.onBehalfOf) {
            facts.append(.party(PartyFact(caseID: progress.caseID, kind: .onBehalfOf, value: party)))
        }
    }

    static func noteDepartment(
        _ department: String?, in progress: inout OpenCaseProgress, into facts: inout [ProjectionFact], sharing lists: SharedLists
    ) {
        if let department, insertSorted(department, into: &progress.departments) {
            progress.departments = lists.shared(progress.departments)
            facts.append(.party(PartyFact(caseID: progress.caseID, kind: .department, value: department)))
        }
    }

    /// Inserts `value` into the sorted `list` unless present; returns whether it was inserted.
    private static func insertSorted(_ value: String, into list: inout [String]) -> Bool {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        if low < list.count, list[low] == value { return false }
        list.insert(value, at: low)
        return true
    }
}

/// Lists of names that many open cases hold alike (their departments, roles, a parallel state's
/// branch departments, the deadlines they breached), kept once and shared: a province holds
/// hundreds of thousands of open cases, and a few hundred distinct lists among them. Lists of
/// people (on behalf of whom) are not shared: nearly every case has its own.
///
/// Bounded: past ``limit`` lists (names an imported log makes up without end) a new list is
/// kept by its case alone, and the lists already kept are still shared.
package final class SharedLists {
    package static let limit = 10_000
    private var kept: Set<[String]> = []

    package init() {}

    /// `list`, or the equal list already kept.
    package func shared(_ list: [String]) -> [String] {
        if kept.count < Self.limit { return kept.insert(list).memberAfterInsert }
        return kept.firstIndex(of: list).map { kept[$0] } ?? list
    }
}
