import DocketCore

/// The calendar a workflow version's working time is counted on, and how a report names it.
public struct WorkflowCalendar: Sendable {
    /// The calendar's working-time arithmetic.
    public var calendar: any WorkingTimeCalendar
    /// `cn-2020 v1`, `rizhao-2020 v1 on cn-2020 v1`, or `always working (no calendar)`.
    public var label: String
    /// The calendar files it is made of, override first (empty when no calendar file is used).
    public var layers: [CalendarVersion]
    /// The workflow version's statutory limit (`statutory_limit: within:`), when it has one: the
    /// report draws it on the time-to-approval distribution and counts the cases within it.
    public var statutoryLimit: TimeLimit?
    /// The events whose first firing starts the statutory clock (`statutory_limit: starts_on:`);
    /// empty: it starts at opening. The projection measures statutory time from there.
    public var statutoryStartsOn: [String]

    /// Creates the value from its parts.
    public init(calendar: any WorkingTimeCalendar, label: String, layers: [CalendarVersion] = [], statutoryLimit: TimeLimit? = nil,
                statutoryStartsOn: [String] = []) {
        self.calendar = calendar
        self.label = label
        self.layers = layers
        self.statutoryLimit = statutoryLimit
        self.statutoryStartsOn = statutoryStartsOn
    }

    /// A business calendar, named by its provenance.
    public init(_ calendar: BusinessCalendar) {
        self.init(calendar: calendar, label: calendar.provenance.description, layers: calendar.provenance.layers)
    }

    /// Every second counts: for imported workflows and workflows that name no calendar.
    public static let alwaysWorking = WorkflowCalendar(calendar: AlwaysWorkingCalendar(), label: "always working (no calendar)")
}

/// What a report covers: the selection and the clock its durations are on.
///
/// `from`/`to` select cases by when they were opened (`from <= openedAt < to`); every figure of the
/// report is about those cases. The party filters are documented in `Docs/analytics.md`.
public struct ReportScope: Hashable, Sendable {
    /// Only this workflow.
    public var workflowID: String?
    /// Only this version.
    public var version: Int?
    /// Only cases opened at or after this time.
    public var from: Timestamp?
    /// Only cases opened before this time.
    public var to: Timestamp?
    /// Only this department (see `Docs/analytics.md` for what it keeps).
    public var department: String?
    /// Only this role (see `Docs/analytics.md`).
    public var role: String?
    /// Only this assisted party (see `Docs/analytics.md`).
    public var onBehalfOf: String?
    /// Only cases opened on this channel.
    public var channel: String?
    /// The clock for dwell, bottlenecks, transitions and open-case ages (time-to-approval and
    /// time-to-decision are given on all three).
    public var measure: TimeMeasure
    /// The instant open cases' ages are measured to.
    public var asOf: Timestamp

    /// Creates the value from its parts.
    public init(
        workflowID: String? = nil, version: Int? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
        department: String? = nil, role: String? = nil, onBehalfOf: String? = nil, channel: String? = nil,
        measure: TimeMeasure = .working, asOf: Timestamp
    ) {
        self.workflowID = workflowID
        self.version = version
        self.from = from
        self.to = to
        self.department = department
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.channel = channel
        self.measure = measure
        self.asOf = asOf
    }

    /// Whether a department, role or assisted-party filter applies: it keeps the cases the party
    /// took part in, and the stays and transitions that name it (`Docs/analytics.md`).
    public var filtersByParty: Bool {
        department != nil || role != nil || onBehalfOf != nil
    }
}

/// The figures of `docket report`, per workflow version (and, for a workflow with cases on several
/// versions, for all its versions together). Durations are seconds. `Docs/analytics.md` defines
/// each figure.
public struct ProcessReport: Hashable, Sendable {
    /// What the report covers.
    public var scope: ReportScope
    /// One section per workflow version (and an all-versions section where there are several).
    public var workflows: [WorkflowReport]

