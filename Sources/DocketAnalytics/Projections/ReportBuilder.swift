import DocketCore

/// Builds a ``ProcessReport`` from the facts of the cases in scope.
///
/// The caller selects the facts (by workflow, version, opening time, department, role, assisted
/// party, channel) and feeds every one; the builder only groups and summarises. Memory holds one
/// duration per fact fed, which percentiles need.
package struct ReportBuilder {
    /// What the report covers.
    package let scope: ReportScope
    private let calendars: (WorkflowKey) -> WorkflowCalendar
    /// One section per workflow version. A workflow's all-versions section is the merge of its
    /// versions' (``build()``), made only when it has more than one: adding every fact to two
    /// sections was half of a report's grouping work, and most workflows have one version.
    private var sections: [WorkflowKey: Section] = [:]
    /// The section facts are being added to, out of `sections` while it is (facts come grouped by
    /// workflow version, so a section is looked up once per run of them, not once per fact).
    private var current: (workflow: WorkflowKey, section: Section)?
    /// Each workflow version's calendar, looked up once.
    private var calendarOf: [WorkflowKey: WorkflowCalendar] = [:]

    /// - Parameter calendars: the calendar of each workflow version, for open cases' working ages
    ///   and for naming it.
    package init(scope: ReportScope, calendars: @escaping (WorkflowKey) -> WorkflowCalendar) {
        self.scope = scope
        self.calendars = calendars
    }

    /// Adds a decided case.
    package mutating func add(_ fact: CaseFact) {
        let measure = scope.measure
        let provisional = !calendar(fact.workflow).calendar.covers(from: fact.openedAt, to: fact.decidedAt)
        let opened = local(fact.openedAt, fact.workflow), decided = local(fact.decidedAt, fact.workflow)
        update(fact.workflow) {
            $0.add(fact, measure: measure)
            if provisional { $0.provisionalCases.append(fact.caseID) }
            $0.count(opened: opened)
            $0.weeks[decided.week, default: WeekCounts()].decided += 1
        }
    }

    /// Adds a fact as the fold emitted it (a party takes part in no figure: filters select by it).
    package mutating func add(_ fact: ProjectionFact) {
        switch fact {
        case let .stay(f): add(f)
        case let .transition(f): add(f)
        case let .decided(f): add(f)
        case let .breach(f): add(f)
        case .party: break
        }
    }

    /// Adds a finished stay.
    package mutating func add(_ fact: StayFact) {
        let measure = scope.measure
        update(fact.workflow) { $0.add(fact, measure: measure) }
    }

    /// Adds a transition.
    package mutating func add(_ fact: TransitionFact) {
        let measure = scope.measure
        update(fact.workflow) { $0.add(fact, measure: measure) }
    }

    /// Adds a deadline breach.
    package mutating func add(_ fact: BreachFact) {
        let recorded = local(fact.recordedAt, fact.workflow)
        update(fact.workflow) {
            $0.add(fact)
            $0.weeks[recorded.week, default: WeekCounts()].breaches += 1
        }
    }

    /// Adds an open case; its age in its current state is measured to the scope's `asOf`.
    package mutating func add(_ progress: OpenCaseSummary) {
        let calendar = calendar(progress.workflow).calendar
        let clock = progress.statutoryClock
        let age = StayClock.measure(from: progress.since, to: scope.asOf, clock: clock, calendar: calendar)
        let row = OpenCaseRow(
            caseID: progress.caseID, version: progress.workflow.version, state: progress.whereabouts,
            department: progress.department, openedAt: progress.openedAt, since: progress.since,
            age: seconds(age[scope.measure]), overdue: progress.isOverdue, overdueSince: progress.overdueSince,
            clockStopped: clock.isStopped, channel: progress.channel)
        var checked = row
        // Its figures run from its opening to the report's moment, and its deadline may lie beyond.
        checked.provisional = !calendar.covers(from: progress.openedAt, to: max(scope.asOf, progress.overdueSince ?? scope.asOf))
        let opened = local(progress.openedAt, progress.workflow)
        update(progress.workflow) {
            $0.add(open: checked, rounds: progress.sendBackRounds, channel: progress.channel)
            $0.count(opened: opened)
        }
    }

    /// `instant`'s week (its Monday's day number), weekday (0 = Monday) and hour in the time zone
    /// of `workflow`'s calendar.
    private mutating func local(_ instant: Timestamp, _ workflow: WorkflowKey) -> LocalTime {
        let calendar = calendar(workflow).calendar
        let seconds = Int(instant.microseconds.dividedRoundingDown(by: 1_000_000)) + calendar.utcOffsetSeconds(at: instant)
        let day = seconds.dividedRoundingDown(by: 86_400)
        let weekday = (day + 3).modulo(7)  // 1970-01-01 was a Thursday
        return LocalTime(week: day - weekday, weekday: weekday, hour: (seconds - day * 86_400) / 3600)
    }

    /// `workflow`'s calendar, asked of `calendars` once.
    private mutating func calendar(_ workflow: WorkflowKey) -> WorkflowCalendar {
        if let known = calendarOf[workflow] { return known }
        let calendar = calendars(workflow)
        calendarOf[workflow] = calendar
        return calendar
    }

    private mutating func update(_ workflow: WorkflowKey, _ change: (inout Section) -> Void) {
        if current?.workflow != workflow {
            putBack()
            // Taken out of the dictionary, so that changing it copies nothing.
            current = (workflow, sections.removeValue(forKey: workflow) ?? Section())
        }
        change(&current!.section)
    }

    /// What was added for `workflow` so far (for its digest).
    func section(of workflow: WorkflowKey) -> Section? {
        current?.workflow == workflow ? current!.section : sections[workflow]
    }

    /// Adds what `other` gathered (a cohort's digest) to `workflow`'s section.
    mutating func merge(_ other: Section, into workflow: WorkflowKey) {
        update(workflow) { $0.merge(other) }
    }

    /// Returns the section being added to into `sections`.
    private mutating func putBack() {
        if let (workflow, section) = current { sections[workflow] = section }
        current = nil
    }

    /// The report: for each workflow (by id), an all-versions section when it has cases on more
    /// than one version, then one section per version.
    package func build() -> ProcessReport {
        var builder = self
        builder.putBack()
        let sections = builder.sections
        var reports: [WorkflowReport] = []
        let versions = Dictionary(grouping: sections.keys, by: \.id)
        for (workflow, keys) in versions.sorted(by: { $0.key < $1.key }) {
            let sorted = keys.map(\.version).sorted()
            let labels = Set(sorted.map { calendars(WorkflowKey(id: workflow, version: $0)).label })
            let layers = Set(sorted.map { calendars(WorkflowKey(id: workflow, version: $0)).layers })
            let days = Set(sorted.map { calendars(WorkflowKey(id: workflow, version: $0)).calendar.workingDayMicroseconds })
            let limits = Set(sorted.map { calendars(WorkflowKey(id: workflow, version: $0)).statutoryLimit })
            if sorted.count > 1 {
                // In version order, as the facts of all versions would have come.
                var all = Section()
                for version in sorted { all.merge(sections[WorkflowKey(id: workflow, version: version)]!) }
                // One limit for all versions only when they agree on it and on the working day.
                let first = calendars(WorkflowKey(id: workflow, version: sorted[0]))
                var report = all.report(
                    workflow: workflow, version: nil,
                    calendar: labels.count == 1 ? labels.first ?? "" : "varies by version",
                    layers: layers.count == 1 ? layers.first ?? [] : [],
                    workingDay: days.count == 1 ? days.first : nil, measure: scope.measure,
                    limit: limits.count == 1 && days.count == 1 ? first.statutoryLimit.map { ($0, first.calendar) } : nil)
                let covers = Set(sorted.map { (calendars(WorkflowKey(id: workflow, version: $0)).calendar as? BusinessCalendar)?.coverageDescription })
                report.calendarCovers = covers.count == 1 ? covers.first ?? nil : nil
                reports.append(report)
            }
            for version in sorted {
                guard let section = sections[WorkflowKey(id: workflow, version: version)] else { continue }
                let calendar = calendars(WorkflowKey(id: workflow, version: version))
                var report = section.report(
                    workflow: workflow, version: version, calendar: calendar.label, layers: calendar.layers,
                    workingDay: calendar.calendar.workingDayMicroseconds, measure: scope.measure,
                    limit: calendar.statutoryLimit.map { ($0, calendar.calendar) })
                report.calendarCovers = (calendar.calendar as? BusinessCalendar)?.coverageDescription
                reports.append(report)
            }
        }
        return ProcessReport(scope: scope, workflows: reports)
    }
}

