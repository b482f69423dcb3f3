/// What the engine needs besides a case's events: the definition the case is pinned to and the
/// calendar its working time is counted on.
public struct EngineContext: Sendable {
    public var definition: WorkflowDefinition
    /// The calendar the definition's `calendar:` names (``AlwaysWorkingCalendar`` when it names none).
    public var calendar: any WorkingTimeCalendar {
        didSet { calendarIdentity = CalendarIdentity() }
    }
    /// Stands for ``calendar`` in the due times a case state remembers (``DueTimeMemo``): a new
    /// one whenever the calendar is set, so a remembered due time is only reused with the
    /// calendar it was worked out on.
    private(set) var calendarIdentity = CalendarIdentity()
    /// Whether `decide` enforces the definition's separation-of-duties rules. Off only for
    /// replaying what another system recorded (conformance, import): there the resources are
    /// often one pseudonym for many people ("STAFF MEMBER"), and the replay checks control flow.
    public var enforcesSeparationOfDuties = true
    /// Whether `decide` checks a command's case data against the definition's `data:`
    /// declaration. Off for the same replays: a log's case attributes are whatever the other
    /// system kept; routes (`when:`) still take the data as it is.
    public var checksCaseData = true

    public init(definition: WorkflowDefinition, calendar: any WorkingTimeCalendar = AlwaysWorkingCalendar()) {
        self.definition = definition
        self.calendar = calendar
    }
}

/// See ``EngineContext/calendarIdentity``.
final class CalendarIdentity: Sendable {}

/// Due times worked out on a case state, with everything each depends on: the engine asks for
/// the next due limit before every command (a simulated step is a `tick` and then a `fire` on
/// the same state), and the working-time arithmetic was a third of its instructions. Not part of
/// the case's state: ``CaseState``'s equality and hash ignore it, and a state without it (folded
/// from events) gives the same answers, only slower.
///
/// Immutable and shared by reference (one word in every state, and copies of a state may share
/// it): remembering a new due time replaces it.
final class DueTimeMemo: Sendable {
    struct Statutory: Sendable {
        var calendar: CalendarIdentity
        var limit: TimeLimit
        var start: Timestamp
        var clockStops: [ClockStop]
        var due: Timestamp?
    }
    struct Stay: Sendable {
        var calendar: CalendarIdentity
        var limit: TimeLimit
        var enteredAt: Timestamp
        var due: Timestamp
    }
    let statutory: Statutory?
    let stay: Stay?

    init(statutory: Statutory?, stay: Stay?) {
        self.statutory = statutory
        self.stay = stay
    }
}

/// One time limit running on a case, derived from its log: entry time plus the limit (for the
/// statutory limit, with stopped-clock time excluded).
public struct Deadline: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// A state's (or branch state's) `within:`, counted from entering it.
        case state
        /// The workflow's `statutory_limit:`, counted in working time with stopped clocks excluded.
        case statutory
    }

    /// Which limit this is.
    public var kind: Kind
    /// The state the limit belongs to (`nil` for the statutory limit).
    public var state: String?
    /// The parallel state and branch, for a limit inside a branch.
    public var region: String?
    public var branch: String?
    /// The limit as the definition states it.
    public var limit: TimeLimit
    /// When the clock started: entry into the state, or the statutory start.
    public var startedAt: Timestamp
    /// When it runs out; `nil` while the statutory clock is stopped (it cannot run out then).
    public var dueAt: Timestamp?
    /// The event Docket fires on breach, if any.
    public var onBreach: String?
    /// Whether `tick` already recorded the breach.
    public var breachRecorded: Bool

    /// Past due at `now` (recorded or not).
    public func isOverdue(at now: Timestamp) -> Bool {
        breachRecorded || (dueAt.map { $0 <= now } ?? false)
    }
}

extension CaseState {
    /// When the statutory clock started: at opening, or at the first firing of any `starts_on`
    /// event; nil while none has fired.
    func statutoryStart(_ statutory: StatutoryLimit) -> Timestamp? {
        StatutoryLimit.clockStart(startsOn: statutory.startsOn, openedAt: openedAt) { firstFired[$0] }
    }

    /// The limits running on the case now, statutory first, then case-level, then branches; empty
    /// once the case is closed.
    public func deadlines(in context: EngineContext) -> [Deadline] {
        guard !isClosed else { return [] }
        let definition = context.definition
        var result: [Deadline] = []
        if let statutory = definition.statutoryLimit {
            let start = statutoryStart(statutory)
            if let start {
                result.append(Deadline(
                    kind: .statutory, limit: statutory.within, startedAt: start,
                    dueAt: statutoryDue(statutory.within, from: start, calendar: context.calendar),
                    onBreach: statutory.onBreach, breachRecorded: statutoryBreach != nil))
            }
        }
        if let state = definition.state(named: current.state), let rule = state.limit {
            result.append(Deadline(
                kind: .state, state: state.name, limit: rule.within, startedAt: current.enteredAt,
                dueAt: rule.within.due(from: current.enteredAt, on: context.calendar),
                onBreach: rule.onBreach, breachRecorded: current.breachDueAt != nil))
        }
        if let region = definition.state(named: current.state)?.parallel {
            for progress in activeBranches {
                guard let branch = region.branch(named: progress.branch),
                      let state = branch.state(named: progress.visit.state), let rule = state.limit else { continue }
                result.append(Deadline(
                    kind: .state, state: state.name, region: progress.region, branch: progress.branch,
                    limit: rule.within, startedAt: progress.visit.enteredAt,
                    dueAt: rule.within.due(from: progress.visit.enteredAt, on: context.calendar),
                    onBreach: rule.onBreach, breachRecorded: progress.visit.breachDueAt != nil))
            }
        }
        return result
    }

