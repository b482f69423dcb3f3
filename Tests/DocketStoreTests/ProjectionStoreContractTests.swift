import DocketAnalytics
import DocketCore
import DocketPostgres
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What every ``ProjectionStore`` promises. Each test runs against every implementation; a new
/// implementation joins by adding a case to ``ProjectionStoreKind``.
@Suite("ProjectionStore contract")
struct ProjectionStoreContractTests {
    // MARK: Creating

    @Test(arguments: ProjectionStoreKind.allCases)
    func aNewProjectionDoesNotExistAndHoldsNothing(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        try fixture.projections.read { tables throws in
            #expect(try tables.installedVersion() == nil)
            #expect(try tables.checkpoint() == 0)
            #expect(try tables.contents() == ProjectionContents())
            #expect(try tables.openCaseCount() == 0)
            #expect(try tables.openCaseIDs(workflowID: nil).isEmpty)
            #expect(try tables.recordedCalendars().isEmpty)
        }
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func recreateCreatesAnEmptyProjectionAtTheCurrentVersion(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 2)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert(Facts.all)
            try tables.saveCheckpoint(2)
        }
        #expect(try fixture.projections.read { try $0.installedVersion() } == ProjectionSchema.version)
        try fixture.projections.write { try $0.recreate() }
        try fixture.projections.read { tables throws in
            #expect(try tables.installedVersion() == ProjectionSchema.version)
            #expect(try tables.contents() == ProjectionContents())
            #expect(try tables.checkpoint() == 2)  // the checkpoint is the caller's to reset
        }
    }

    // MARK: Writing and reading back

    @Test(arguments: ProjectionStoreKind.allCases)
    func factsReadBackInLogOrder(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert(Facts.all)
        }
        let contents = try fixture.projections.read { try $0.contents() }
        #expect(contents.stays == [Facts.stayA, Facts.stayA2, Facts.stayB])
        #expect(contents.transitions == [Facts.transitionA, Facts.transitionB])
        #expect(contents.breaches == [Facts.breachB])
        #expect(contents.cases == [Facts.caseA])
        #expect(contents.parties == [
            PartyFact(caseID: "A", kind: .department, value: "licensing"),
            PartyFact(caseID: "B", kind: .department, value: "licensing"),
            PartyFact(caseID: "B", kind: .onBehalfOf, value: "beth"),
            PartyFact(caseID: "A", kind: .role, value: "approver"),
        ])
    }

    /// A correction makes the fold start a case again: its facts are forgotten, every other case's kept.
    @Test(arguments: ProjectionStoreKind.allCases)
    func deletingACasesFactsLeavesTheOthers(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert(Facts.all)
            try tables.deleteFacts(of: ["A", "nosuch"])
        }
        let contents = try fixture.projections.read { try $0.contents() }
        #expect(contents.stays == [Facts.stayB])
        #expect(contents.transitions == [Facts.transitionB])
        #expect(contents.breaches == [Facts.breachB])
        #expect(contents.cases.isEmpty)
        #expect(contents.parties.allSatisfy { $0.caseID == "B" } && contents.parties.count == 2)
        // Folded again, the case's facts come back.
        try fixture.projections.write { try $0.insert([.stay(Facts.stayA), .decided(Facts.caseA)]) }
        #expect(try fixture.projections.read { try $0.contents() }.cases == [Facts.caseA])
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func aDecidedCaseIsKeptOnceAndAPartyOnce(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        var later = Facts.caseA
        later.outcome = "rejected"
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert([.decided(Facts.caseA), .party(Facts.partyA)])
        }
        try fixture.projections.write { try $0.insert([.decided(later), .party(Facts.partyA)]) }
        let contents = try fixture.projections.read { try $0.contents() }
        #expect(contents.cases == [Facts.caseA])
        #expect(contents.parties == [Facts.partyA])
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func openCasesAreSavedReplacedAndForgotten(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 3)
        let encoder = ProgressEncoder()
        var b2 = Facts.progress("B")
        b2.breaches = 2
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.saveOpenCases(try ["A", "B", "C"].map { OpenCaseUpdate(caseID: $0, progress: try encoder.encode(Facts.progress($0))) })
        }
        try fixture.projections.write { tables throws in
            try tables.saveOpenCases([
                OpenCaseUpdate(caseID: "A", progress: nil), OpenCaseUpdate(caseID: "B", progress: try encoder.encode(b2)),
            ])
        }
        try fixture.projections.read { tables throws in
            #expect(try tables.openCaseCount() == 2)
            #expect(try tables.contents().openCases == [b2, Facts.progress("C")])
            let asked = try tables.openCaseProgress(of: ["A", "B", "Z"])
            #expect(asked == [b2])
            #expect(try tables.openCaseProgress(of: []).isEmpty)
        }
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func openCaseIDsAreInOpeningOrderAndByWorkflow(_ kind: ProjectionStoreKind) throws {
        // Cases are opened C-3, C-1, C-2 in the log; C-2 on another workflow.
        let fixture = try kind.make()
        for (id, workflow) in [("C-3", "permit"), ("C-1", "permit"), ("C-2", "other")] {
            try fixture.store.append([Facts.opened(id, workflow: workflow)], to: id, expectedVersion: 0)
        }
        let encoder = ProgressEncoder()
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.saveOpenCases(try ["C-1", "C-2", "C-3"].map {
                OpenCaseUpdate(caseID: $0, progress: try encoder.encode(Facts.progress($0, workflow: $0 == "C-2" ? "other" : "permit")))
            })
        }
        try fixture.projections.read { tables throws in
            #expect(try tables.openCaseIDs(workflowID: nil) == ["C-3", "C-1", "C-2"])
            #expect(try tables.openCaseIDs(workflowID: "permit") == ["C-3", "C-1"])
            #expect(try tables.openCaseIDs(workflowID: "none").isEmpty)
        }
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func calendarsAreRecordedAndReplaced(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        let key = WorkflowKey(id: "permit", version: 1)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.recordCalendar("cn-2020 v1", for: key)
            try tables.recordCalendar("always working (no calendar)", for: WorkflowKey(id: "permit", version: 2))
        }
        try fixture.projections.write { try $0.recordCalendar("cn-2020 v2", for: key) }
        #expect(try fixture.projections.read { try $0.recordedCalendars() } == [
            key: "cn-2020 v2", WorkflowKey(id: "permit", version: 2): "always working (no calendar)",
        ])
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func clearEmptiesEverythingButKeepsTheVersion(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 1)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert(Facts.all)
            try tables.recordCalendar("x", for: WorkflowKey(id: "permit", version: 1))
            try tables.saveOpenCases([OpenCaseUpdate(caseID: "C", progress: try ProgressEncoder().encode(Facts.progress("C")))])
        }
        try fixture.projections.write { try $0.clear() }
        try fixture.projections.read { tables throws in
            #expect(try tables.contents() == ProjectionContents())
            #expect(try tables.installedVersion() == ProjectionSchema.version)
        }
    }

    // MARK: Transactions and the checkpoint

    @Test(arguments: ProjectionStoreKind.allCases)
    func theCheckpointIsTheLogsProjectionCheckpoint(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 3)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.saveCheckpoint(2)
            #expect(try tables.checkpoint() == 2)
        }
        #expect(try fixture.store.checkpoint(named: ProjectionSchema.checkpointName) == 2)
        try fixture.projections.read { tables throws in
            #expect(try tables.checkpoint() == 2)
            #expect(try tables.lastPosition() == 3)
        }
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func aCheckpointBeyondTheLogIsRefused(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 1)
        let error = #expect(throws: StoreError.self) {
            try fixture.projections.write { try $0.saveCheckpoint(2) }
        }
        #expect(error?.code == .invalidArgument)
        #expect(try fixture.store.checkpoint(named: ProjectionSchema.checkpointName) == 0)
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func aWriteThatThrowsChangesNothing(_ kind: ProjectionStoreKind) throws {
        struct Stop: Error {}
        let fixture = try kind.make(cases: 2)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert([.stay(Facts.stayB)])
            try tables.saveCheckpoint(1)
        }
        let before = try fixture.projections.read { try $0.contents() }
        #expect(throws: Stop.self) {
            try fixture.projections.write { tables throws in
                try tables.insert(Facts.all.filter { $0 != .stay(Facts.stayB) })  // each fact once
                try tables.saveOpenCases([OpenCaseUpdate(caseID: "C", progress: try ProgressEncoder().encode(Facts.progress("C")))])
                try tables.recordCalendar("x", for: WorkflowKey(id: "permit", version: 1))
                try tables.saveCheckpoint(2)
                throw Stop()
            }
        }
        #expect(try fixture.projections.read { try $0.contents() } == before)
        #expect(try fixture.store.checkpoint(named: ProjectionSchema.checkpointName) == 1)
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func writesSeeTheirOwnChanges(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make(cases: 1)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert([.stay(Facts.stayA)])
            try tables.saveCheckpoint(1)
            #expect(try tables.contents().stays == [Facts.stayA])
            #expect(try tables.checkpoint() == 1)
        }
    }

    // MARK: Selecting for reports

    @Test(arguments: ProjectionStoreKind.allCases)
    func selectOnAProjectionThatDoesNotExistFindsNothing(_ kind: ProjectionStoreKind) throws {
        let fixture = try kind.make()
        #expect(try Facts.selected(fixture.projections, ReportScope(asOf: Facts.day)).isEmpty)
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func selectFindsEveryKindOfRowInOrder(_ kind: ProjectionStoreKind) throws {
        let fixture = try Facts.filled(kind)
        #expect(try Facts.selected(fixture.projections, ReportScope(asOf: Facts.day)) == [
            .decided(Facts.caseA), .open(Facts.progress("B").summary), .breach(Facts.breachB.forReport),
            .stay(Facts.selected(Facts.stayA)), .stay(Facts.selected(Facts.stayA2)), .stay(Facts.selected(Facts.stayB)), .transition(Facts.selected(Facts.transitionA)), .transition(Facts.selected(Facts.transitionB)),
        ])
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func workflowVersionOpeningTimeAndChannelSelectCases(_ kind: ProjectionStoreKind) throws {
        let fixture = try Facts.filled(kind)
        let onlyB: [ProjectionRow] = [.open(Facts.progress("B").summary), .breach(Facts.breachB.forReport), .stay(Facts.selected(Facts.stayB)), .transition(Facts.selected(Facts.transitionB))]
        #expect(try Facts.selected(fixture.projections, ReportScope(channel: "window", asOf: Facts.day)) == onlyB)
        #expect(try Facts.selected(fixture.projections, ReportScope(from: Facts.day.adding(seconds: 3600), asOf: Facts.day)) == onlyB)
        #expect(try Facts.selected(fixture.projections, ReportScope(to: Facts.day.adding(seconds: 3600), asOf: Facts.day)).count == 4)
        #expect(try Facts.selected(fixture.projections, ReportScope(workflowID: "other", asOf: Facts.day)).isEmpty)
        #expect(try Facts.selected(fixture.projections, ReportScope(workflowID: "permit", version: 2, asOf: Facts.day)).isEmpty)
        #expect(try Facts.selected(fixture.projections, ReportScope(workflowID: "permit", version: 1, asOf: Facts.day)).count == 8)
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func partiesSelectCasesThroughWhoTookPartAndStaysDirectly(_ kind: ProjectionStoreKind) throws {
        let fixture = try Facts.filled(kind)
        // A's approver acted: case A is selected, and the stay that role held, not A's other stay.
        #expect(try Facts.selected(fixture.projections, ReportScope(role: "approver", asOf: Facts.day)) == [
            .decided(Facts.caseA), .stay(Facts.selected(Facts.stayA)), .transition(Facts.selected(Facts.transitionA)),
        ])
        // B was handled for beth: its case-level rows, and the stay and transition done for her.
        #expect(try Facts.selected(fixture.projections, ReportScope(onBehalfOf: "beth", asOf: Facts.day)) == [
            .open(Facts.progress("B").summary), .breach(Facts.breachB.forReport), .stay(Facts.selected(Facts.stayB)), .transition(Facts.selected(Facts.transitionB)),
        ])
        // Both entered licensing; A's second stay was in another department.
        #expect(try Facts.selected(fixture.projections, ReportScope(department: "licensing", asOf: Facts.day)) == [
            .decided(Facts.caseA), .open(Facts.progress("B").summary), .breach(Facts.breachB.forReport),
            .stay(Facts.selected(Facts.stayA)), .stay(Facts.selected(Facts.stayB)), .transition(Facts.selected(Facts.transitionA)), .transition(Facts.selected(Facts.transitionB)),
        ])
        #expect(try Facts.selected(fixture.projections, ReportScope(department: "licensing", role: "approver", asOf: Facts.day)) == [
            .decided(Facts.caseA), .stay(Facts.selected(Facts.stayA)), .transition(Facts.selected(Facts.transitionA)),
        ])
    }
}