private func seconds(_ microseconds: Int64) -> Double { Double(microseconds) / 1_000_000 }

extension BinaryInteger {
    fileprivate func dividedRoundingDown(by divisor: Self) -> Self {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    fileprivate func modulo(_ divisor: Self) -> Self {
        let r = self % divisor
        return r < 0 ? r + divisor : r
    }
}

/// An instant in a workflow's time zone, as the week charts and the arrival heat map count it.
struct LocalTime {
    /// The day number (days since 1970-01-01) of the week's Monday.
    var week: Int
    /// 0 = Monday ... 6 = Sunday.
    var weekday: Int
    /// 0...23.
    var hour: Int
}

struct WeekCounts {
    var opened = 0
    var decided = 0
    var breaches = 0
}

struct StayKey: Hashable, Comparable {
    var state: String
    var region: String?
    var branch: String?

    static func < (a: StayKey, b: StayKey) -> Bool {
        // Case-level states first, then branch states by region and branch.
        (a.region ?? "", a.branch ?? "", a.state) < (b.region ?? "", b.branch ?? "", b.state)
    }

    var label: String { [region, branch, state].compactMap { $0 }.joined(separator: "/") }
}

struct TransitionKey: Hashable {
    var from: String
    var to: String
    var region: String?
    var branch: String?
}

struct BreachKey: Hashable {
    var deadline: String
    var state: String
    var region: String?
    var branch: String?
}

/// The breaches of one deadline in one state, and how many cases they hit (each case's first
/// breach of the group, ``BreachFact/firstInCase``: a case belongs to one cohort, so counts of
/// separate cohorts add up, and no set of case ids is needed).
struct BreachGroup {
    var count = 0
    var cases = 0

