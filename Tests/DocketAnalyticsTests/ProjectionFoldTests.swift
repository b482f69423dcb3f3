import DocketAnalytics
import DocketCore
import Foundation
import Testing

/// The projection fold on hand-computed histories driven through the real engine.
@Suite struct ProjectionFoldTests {
    // MARK: Linear approval (09:00-17:00 calendar)

    /// Opened Monday 08:00, accepted 10:00, approved Tuesday 11:00.
    func linearApproval() throws -> History {
        var history = try History(permitCheckYAML, calendar: NineToFiveCalendar())
        try history.open("C-1", by: "ann", as: "clerk", channel: "online", at: "2020-03-02T08:00:00Z")
        try history.fire("C-1", "accept", by: "bob", as: "clerk", at: "2020-03-02T10:00:00Z")
        try history.fire("C-1", "approve", by: "dan", as: "approver", at: "2020-03-03T11:00:00Z")
        return history
    }

    @Test func linearApprovalStaysAreMeasuredOnWallAndWorkingClocks() throws {
        let stays = try linearApproval().fold().facts.stays
        #expect(stays.map(\.state) == ["submitted", "review"])
        // submitted 08:00-10:00: working only from 09:00.
        #expect(stays[0].durations == Durations(wall: hours(2), working: hours(1), statutory: hours(1)))
        // review Monday 10:00 to Tuesday 11:00: 7 working hours Monday, 2 on Tuesday.
        #expect(stays[1].durations == Durations(wall: hours(25), working: hours(9), statutory: hours(9)))
    }

    @Test func aStayIsHeldByTheRoleThatMovedTheCaseOn() throws {
        let stays = try linearApproval().fold().facts.stays
        #expect(stays.map(\.role) == ["clerk", "approver"])
        #expect(stays.map(\.department) == [nil, "licensing"])
    }

    @Test func linearApprovalDecidesTheCaseWithItsTimeToApproval() throws {
        let decided = try linearApproval().fold().facts.decided
        #expect(decided.count == 1)
        #expect(decided.first?.outcome == "approved")
        #expect(decided.first?.channel == "online")
        #expect(decided.first?.durations == Durations(wall: hours(27), working: hours(10), statutory: hours(10)))
    }

    @Test func transitionsCarryTheStayTheyEnded() throws {
        let transitions = try linearApproval().fold().facts.transitions
        #expect(transitions.map { "\($0.from)->\($0.to)" } == ["submitted->review", "review->approved"])
        #expect(transitions.map(\.durations.wall) == [hours(2), hours(25)])
        #expect(transitions.map(\.position) == [2, 3])
    }

    @Test func aDecidedCaseIsForgotten() throws {
        let fold = try linearApproval().fold().fold
        #expect(fold.openCases.isEmpty)
    }

    /// The fold holds each open case in a box of its own (memory); a copy of the fold must still
    /// be a value, as a `[String: OpenCaseProgress]` was.
    @Test func aCopyOfTheFoldKeepsItsOwnProgress() throws {
        let history = try linearApproval()
        let calendar = history.context.calendar
        var fold = CaseFlowFold(calendars: { _ in calendar })
        var facts: [ProjectionFact] = []
        for (offset, event) in history.log.prefix(2).enumerated() { fold.apply(event, position: Int64(offset + 1), into: &facts) }
        let before = fold.openCases["C-1"]
        let copy = fold
        fold.apply(history.log[2], position: 3, into: &facts)
        #expect(fold.openCases.isEmpty)
        #expect(copy.openCases["C-1"] == before)
        var other = copy
        other.apply(history.log[2], position: 3, into: &facts)
        #expect(copy.openCases["C-1"] == before)
        #expect(other.openCases.isEmpty)
    }

    // MARK: Parallel region with three branches