/// The implementations every projection contract test runs against.
enum ProjectionStoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case inMemory
    /// A database of its own on the test process's throwaway PostgreSQL cluster.
    case postgres

    var description: String { rawValue }

    /// Every kind; PostgreSQL where ``StoreKind/allCases`` has it (said on stderr when not).
    static var allCases: [ProjectionStoreKind] {
        StoreKind.allCases.contains(.postgres) ? [.sqlite, .inMemory, .postgres] : [.sqlite, .inMemory]
    }

    /// A log of `cases` one-event cases, with a projection not yet created.
    func make(cases: Int = 0) throws -> ProjectionStoreFixture {
        let fixture: ProjectionStoreFixture
        switch self {
        case .sqlite:
            let directory = TemporaryDirectory()
            let log = try SQLiteEventStore(path: directory.path("docket.sqlite"))
            fixture = ProjectionStoreFixture(store: log, projections: SQLiteProjectionStore(log: log), directory: directory)
        case .inMemory:
            let log = InMemoryEventStore()
            fixture = ProjectionStoreFixture(store: log, projections: InMemoryProjectionStore(log: log), directory: nil)
        case .postgres:
            let log = try PostgresEventStore(url: try PostgresCluster.require().createDatabase("projection"))
            fixture = ProjectionStoreFixture(store: log, projections: PostgresProjectionStore(log: log), directory: nil)
        }
        for n in 0..<cases {
            try fixture.store.append([Facts.opened("L-\(n)")], to: "L-\(n)", expectedVersion: 0)
        }
        return fixture
    }
}

