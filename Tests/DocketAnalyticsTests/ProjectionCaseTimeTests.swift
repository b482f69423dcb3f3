import DocketAnalytics
import DocketCore
import Foundation
import Testing

/// Parallel states in the rankings (each moment of a case counted once) and the statutory clock
/// started by `starts_on` (as the engine's statutory deadline starts it).
@Suite struct ProjectionCaseTimeTests {
    // MARK: Parallel states

    /// Folds `history` and builds the report of everything it produced.
    func report(_ history: History, measure: TimeMeasure = .wall, asOf: String = "2020-03-09T12:00:00Z",
                limit: TimeLimit? = nil) -> ProcessReport {
        let (facts, fold) = history.fold()
        let calendar = history.context.calendar
        let startsOn = history.context.definition.statutoryLimit?.startsOn ?? []
        var builder = ReportBuilder(scope: ReportScope(measure: measure, asOf: at(asOf)), calendars: { _ in
            WorkflowCalendar(calendar: calendar, label: "test calendar", statutoryLimit: limit, statutoryStartsOn: startsOn)
        })
        for fact in facts { builder.add(fact) }
        for progress in fold.openCases.values { builder.add(progress.summary) }
        return builder.build()
    }

    /// `jointYAML` with the parallel state's own department removed.
    let jointWithoutCentre = jointYAML.replacingOccurrences(of: "  verification:\n    department: centre\n", with: "  verification:\n")

    /// Verification 01:00-07:00: environment passes at 03:00, health at 05:00, fire at 07:00.
    func parallel(_ yaml: String) throws -> History {
        var history = try History(yaml)
        try history.open("J-1", at: "2020-03-02T00:00:00Z")
        try history.fire("J-1", "verify", as: "clerk", at: "2020-03-02T01:00:00Z")
        try history.fire("J-1", "pass", by: "eva", as: "environment_inspector", at: "2020-03-02T03:00:00Z")
        try history.fire("J-1", "pass", by: "hu", as: "health_inspector", at: "2020-03-02T05:00:00Z")
        try history.fire("J-1", "pass", by: "fei", as: "fire_inspector", at: "2020-03-02T07:00:00Z")
        try history.fire("J-1", "approve", by: "dan", as: "approver", at: "2020-03-02T09:00:00Z")
        return history
    }

    @Test func branchesRunningTogetherShareTheirTimeEqually() throws {
        let stays = try parallel(jointYAML).fold().facts.stays
        let branches = stays.filter { $0.branch != nil }
        #expect(branches.map(\.branch) == ["environment", "health", "fire"])
        // 01-03 three run (40 min each), 03-05 two (1 h each), 05-07 fire alone.
        #expect(branches.map(\.caseTime.wall) == [minutes(40), minutes(100), minutes(220)])
        // Their own stays are unchanged: dwell is per state.
        #expect(branches.map(\.durations.wall) == [hours(2), hours(4), hours(6)])
        let verification = try #require(stays.first { $0.state == "verification" })
        #expect(verification.attributed == .zero)
        let shared = branches.reduce(Durations.zero) { $0 + $1.caseTime }
        #expect(shared == verification.durations)
        // Stays outside the parallel state account for all their time.
        #expect(stays.filter { $0.branch == nil && $0.state != "verification" }.allSatisfy { $0.attributed == nil })
    }

    @Test func sharesAreExactToTheMicrosecond() {
        let time = Durations(wall: 10, working: 7, statutory: 2)
        let parts = time.split(into: 3)
        #expect(parts.map(\.wall) == [4, 3, 3])
        #expect(parts.map(\.working) == [3, 2, 2])
        #expect(parts.map(\.statutory) == [1, 1, 0])
        #expect(parts.reduce(Durations.zero, +) == time)
    }

    @Test func aParallelStateWithoutADepartmentIsShownAsItsBranches() throws {
        var history = try parallel(jointWithoutCentre)
        try history.open("J-2", at: "2020-03-02T00:00:00Z")
        try history.fire("J-2", "verify", as: "clerk", at: "2020-03-02T01:00:00Z")
        let (facts, fold) = history.fold()
        let verification = try #require(facts.stays.first { $0.state == "verification" })
        #expect(verification.department == "health ∥ environment ∥ fire")
        #expect(facts.transitions.first { $0.from == "verification" }?.department == "health ∥ environment ∥ fire")
        // Department parties stay the real departments, for `--department`.
        #expect(!facts.parties.contains { $0.value.contains("∥") })
        let open = try #require(report(history).workflows.first?.openCases.first { $0.caseID == "J-2" })
        #expect(open.department == "health ∥ environment ∥ fire")
        #expect(fold.openCases["J-2"]?.current.departmentShown == "health ∥ environment ∥ fire")
    }