    /// Verification 01:00-07:00; health starts work at 02:00 and passes at 05:00, environment
    /// passes at 03:00, fire at 07:00 (the join); approved at 09:00.
    func parallel() throws -> History {
        var history = try History(jointYAML)
        try history.open("J-1", at: "2020-03-02T00:00:00Z")
        try history.fire("J-1", "verify", as: "clerk", at: "2020-03-02T01:00:00Z")
        try history.fire("J-1", "start_inspection", by: "hu", as: "health_inspector", at: "2020-03-02T02:00:00Z")
        try history.fire("J-1", "pass", by: "eva", as: "environment_inspector", at: "2020-03-02T03:00:00Z")
        try history.fire("J-1", "pass", by: "hu", as: "health_inspector", at: "2020-03-02T05:00:00Z")
        try history.fire("J-1", "pass", by: "fei", as: "fire_inspector", at: "2020-03-02T07:00:00Z")
        try history.fire("J-1", "approve", by: "dan", as: "approver", at: "2020-03-02T09:00:00Z")
        return history
    }

    @Test func eachBranchHasItsOwnStayWithItsDepartment() throws {
        let stays = try parallel().fold().facts.stays.filter { $0.branch != nil }
        #expect(stays.map(\.branch) == ["environment", "health", "fire"])
        #expect(stays.map(\.department) == ["environment", "health", "fire"])
        #expect(stays.map(\.region) == ["verification", "verification", "verification"])
        #expect(stays.map(\.durations.wall) == [hours(2), hours(4), hours(6)])
        #expect(stays.map(\.role) == ["environment_inspector", "health_inspector", "fire_inspector"])
    }

    @Test func aWorkStartSplitsTheStayIntoWaitingAndWork() throws {
        let stays = try parallel().fold().facts.stays
        let health = stays.first { $0.branch == "health" }
        #expect(health?.waiting?.wall == hours(1))
        #expect(health.map { ($0.durations - ($0.waiting ?? .zero)).wall } == hours(3))
        #expect(stays.first { $0.branch == "fire" }?.waiting == nil)
    }

    @Test func theRegionStayLastsUntilTheJoinAndNoPersonHeldIt() throws {
        let stays = try parallel().fold().facts.stays.filter { $0.branch == nil }
        #expect(stays.map(\.state) == ["received", "verification", "decision"])
        #expect(stays.map(\.durations.wall) == [hours(1), hours(6), hours(2)])
        #expect(stays[1].role == nil)
        #expect(stays[1].exit == "verified")
    }