/// A log and its projection, with the directory they live in (kept alive with them).
struct ProjectionStoreFixture {
    let store: any EventStore
    let projections: any ProjectionStore
    let directory: TemporaryDirectory?
}

/// Two cases' facts: A (online, opened at ``day``) decided by an approver after two stays, one
/// in licensing; B (window, opened an hour later) open, in licensing, handled for beth, breached.
enum Facts {
    static let day = Timestamp(seconds: 1_583_143_200)  // 2020-03-02T10:00:00Z
    static let permit = WorkflowKey(id: "permit", version: 1)
    static let hour: Int64 = 3_600_000_000

    static func opened(_ caseID: String, workflow: String = "permit") -> CaseEvent {
        CaseEvent(
            caseID: caseID, type: .caseOpened, workflowID: workflow, workflowVersion: 1, actor: "ann", role: "clerk",
            occurredAt: day, payload: EventPayload(to: "review"))
    }

    /// The progress of a case just opened (A and C at ``day``, online; B an hour later, by a
    /// clerk for beth, on the window), as the fold keeps it.
    static func progress(_ caseID: String, workflow: String = "permit") -> OpenCaseProgress {
        let isB = caseID == "B"
        var fold = CaseFlowFold(calendars: { _ in AlwaysWorkingCalendar() })
        var facts: [ProjectionFact] = []
        fold.apply(
            CaseEvent(
                caseID: caseID, type: .caseOpened, workflowID: workflow, workflowVersion: 1, actor: "ann", role: "clerk",
                onBehalfOf: isB ? "beth" : nil, occurredAt: isB ? day.adding(seconds: 3600) : day,
                payload: EventPayload(to: "review", data: ["channel": isB ? "window" : "online"], department: "licensing")),
            position: 1, into: &facts)
        var progress = fold.openCases[caseID]!
        if isB {
            // Every field a report reads of an open case, so that the stores' summaries are checked.
            progress.clockStops = [
                ClockStopInterval(stoppedAt: day.adding(seconds: 4000), resumedAt: day.adding(seconds: 5000)),
                ClockStopInterval(stoppedAt: day.adding(seconds: 6000)),
            ]
            progress.statutoryBreachDueAt = day.adding(seconds: 7000)
            progress.sendBackRounds = 2
        }
        return progress
    }

