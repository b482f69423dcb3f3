import DocketCore

/// One interval, measured on the three clocks, in exact microseconds.
package struct Durations: Hashable, Sendable, Codable {
    /// On the wall clock, in microseconds.
    package var wall: Int64
    /// Working time on the workflow's calendar, in microseconds.
    package var working: Int64
    /// Working time without stopped-clock intervals, in microseconds.
    package var statutory: Int64

    /// Creates the value from its parts.
    package init(wall: Int64, working: Int64, statutory: Int64) {
        self.wall = wall
        self.working = working
        self.statutory = statutory
    }

    /// Nothing, on every clock.
    package static let zero = Durations(wall: 0, working: 0, statutory: 0)

    /// The duration on `measure`'s clock.
    package subscript(measure: TimeMeasure) -> Int64 {
        switch measure {
        case .wall: wall
        case .working: working
        case .statutory: statutory
        }
    }

    package static func - (lhs: Durations, rhs: Durations) -> Durations {
        Durations(wall: lhs.wall - rhs.wall, working: lhs.working - rhs.working, statutory: lhs.statutory - rhs.statutory)
    }

    package static func + (lhs: Durations, rhs: Durations) -> Durations {
        Durations(wall: lhs.wall + rhs.wall, working: lhs.working + rhs.working, statutory: lhs.statutory + rhs.statutory)
    }

    /// `self` shared out in `parts` equal parts, exact to the microsecond: the first
    /// `remainder` parts get one microsecond more, so the parts add up to `self` on every clock.
    package func split(into parts: Int) -> [Durations] {
        guard parts > 1 else { return parts == 1 ? [self] : [] }
        let n = Int64(parts)
        return (0..<n).map { i in
            Durations(wall: wall / n + (i < wall % n ? 1 : 0), working: working / n + (i < working % n ? 1 : 0),
                      statutory: statutory / n + (i < statutory % n ? 1 : 0))
        }
    }
}

/// A finished stay: a case (or one branch of a parallel state) was in `state` from `enteredAt`
/// until `leftAt`. Emitted when the stay ends: by a transition out of it, or for a branch, when
/// the branch was cancelled. Stays in final states are not stays (nothing waits there).
package struct StayFact: Hashable, Sendable, Codable {
    /// Log position of the event that ended the stay.
    package var position: Int64
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened (reports select cases by it).
    package var caseOpenedAt: Timestamp
    /// The case's `channel` attribute, if given at opening.
    package var channel: String?
    /// The state's name.
    package var state: String
    /// The parallel state (region) and branch, for a branch's stay.
    package var region: String?
    /// The branch; `nil` at case level.
    package var branch: String?
    /// The department recorded when the state was entered; for a parallel state without one,
    /// its branches' departments in the order they started (`health ∥ market`).
    package var department: String?
    /// The role that held the case in the state: the role of the person who moved it on, or, when
    /// Docket moved it on (join, vote, deadline), of the last person who acted on the stay (a vote,
    /// a work start); `nil` when no person acted.
    package var role: String?
    /// The party that person acted for, if any.
    package var onBehalfOf: String?
    /// When the stay began.
    package var enteredAt: Timestamp
    /// When the stay ended.
    package var leftAt: Timestamp
    /// The transition (event name) that ended the stay; `nil` when a branch was cancelled.
    package var exit: String?
    /// The stay ended because its branch was cancelled (its region ended early).
    package var cancelled: Bool
    /// A state deadline breach was recorded during the stay.
    package var breached: Bool
    /// `leftAt − enteredAt` on each clock.
    package var durations: Durations
    /// The waiting part (entered until work started), when a work start was recorded in the stay;
    /// the work part is `durations − waiting`. `nil` when no work start was recorded.
    package var waiting: Durations?
    /// The part of the case's time the stay accounts for, when it is not `durations`: in a
    /// parallel state, the branches running at the same time share that time equally (a branch
    /// running alone has all of it), and the stay in the parallel state itself keeps only the
    /// time no branch ran. The bottleneck rankings add these up, so no time counts twice. `nil`
    /// for a stay outside parallel states (it accounts for all of `durations`).
    package var attributed: Durations?

    /// The part of the case's time the stay accounts for (``attributed``, else ``durations``).
    package var caseTime: Durations { attributed ?? durations }

    /// Creates the value from its parts.
    package init(
        position: Int64, caseID: String, workflow: WorkflowKey, caseOpenedAt: Timestamp, channel: String?,
        state: String, region: String?, branch: String?, department: String?, role: String?, onBehalfOf: String?,
        enteredAt: Timestamp, leftAt: Timestamp, exit: String?, cancelled: Bool, breached: Bool,
        durations: Durations, waiting: Durations?, attributed: Durations? = nil
    ) {
        self.position = position
        self.caseID = caseID
        self.workflow = workflow
        self.caseOpenedAt = caseOpenedAt
        self.channel = channel
        self.state = state
        self.region = region
        self.branch = branch
        self.department = department
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.enteredAt = enteredAt
        self.leftAt = leftAt
        self.exit = exit
        self.cancelled = cancelled
        self.breached = breached
        self.durations = durations
        self.waiting = waiting
        self.attributed = attributed
    }
}

