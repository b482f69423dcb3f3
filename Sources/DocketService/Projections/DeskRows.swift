import DocketAnalytics
import DocketCore
import DocketStore

/// The desk's rows of a case (`DeskUpdate`): worked out from the case's state, as the engine
/// folds it, with the deadlines on the case's definition and calendar, so a worklist's due time is
/// the one `show` and `tick` use.
enum DeskRows {
    /// The rows of the case `state`, whose first event is at `position`; `context` is `nil` for a
    /// workflow version that is not deployed (no deadlines, the opener taken as applicant unless
    /// they opened it for someone).
    static func update(of state: CaseState, position: Int64, context: EngineContext?) -> DeskUpdate {
        let workflow = WorkflowKey(id: state.workflowID, version: state.workflowVersion)
        let applicant = context.map { state.duties.applicant(openedBy: state.openedBy, in: $0.definition) }
            ?? state.duties.openedFor ?? state.openedBy
        let deadlines = context.map { state.deadlines(in: $0) } ?? []
        let deskCase = DeskCase(
            caseID: state.caseID, position: position, workflow: workflow, openedAt: state.openedAt, openedBy: state.openedBy,
            applicant: applicant, channel: state.data["channel"], state: state.current.state, whereabouts: state.whereabouts,
            outcome: state.outcome, nextDueAt: deadlines.compactMap(\.dueAt).min(), holder: state.current.heldBy,
            nextBreachAt: deadlines.filter { !$0.breachRecorded }.compactMap(\.dueAt).min())
        guard !state.isClosed else { return DeskUpdate(deskCase: deskCase, data: state.data, work: []) }

        /// The limit that applies to a visit: its own, the case-level state's (which a branch's
        /// work is also under) or the statutory one, whichever runs out first.
        func due(state name: String, branch: String?) -> (Timestamp?, String?) {
            var candidates: [(Timestamp, String)] = []
            for deadline in deadlines {
                guard let dueAt = deadline.dueAt else { continue }
                switch deadline.kind {
                case .statutory: candidates.append((dueAt, "statutory"))
                case .state:
                    let own = deadline.branch == branch && deadline.state == name
                    let enclosing = branch != nil && deadline.branch == nil && deadline.state == state.current.state
                    if own || enclosing { candidates.append((dueAt, "state")) }
                }
            }
            guard let first = candidates.min(by: { $0.0 < $1.0 }) else { return (nil, nil) }
            return (first.0, first.1)
        }
        func item(_ visit: StateVisit, region: String?, branch: String?) -> DeskWorkItem {
            let (dueAt, deadline) = due(state: visit.state, branch: branch)
            // A case-level claim holds every branch of it.
            let holder = visit.heldBy ?? (branch == nil ? nil : state.current.heldBy)
            let heldSince = visit.heldBy != nil ? visit.heldSince : (branch == nil ? nil : state.current.heldSince)
            return DeskWorkItem(
                caseID: state.caseID, position: position, workflow: workflow, region: region, branch: branch, state: visit.state,
                department: visit.department, enteredAt: visit.enteredAt, holder: holder, heldSince: heldSince,
                dueAt: dueAt, deadline: deadline, openedAt: state.openedAt, applicant: applicant)
        }
        let branches = state.activeBranches
        let work = branches.isEmpty
            ? [item(state.current, region: nil, branch: nil)]
            : branches.map { item($0.visit, region: $0.region, branch: $0.branch) }
        return DeskUpdate(deskCase: deskCase, data: state.data, work: work)
    }
}

/// The cases' states a projection run folds for the desk, beside the analytics fold: a case seen
/// from its opening is folded event by event; one the run meets in the middle is read from the
/// log up to the batch. States of closed cases are dropped; when too many are held (a rebuild of
/// millions of cases), all are dropped and read again when next met.
struct DeskFold: ~Copyable {
    static let maxHeld = 100_000