    mutating func add(_ fact: BreachFact) {
        count += 1
        if fact.firstInCase { cases += 1 }
    }

    mutating func merge(_ other: BreachGroup) {
        count += other.count
        cases += other.cases
    }
}

/// Sums and samples of one dwell group.
struct DwellAccumulator {
    var values: [Int64] = []
    var waiting = MicrosecondSum()
    var work = MicrosecondSum()
    var split = 0

    /// A stay of `value`, of which `waited` before its work started (`nil`: no work start).
    mutating func add(_ value: Int64, waited: Int64?) {
        values.append(value)
        if let waited {
            waiting.add(waited)
            work.add(value - waited)
            split += 1
        }
    }

    mutating func merge(_ other: DwellAccumulator) {
        values += other.values
        waiting.add(other.waiting)
        work.add(other.work)
        split += other.split
    }
}

/// What a report gathers about one state (or branch state): its stays' dwell, and its part of
/// the cases' time for the ranking. One dictionary entry for both: a report adds millions of stays.
struct StayGroup {
    var dwell = DwellAccumulator()
    /// `nil` until a stay counts towards the ranking (a parallel state's own stay may not).
    var ranked: Ranked?

    /// A stay of `value` (`waited` before its work started), counting `caseTime` of the cases'
    /// time in the ranking (`nil`: not ranked).
    mutating func add(_ value: Int64, waited: Int64?, caseTime: Int64?) {
        dwell.add(value, waited: waited)
        if let caseTime {
            if ranked == nil { ranked = Ranked() }
            ranked!.add(caseTime)
        }
    }

    mutating func merge(_ other: StayGroup) {
        dwell.merge(other.dwell)
        if let theirs = other.ranked { ranked = (ranked ?? Ranked()).merged(theirs) }
    }
}

struct Ranked {
    var total = MicrosecondSum()
    var stays = 0

    mutating func add(_ value: Int64) {
        total.add(value)
        stays += 1
    }

    func merged(_ other: Ranked) -> Ranked {
        var result = self
        result.total.add(other.total)
        result.stays += other.stays
        return result
    }
}

struct CaseAccumulator {
    var counts = CaseCounts()
    var decision: [Int64] = []

    mutating func add(outcome: String) {
        counts.opened += 1
        switch outcome {
        case "approved": counts.approved += 1
        case "rejected": counts.rejected += 1
        default: counts.otherOutcomes[outcome, default: 0] += 1
        }
    }

    mutating func addOpen() {
        counts.opened += 1
        counts.open += 1
    }