    @Test func branchTransitionsAndTheJoinAreTransitions() throws {
        let transitions = try parallel().fold().facts.transitions
        #expect(transitions.map { [$0.branch ?? "-", $0.from, $0.to] } == [
            ["-", "received", "verification"],
            ["environment", "inspecting", "passed"],
            ["health", "inspecting", "passed"],
            ["fire", "inspecting", "passed"],
            ["-", "verification", "decision"],
            ["-", "decision", "approved"],
        ])
        #expect(transitions[4].trigger == "join")
        #expect(transitions[4].role == nil)
    }

    @Test func leavingTheRegionEarlyEndsRunningBranchesAsCancelled() throws {
        var history = try History(jointYAML)
        try history.open("J-2", at: "2020-03-02T00:00:00Z")
        try history.fire("J-2", "verify", as: "clerk", at: "2020-03-02T01:00:00Z")
        try history.fire("J-2", "pass", by: "eva", as: "environment_inspector", at: "2020-03-02T02:00:00Z")
        try history.fire("J-2", "withdraw", by: "ann", as: "clerk", at: "2020-03-02T04:00:00Z")
        let cancelled = history.fold().facts.stays.filter(\.cancelled)
        #expect(cancelled.map(\.branch) == ["health", "fire"])
        #expect(cancelled.map(\.durations.wall) == [hours(3), hours(3)])
        #expect(cancelled.map(\.exit) == [nil, nil])
    }

    @Test func departmentsEnteredAreRecordedOncePerCase() throws {
        let parties = try parallel().fold().facts.parties.filter { $0.kind == .department }
        #expect(parties.map(\.value) == ["window", "centre", "health", "environment", "fire"])
    }

    // MARK: Stopped clock (09:00-17:00 calendar)

    /// Monday 08:00 opened; 10:00 materials asked for (clock stops); 15:00 supplied (clock
    /// resumes); Tuesday 10:00 approved.
    func stoppedClock() throws -> History {
        var history = try History(tolerantYAML(), calendar: NineToFiveCalendar())
        try history.open("T-1", at: "2020-03-02T08:00:00Z")
        try history.fire("T-1", "ask_materials", as: "clerk", at: "2020-03-02T10:00:00Z")
        try history.fire("T-1", "supply", by: "ann", as: "applicant", documents: ["materials"], at: "2020-03-02T15:00:00Z")
        try history.fire("T-1", "approve", by: "dan", as: "approver", at: "2020-03-03T10:00:00Z")
        return history
    }

    @Test func statutoryTimeExcludesTheStoppedClock() throws {
        let decided = try stoppedClock().fold().facts.decided.first
        // 8 working hours Monday + 1 Tuesday; the clock stood still 10:00-15:00 (5 working hours).
        #expect(decided?.durations == Durations(wall: hours(26), working: hours(9), statutory: hours(4)))
        #expect(decided?.clockStops == 1)
        #expect(decided?.clockStoppedWall == hours(5))
        #expect(decided?.clockStoppedWorking == hours(5))
    }

    @Test func aStayInAClockStoppingStateHasNoStatutoryTime() throws {
        let stays = try stoppedClock().fold().facts.stays
        #expect(stays.map(\.state) == ["review", "waiting", "review"])
        #expect(stays.map(\.durations) == [
            Durations(wall: hours(2), working: hours(1), statutory: hours(1)),
            Durations(wall: hours(5), working: hours(5), statutory: 0),
            Durations(wall: hours(19), working: hours(3), statutory: hours(3)),
        ])
    }

    // MARK: Send-back

    @Test func sendBackRoundsAreCountedPerCase() throws {
        var history = try History(tolerantYAML())
        try history.open("S-1", at: "2020-03-02T00:00:00Z")
        try history.fire("S-1", "send_back", as: "clerk", reason: "stamp missing", at: "2020-03-02T01:00:00Z")
        try history.fire("S-1", "resubmit", by: "ann", as: "applicant", at: "2020-03-02T02:00:00Z")
        try history.fire("S-1", "send_back", as: "clerk", reason: "wrong form", at: "2020-03-02T03:00:00Z")
        try history.fire("S-1", "resubmit", by: "ann", as: "applicant", at: "2020-03-02T04:00:00Z")
        try history.fire("S-1", "approve", by: "dan", as: "approver", at: "2020-03-02T05:00:00Z")
        let facts = history.fold().facts
        #expect(facts.decided.first?.sendBackRounds == 2)
        #expect(facts.transitions.compactMap(\.sendBackRound) == [1, 2])
    }

    // MARK: Overdue

    /// Review has a 2-hour limit; tick at 03:00 records the breach due at 02:00.
    func overdue() throws -> History {
        var history = try History(tolerantYAML(limit: "2 hours"))
        try history.open("O-1", at: "2020-03-02T00:00:00Z")
        try history.tick("O-1", at: "2020-03-02T03:00:00Z")
        return history
    }

    @Test func aRecordedBreachMakesTheOpenCaseOverdueSinceItsDueTime() throws {
        let progress = try overdue().fold().fold.openCases["O-1"]
        #expect(progress?.isOverdue == true)
        #expect(progress?.overdueSince == at("2020-03-02T02:00:00Z"))
    }

    @Test func aBreachIsAFactOfItsStateAndDepartment() throws {
        let breaches = try overdue().fold().facts.breaches
        #expect(breaches.count == 1)
        #expect(breaches.first?.deadline == "state")
        #expect(breaches.first?.state == "review")
        #expect(breaches.first?.department == "licensing")
        #expect(breaches.first?.dueAt == at("2020-03-02T02:00:00Z"))
    }

    @Test func theBreachedStayAndTheCaseRememberTheBreach() throws {
        var history = try overdue()
        try history.fire("O-1", "approve", by: "dan", as: "approver", at: "2020-03-02T04:00:00Z")
        let facts = history.fold().facts
        #expect(facts.stays.map(\.breached) == [true])
        #expect(facts.decided.first?.breaches == 1)
    }

    // MARK: Votes

    @Test func aStayDecidedByAVoteIsHeldByTheVotersRole() throws {
        var history = try History(panelYAML)
        try history.open("P-1", at: "2020-03-02T00:00:00Z")
        try history.fire("P-1", "convene", as: "clerk", at: "2020-03-02T01:00:00Z")
        try history.vote("P-1", .approve, by: "e1", at: "2020-03-02T02:00:00Z")
        try history.vote("P-1", .approve, by: "e2", at: "2020-03-02T03:00:00Z")
        let stays = history.fold().facts.stays
        #expect(stays.last?.state == "review")
        #expect(stays.last?.role == "expert")
        #expect(stays.last?.exit == "certify")
    }

    // MARK: Resuming

    @Test func foldingInTwoRunsWithPersistedProgressEmitsTheSameFacts() throws {
        var combined = try parallel()
        let others = try stoppedClock().log + overdue().log + linearApproval().log
        combined.log += others  // interleaving across workflows is fine: the fold is per case
        let log = combined.log
        let calendar = NineToFiveCalendar()
        var whole = CaseFlowFold(calendars: { _ in calendar })
        var expected: [ProjectionFact] = []
        for (i, event) in log.enumerated() { whole.apply(event, position: Int64(i + 1), into: &expected) }

        for split in 0...log.count {
            var first = CaseFlowFold(calendars: { _ in calendar })
            var facts: [ProjectionFact] = []
            for i in 0..<split { first.apply(log[i], position: Int64(i + 1), into: &facts) }
            let saved = try JSONEncoder().encode(Array(first.openCases.values))
            var second = CaseFlowFold(openCases: try JSONDecoder().decode([OpenCaseProgress].self, from: saved),
                                      calendars: { _ in calendar })
            for i in split..<log.count { second.apply(log[i], position: Int64(i + 1), into: &facts) }
            #expect(facts == expected, "split at \(split)")
            #expect(second.openCases == whole.openCases, "split at \(split)")
        }
    }

    // MARK: Robustness

    @Test func eventsOfACaseNeverOpenedAreCountedAndSkipped() throws {
        let log = try linearApproval().log
        var fold = CaseFlowFold(calendars: { _ in AlwaysWorkingCalendar() })
        var facts: [ProjectionFact] = []
        for (i, event) in log.dropFirst().enumerated() { fold.apply(event, position: Int64(i + 2), into: &facts) }
        #expect(fold.ignoredEvents == 2)
        #expect(facts.isEmpty)
    }

    @Test func eachWorkflowVersionsCalendarIsAskedForOnce() throws {
        let log = try linearApproval().log + stoppedClock().log
        var asked: [WorkflowKey] = []
        var fold = CaseFlowFold(calendars: { key in
            asked.append(key)
            return AlwaysWorkingCalendar()
        })
        var facts: [ProjectionFact] = []
        for (i, event) in log.enumerated() { fold.apply(event, position: Int64(i + 1), into: &facts) }
        #expect(asked == [WorkflowKey(id: "permit-check", version: 1), WorkflowKey(id: "tolerant", version: 1)])
    }
}

/// The fold's shared lists of names: one copy of each list many open cases hold, and a bound on
/// how many it keeps.
@Suite struct SharedListsTests {
    private func storage(_ list: [String]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func anEqualListComesBackAsTheOneKept() {
        let lists = SharedLists()
        let first = lists.shared(["fire", "health"])
        let second = lists.shared(["fire"] + ["health"])
        #expect(second == ["fire", "health"])
        #expect(storage(second) == storage(first))
        #expect(storage(lists.shared(["fire"])) != storage(first))
    }

    @Test func pastTheLimitNewListsAreNotKept() {
        let lists = SharedLists()
        for n in 0..<SharedLists.limit { _ = lists.shared(["role-\(n)"]) }
        let late = lists.shared(["late"])
        let again = lists.shared(["la"] .map { $0 + "te" })
        #expect(again == ["late"])
        #expect(storage(again) != storage(late))
        // The lists kept before the limit are still shared.
        let kept = lists.shared(["role-7"])
        #expect(storage(lists.shared(["role-" + "7"])) == storage(kept))
    }
}