    @Test(arguments: [TimeMeasure.wall, .working, .statutory])
    func rankingsAddUpToAllOfTheCasesTimeOnce(_ measure: TimeMeasure) throws {
        var history = try parallel(jointWithoutCentre)
        // A second case leaves the parallel state early: its running branches are cancelled.
        try history.open("J-2", at: "2020-03-03T00:00:00Z")
        try history.fire("J-2", "verify", as: "clerk", at: "2020-03-03T01:00:00Z")
        try history.fire("J-2", "pass", by: "eva", as: "environment_inspector", at: "2020-03-03T02:00:00Z")
        try history.fire("J-2", "withdraw", by: "ann", as: "clerk", at: "2020-03-03T04:30:00Z")
        let section = try #require(report(history, measure: measure).workflows.first)
        let decided = section.timeToDecision[measure].total
        for (name, ranking) in [("states", section.bottlenecks.states), ("departments", section.bottlenecks.departments),
                                ("roles", section.bottlenecks.roles)] {
            #expect(abs(ranking.reduce(0) { $0 + $1.share } - 1) < 1e-12, "\(name)")
            #expect(abs(ranking.reduce(0) { $0 + $1.total } - decided) < 1e-6, "\(name)")
        }
        #expect(section.bottlenecks.departments.allSatisfy { $0.name != nil })
        #expect(!section.bottlenecks.states.contains { $0.name == "verification" })
        if measure == .wall {
            // fire 3 h 40 + 1 h 35 (J-2: 01-02 a third, then half until 04:30), health 1 h 40 + 1 h 35,
            // window and centre (decision) 2 h each, environment 40 + 20 min.
            #expect(section.bottlenecks.departments.map(\.name) == ["fire", "health", "centre", "window", "environment"])
            #expect(section.bottlenecks.departments.map(\.total) == [315.0, 195, 120, 120, 60].map { seconds(hours: $0 / 60) })
        }
    }

    // MARK: The statutory clock's start

    /// One working day (09:00-17:00) from acceptance, on either way of accepting; `fast_track`
    /// approves without accepting (the clock never starts: `validate` warns of the path).
    static let startsOnYAML = """
    workflow: starts-on
    version: 1
    roles: [clerk, applicant, approver]
    statutory_limit:
      within: 1 working days
      starts_on: [accept, accept_on_commitment]
    states:
      submitted: { initial: true, department: window }
      waiting:   { department: applicant, stops_clock: true }
      review:    { department: licensing }
      approved:  { final: true, outcome: approved }
      withdrawn: { final: true, outcome: withdrawn }
    transitions:
      - { event: accept,               from: submitted, to: review,   roles: [clerk] }
      - { event: accept_on_commitment, from: submitted, to: waiting,  roles: [clerk] }
      - { event: supply,               from: waiting,   to: review,   roles: [applicant] }
      - { event: fast_track,           from: submitted, to: approved, roles: [approver] }
      - { event: approve,              from: review,    to: approved, roles: [approver] }
      - { event: withdraw,             from: submitted, to: withdrawn, roles: [applicant] }
    """

    /// Opened Monday 2020-03-02 10:00 each. S-1 accepted a day later and approved 5 working
    /// hours after; S-2 accepted on commitment a day later (the clock stops at once), materials
    /// Tuesday 16:00, approved Wednesday 12:00; S-3 accepted at once and approved 17 working hours
    /// later; S-4 approved without acceptance; S-5 withdrawn before it; S-6 still submitted.
    func startsOn() throws -> History {
        var history = try History(Self.startsOnYAML, calendar: NineToFiveCalendar())
        for id in ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6"] { try history.open(id, at: "2020-03-02T10:00:00Z") }
        try history.fire("S-3", "accept", as: "clerk", at: "2020-03-02T11:00:00Z")
        try history.fire("S-4", "fast_track", by: "dan", as: "approver", at: "2020-03-02T12:00:00Z")
        try history.fire("S-5", "withdraw", by: "ann", as: "applicant", at: "2020-03-02T13:00:00Z")
        try history.fire("S-1", "accept", as: "clerk", at: "2020-03-03T10:00:00Z")
        try history.fire("S-2", "accept_on_commitment", as: "clerk", at: "2020-03-03T10:00:00Z")
        try history.fire("S-1", "approve", by: "dan", as: "approver", at: "2020-03-03T15:00:00Z")
        try history.fire("S-2", "supply", by: "ann", as: "applicant", at: "2020-03-03T16:00:00Z")
        try history.fire("S-2", "approve", by: "dan", as: "approver", at: "2020-03-04T12:00:00Z")
        try history.fire("S-3", "approve", by: "dan", as: "approver", at: "2020-03-04T12:00:00Z")
        return history
    }