    /// A case's state as the fold holds it. `state` is optional only because `Engine.evolve`
    /// folds into an optional; a held case always has one. A box, evolved in place: the
    /// dictionary's slots are then a pointer each, not a whole `CaseState`.
    private final class HeldCase {
        var state: CaseState?
        /// The position of the case's first event.
        let position: Int64

        init(state: CaseState?, position: Int64) {
            self.state = state
            self.position = position
        }
    }

    /// A workflow version's engine context, resolved once per run and shared by reference: an
    /// `EngineContext` holds the whole definition, and the lookup returns a copy of it (copying
    /// and releasing one for every case a batch touched took 3 % of the fold's thread in `perf`).
    private final class ResolvedContext {
        let context: EngineContext?
        init(_ context: EngineContext?) { self.context = context }
    }

    private var states: [String: HeldCase] = [:]
    private var resolved: [WorkflowKey: ResolvedContext] = [:]
    private let contexts: @Sendable (WorkflowKey) -> EngineContext?

    init(contexts: @escaping @Sendable (WorkflowKey) -> EngineContext?) {
        self.contexts = contexts
    }

    /// Folds `caseID` afresh from its events in the log up to position `last` (`replay` resolves
    /// corrections and voids); forgets it when it has none.
    private mutating func reload(_ caseID: String, upTo last: Int64, from log: any EventStore) throws {
        let earlier = try log.events(of: caseID).filter { $0.position <= last }
        if let first = earlier.first, let state = CaseState.replay(earlier.map(\.event)) {
            states[caseID] = HeldCase(state: state, position: first.position)
        } else {
            states[caseID] = nil
        }
    }

    private mutating func context(of state: CaseState) -> ResolvedContext {
        let workflow = WorkflowKey(id: state.workflowID, version: state.workflowVersion)
        if let found = resolved[workflow] { return found }
        let made = ResolvedContext(contexts(workflow))
        resolved[workflow] = made
        return made
    }

    /// Folds one batch (of cases' events, in log order, ending at `last`) and returns the desk
    /// rows of every case it touched.
    mutating func apply(_ events: [RecordedEvent], last: Int64, log: any EventStore) throws -> [DeskUpdate] {
        var touched: [String] = []
        var seen: Set<String> = []
        var loaded: Set<String> = []
        for recorded in events {
            let event = recorded.event
            if seen.insert(event.caseID).inserted {
                touched.append(event.caseID)
                if states[event.caseID] == nil, event.type != .caseOpened {
                    // Met in the middle: its events up to this batch's end, from the log.
                    try reload(event.caseID, upTo: last, from: log)
                    loaded.insert(event.caseID)
                    continue
                }
            }
            guard !loaded.contains(event.caseID) else { continue }
            if event.type == .eventCorrected || event.type == .eventVoided {
                // A correction or void changes the case's past: fold it again from its history,
                // corrections resolved (as the analytics facts are).
                try reload(event.caseID, upTo: last, from: log)
                loaded.insert(event.caseID)
                continue
            }
            if let held = states[event.caseID] {
                // In place: a copy taken out and put back would copy every list the event changes.
                // (The fold cannot be copied, so nothing else shares the box.)
                Engine.evolve(&held.state, event)
            } else if event.type == .caseOpened {
                var state: CaseState?
                Engine.evolve(&state, event)
                if state != nil { states[event.caseID] = HeldCase(state: state, position: recorded.position) }
            }
        }
        var updates: [DeskUpdate] = []
        updates.reserveCapacity(touched.count)
        for caseID in touched {
            guard let index = states.index(forKey: caseID), let state = states.values[index].state else { continue }
            updates.append(DeskRows.update(of: state, position: states.values[index].position, context: context(of: state).context))
            if state.isClosed { states.remove(at: index) }
        }
        if states.count > Self.maxHeld { states.removeAll(keepingCapacity: true) }
        return updates
    }
}