    mutating func merge(_ other: CaseAccumulator) {
        counts.opened += other.counts.opened
        counts.approved += other.counts.approved
        counts.rejected += other.counts.rejected
        counts.otherOutcomes.merge(other.counts.otherOutcomes, uniquingKeysWith: +)
        counts.open += other.counts.open
        decision += other.decision
    }
}

/// Everything one report section accumulates.
struct Section {
    /// Whether nothing was added: no decided case, stay, transition, breach or open case.
    var holdsNoFact: Bool {
        decidedCases == 0 && stays.isEmpty && transitions.isEmpty && breaches.isEmpty && open.isEmpty
    }

    var cases = CaseAccumulator()
    var approval: [[Int64]] = [[], [], []]
    var decision: [[Int64]] = [[], [], []]
    /// Dwell and the state ranking. The rankings add up each stay's part of the cases' time
    /// (``StayFact/caseTime``).
    var stays: [StayKey: StayGroup] = [:]
    var departments: [String?: Ranked] = [:]
    var roles: [String?: Ranked] = [:]
    var transitions: [TransitionKey: [Int64]] = [:]
    var rounds: [Int: Int] = [:]
    var breaches: [BreachKey: BreachGroup] = [:]
    var decidedCases = 0
    /// Approved cases whose statutory clock ran: wall-clock time it ran (a limit in days).
    var approvalStatutoryWall: [Int64] = []
    /// Approved cases that closed before their statutory clock started.
    var approvedClockNotStarted = 0
    var stops = 0
    var stoppedWall: [Int64] = []
    var stoppedWorking: [Int64] = []
    var open: [OpenCaseRow] = []
    /// Decided cases whose figures need dates the calendar does not cover.
    var provisionalCases: [String] = []
    var channels: [String?: CaseAccumulator] = [:]
    var weeks: [Int: WeekCounts] = [:]
    var arrivals = ArrivalCounts.empty

    static let measures: [TimeMeasure] = [.wall, .working, .statutory]

    /// Adds what `other` gathered, as if its facts had been added after this one's.
    mutating func merge(_ other: Section) {
        cases.merge(other.cases)
        for i in approval.indices { approval[i] += other.approval[i] }
        for i in decision.indices { decision[i] += other.decision[i] }
        stays.merge(other.stays) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        departments.merge(other.departments) { $0.merged($1) }
        roles.merge(other.roles) { $0.merged($1) }
        transitions.merge(other.transitions, uniquingKeysWith: +)
        rounds.merge(other.rounds, uniquingKeysWith: +)
        breaches.merge(other.breaches) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        decidedCases += other.decidedCases
        approvalStatutoryWall += other.approvalStatutoryWall
        approvedClockNotStarted += other.approvedClockNotStarted
        stops += other.stops
        stoppedWall += other.stoppedWall
        stoppedWorking += other.stoppedWorking
        open += other.open
        provisionalCases += other.provisionalCases
        channels.merge(other.channels) { mine, theirs in
            var merged = mine
            merged.merge(theirs)
            return merged
        }
        weeks.merge(other.weeks) { WeekCounts(opened: $0.opened + $1.opened, decided: $0.decided + $1.decided, breaches: $0.breaches + $1.breaches) }
        for day in arrivals.indices {
            for hour in arrivals[day].indices { arrivals[day][hour] += other.arrivals[day][hour] }
        }
    }

    mutating func add(_ fact: CaseFact, measure: TimeMeasure) {
        cases.add(outcome: fact.outcome)
        // Statutory time is only about cases whose statutory clock started: one that closed before
        // it did (withdrawn before acceptance) was never subject to the limit.
        let clockStarted = fact.statutoryStartedAt != nil
        for (i, measure) in Self.measures.enumerated() where measure != .statutory || clockStarted {
            decision[i].append(fact.durations[measure])
            if fact.outcome == "approved" { approval[i].append(fact.durations[measure]) }
        }
        if fact.outcome == "approved" {
            if clockStarted { approvalStatutoryWall.append(fact.statutoryWall) } else { approvedClockNotStarted += 1 }
        }
        rounds[fact.sendBackRounds, default: 0] += 1
        decidedCases += 1
        if fact.clockStops > 0 {
            stops += fact.clockStops
            stoppedWall.append(fact.clockStoppedWall)
            stoppedWorking.append(fact.clockStoppedWorking)
        }
        channels[fact.channel, default: CaseAccumulator()].add(outcome: fact.outcome)
        if measure != .statutory || clockStarted { channels[fact.channel]?.decision.append(fact.durations[measure]) }
    }