    /// Creates the value from its parts.
    public init(scope: ReportScope, workflows: [WorkflowReport]) {
        self.scope = scope
        self.workflows = workflows
    }
}

/// The figures of one workflow version, or of all versions of a workflow (`version == nil`).
public struct WorkflowReport: Hashable, Sendable {
    /// The workflow's id.
    public var workflow: String
    /// `nil` for the section that adds up all versions.
    public var version: Int?
    /// The calendar working time was counted on (`varies by version` when versions differ).
    public var calendar: String
    /// The calendar files it is made of, override first; empty for no calendar file or when
    /// versions differ.
    public var calendarLayers: [CalendarVersion]
    /// Length of that calendar's working day, in seconds (`nil` when versions differ).
    public var workingDaySeconds: Double?
    /// Cases counted.
    public var cases: CaseCounts
    /// Opened to approved, for approved cases, on each clock.
    public var timeToApproval: MeasuredSummaries
    /// Opened to any final state, for decided cases, on each clock.
    public var timeToDecision: MeasuredSummaries
    /// Per state and branch state, on the scope's clock.
    public var dwell: [DwellRow]
    /// States, departments and roles ranked by total stay time.
    public var bottlenecks: Bottlenecks
    /// Transitions, most frequent first.
    public var transitions: [TransitionRow]
    /// Send-back rounds.
    public var rework: Rework
    /// Deadline breaches, most frequent first.
    public var breaches: [BreachRow]
    /// Time the statutory clock stood stopped.
    public var clockStops: ClockStopFigures
    /// Open cases, overdue first, then oldest in their current state first.
    public var openCases: [OpenCaseRow]
    /// Case figures per channel, most cases first.
    public var channels: [ChannelRow]
    /// The dates the calendar knows holidays for (`2019-01-01 to 2026-12-31`); nil when it states
    /// none or when versions differ.
    public var calendarCovers: String?
    /// Decided cases whose figures need dates outside ``calendarCovers`` (counted from the weekly
    /// hours alone: provisional), by case id, ascending.
    public var provisionalCases: [String] = []
    /// Time to approval as a histogram on each clock (the pictures' distribution and cumulative curve).
    public var approvalHistograms: MeasuredHistograms
    /// The statutory limit and how many approved cases met it; `nil` when the workflow has none
    /// (or its versions' limits differ).
    public var statutoryLimit: StatutoryLimitFigures?
    /// Week by week (Monday to Sunday in the workflow's time zone): cases opened, decided, breaches.
    public var weeks: [WeekRow]
    /// Cases opened by weekday (`[0]` is Monday) and hour (`[d][0]` is 00:00-00:59), in the
    /// workflow's time zone.
    public var arrivals: [[Int]]

    /// Creates the value from its parts.
    public init(
        workflow: String, version: Int?, calendar: String, calendarLayers: [CalendarVersion] = [],
        workingDaySeconds: Double?, cases: CaseCounts,
        timeToApproval: MeasuredSummaries, timeToDecision: MeasuredSummaries, dwell: [DwellRow], bottlenecks: Bottlenecks,
        transitions: [TransitionRow], rework: Rework, breaches: [BreachRow], clockStops: ClockStopFigures,
        openCases: [OpenCaseRow], channels: [ChannelRow],
        approvalHistograms: MeasuredHistograms = .empty, statutoryLimit: StatutoryLimitFigures? = nil,
        weeks: [WeekRow] = [], arrivals: [[Int]] = ArrivalCounts.empty
    ) {
        self.workflow = workflow
        self.version = version
        self.calendar = calendar
        self.calendarLayers = calendarLayers
        self.workingDaySeconds = workingDaySeconds
        self.cases = cases
        self.timeToApproval = timeToApproval
        self.timeToDecision = timeToDecision
        self.dwell = dwell
        self.bottlenecks = bottlenecks
        self.transitions = transitions
        self.rework = rework
        self.breaches = breaches
        self.clockStops = clockStops
        self.openCases = openCases
        self.channels = channels
        self.approvalHistograms = approvalHistograms
        self.statutoryLimit = statutoryLimit
        self.weeks = weeks
        self.arrivals = arrivals
    }
}

