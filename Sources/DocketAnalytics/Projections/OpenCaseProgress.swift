import DocketCore

/// What the projection fold keeps about one open case between events: the stays in progress, the
/// clock stops, the counters and who took part. It is all a stay or case fact needs when it ends,
/// and it is `Codable` so that a projection can persist it and resume later exactly where it was.
package struct OpenCaseProgress: Hashable, Sendable, Codable {
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened.
    package var openedAt: Timestamp
    /// The case's `channel` attribute.
    package var channel: String?
    /// The case-level stay in progress.
    package var current: StayProgress
    /// The stays of the branches still running in the current parallel state, in start order.
    package var branches: [StayProgress]
    /// Every interval the statutory clock stood stopped, oldest first; the last may be open.
    package var clockStops: [ClockStopInterval]
    /// The highest send-back round reached.
    package var sendBackRounds: Int
    /// Deadline breaches recorded so far.
    package var breaches: Int
    /// When the statutory limit's breach was due, once recorded.
    package var statutoryBreachDueAt: Timestamp?
    /// The groups (``BreachFact/group``) of the breaches recorded so far, sorted, each once;
    /// `nil` for none.
    package var breachedGroups: [String]? = nil
    /// Business time of the latest event.
    package var lastEventAt: Timestamp
    /// Departments, roles and assisted parties seen so far (sorted, each once).
    package var departments: [String]
    /// Roles people acted in on the case (sorted, each once).
    package var roles: [String]
    /// Parties someone acted for on the case (sorted, each once).
    package var onBehalfOf: [String]
    /// When the statutory clock started (``StatutoryLimit/clockStart(startsOn:openedAt:firstFired:)``):
    /// the opening, or the first firing of a `starts_on` event; `nil` while it has not started.
    package var statutoryStartedAt: Timestamp?
    /// The first firing of each `starts_on` event so far (only for workflows naming some).
    package var statutoryStartEvents: [String: Timestamp]?
    /// In a parallel state: the instant up to which its time has been shared out among the
    /// branches running (``StayProgress/shared``); `nil` outside one.
    package var sharedUntil: Timestamp?

    /// Whether a recorded breach is still current: the case-level stay's or a running branch's
    /// state limit, or the statutory limit.
    package var isOverdue: Bool { overdueSince != nil }

    /// The earliest due time among the breaches still current (see ``isOverdue``).
    package var overdueSince: Timestamp? {
        ([statutoryBreachDueAt, current.breachDueAt] + branches.map(\.breachDueAt)).compactMap { $0 }.min()
    }

    /// Whether the statutory clock is stopped now.
    package var isClockStopped: Bool { statutoryClock.isStopped }

    /// The statutory clock of the case: when it started, and its stops.
    package var statutoryClock: StatutoryClock { StatutoryClock(startedAt: statutoryStartedAt, stops: clockStops) }

    /// Where the case is: `review`, or `verification (health: inspecting, fire: visiting)`.
    package var whereabouts: String {
        guard !branches.isEmpty else { return current.state }
        return "\(current.state) (\(branches.map { "\($0.branch ?? ""): \($0.state)" }.joined(separator: ", ")))"
    }
}

extension OpenCaseProgress {
    /// What a report shows of the case (``OpenCaseSummary``).
    package var summary: OpenCaseSummary {
        OpenCaseSummary(
            caseID: caseID, workflow: workflow, openedAt: openedAt, channel: channel, whereabouts: whereabouts,
            department: current.departmentShown, since: current.enteredAt, statutoryStartedAt: statutoryStartedAt,
            clockStops: clockStops, sendBackRounds: sendBackRounds, overdueSince: overdueSince)
    }
}

/// What a report shows of an open case: where it is and since when, its statutory clock, its
/// rounds and whether it is overdue. A projection keeps it beside the case's progress
/// (``OpenCaseProgress/summary``), so that a report reads a few columns of each open case rather
/// than decoding its whole progress (a province has hundreds of thousands of open cases).
package struct OpenCaseSummary: Hashable, Sendable, Codable {
    /// The case's id.
    package var caseID: String
    /// The workflow version the case is pinned to.
    package var workflow: WorkflowKey
    /// When the case was opened.
    package var openedAt: Timestamp
    /// The case's `channel` attribute.
    package var channel: String?
    /// Where the case is (``OpenCaseProgress/whereabouts``).
    package var whereabouts: String
    /// The department its case-level stay is shown under (``StayProgress/departmentShown``).
    package var department: String?
    /// When its case-level stay began.
    package var since: Timestamp
    /// When the statutory clock started; `nil` while it has not.
    package var statutoryStartedAt: Timestamp?
    /// Every interval the statutory clock stood stopped, oldest first; the last may be open.
    package var clockStops: [ClockStopInterval]
    /// The highest send-back round reached.
    package var sendBackRounds: Int
    /// The earliest due time among the breaches still current (``OpenCaseProgress/overdueSince``).
    package var overdueSince: Timestamp?

    /// Creates the value from its parts.
    package init(
        caseID: String, workflow: WorkflowKey, openedAt: Timestamp, channel: String?, whereabouts: String, department: String?,
        since: Timestamp, statutoryStartedAt: Timestamp?, clockStops: [ClockStopInterval], sendBackRounds: Int, overdueSince: Timestamp?
    ) {
        self.caseID = caseID
        self.workflow = workflow
        self.openedAt = openedAt
        self.channel = channel
        self.whereabouts = whereabouts
        self.department = department
        self.since = since
        self.statutoryStartedAt = statutoryStartedAt
        self.clockStops = clockStops
        self.sendBackRounds = sendBackRounds
        self.overdueSince = overdueSince
    }

    /// The case's statutory clock.
    package var statutoryClock: StatutoryClock { StatutoryClock(startedAt: statutoryStartedAt, stops: clockStops) }

    /// Whether a recorded breach is still current (``overdueSince``).
    package var isOverdue: Bool { overdueSince != nil }
}