extension StayFact {
    /// The stay with only what ``ReportBuilder`` reads of it (its workflow version, state, region,
    /// branch, department, role and durations), its position and its case's opening time (its
    /// report cohort and whether a digest holds it), the rest blank: what a projection's selection for a
    /// report hands, so that it reads a dozen columns of each of millions of stays, not 27.
    package var forReport: StayFact {
        StayFact(
            position: position, caseID: "", workflow: workflow, caseOpenedAt: caseOpenedAt, channel: nil, state: state,
            region: region, branch: branch, department: department, role: role, onBehalfOf: nil,
            enteredAt: Timestamp(microseconds: 0), leftAt: Timestamp(microseconds: 0), exit: nil,
            cancelled: false, breached: false, durations: durations, waiting: waiting, attributed: attributed)
    }
}

/// A transition taken: the case (or a branch) moved from `from` to `to`; its duration is the stay
/// in `from` that it ended.
package struct TransitionFact: Hashable, Sendable, Codable {
    /// Log position of the `transition_fired` event.
    package var position: Int64
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened (reports select cases by it).
    package var caseOpenedAt: Timestamp
    /// The case's `channel` attribute (`online`, `window`, `assisted`, `mail`), if given at opening.
    package var channel: String?
    /// The transition's event name (`accept`, `send_back`, ...).
    package var transition: String
    /// The state left.
    package var from: String
    /// The state entered.
    package var to: String
    /// The parallel state (region) of a branch; `nil` at case level.
    package var region: String?
    /// The branch; `nil` at case level.
    package var branch: String?
    /// The role of whoever fired it (`nil` when Docket fired it).
    package var role: String?
    /// The party acted for (assisted handling), if any.
    package var onBehalfOf: String?
    /// The department of the state left.
    package var department: String?
    /// Business time of the event.
    package var at: Timestamp
    /// The stay in `from` that the transition ended.
    package var durations: Durations
    /// For a send-back, the round it started (1 for the first).
    package var sendBackRound: Int?
    /// Why Docket fired it itself (`deadline`, `join`, `vote`); `nil` when a person did.
    package var trigger: String?

    /// Creates the value from its parts.
    package init(
        position: Int64, caseID: String, workflow: WorkflowKey, caseOpenedAt: Timestamp, channel: String?,
        transition: String, from: String, to: String, region: String?, branch: String?, role: String?,
        onBehalfOf: String?, department: String?, at: Timestamp, durations: Durations, sendBackRound: Int?, trigger: String?
    ) {
        self.position = position
        self.caseID = caseID
        self.workflow = workflow
        self.caseOpenedAt = caseOpenedAt
        self.channel = channel
        self.transition = transition
        self.from = from
        self.to = to
        self.region = region
        self.branch = branch
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.department = department
        self.at = at
        self.durations = durations
        self.sendBackRound = sendBackRound
        self.trigger = trigger
    }
}

extension TransitionFact {
    /// The transition with only what ``ReportBuilder`` reads of it (its workflow version, states,
    /// region, branch and durations), its position and its case's opening time, the rest blank,
    /// as ``StayFact/forReport``.
    package var forReport: TransitionFact {
        TransitionFact(
            position: position, caseID: "", workflow: workflow, caseOpenedAt: caseOpenedAt, channel: nil, transition: "",
            from: from, to: to, region: region, branch: branch, role: nil, onBehalfOf: nil, department: nil,
            at: Timestamp(microseconds: 0), durations: durations,
            sendBackRound: nil, trigger: nil)
    }
}

/// A decided case: it reached a final state. Emitted once, by the transition into that state.
package struct CaseFact: Hashable, Sendable, Codable {
    /// Log position of the transition into the final state.
    package var position: Int64
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened.
    package var openedAt: Timestamp
    /// When the case reached its final state.
    package var decidedAt: Timestamp
    /// The final state's outcome (`approved`, `rejected`, `withdrawn`, ...).
    package var outcome: String
    /// The final state reached.
    package var finalState: String
    /// The case's `channel` attribute (`online`, `window`, `assisted`, `mail`), if given at opening.
    package var channel: String?
    /// Opened to decided, on each clock (time-to-decision; time-to-approval when approved); the
    /// statutory time runs from ``statutoryStartedAt`` (0 when the clock never started).
    package var durations: Durations
    /// Send-back rounds the case went through (0 when none).
    package var sendBackRounds: Int
    /// Deadline breaches recorded on the case (state and statutory).
    package var breaches: Int
    /// How many times the statutory clock was stopped.
    package var clockStops: Int
    /// Time the clock stood stopped between opening and decision, wall-clock and working; the
    /// statutory time is the working time minus `clockStoppedWorking`.
    package var clockStoppedWall: Int64
    /// Working time the clock stood stopped between opening and decision.
    package var clockStoppedWorking: Int64
    /// When the statutory clock started, as the engine starts it: the opening, or the first
    /// firing of any of the workflow's `starts_on` events; `nil` when the case closed before any
    /// fired (the statutory limit never applied to it).
    package var statutoryStartedAt: Timestamp?
    /// Wall-clock time the statutory clock ran, from ``statutoryStartedAt`` to the decision less
    /// the stops: what a statutory limit stated in days, hours or minutes is measured on.
    package var statutoryWall: Int64

    /// Creates the value from its parts.
    package init(
        position: Int64, caseID: String, workflow: WorkflowKey, openedAt: Timestamp, decidedAt: Timestamp,
        outcome: String, finalState: String, channel: String?, durations: Durations, sendBackRounds: Int,
        breaches: Int, clockStops: Int, clockStoppedWall: Int64, clockStoppedWorking: Int64,
        statutoryStartedAt: Timestamp? = nil, statutoryWall: Int64 = 0
    ) {
        self.position = position
        self.caseID = caseID
        self.workflow = workflow
        self.openedAt = openedAt
        self.decidedAt = decidedAt
        self.outcome = outcome
        self.finalState = finalState
        self.channel = channel
        self.durations = durations
        self.sendBackRounds = sendBackRounds
        self.breaches = breaches
        self.clockStops = clockStops
        self.clockStoppedWall = clockStoppedWall
        self.clockStoppedWorking = clockStoppedWorking
        self.statutoryStartedAt = statutoryStartedAt
        self.statutoryWall = statutoryWall
    }
}