/// Durations counted in bins of equal width: bin `i` holds the values in
/// `[i * binSeconds, (i + 1) * binSeconds)`; the last bin also holds the largest value.
public struct DurationHistogram: Hashable, Sendable, Codable {
    /// The width of one bin, in seconds (a round number of minutes, hours, days or working days).
    public var binSeconds: Double
    /// How many values fell in each bin.
    public var counts: [Int]

    /// Creates the value from its parts.
    public init(binSeconds: Double, counts: [Int]) {
        self.binSeconds = binSeconds
        self.counts = counts
    }

    /// No values.
    public static let empty = DurationHistogram(binSeconds: 0, counts: [])

    /// The values (microseconds) in at most `maxBins` bins of a round width (in `unit`'s multiples
    /// and fractions) covering `0...max(values, atLeast)`.
    package init(microseconds values: [Int64], unit: Double, atLeast: Double = 0, maxBins: Int = 40) {
        let largest = max(Double(values.max() ?? 0) / 1_000_000, atLeast)
        guard !values.isEmpty, largest > 0, unit > 0 else {
            self.init(binSeconds: 0, counts: values.isEmpty ? [] : [values.count])
            return
        }
        let steps: [Double] = [1.0 / 96, 1.0 / 48, 1.0 / 24, 1.0 / 12, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        let width = steps.map { $0 * unit }.first { (largest / $0).rounded(.down) + 1 <= Double(maxBins) } ?? (largest / Double(maxBins - 1))
        let binCount = Int((largest / width).rounded(.down)) + 1
        var counts = [Int](repeating: 0, count: binCount)
        for value in values {
            let index = Int((Double(max(0, value)) / 1_000_000 / width).rounded(.down))
            counts[min(index, binCount - 1)] += 1
        }
        self.init(binSeconds: width, counts: counts)
    }
}

/// The same durations as histograms on each clock.
public struct MeasuredHistograms: Hashable, Sendable, Codable {
    /// On the wall clock (bins of round hours or days).
    public var wall: DurationHistogram
    /// In working time (bins of round fractions or multiples of the working day).
    public var working: DurationHistogram
    /// In statutory time.
    public var statutory: DurationHistogram

    /// Creates the value from its parts.
    public init(wall: DurationHistogram, working: DurationHistogram, statutory: DurationHistogram) {
        self.wall = wall
        self.working = working
        self.statutory = statutory
    }

    /// No values.
    public static let empty = MeasuredHistograms(wall: .empty, working: .empty, statutory: .empty)

    /// The histogram on `measure`'s clock.
    public subscript(measure: TimeMeasure) -> DurationHistogram {
        switch measure {
        case .wall: wall
        case .working: working
        case .statutory: statutory
        }
    }
}

/// The statutory limit of a workflow version and how many approved cases met it.
public struct StatutoryLimitFigures: Hashable, Sendable, Codable {
    /// The limit as the definition states it (`20 working days`).
    public var within: String
    /// The limit in seconds on `clock`.
    public var seconds: Double
    /// `statutory` for a limit in working time (working time without stopped clocks), `wall` for
    /// one in days, hours or minutes.
    public var clock: TimeMeasure
    /// Approved cases whose statutory clock started, counted.
    public var approved: Int
    /// Approved cases whose statutory time to approval (from the clock's start, less its stops)
    /// on `clock` was at most the limit.
    public var approvedWithin: Int
    /// `approvedWithin / approved` (0 when none were approved).
    public var share: Double
    /// Approved cases that closed before their statutory clock started (none of the `starts_on`
    /// events fired): the limit never applied to them, and they are not in ``approved``.
    public var approvedClockNotStarted: Int