    static let stayA = StayFact(
        position: 3, caseID: "A", workflow: permit, caseOpenedAt: day, channel: "online", state: "review", region: nil,
        branch: nil, department: "licensing", role: "approver", onBehalfOf: nil, enteredAt: day, leftAt: day.adding(seconds: 7200),
        exit: "approve", cancelled: false, breached: false, durations: Durations(wall: 2 * hour, working: hour, statutory: hour),
        waiting: Durations(wall: hour, working: 0, statutory: 0))
    /// A second stay at the same position (a branch's), in another department.
    static let stayA2 = StayFact(
        position: 3, caseID: "A", workflow: permit, caseOpenedAt: day, channel: "online", state: "inspecting", region: "checks",
        branch: "health", department: "health", role: nil, onBehalfOf: nil, enteredAt: day, leftAt: day.adding(seconds: 7200),
        exit: nil, cancelled: true, breached: true, durations: Durations(wall: 2 * hour, working: hour, statutory: 0), waiting: nil)
    static let transitionA = TransitionFact(
        position: 3, caseID: "A", workflow: permit, caseOpenedAt: day, channel: "online", transition: "approve", from: "review",
        to: "approved", region: nil, branch: nil, role: "approver", onBehalfOf: nil, department: "licensing",
        at: day.adding(seconds: 7200), durations: Durations(wall: 2 * hour, working: hour, statutory: hour), sendBackRound: nil,
        trigger: nil)
    static let caseA = CaseFact(
        position: 3, caseID: "A", workflow: permit, openedAt: day, decidedAt: day.adding(seconds: 7200), outcome: "approved",
        finalState: "approved", channel: "online", durations: Durations(wall: 2 * hour, working: hour, statutory: hour),
        sendBackRounds: 0, breaches: 0, clockStops: 0, clockStoppedWall: 0, clockStoppedWorking: 0)
    static let partyA = PartyFact(caseID: "A", kind: .role, value: "approver")
    static let stayB = StayFact(
        position: 5, caseID: "B", workflow: permit, caseOpenedAt: day.adding(seconds: 3600), channel: "window", state: "waiting",
        region: nil, branch: nil, department: "licensing", role: "clerk", onBehalfOf: "beth", enteredAt: day.adding(seconds: 3600),
        leftAt: day.adding(seconds: 5400), exit: "supply", cancelled: false, breached: true,
        durations: Durations(wall: hour / 2, working: hour / 2, statutory: 0), waiting: nil)
    static let transitionB = TransitionFact(
        position: 5, caseID: "B", workflow: permit, caseOpenedAt: day.adding(seconds: 3600), channel: "window", transition: "supply",
        from: "waiting", to: "review", region: nil, branch: nil, role: "clerk", onBehalfOf: "beth", department: "licensing",
        at: day.adding(seconds: 5400), durations: Durations(wall: hour / 2, working: hour / 2, statutory: 0), sendBackRound: 1,
        trigger: "deadline")
    static let breachB = BreachFact(
        position: 4, caseID: "B", workflow: permit, caseOpenedAt: day.adding(seconds: 3600), channel: "window", deadline: "state",
        state: "waiting", region: nil, branch: nil, department: "licensing", dueAt: day.adding(seconds: 4000),
        recordedAt: day.adding(seconds: 4500), limit: "1 hours")