    /// The earliest limit whose breach is not recorded yet and that runs out before `limit` (or at
    /// it, when `inclusive`); among limits due at the same instant, the first in the order of
    /// ``deadlines(in:)``. The engine asks this before every command: it is ``deadlines(in:)``
    /// filtered, without working out the due times of limits already recorded as breached, and
    /// it remembers the due times it works out (``DueTimeMemo``).
    mutating func firstUnrecordedDeadline(in context: EngineContext, dueBefore limit: Timestamp, inclusive: Bool) -> Deadline? {
        guard !isClosed else { return nil }
        var first: Deadline?
        func consider(_ deadline: Deadline) {
            guard let dueAt = deadline.dueAt, inclusive ? dueAt <= limit : dueAt < limit else { return }
            if let earliest = first?.dueAt, earliest <= dueAt { return }
            first = deadline
        }
        if let statutory = context.definition.statutoryLimit, statutoryBreach == nil {
            let start = statutoryStart(statutory)
            if let start {
                let identity = context.calendarIdentity
                let due: Timestamp?
                if let known = dueTimes?.statutory, known.calendar === identity, known.limit == statutory.within,
                   known.start == start, known.clockStops == clockStops {
                    due = known.due
                } else {
                    due = statutoryDue(statutory.within, from: start, calendar: context.calendar)
                    dueTimes = DueTimeMemo(
                        statutory: .init(calendar: identity, limit: statutory.within, start: start, clockStops: clockStops, due: due),
                        stay: dueTimes?.stay)
                }
                consider(Deadline(
                    kind: .statutory, limit: statutory.within, startedAt: start,
                    dueAt: due, onBreach: statutory.onBreach, breachRecorded: false))
            }
        }
        let states = context.definition.states
        guard let index = states.firstIndex(where: { $0.name == current.state }) else { return first }
        if current.breachDueAt == nil, let rule = states[index].limit {
            let identity = context.calendarIdentity
            let due: Timestamp
            if let known = dueTimes?.stay, known.calendar === identity, known.limit == rule.within, known.enteredAt == current.enteredAt {
                due = known.due
            } else {
                due = rule.within.due(from: current.enteredAt, on: context.calendar)
                dueTimes = DueTimeMemo(
                    statutory: dueTimes?.statutory,
                    stay: .init(calendar: identity, limit: rule.within, enteredAt: current.enteredAt, due: due))
            }
            consider(Deadline(
                kind: .state, state: current.state, limit: rule.within, startedAt: current.enteredAt,
                dueAt: due, onBreach: rule.onBreach, breachRecorded: false))
        }
        if let region = states[index].parallel {
            for progress in branches where progress.isActive && progress.visit.breachDueAt == nil {
                guard let b = region.branches.firstIndex(where: { $0.name == progress.branch }),
                      let s = region.branches[b].states.firstIndex(where: { $0.name == progress.visit.state }),
                      let rule = region.branches[b].states[s].limit else { continue }
                consider(Deadline(
                    kind: .state, state: progress.visit.state, region: progress.region, branch: progress.branch,
                    limit: rule.within, startedAt: progress.visit.enteredAt,
                    dueAt: rule.within.due(from: progress.visit.enteredAt, on: context.calendar),
                    onBreach: rule.onBreach, breachRecorded: false))
            }
        }
        return first
    }

    /// Whether any limit running on the case is past due at `now`.
    public func isOverdue(at now: Timestamp, in context: EngineContext) -> Bool {
        deadlines(in: context).contains { $0.isOverdue(at: now) }
    }

    /// Working time on `calendar` from opening to `end` (or to closing, if earlier), with the
    /// stopped-clock intervals excluded: the case's statutory time.
    public func statutoryMicroseconds(until end: Timestamp, calendar: some WorkingTimeCalendar) -> Int64 {
        let stop = min(end, closedAt ?? end)
        var total = calendar.workingMicroseconds(from: openedAt, to: stop)
        for interval in clockStops {
            let from = max(interval.stoppedAt, openedAt)
            let to = min(interval.resumedAt ?? stop, stop)
            if from < to { total -= calendar.workingMicroseconds(from: from, to: to) }
        }
        return max(0, total)
    }

    /// When `limit`, started at `start`, runs out with the stopped-clock intervals not counting;
    /// `nil` when the clock is stopped before it runs out.
    func statutoryDue(_ limit: TimeLimit, from start: Timestamp, calendar: any WorkingTimeCalendar) -> Timestamp? {
        let counting: any WorkingTimeCalendar = limit.isWorkingTime ? calendar : AlwaysWorkingCalendar()
        var remaining = limit.microseconds(on: calendar)
        var t = start
        for stop in clockStops {
            if let resumed = stop.resumedAt, resumed <= t { continue }
            if stop.stoppedAt > t {
                let candidate = counting.adding(workingMicroseconds: remaining, to: t)
                if candidate <= stop.stoppedAt { return candidate }
                remaining -= counting.workingMicroseconds(from: t, to: stop.stoppedAt)
            }
            guard let resumed = stop.resumedAt else { return nil }
            t = max(t, resumed)
        }
        return counting.adding(workingMicroseconds: remaining, to: t)
    }
}