    /// Creates the value from its parts.
    public init(within: String, seconds: Double, clock: TimeMeasure, approved: Int, approvedWithin: Int, share: Double,
                approvedClockNotStarted: Int = 0) {
        self.within = within
        self.seconds = seconds
        self.clock = clock
        self.approved = approved
        self.approvedWithin = approvedWithin
        self.share = share
        self.approvedClockNotStarted = approvedClockNotStarted
    }
}

/// One week: cases opened and decided in it, deadline breaches recorded in it.
public struct WeekRow: Hashable, Sendable, Codable {
    /// The week's Monday, `YYYY-MM-DD`, in the workflow's time zone.
    public var week: String
    /// Cases opened in the week.
    public var opened: Int
    /// Cases decided in the week (any outcome).
    public var decided: Int
    /// Deadline breaches (state and statutory) recorded in the week.
    public var breaches: Int

    /// Creates the value from its parts.
    public init(week: String, opened: Int, decided: Int, breaches: Int) {
        self.week = week
        self.opened = opened
        self.decided = decided
        self.breaches = breaches
    }
}

/// Arrivals by weekday and hour.
public enum ArrivalCounts {
    /// Seven weekdays (Monday first) of 24 hours, all zero.
    public static let empty = [[Int]](repeating: [Int](repeating: 0, count: 24), count: 7)
}

/// How many cases were opened and how they ended.
public struct CaseCounts: Hashable, Sendable, Codable {
    /// Cases opened (decided and open).
    public var opened: Int
    /// Decided with outcome `approved`.
    public var approved: Int
    /// Decided with outcome `rejected`.
    public var rejected: Int
    /// Decided with another outcome (`withdrawn`, `revoked`, ...), by outcome.
    public var otherOutcomes: [String: Int]
    /// Not decided yet.
    public var open: Int

    /// Creates the value from its parts.
    public init(opened: Int = 0, approved: Int = 0, rejected: Int = 0, otherOutcomes: [String: Int] = [:], open: Int = 0) {
        self.opened = opened
        self.approved = approved
        self.rejected = rejected
        self.otherOutcomes = otherOutcomes
        self.open = open
    }

    /// Decided cases, whatever the outcome.
    public var decided: Int { approved + rejected + otherOutcomes.values.reduce(0, +) }
}

/// The same durations summarised on each clock.
public struct MeasuredSummaries: Hashable, Sendable, Codable {
    /// On the wall clock.
    public var wall: DurationSummary
    /// In working time (for clock stops: the working time the clock stood stopped).
    public var working: DurationSummary
    /// In statutory time.
    public var statutory: DurationSummary

    /// Creates the value from its parts.
    public init(wall: DurationSummary, working: DurationSummary, statutory: DurationSummary) {
        self.wall = wall
        self.working = working
        self.statutory = statutory
    }

    /// The summary on `measure`'s clock.
    public subscript(measure: TimeMeasure) -> DurationSummary {
        switch measure {
        case .wall: wall
        case .working: working
        case .statutory: statutory
        }
    }
}

/// Dwell in one state (or branch state), over the stays that ended.
public struct DwellRow: Hashable, Sendable, Codable {
    /// The state's name.
    public var state: String
    /// The parallel state (region) of a branch; `nil` at case level.
    public var region: String?
    /// The branch; `nil` at case level.
    public var branch: String?
    /// Stays that ended.
    public var summary: DurationSummary
    /// Total waiting and work time over the stays in which a work start was recorded.
    public var waiting: Double
    /// Total work time (work start to leaving) over the split stays, in seconds.
    public var work: Double
    /// How many stays had a work start (the others are not split).
    public var splitStays: Int

    /// Creates the value from its parts.
    public init(state: String, region: String? = nil, branch: String? = nil, summary: DurationSummary,
                waiting: Double, work: Double, splitStays: Int) {
        self.state = state
        self.region = region
        self.branch = branch
        self.summary = summary
        self.waiting = waiting
        self.work = work
        self.splitStays = splitStays
    }