    mutating func count(opened: LocalTime) {
        weeks[opened.week, default: WeekCounts()].opened += 1
        arrivals[opened.weekday][opened.hour] += 1
    }

    mutating func add(_ fact: StayFact, measure: TimeMeasure) {
        let value = fact.durations[measure]
        let key = StayKey(state: fact.state, region: fact.region, branch: fact.branch)
        // The rankings count each stay's part of the cases' time, so that the same time is not
        // counted twice: branches running together share it, and a parallel state's own stay only
        // counts the time none of its branches ran (normally none: it is then left out).
        let caseTime = fact.caseTime
        let ranks = !(fact.attributed != nil && fact.region == nil && caseTime.wall == 0)
        // One look-up of the state's group per stay (a report adds millions).
        stays[key, default: StayGroup()].add(value, waited: fact.waiting.map { min($0[measure], value) },
                                              caseTime: ranks ? caseTime[measure] : nil)
        guard ranks else { return }
        departments[fact.department, default: Ranked()].add(caseTime[measure])
        roles[fact.role, default: Ranked()].add(caseTime[measure])
    }

    mutating func add(_ fact: TransitionFact, measure: TimeMeasure) {
        transitions[TransitionKey(from: fact.from, to: fact.to, region: fact.region, branch: fact.branch), default: []]
            .append(fact.durations[measure])
    }

    mutating func add(_ fact: BreachFact) {
        let key = BreachKey(deadline: fact.deadline, state: fact.state, region: fact.region, branch: fact.branch)
        breaches[key, default: BreachGroup()].add(fact)
    }

    mutating func add(open row: OpenCaseRow, rounds caseRounds: Int, channel: String?) {
        cases.addOpen()
        rounds[caseRounds, default: 0] += 1
        open.append(row)
        channels[channel, default: CaseAccumulator()].addOpen()
    }

