import DocketCore
import DocketInterop

/// A way one case of a log departs from a workflow definition.
///
/// Deviations are values: two cases that depart the same way produce equal deviations, which is
/// how ``ConformanceReport`` counts them.
package struct Deviation: Hashable, Sendable, Comparable, CustomStringConvertible {
    package enum Kind: String, Hashable, Sendable, Codable, Comparable {
        /// The event cannot be fired in the state the case is in, and no short path of the
        /// workflow's steps leads to a state where it can.
        case eventNotAllowed = "event_not_allowed"
        /// The event comes too early: the workflow needs ``Deviation/missing`` steps first, which
        /// the log does not record (the replay takes them and carries on).
        case missingStep = "missing_step"
        /// The trace ends with the case in a state that is not final.
        case caseNotFinished = "case_not_finished"
        /// An event after the case reached a final state.
        case eventAfterClose = "event_after_close"
        /// The map does not name the activity and the workflow has no event of that name.
        case unmappedActivity = "unmapped_activity"
        /// The event is dated before the one before it in the trace (replayed at that earlier
        /// event's time).
        case timeOutOfOrder = "time_out_of_order"
        /// The engine refused the event for another reason (``Deviation/detail`` says which).
        case refused

        package static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    package var kind: Kind
    /// The workflow event concerned (the mapped activity), if any.
    package var event: String?
    /// The log activity, for ``Kind/unmappedActivity``.
    package var activity: String?
    /// Where the case was: its state (with its branches' states inside a parallel state).
    package var state: String?
    /// For ``Kind/missingStep``: the events the log skipped, in the order the workflow needs them.
    package var missing: [String]
    /// For ``Kind/missingStep``: the other shortest runs of steps that would also have led there
    /// (the replay takes ``missing``, the first in definition order).
    package var alternatives: [[String]]
    /// For ``Kind/refused``: the engine's refusal code.
    package var detail: String?

    package init(kind: Kind, event: String? = nil, activity: String? = nil, state: String? = nil, missing: [String] = [],
                alternatives: [[String]] = [], detail: String? = nil) {
        self.kind = kind
        self.event = event
        self.activity = activity
        self.state = state
        self.missing = missing
        self.alternatives = alternatives
        self.detail = detail
    }

    package var description: String {
        let e = "'\(event ?? "")'"
        let s = "'\(state ?? "")'"
        switch kind {
        case .eventNotAllowed: return "\(e) not allowed in state \(s)"
        case .missingStep:
            func steps(_ path: [String]) -> String { path.map { "'\($0)'" }.joined(separator: ", then ") }
            let others = alternatives.isEmpty ? "" : " or " + alternatives.map(steps).joined(separator: " or ")
            return "missing step \(steps(missing))\(others) before \(e) (in state \(s))"
        case .caseNotFinished: return "case not finished: ends in state \(s)"
        case .eventAfterClose: return "\(e) after the case closed in \(s)"
        case .unmappedActivity: return "activity '\(activity ?? "")' has no event in the map"
        case .timeOutOfOrder: return "\(e) dated before the event before it (in state \(s))"
        case .refused: return "\(e) refused in state \(s) (\(detail ?? "refused"))"
        }
    }

    package static func < (a: Deviation, b: Deviation) -> Bool {
        (a.kind, a.event ?? "", a.activity ?? "", a.state ?? "", a.sortKey, a.detail ?? "")
            < (b.kind, b.event ?? "", b.activity ?? "", b.state ?? "", b.sortKey, b.detail ?? "")
    }

    private var sortKey: String {
        ([missing] + alternatives).map { $0.joined(separator: "\u{1}") }.joined(separator: "\u{2}")
    }
}

/// What replaying one trace did: the events the engine decided, and every deviation met.
package struct TraceReplay: Sendable {
    /// The case id the replay opened.
    package var caseID: String
    /// The engine's events, in order: what an import of this trace appends.
    package var events: [CaseEvent]
    /// Deviations, in the order met.
    package var deviations: [Deviation]
    /// The case's state after the replay.
    package var state: CaseState?
    /// True when the trace ends in a state that is not final, and the log says the case stood
    /// exactly there when it was written (Docket's export records it as the trace attribute
    /// `state`): a case still running, not a trace that stops short.
    package var isRunning = false

    /// True when the trace replays without any deviation and ends in a final state, or where the
    /// log says the running case stood.
    package var fits: Bool { deviations.isEmpty }

    /// True when every event replays as recorded: the only deviation, if any, is that the case
    /// is not finished (a case still running when the log was taken).
    package var replaysCleanly: Bool { deviations.allSatisfy { $0.kind == .caseNotFinished } }
}

/// Replays the traces of a log against a workflow definition through the real engine
/// (`Engine.decide`), one fire command per mapped log event.
///
/// So that the replay tests the control flow and nothing else, each command is built to pass the
/// engine's other checks: the role is the log role's mapping when the transition allows it, else
/// the first role the transition names; the documents the transition requires are supplied with
/// it; a reason is given where one is needed; an event open in several branches names the first
/// branch where it is open. Opening the case happens at the first log event's time.
///
/// A log written by `docket export` replays as the cases it came from: its bookkeeping is taken
/// for what it is (see ``DocketExport``): the opening opens the case with the data the export
/// recorded, a breach lets the deadlines run to its time (the engine records the breach and fires
/// the breach action itself), a vote is cast as the vote it was, an event's data and branch are
/// used as recorded, and a transition the engine fires itself (a join, a vote's outcome, a breach
/// action) is matched with the log's copy of it instead of being fired a second time.
///
/// When an event is not allowed, the replayer looks for the shortest path (at most
/// ``maxRepairSteps`` case-level transitions people fire) to a state where it is: found, the
/// deviation is a *missing step*, the path is taken and the event fired, so one skipped approval
/// is reported once, not as every event after it; not found, the event is skipped.
package struct TraceReplayer: Sendable {
    package let context: EngineContext
    package let map: ActivityMap
    /// The longest run of skipped steps looked for before an event counts as not allowed.
    package var maxRepairSteps = 3
    private let knownEvents: Set<String>

    /// The actor recorded for a log event without a resource (an event needs an actor).
    package static let unknownActor = "unknown"

    package init(context: EngineContext, map: ActivityMap = .identity) {
        // A replay checks the control flow of what another system recorded, whose resources are
        // often one pseudonym for many people: separation of duties is not its question.
        var context = context
        context.enforcesSeparationOfDuties = false
        context.checksCaseData = false
        self.context = context
        self.map = map
        self.knownEvents = ActivityMap.eventNames(of: context.definition)
        self.firedByDocket = Self.transitionsFiredByDocket(in: context.definition)
    }

    /// Events of transitions nobody may fire: Docket fires them (joins, votes' outcomes, breach actions).
    let firedByDocket: Set<String>

    static func transitionsFiredByDocket(in definition: WorkflowDefinition) -> Set<String> {
        let people = Set(definition.transitions.filter { !($0.roles ?? []).isEmpty }.map(\.event))
        return Set(definition.transitions.map(\.event)).subtracting(people)
    }

    var definition: WorkflowDefinition { context.definition }

    /// The workflow role for a log role: the map's, else the role itself when the workflow has it.
    func role(for logRole: String?) -> String? {
        guard let logRole else { return nil }
        return map.role(for: logRole) ?? (definition.roles.contains(logRole) ? logRole : nil)
    }

    /// Replays `events` (one case of a log, in order) as case `caseID`, opened with `data` (and
    /// the data the log records for the fields the definition declares).
    package func replay(caseID: String, events: [LogEvent], data: [String: String] = [:]) -> TraceReplay {
        var run = Run(replayer: self, caseID: caseID)
        guard let first = events.first else { return run.result }
        var opening = data
        for field in definition.dataFields ?? [] where opening[field.name] == nil {
            if let value = first.attributes[DocketExport.caseAttribute(field.name)] { opening[field.name] = value }
        }
        run.open(first, data: opening)
        for (index, event) in events.enumerated() {
            switch map.target(activity: event.activity, lifecycle: event.lifecycle, knownEvents: knownEvents) {
            case .ignored:
                continue
            case .unmapped:
                switch DocketExport.Bookkeeping(rawValue: event.activity) {
                case .opening where index == 0:
                    continue  // the case opened at it
                case .opening:
                    run.deviations.append(Deviation(kind: .eventNotAllowed, event: event.activity, state: run.state?.whereabouts))
                case .breach:
                    run.tick(at: event.timestamp)
                case .vote:
                    if !run.vote(for: event) { run.deviations.append(Deviation(kind: .unmappedActivity, activity: event.activity)) }
                case nil:
                    run.deviations.append(Deviation(kind: .unmappedActivity, activity: event.activity))
                }
            case let .event(name):
                run.fire(name, for: event)
            }
        }
        if let state = run.state, !state.isClosed {
            if let recorded = first.attributes[DocketExport.caseAttribute(DocketExport.stateAttribute)], recorded == state.whereabouts {
                run.isRunning = true
            } else {
                run.deviations.append(Deviation(kind: .caseNotFinished, state: state.whereabouts))
            }
        }
        return run.result
    }

    /// One trace's replay in progress.
    private struct Run {
        let replayer: TraceReplayer
        let caseID: String
        var state: CaseState?
        var events: [CaseEvent] = []
        var deviations: [Deviation] = []
        var isRunning = false
        /// Transitions the engine fired itself (a join, a vote's outcome, a breach action) that the
        /// log has not shown yet: the log's copy of one is matched with it, not fired again.
        var firedByEngine: [String] = []

        init(replayer: TraceReplayer, caseID: String) {
            self.replayer = replayer
            self.caseID = caseID
        }

        var result: TraceReplay {
            TraceReplay(caseID: caseID, events: events, deviations: deviations, state: state, isRunning: isRunning)
        }

        var definition: WorkflowDefinition { replayer.definition }

        mutating func open(_ first: LogEvent, data: [String: String]) {
            let role = replayer.role(for: first.role).flatMap { definition.roles.contains($0) ? $0 : nil }
            let command = OpenCase(caseID: caseID, actor: first.resource ?? TraceReplayer.unknownActor, role: role, data: data, at: first.timestamp)
            do {
                var opened = try Engine.decide(nil, .open(command), replayer.context)
                if first.resource == nil {
                    for i in opened.indices where opened[i].actor == TraceReplayer.unknownActor { opened[i].payload.actorUnknown = true }
                }
                record(opened)
            } catch {
                deviations.append(Deviation(kind: .refused, detail: error.code.rawValue))
            }
        }

        /// Lets the deadlines run to `at`: the engine records what is due and fires breach actions.
        mutating func tick(at: Timestamp) {
            guard let current = state, !current.isClosed, at >= current.lastEventAt else { return }
            if let decided = try? Engine.decide(current, .tick(Tick(caseID: caseID, now: at)), replayer.context) {
                record(decided)
            }
        }

        /// Casts the vote a `vote_cast` of Docket's export records; false when the event is not
        /// one (no `vote` attribute with a ballot).
        mutating func vote(for logEvent: LogEvent) -> Bool {
            guard let text = logEvent.attributes[DocketExport.voteAttribute], let ballot = Ballot(rawValue: text) else { return false }
            guard let current = state else { return true }
            if current.isClosed {
                deviations.append(Deviation(kind: .eventAfterClose, event: DocketExport.Bookkeeping.vote.rawValue, state: current.current.state))
                return true
            }
            let rule = definition.state(named: current.current.state)?.vote
            let role = replayer.role(for: logEvent.role).flatMap { definition.roles.contains($0) ? $0 : nil } ?? rule?.role ?? ""
            let command = CastVote(
                caseID: caseID, ballot: ballot, actor: logEvent.resource ?? TraceReplayer.unknownActor, role: role,
                onBehalfOf: logEvent.attributes[DocketExport.onBehalfOfAttribute], at: max(logEvent.timestamp, current.lastEventAt))
            do {
                record(try Engine.decide(current, .vote(command), replayer.context))
            } catch {
                let kind: Deviation.Kind = error.code == .eventNotAllowed ? .eventNotAllowed : .refused
                deviations.append(Deviation(kind: kind, event: DocketExport.Bookkeeping.vote.rawValue, state: current.whereabouts,
                                            detail: kind == .refused ? error.code.rawValue : nil))
            }
            return true
        }

        /// Takes the log's copy of a transition the engine has fired itself, if it has; one Docket
        /// fires (no roles) and has not fired yet gets the deadlines run to the event's time first,
        /// in case it is a breach action the log records without its breach.
        mutating func matchFiredByEngine(_ name: String, at: Timestamp) -> Bool {
            if let i = firedByEngine.firstIndex(of: name) {
                firedByEngine.remove(at: i)
                return true
            }
            guard replayer.firedByDocket.contains(name) else { return false }
            tick(at: at)
            guard let i = firedByEngine.firstIndex(of: name) else { return false }
            firedByEngine.remove(at: i)
            return true
        }

        mutating func fire(_ name: String, for logEvent: LogEvent) {
            if matchFiredByEngine(name, at: logEvent.timestamp) { return }
            guard let current = state else { return }
            var at = logEvent.timestamp
            if at < current.lastEventAt {
                deviations.append(Deviation(kind: .timeOutOfOrder, event: name, state: current.whereabouts))
                at = current.lastEventAt
            }
            if current.isClosed {
                deviations.append(Deviation(kind: .eventAfterClose, event: name, state: current.current.state))
                return
            }
            if action(name, in: current) == nil {
                let paths = repairPaths(to: name, from: current)
                guard let path = paths.first else {
                    deviations.append(Deviation(kind: .eventNotAllowed, event: name, state: current.whereabouts))
                    return
                }
                deviations.append(Deviation(kind: .missingStep, event: name, state: current.whereabouts, missing: path,
                                            alternatives: Array(paths.dropFirst())))
                for step in path {
                    guard decide(step, logEvent: logEvent, at: at, decorate: false) else { return }
                }
            }
            _ = decide(name, logEvent: logEvent, at: at, decorate: true)
        }

        /// The action that fires `event` now, if any (a vote is not an event).
        func action(_ event: String, in state: CaseState) -> AvailableAction? {
            state.availableActions(in: definition).first { $0.event == event && !$0.isVote }
        }

        /// Fires `event` for `logEvent` at `at`; records a deviation and returns false if refused.
        mutating func decide(_ event: String, logEvent: LogEvent, at: Timestamp, decorate: Bool) -> Bool {
            guard let current = state else { return false }
            var actions = current.availableActions(in: definition).filter { $0.event == event && !$0.isVote }
            // The branch the log names (Docket's export does), when the event is open there.
            if let branch = logEvent.attributes[DocketExport.branchAttribute], actions.contains(where: { $0.branch == branch }) {
                actions = actions.filter { $0.branch == branch }
            }
            let wanted = replayer.role(for: logEvent.role)
            guard let action = actions.first(where: { wanted.map($0.roles.contains) ?? false }) ?? actions.first,
                  let role = wanted.flatMap({ action.roles.contains($0) ? $0 : nil }) ?? action.roles.first
            else {
                deviations.append(Deviation(kind: .eventNotAllowed, event: event, state: current.whereabouts))
                return false
            }
            let actor = logEvent.resource ?? TraceReplayer.unknownActor
            // The data the log records for the fields the definition declares: routes take it.
            var data: [String: String] = [:]
            if decorate {
                for field in definition.dataFields ?? [] { if let value = logEvent.attributes[field.name] { data[field.name] = value } }
            }
            let command = FireEvent(
                caseID: caseID, event: event, actor: actor, role: role, documents: action.requires,
                reason: action.needsReason ? "as recorded in the imported log" : nil, branch: action.branch, data: data, at: at)
            do {
                var decided = try Engine.decide(current, .fire(command), replayer.context)
                if decorate {
                    for i in decided.indices where decided[i].payload.trigger == nil && decided[i].actor == actor
                        && (decided[i].type == .transitionFired || decided[i].type == .workStarted) {
                        decided[i].payload.lifecycle = logEvent.lifecycle
                        decided[i].payload.instance = logEvent.instance
                        decided[i].payload.startedAt = logEvent.startTimestamp
                        if !logEvent.attributes.isEmpty { decided[i].payload.attributes = logEvent.attributes }
                    }
                }
                if logEvent.resource == nil {
                    for i in decided.indices where decided[i].actor == TraceReplayer.unknownActor { decided[i].payload.actorUnknown = true }
                }
                record(decided)
                return true
            } catch {
                let kind: Deviation.Kind = error.code == .eventNotAllowed ? .eventNotAllowed : .refused
                deviations.append(Deviation(kind: kind, event: event, state: current.whereabouts,
                                            detail: kind == .refused ? error.code.rawValue : nil))
                return false
            }
        }

        mutating func record(_ decided: [CaseEvent]) {
            for event in decided {
                events.append(event)
                Engine.evolve(&state, event)
                if event.type == .transitionFired, event.payload.trigger != nil, let name = event.payload.transition {
                    firedByEngine.append(name)
                }
            }
        }

        /// The shortest runs of case-level transitions people fire, from the case's state to one
        /// where `event` is a case-level transition people fire, in definition order; empty when
        /// there is none within ``TraceReplayer/maxRepairSteps`` (or the case is inside a
        /// parallel state).
        func repairPaths(to event: String, from state: CaseState) -> [[String]] {
            guard state.branches.isEmpty, replayer.maxRepairSteps > 0 else { return [] }
            let fired = definition.transitions.filter { !($0.roles ?? []).isEmpty && !$0.startsWork && $0.to != nil }
            let goals = Set(fired.filter { $0.event == event }.flatMap(\.from))
            guard !goals.isEmpty else { return [] }
            var frontier: [(state: String, path: [String])] = [(state.current.state, [])]
            var seen: Set<String> = [state.current.state]
            for _ in 0..<replayer.maxRepairSteps {
                var next: [(state: String, path: [String])] = []
                var found: [[String]] = []
                var reached: Set<String> = []
                for (name, path) in frontier {
                    for transition in fired where transition.from.contains(name) {
                        guard let to = transition.to, !seen.contains(to), let target = definition.state(named: to),
                              !target.isFinal, target.parallel == nil, target.vote == nil
                        else { continue }
                        let extended = path + [transition.event]
                        if goals.contains(to) { found.append(extended) }
                        if reached.insert(to).inserted { next.append((to, extended)) }
                    }
                }
                if !found.isEmpty { return found }
                seen.formUnion(reached)
                frontier = next
            }
            return []
        }
    }
}