    @Test func statutoryTimeRunsFromTheFirstStartsOnEvent() throws {
        let decided = Dictionary(uniqueKeysWithValues: try startsOn().fold().facts.decided.map { ($0.caseID, $0) })
        let s1 = try #require(decided["S-1"])
        #expect(s1.statutoryStartedAt == at("2020-03-03T10:00:00Z"))
        // Monday 10-17 and Tuesday 9-15 are working time; only Tuesday 10-15 is statutory.
        #expect(s1.durations == Durations(wall: hours(29), working: hours(13), statutory: hours(5)))
        #expect(s1.statutoryWall == hours(5))
        let s2 = try #require(decided["S-2"])
        #expect(s2.statutoryStartedAt == at("2020-03-03T10:00:00Z"))
        // Stopped Tuesday 10-16: Tuesday 16-17 and Wednesday 9-12 count.
        #expect(s2.durations.statutory == hours(4))
        #expect(s2.statutoryWall == hours(20))  // Tuesday 16:00 to Wednesday 12:00
        #expect(decided["S-3"]?.durations.statutory == hours(17))
        #expect(decided["S-4"]?.statutoryStartedAt == nil)
        #expect(decided["S-4"]?.durations.statutory == 0)
        #expect(decided["S-5"]?.statutoryStartedAt == nil)
    }

    @Test func aStayBeforeTheClockStartedHasNoStatutoryTime() throws {
        let stays = try startsOn().fold().facts.stays.filter { $0.caseID == "S-1" }
        #expect(stays.map(\.state) == ["submitted", "review"])
        #expect(stays.map(\.durations.statutory) == [0, hours(5)])
        #expect(stays[0].durations.working == hours(8))
    }

    @Test func theStatutoryLimitCountsWhatTheEnginesDeadlineCounts() throws {
        let history = try startsOn()
        let limit = try #require(history.context.definition.statutoryLimit)
        let section = try #require(report(history, limit: limit.within).workflows.first)
        let figures = try #require(section.statutoryLimit)
        // S-1 (5 h) and S-2 (4 h) within one working day, S-3 (17 h) not; S-4 never started.
        #expect(figures.approved == 3)
        #expect(figures.approvedWithin == 2)
        #expect(figures.approvedClockNotStarted == 1)
        #expect(figures.share == 2.0 / 3.0)
        // The engine's deadline agrees, case by case: approved by its due time iff within.
        for id in ["S-1", "S-2", "S-3"] {
            let events = history.log.filter { $0.caseID == id }
            let beforeApproval = CaseState.replay(Array(events.dropLast()))
            let due = try #require(beforeApproval?.deadlines(in: history.context).first { $0.kind == .statutory }?.dueAt)
            let approvedAt = try #require(events.last?.occurredAt)
            let fact = try #require(history.fold().facts.decided.first { $0.caseID == id })
            #expect((approvedAt <= due) == (fact.durations.statutory <= limit.within.microseconds(on: history.context.calendar)), "\(id)")
        }
    }

    @Test func casesClosedBeforeTheirClockStartedHaveNoStatutoryTime() throws {
        let section = try #require(report(try startsOn()).workflows.first)
        #expect(section.timeToApproval.wall.count == 4)
        #expect(section.timeToApproval.statutory.count == 3)
        #expect(section.timeToDecision.wall.count == 5)
        #expect(section.timeToDecision.statutory.count == 3)
        #expect(section.timeToApproval.statutory.total == seconds(hours: 5 + 4 + 17))
        #expect(section.approvalHistograms.statutory.counts.reduce(0, +) == 3)
    }

    @Test func anOpenCaseBeforeItsClockStartedHasNoStatutoryAge() throws {
        let history = try startsOn()
        let asOf = "2020-03-03T12:00:00Z"
        let statutory = report(history, measure: .statutory, asOf: asOf).workflows.first?.openCases.first { $0.caseID == "S-6" }
        let working = report(history, measure: .working, asOf: asOf).workflows.first?.openCases.first { $0.caseID == "S-6" }
        #expect(statutory?.age == 0)
        #expect(working?.age == seconds(hours: 10))
    }

    @Test func foldingInTwoRunsKeepsTheClockStartAndTheShares() throws {
        var combined = try startsOn()
        combined.log += try parallel(jointWithoutCentre).log
        let log = combined.log
        let calendar = NineToFiveCalendar()
        let startsOn: (WorkflowKey) -> [String] = { $0.id == "starts-on" ? ["accept", "accept_on_commitment"] : [] }
        var whole = CaseFlowFold(calendars: { _ in calendar }, statutoryStartsOn: startsOn)
        var expected: [ProjectionFact] = []
        for (i, event) in log.enumerated() { whole.apply(event, position: Int64(i + 1), into: &expected) }
        #expect(expected.stays.contains { $0.attributed != nil })
        for split in 0...log.count {
            var first = CaseFlowFold(calendars: { _ in calendar }, statutoryStartsOn: startsOn)
            var facts: [ProjectionFact] = []
            for i in 0..<split { first.apply(log[i], position: Int64(i + 1), into: &facts) }
            let saved = try JSONEncoder().encode(Array(first.openCases.values))
            var second = CaseFlowFold(openCases: try JSONDecoder().decode([OpenCaseProgress].self, from: saved),
                                      calendars: { _ in calendar }, statutoryStartsOn: startsOn)
            for i in split..<log.count { second.apply(log[i], position: Int64(i + 1), into: &facts) }
            #expect(facts == expected, "split at \(split)")
        }
    }
}