    func report(workflow: String, version: Int?, calendar: String, layers: [CalendarVersion], workingDay: Int64?,
                measure: TimeMeasure, limit: (TimeLimit, any WorkingTimeCalendar)?) -> WorkflowReport {
        func summaries(_ values: [[Int64]]) -> MeasuredSummaries {
            MeasuredSummaries(
                wall: DurationSummary(microseconds: values[0]), working: DurationSummary(microseconds: values[1]),
                statutory: DurationSummary(microseconds: values[2]))
        }
        let dwellRows = stays.sorted { $0.key < $1.key }.map { key, group in
            let acc = group.dwell
            return DwellRow(state: key.state, region: key.region, branch: key.branch, summary: DurationSummary(microseconds: acc.values),
                            waiting: acc.waiting.seconds, work: acc.work.seconds, splitStays: acc.split)
        }
        let states = stays.compactMapValues(\.ranked)
        // Shares are of the cases' time, which every ranking adds up in full (each stay's part once).
        // Exact: a sum of doubles would depend on the dictionary's order, which differs from run
        // to run, and the shares would change in their last digit.
        let grandTotal = states.values.reduce(into: MicrosecondSum()) { $0.add($1.total) }.microseconds
        func share(_ total: MicrosecondSum) -> Double { grandTotal > 0 ? total.microseconds / grandTotal : 0 }
        func ranked(_ groups: [(name: String?, ranked: Ranked)]) -> [RankedRow] {
            groups.map { name, r in
                RankedRow(name: name, total: r.total.seconds, share: share(r.total), stays: r.stays,
                          mean: r.stays > 0 ? r.total.seconds / Double(r.stays) : nil)
            }.sorted { ($0.total, $1.name ?? "") > ($1.total, $0.name ?? "") }
        }
        func ranked(_ groups: [String?: Ranked]) -> [RankedRow] { ranked(groups.map { ($0.key, $0.value) }) }
        let stateRanking = ranked(states.map { ($0.key.label, $0.value) })

        let transitionRows = transitions.map { key, values in
            TransitionRow(from: key.from, to: key.to, region: key.region, branch: key.branch, summary: DurationSummary(microseconds: values))
        }.sorted { a, b in
            (b.summary.count, a.region ?? "", a.branch ?? "", a.from, a.to) < (a.summary.count, b.region ?? "", b.branch ?? "", b.from, b.to)
        }

        let caseCount = rounds.values.reduce(0, +)
        let sentBack = rounds.filter { $0.key > 0 }.values.reduce(0, +)
        let totalRounds = rounds.reduce(0) { $0 + $1.key * $1.value }
        let rework = Rework(
            cases: caseCount, casesSentBack: sentBack, share: caseCount > 0 ? Double(sentBack) / Double(caseCount) : 0,
            rounds: totalRounds, meanRounds: caseCount > 0 ? Double(totalRounds) / Double(caseCount) : nil,
            maxRounds: rounds.keys.max() ?? 0,
            histogram: rounds.sorted { $0.key < $1.key }.map { RoundCount(rounds: $0.key, cases: $0.value) })

        let breachRows = breaches.map { key, value in
            BreachRow(deadline: key.deadline, state: key.state, region: key.region, branch: key.branch,
                      breaches: value.count, cases: value.cases)
        }.sorted { a, b in (b.breaches, a.deadline, a.label) < (a.breaches, b.deadline, b.label) }

        let openRows = open.sorted { a, b in
            if a.overdue != b.overdue { return a.overdue }
            if a.age != b.age { return a.age > b.age }
            return a.caseID < b.caseID
        }

        let channelRows = channels.map { channel, acc in
            ChannelRow(channel: channel, cases: acc.counts, timeToDecision: DurationSummary(microseconds: acc.decision))
        }.sorted { ($0.cases.opened, $1.channel ?? "") > ($1.cases.opened, $0.channel ?? "") }

        // The statutory limit, on the clock it is stated in: working time without stopped clocks,
        // or the wall clock for a limit in days, hours or minutes.
        var limitFigures: StatutoryLimitFigures?
        if let limit {
            let (limit, limitCalendar) = limit
            // Measured as the engine's deadline runs: from the clock's start (`starts_on`), less its
            // stops; in working time, or for days, hours and minutes in wall-clock time.
            let clock: TimeMeasure = limit.isWorkingTime ? .statutory : .wall
            let bound = limit.microseconds(on: limitCalendar)
            let values = clock == .wall ? approvalStatutoryWall : approval[2]
            let within = values.reduce(0) { $0 + ($1 <= bound ? 1 : 0) }
            limitFigures = StatutoryLimitFigures(
                within: limit.description, seconds: seconds(bound), clock: clock, approved: values.count, approvedWithin: within,
                share: values.isEmpty ? 0 : Double(within) / Double(values.count), approvedClockNotStarted: approvedClockNotStarted)
        }
        let day = seconds(workingDay ?? 86_400_000_000)
        func histogram(_ index: Int, _ clock: TimeMeasure) -> DurationHistogram {
            DurationHistogram(microseconds: approval[index], unit: clock == .wall ? 86_400 : day,
                              atLeast: limitFigures.map { $0.clock == clock || ($0.clock == .statutory && clock == .working) ? $0.seconds * 1.05 : 0 } ?? 0)
        }
        let histograms = MeasuredHistograms(wall: histogram(0, .wall), working: histogram(1, .working), statutory: histogram(2, .statutory))
        var weekRows: [WeekRow] = []
        if let first = weeks.keys.min(), let last = weeks.keys.max() {
            for monday in stride(from: first, through: last, by: 7) {
                let w = weeks[monday] ?? WeekCounts()
                weekRows.append(WeekRow(week: CalendarDate(daysSinceEpoch: monday).description, opened: w.opened, decided: w.decided,
                                        breaches: w.breaches))
            }
        }

        var report = WorkflowReport(
            workflow: workflow, version: version, calendar: calendar, calendarLayers: layers,
            workingDaySeconds: workingDay.map(seconds), cases: cases.counts,
            timeToApproval: summaries(approval), timeToDecision: summaries(decision),
            dwell: dwellRows,
            bottlenecks: Bottlenecks(states: stateRanking, departments: ranked(departments), roles: ranked(roles)),
            transitions: transitionRows, rework: rework, breaches: breachRows,
            clockStops: ClockStopFigures(
                decidedCases: decidedCases, casesStopped: stoppedWall.count, stops: stops,
                wall: DurationSummary(microseconds: stoppedWall), working: DurationSummary(microseconds: stoppedWorking)),
            openCases: openRows, channels: channelRows,
            approvalHistograms: histograms, statutoryLimit: limitFigures, weeks: weekRows, arrivals: arrivals)
        report.provisionalCases = provisionalCases.sorted()
        return report
    }
}