/// A deadline breach recorded by `tick`.
package struct BreachFact: Hashable, Sendable, Codable {
    /// Log position of the `deadline_breached` event.
    package var position: Int64
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened (reports select cases by it).
    package var caseOpenedAt: Timestamp
    /// The case's `channel` attribute (`online`, `window`, `assisted`, `mail`), if given at opening.
    package var channel: String?
    /// `state` (a state's or branch state's limit) or `statutory` (the case-level limit).
    package var deadline: String
    /// The state whose limit ran out; for a statutory breach, the case-level state the case was in.
    package var state: String
    /// The parallel state (region) of a branch; `nil` at case level.
    package var region: String?
    /// The branch; `nil` at case level.
    package var branch: String?
    /// The department of that state.
    package var department: String?
    /// When the limit ran out.
    package var dueAt: Timestamp
    /// Business time of the breach event.
    package var recordedAt: Timestamp
    /// The limit as the definition states it (`2 working days`).
    package var limit: String?
    /// The case's first breach of this deadline in this state (region and branch): a report
    /// counts the cases breaches hit by these, with no set of case ids, and the counts of
    /// separate cohorts add up. A case breached again after re-entering the state is not.
    package var firstInCase: Bool

    /// Creates the value from its parts.
    package init(
        position: Int64, caseID: String, workflow: WorkflowKey, caseOpenedAt: Timestamp, channel: String?,
        deadline: String, state: String, region: String?, branch: String?, department: String?,
        dueAt: Timestamp, recordedAt: Timestamp, limit: String?, firstInCase: Bool = true
    ) {
        self.position = position
        self.caseID = caseID
        self.workflow = workflow
        self.caseOpenedAt = caseOpenedAt
        self.channel = channel
        self.deadline = deadline
        self.state = state
        self.region = region
        self.branch = branch
        self.department = department
        self.dueAt = dueAt
        self.recordedAt = recordedAt
        self.limit = limit
        self.firstInCase = firstInCase
    }

    /// What a report groups breaches by, and ``firstInCase`` is about.
    package var group: String {
        [deadline, state, region ?? "", branch ?? ""].joined(separator: "\u{1F}")
    }
}

/// Who took part in a case, for filtering case-level figures by department, role or assisted
/// party. Emitted the first time each (case, kind, value) appears.
package struct PartyFact: Hashable, Sendable, Codable {
    /// What took part.
    package enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A department whose state the case (or a branch) entered.
        case department
        /// A role some person acted in on the case.
        case role
        /// A party someone acted on behalf of.
        case onBehalfOf = "on_behalf_of"
    }

    /// The case's id.
    package var caseID: String
    /// What took part.
    package var kind: Kind
    /// The department, role or party.
    package var value: String

    /// Creates the value from its parts.
    package init(caseID: String, kind: Kind, value: String) {
        self.caseID = caseID
        self.kind = kind
        self.value = value
    }
}

extension BreachFact {
    /// The breach without its case's id, which ``ReportBuilder`` does not read (it counts cases
    /// by ``firstInCase``): what a projection's selection for a report hands, so that it need not
    /// look up the id of every breached case.
    package var forReport: BreachFact {
        var fact = self
        fact.caseID = ""
        return fact
    }
}

/// What the projection fold emits, in log order.
package enum ProjectionFact: Hashable, Sendable {
    case stay(StayFact)
    case transition(TransitionFact)
    case decided(CaseFact)
    case breach(BreachFact)
    case party(PartyFact)

    /// The case the fact is about.
    package var caseID: String {
        switch self {
        case let .stay(f): f.caseID
        case let .transition(f): f.caseID
        case let .decided(f): f.caseID
        case let .breach(f): f.caseID
        case let .party(f): f.caseID
        }
    }
}
