import DocketCore

/// What the projection fold keeps about one open case between events: the stays in progress, the
/// clock stops, the counters and who took part. It is all a stay or case fact needs when it ends,
/// and it is `Codable` so that a projection can persist it and resume later exactly where it was.
public struct OpenCaseProgress: Hashable, Sendable, Codable {
    /// The case's id.
    public var caseID: String
    /// The workflow version the case is pinned to.
    public var workflow: WorkflowKey
    /// When the case was opened.
    public var openedAt: Timestamp
    /// The case's `channel` attribute.
    public var channel: String?
    /// The case-level stay in progress.
    public var current: StayProgress
    /// The stays of the branches still running in the current parallel state, in start order.
    public var branches: [StayProgress]
    /// Every interval the statutory clock stood stopped, oldest first; the last may be open.
    public var clockStops: [ClockStopInterval]
    /// The highest send-back round reached.
    public var sendBackRounds: Int
    /// Deadline breaches recorded so far.
    public var breaches: Int
    /// When the statutory limit's breach was due, once recorded.
    public var statutoryBreachDueAt: Timestamp?
    /// Business time of the latest event.
    public var lastEventAt: Timestamp
    /// Departments, roles and assisted parties seen so far (sorted, each once).
    public var departments: [String]
    /// Roles people acted in on the case (sorted, each once).
    public var roles: [String]
    /// Parties someone acted for on the case (sorted, each once).
    public var onBehalfOf: [String]

    /// Whether a recorded breach is still current: the case-level stay's or a running branch's
    /// state limit, or the statutory limit.
    public var isOverdue: Bool { overdueSince != nil }

    /// The earliest due time among the breaches still current (see ``isOverdue``).
    public var overdueSince: Timestamp? {
        ([statutoryBreachDueAt, current.breachDueAt] + branches.map(\.breachDueAt)).compactMap { $0 }.min()
    }

    /// Whether the statutory clock is stopped now.
    public var isClockStopped: Bool { clockStops.last.map { $0.resumedAt == nil } ?? false }

    /// Where the case is: `review`, or `verification (health: inspecting, fire: visiting)`.
    public var whereabouts: String {
        guard !branches.isEmpty else { return current.state }
        return "\(current.state) (\(branches.map { "\($0.branch ?? ""): \($0.state)" }.joined(separator: ", ")))"
    }
}

/// A stay in progress: a case or a branch entered `state` at `enteredAt`.
public struct StayProgress: Hashable, Sendable, Codable {
    /// The state's name.
    public var state: String
    /// The parallel state (region) of a branch; `nil` at case level.
    public var region: String?
    /// The branch; `nil` at case level.
    public var branch: String?
    /// The department recorded when the state was entered.
    public var department: String?
    /// When the stay began.
    public var enteredAt: Timestamp
    /// When someone started working on it, if recorded.
    public var workStartedAt: Timestamp?
    /// When the state's limit ran out, once `tick` recorded the breach.
    public var breachDueAt: Timestamp?
    /// The last person who acted on this stay (vote, work start), for ``StayFact/role``.
    public var lastActor: ActorRef?

    /// Creates the value from its parts.
    public init(state: String, region: String? = nil, branch: String? = nil, department: String? = nil, enteredAt: Timestamp) {
        self.state = state
        self.region = region
        self.branch = branch
        self.department = department
        self.enteredAt = enteredAt
    }
}

/// A role and an assisted party, as an event records them.
public struct ActorRef: Hashable, Sendable, Codable {
    /// The role acted in, if any.
    public var role: String?
    /// The party acted for, if any.
    public var onBehalfOf: String?

    /// Creates the value from its parts.
    public init(role: String?, onBehalfOf: String?) {
        self.role = role
        self.onBehalfOf = onBehalfOf
    }
}

/// An interval during which the statutory clock stood stopped.
public struct ClockStopInterval: Hashable, Sendable, Codable {
    /// When the clock stopped.
    public var stoppedAt: Timestamp
    /// `nil` while still stopped.
    public var resumedAt: Timestamp?

    /// Creates the value from its parts.
    public init(stoppedAt: Timestamp, resumedAt: Timestamp? = nil) {
        self.stoppedAt = stoppedAt
        self.resumedAt = resumedAt
    }
}

/// Measuring intervals on the three clocks.
public enum StayClock {
    /// `start` to `end` on the wall clock, on `calendar`, and on `calendar` without the parts that
    /// fall inside `stops` (an open stop lasts until `end`). All zero when `end <= start`.
    public static func measure(
        from start: Timestamp, to end: Timestamp, stops: [ClockStopInterval], calendar: any WorkingTimeCalendar
    ) -> Durations {
        guard end > start else { return .zero }
        let working = calendar.workingMicroseconds(from: start, to: end)
        return Durations(
            wall: start.microseconds(to: end), working: working,
            statutory: max(0, working - stopped(from: start, to: end, stops: stops, calendar: calendar).working))
    }

    /// The parts of `stops` inside `start..<end`: wall-clock and working time.
    public static func stopped(
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