    /// `review`, or `verification/health/inspecting` for a branch state.
    public var label: String { [region, branch, state].compactMap { $0 }.joined(separator: "/") }
}

/// States, departments and roles ranked by the total time cases spent with them, each moment of a
/// case counted once (`Docs/analytics.md`, *Parallel states*).
public struct Bottlenecks: Hashable, Sendable, Codable {
    /// By state (label `region/branch/state` for branch states).
    public var states: [RankedRow]
    /// By department of the state.
    public var departments: [RankedRow]
    /// By the role that held the case.
    public var roles: [RankedRow]

    /// Creates the value from its parts.
    public init(states: [RankedRow], departments: [RankedRow], roles: [RankedRow]) {
        self.states = states
        self.departments = departments
        self.roles = roles
    }
}

/// One entry of a bottleneck ranking.
public struct RankedRow: Hashable, Sendable, Codable {
    /// The state label, department or role; `nil` when the stays recorded none.
    public var name: String?
    /// The cases' time spent there, in seconds, on the scope's clock: each finished stay's part
    /// (branches of a parallel state running together share their time equally).
    public var total: Double
    /// `total` over the cases' time of all stays of the section (0...1): a ranking's shares add
    /// up to 1.
    public var share: Double
    /// Finished stays counted (a parallel state's own stay only when it accounts for some time).
    public var stays: Int
    /// The mean, in seconds.
    public var mean: Double?

    /// Creates the value from its parts.
    public init(name: String?, total: Double, share: Double, stays: Int, mean: Double?) {
        self.name = name
        self.total = total
        self.share = share
        self.stays = stays
        self.mean = mean
    }
}

/// Durations of one transition (from, to) — the stays in `from` that it ended.
public struct TransitionRow: Hashable, Sendable, Codable {
    /// The state left.
    public var from: String
    /// The state entered.
    public var to: String
    /// The parallel state (region) of a branch; `nil` at case level.
    public var region: String?
    /// The branch; `nil` at case level.
    public var branch: String?
    /// count, mean, p50 (the median), min, max, total (the sum), stdev (sample).
    public var summary: DurationSummary

    /// Creates the value from its parts.
    public init(from: String, to: String, region: String? = nil, branch: String? = nil, summary: DurationSummary) {
        self.from = from
        self.to = to
        self.region = region
        self.branch = branch
        self.summary = summary
    }
}

/// Send-back rounds.
public struct Rework: Hashable, Sendable, Codable {
    /// Cases counted (opened in scope).
    public var cases: Int
    /// Cases with at least one send-back round.
    public var casesSentBack: Int
    /// `casesSentBack / cases` (0 when there are no cases).
    public var share: Double
    /// Send-back rounds.
    public var rounds: Int
    /// Rounds per case over all cases; `nil` when there are none.
    public var meanRounds: Double?
    /// The most rounds one case went through.
    public var maxRounds: Int
    /// How many cases had 0, 1, 2, ... rounds.
    public var histogram: [RoundCount]

    /// Creates the value from its parts.
    public init(cases: Int, casesSentBack: Int, share: Double, rounds: Int, meanRounds: Double?, maxRounds: Int,
                histogram: [RoundCount]) {
        self.cases = cases
        self.casesSentBack = casesSentBack
        self.share = share
        self.rounds = rounds
        self.meanRounds = meanRounds
        self.maxRounds = maxRounds
        self.histogram = histogram
    }
}

/// Cases with a given number of send-back rounds.
public struct RoundCount: Hashable, Sendable, Codable {
    /// Send-back rounds.
    public var rounds: Int
    /// Cases counted.
    public var cases: Int