/// A stay in progress: a case or a branch entered `state` at `enteredAt`.
package struct StayProgress: Hashable, Sendable, Codable {
    /// The state's name.
    package var state: String
    /// The parallel state (region) of a branch; `nil` at case level.
    package var region: String?
    /// The branch; `nil` at case level.
    package var branch: String?
    /// The department recorded when the state was entered.
    package var department: String?
    /// When the stay began.
    package var enteredAt: Timestamp
    /// When someone started working on it, if recorded.
    package var workStartedAt: Timestamp?
    /// When the state's limit ran out, once `tick` recorded the breach.
    package var breachDueAt: Timestamp?
    /// The last person who acted on this stay (vote, work start), for ``StayFact/role``.
    package var lastActor: ActorRef?
    /// In a parallel state, the part of the case's time this stay accounts for so far
    /// (``StayFact/attributed``): a branch's share of the time it ran alongside others, or, for
    /// the parallel state itself, the time no branch ran. `nil` outside parallel states.
    package var shared: Durations?
    /// For the stay in a parallel state: the departments of its branches, in the order they
    /// started (each once); what the state is shown as when it has no department of its own.
    package var branchDepartments: [String]?

    /// The department the stay is shown under: its own, or for a parallel state without one,
    /// its branches' (`health ∥ market`).
    package var departmentShown: String? {
        if let department { return department }
        guard let branchDepartments, !branchDepartments.isEmpty else { return nil }
        return branchDepartments.joined(separator: " ∥ ")
    }

    /// Creates the value from its parts.
    package init(state: String, region: String? = nil, branch: String? = nil, department: String? = nil, enteredAt: Timestamp) {
        self.state = state
        self.region = region
        self.branch = branch
        self.department = department
        self.enteredAt = enteredAt
    }
}

/// A role and an assisted party, as an event records them.
package struct ActorRef: Hashable, Sendable, Codable {
    /// The role acted in, if any.
    package var role: String?
    /// The party acted for, if any.
    package var onBehalfOf: String?

    /// Creates the value from its parts.
    package init(role: String?, onBehalfOf: String?) {
        self.role = role
        self.onBehalfOf = onBehalfOf
    }
}

/// An interval during which the statutory clock stood stopped.
package struct ClockStopInterval: Hashable, Sendable, Codable {
    /// When the clock stopped.
    package var stoppedAt: Timestamp
    /// `nil` while still stopped.
    package var resumedAt: Timestamp?

    /// Creates the value from its parts.
    package init(stoppedAt: Timestamp, resumedAt: Timestamp? = nil) {
        self.stoppedAt = stoppedAt
        self.resumedAt = resumedAt
    }
}

/// A case's statutory clock: it runs from `startedAt` (the opening, or the first `starts_on`
/// event; never while `nil`) except while stopped.
package struct StatutoryClock: Hashable, Sendable {
    /// When the clock started; `nil` when it has not.
    package var startedAt: Timestamp?
    /// Every interval it stood stopped, oldest first; the last may be open.
    package var stops: [ClockStopInterval]

    /// Creates the value from its parts.
    package init(startedAt: Timestamp?, stops: [ClockStopInterval]) {
        self.startedAt = startedAt
        self.stops = stops
    }

    /// Whether the clock is stopped now: its last stop has not ended.
    package var isStopped: Bool { stops.last.map { $0.resumedAt == nil } ?? false }
}

/// Measuring intervals on the three clocks.
package enum StayClock {
    /// `start` to `end` on the wall clock, on `calendar`, and on `calendar` while the statutory
    /// `clock` ran: from its start, without the parts that fall inside its stops (an open stop
    /// lasts until `end`). All zero when `end <= start`.
    package static func measure(
        from start: Timestamp, to end: Timestamp, clock: StatutoryClock, calendar: any WorkingTimeCalendar
    ) -> Durations {
        guard end > start else { return .zero }
        let working = calendar.workingMicroseconds(from: start, to: end)
        var statutory: Int64 = 0
        if let started = clock.startedAt, end > started {
            let from = max(start, started)
            let counted = from == start ? working : calendar.workingMicroseconds(from: from, to: end)
            statutory = max(0, counted - stopped(from: from, to: end, stops: clock.stops, calendar: calendar).working)
        }
        return Durations(wall: start.microseconds(to: end), working: working, statutory: statutory)
    }

    /// Wall-clock time the statutory `clock` ran between `start` and `end`: from its start, less
    /// its stops (what a limit in days, hours or minutes is counted on); 0 when it never started.
    package static func statutoryWall(from start: Timestamp, to end: Timestamp, clock: StatutoryClock) -> Int64 {
        guard let started = clock.startedAt else { return 0 }
        let from = max(start, started)
        guard end > from else { return 0 }
        return max(0, from.microseconds(to: end) - stopped(from: from, to: end, stops: clock.stops, calendar: AlwaysWorkingCalendar()).wall)
    }

    /// The parts of `stops` inside `start..<end`: wall-clock and working time.
    package static func stopped(
        from start: Timestamp, to end: Timestamp, stops: [ClockStopInterval], calendar: any WorkingTimeCalendar
    ) -> (wall: Int64, working: Int64) {
        var wall: Int64 = 0
        var working: Int64 = 0
        for stop in stops {
            let from = max(stop.stoppedAt, start)
            let to = min(stop.resumedAt ?? end, end)
            guard from < to else { continue }
            wall += from.microseconds(to: to)
            working += calendar.workingMicroseconds(from: from, to: to)
        }
        return (wall, working)
    }
}