    /// Every fact of A and B, in log order.
    static let all: [ProjectionFact] = [
        .party(PartyFact(caseID: "A", kind: .department, value: "licensing")),
        .party(PartyFact(caseID: "B", kind: .department, value: "licensing")),
        .stay(stayA), .stay(stayA2), .transition(transitionA), .decided(caseA), .party(partyA),
        .breach(breachB),
        .stay(stayB), .transition(transitionB), .party(PartyFact(caseID: "B", kind: .onBehalfOf, value: "beth")),
    ]

    /// A projection holding ``all`` and B's progress.
    static func filled(_ kind: ProjectionStoreKind) throws -> ProjectionStoreFixture {
        let fixture = try kind.make(cases: 5)
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.insert(all)
            try tables.saveOpenCases([OpenCaseUpdate(caseID: "B", progress: try ProgressEncoder().encode(progress("B")))])
            try tables.saveCheckpoint(5)
        }
        return fixture
    }

    /// `stay` as a report's selection hands it: what a report reads, the rest blank.
    static func selected(_ stay: StayFact) -> StayFact { stay.forReport }

    /// `transition` as a report's selection hands it: what a report reads, the rest blank.
    static func selected(_ transition: TransitionFact) -> TransitionFact { transition.forReport }

    static func selected(_ projections: any ProjectionStore, _ scope: ReportScope) throws -> [ProjectionRow] {
        try projections.read { tables throws in
            var rows: [ProjectionRow] = []
            try tables.select(scope) { rows.append($0) }
            return rows
        }
    }
}