    /// Creates the value from its parts.
    public init(rounds: Int, cases: Int) {
        self.rounds = rounds
        self.cases = cases
    }
}

/// Deadline breaches of one state (or of the statutory limit while the case was in that state).
public struct BreachRow: Hashable, Sendable, Codable {
    /// `state` or `statutory`.
    public var deadline: String
    /// The state's name.
    public var state: String
    /// The parallel state (region) of a branch; `nil` at case level.
    public var region: String?
    /// The branch; `nil` at case level.
    public var branch: String?
    /// Deadline breaches, most frequent first.
    public var breaches: Int
    /// Cases counted.
    public var cases: Int

    /// Creates the value from its parts.
    public init(deadline: String, state: String, region: String? = nil, branch: String? = nil, breaches: Int, cases: Int) {
        self.deadline = deadline
        self.state = state
        self.region = region
        self.branch = branch
        self.breaches = breaches
        self.cases = cases
    }

    /// `review`, or `region/branch/state` for a branch state.
    public var label: String { [region, branch, state].compactMap { $0 }.joined(separator: "/") }
}

/// Time the statutory clock stood stopped, over decided cases.
public struct ClockStopFigures: Hashable, Sendable, Codable {
    /// Decided cases counted.
    public var decidedCases: Int
    /// Decided cases whose statutory clock stopped at least once.
    public var casesStopped: Int
    /// Clock stops in those cases.
    public var stops: Int
    /// Per stopped case: the time it stood stopped, wall-clock and working.
    public var wall: DurationSummary
    /// In working time (for clock stops: the working time the clock stood stopped).
    public var working: DurationSummary

    /// Creates the value from its parts.
    public init(decidedCases: Int, casesStopped: Int, stops: Int, wall: DurationSummary, working: DurationSummary) {
        self.decidedCases = decidedCases
        self.casesStopped = casesStopped
        self.stops = stops
        self.wall = wall
        self.working = working
    }
}

/// One open case.
public struct OpenCaseRow: Hashable, Sendable {
    /// The case's id.
    public var caseID: String
    /// The workflow version the case is pinned to.
    public var version: Int
    /// `review`, or `verification (health: inspecting, fire: visiting)`.
    public var state: String
    /// The department of its current case-level state.
    public var department: String?
    /// When the case was opened.
    public var openedAt: Timestamp
    /// When it entered its current case-level state.
    public var since: Timestamp
    /// Time in the current state until the scope's `asOf`, on the scope's clock (seconds).
    public var age: Double
    /// A breach recorded by `tick` is still current.
    public var overdue: Bool
    /// The earliest due time of the breaches still current.
    public var overdueSince: Timestamp?
    /// The statutory clock is stopped now.
    public var clockStopped: Bool
    /// The case's `channel` attribute (`online`, `window`, `assisted`, `mail`), if given at opening.
    public var channel: String?


    /// Whether the age or the deadline needs dates outside the calendar's coverage (provisional).
    public var provisional = false

    /// Creates the value from its parts.
    public init(caseID: String, version: Int, state: String, department: String?, openedAt: Timestamp, since: Timestamp,
                age: Double, overdue: Bool, overdueSince: Timestamp?, clockStopped: Bool, channel: String?) {
        self.caseID = caseID
        self.version = version
        self.state = state
        self.department = department
        self.openedAt = openedAt
        self.since = since
        self.age = age
        self.overdue = overdue
        self.overdueSince = overdueSince
        self.clockStopped = clockStopped
        self.channel = channel
    }
}

/// Case figures of one channel (`online`, `window`, `assisted`, `mail`; `nil` when not given).
public struct ChannelRow: Hashable, Sendable, Codable {
    /// The case's `channel` attribute (`online`, `window`, `assisted`, `mail`), if given at opening.
    public var channel: String?
    /// Cases counted.
    public var cases: CaseCounts
    /// Time-to-decision on the scope's clock.
    public var timeToDecision: DurationSummary

    /// Creates the value from its parts.
    public init(channel: String?, cases: CaseCounts, timeToDecision: DurationSummary) {
        self.channel = channel
        self.cases = cases
        self.timeToDecision = timeToDecision
    }
}
