import DocketAnalytics
import DocketCore
import DocketPostgres
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// An instant written in ISO 8601 (tests use literal, valid times).
func at(_ text: String) -> Timestamp {
    guard let t = Timestamp.parse(iso8601: text) else {
        Issue.record("bad test time \(text)")
        return Timestamp(microseconds: 0)
    }
    return t
}

/// Hours in seconds, as reports give durations.
func seconds(hours: Double) -> Double { hours * 3600 }

/// Where a projection test keeps the log and the projection: every projection test runs on both.
enum ProjectionKind: String, CaseIterable, CustomStringConvertible, Sendable {
    /// `SQLiteEventStore` and `SQLiteProjectionStore` on a file in a temporary directory.
    case sqlite
    /// `InMemoryEventStore` and `InMemoryProjectionStore`.
    case inMemory
    /// `PostgresEventStore` and `PostgresProjectionStore` on a database of its own on the test
    /// process's throwaway PostgreSQL cluster.
    case postgres

    var description: String { rawValue }

    /// Every kind; PostgreSQL where it is installed or required (DOCKET_REQUIRE_PREREQUISITES=1),
    /// said loudly on stderr when it is left out.
    static var allCases: [ProjectionKind] {
        if Prerequisite.postgreSQL.isPresent || Prerequisite.areRequired { return [.sqlite, .inMemory, .postgres] }
        warnPostgresMissing
        return [.sqlite, .inMemory]
    }

    private static let warnPostgresMissing: Void = {
        FileHandle.standardError.write(Data("""
            warning: the projection tests did NOT run against PostgreSQL: missing \(Prerequisite.postgreSQL.description) \
            (\(Prerequisite.postgreSQL.remedy)); DOCKET_REQUIRE_PREREQUISITES=1 makes this a failure.

            """.utf8))
    }()
}

/// A fresh event log with its (not yet created) analytics projection.
struct ProjectionFixture {
    let kind: ProjectionKind
    let directory: TemporaryDirectory?
    /// The log.
    let store: any EventStore
    /// The projection of the log.
    let projections: any ProjectionStore
    /// The SQLite file, for `.sqlite`.
    let path: String?
    /// The database's URL, for `.postgres`.
    let url: String?

    init(_ kind: ProjectionKind = .sqlite) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let directory = TemporaryDirectory("projection")
            let path = directory.path("docket.sqlite")
            let store = try SQLiteEventStore(path: path)
            self.directory = directory
            self.path = path
            url = nil
            self.store = store
            projections = SQLiteProjectionStore(log: store)
        case .inMemory:
            let store = InMemoryEventStore()
            directory = nil
            path = nil
            url = nil
            self.store = store
            projections = InMemoryProjectionStore(log: store)
        case .postgres:
            let url = try PostgresCluster.require().createDatabase("projection")
            let store = try PostgresEventStore(url: url)
            directory = nil
            path = nil
            self.url = url
            self.store = store
            projections = PostgresProjectionStore(log: store)
        }
    }

    /// The SQLite log, for tests that go behind the store's back.
    var sqlite: SQLiteEventStore {
        get throws { try #require(store as? SQLiteEventStore) }
    }

    /// The projection as another process sees it: another store on the same file (SQLite), the
    /// same stores (in memory, where the lock stands for SQLite's).
    func reopen() throws -> any ProjectionStore {
        if let url { return PostgresProjectionStore(log: try PostgresEventStore(url: url)) }
        guard let path else { return projections }
        return SQLiteProjectionStore(log: try SQLiteEventStore(path: path))
    }

    /// An updater of the projection.
    func updater(_ calendars: ProjectionCalendars = testCalendars) -> ProjectionUpdater {
        ProjectionUpdater(projections, calendars: calendars)
    }

    /// Everything the projection holds: two projections are equal when these are.
    func dump(_ projections: (any ProjectionStore)? = nil) throws -> ProjectionContents {
        try (projections ?? self.projections).read { try $0.contents() }
    }

    func checkpoint() throws -> Int64 { try store.checkpoint(named: ProjectionUpdater.checkpointName) }
}

/// Working time is 09:00-17:00 UTC every day (one working day is 8 hours).
struct NineToFiveCalendar: WorkingTimeCalendar {
    static let hour: Int64 = 3_600_000_000
    static let day: Int64 = 24 * hour

    func workingMicroseconds(from start: Timestamp, to end: Timestamp) -> Int64 {
        guard end > start else { return 0 }
        var total: Int64 = 0
        var day = start.microseconds / Self.day
        while day * Self.day < end.microseconds {
            let open = day * Self.day + 9 * Self.hour, close = day * Self.day + 17 * Self.hour
            let from = max(open, start.microseconds), to = min(close, end.microseconds)
            if to > from { total += to - from }
            day += 1
        }
        return total
    }

    func adding(workingMicroseconds amount: Int64, to start: Timestamp) -> Timestamp {
        guard amount > 0 else { return start }
        var remaining = amount
        var day = start.microseconds / Self.day
        while true {
            let open = day * Self.day + 9 * Self.hour, close = day * Self.day + 17 * Self.hour
            let from = max(open, start.microseconds)
            if close > from {
                if remaining <= close - from { return Timestamp(microseconds: from + remaining) }
                remaining -= close - from
            }
            day += 1
        }
    }

    var workingDayMicroseconds: Int64 { 8 * Self.hour }
    func utcOffsetSeconds(at instant: Timestamp) -> Int { 0 }
}

/// The calendars the tests count on: 09:00-17:00 for `tolerant` and `joint`, every second for the
/// rest; `joint`'s statutory clock starts on its branches' first verdict, as its definition says.
let testCalendars = ProjectionCalendars { key in
    key.id == "panel" ? .alwaysWorking
        : WorkflowCalendar(calendar: NineToFiveCalendar(), label: "nine-to-five v1",
                           statutoryStartsOn: key.id == "joint" ? ["pass", "fail"] : [])
}

/// Loads a definition the test expects to be valid.
func definition(_ yaml: String) throws -> WorkflowDefinition {
    switch DefinitionLoader.load(text: yaml, file: "test.yaml") {
    case let .success(definition): return definition
    case let .failure(errors): throw errors
    }
}

/// Drives cases through the real engine and appends each command's events to a store, as the
/// service will.
struct StoreDriver {
    let store: any EventStore
    var contexts: [String: EngineContext] = [:]
    var states: [String: CaseState] = [:]

    init(store: any EventStore, workflows: [String]) throws {
        self.store = store
        for yaml in workflows {
            let definition = try definition(yaml)
            let calendar = testCalendars(WorkflowKey(id: definition.id, version: definition.version)).calendar
            contexts[definition.id] = EngineContext(definition: definition, calendar: calendar)
        }
    }

    /// Decides `command` and appends its events; returns them.
    @discardableResult
    mutating func run(_ command: Command, workflow: String) throws -> [CaseEvent] {
        guard let context = contexts[workflow] else { throw ServiceError(.calendarUnreadable, "no workflow \(workflow)") }
        let before = states[command.caseID]
        let events = try Engine.decide(before, command, context)
        guard !events.isEmpty else { return [] }
        try store.append(events, to: command.caseID, expectedVersion: before?.version ?? 0)
        var state = before
        for event in events { Engine.evolve(&state, event) }
        states[command.caseID] = state
        return events
    }

    mutating func open(_ caseID: String, _ workflow: String, by actor: String = "ann", as role: String? = "clerk",
                       onBehalfOf: String? = nil, channel: String? = nil, at time: String) throws {
        try run(.open(OpenCase(caseID: caseID, actor: actor, role: role, onBehalfOf: onBehalfOf,
                               data: channel.map { ["channel": $0] } ?? [:], at: at(time))), workflow: workflow)
    }

    mutating func fire(_ caseID: String, _ event: String, by actor: String = "bob", as role: String, onBehalfOf: String? = nil,
                       documents: [String] = [], reason: String? = nil, at time: String) throws {
        let workflow = states[caseID]?.workflowID ?? ""
        try run(.fire(FireEvent(caseID: caseID, event: event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                documents: documents, reason: reason, at: at(time))), workflow: workflow)
    }

    mutating func tick(_ caseID: String, at time: String) throws {
        try run(.tick(Tick(caseID: caseID, now: at(time))), workflow: states[caseID]?.workflowID ?? "")
    }
}

/// SplitMix64: a small, seeded, reproducible generator.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random but reproducible history over the three test workflows: cases opened on random
/// channels, random allowed actions by allowed roles (sometimes on an applicant's behalf), votes,
/// ticks that record breaches, all through the real engine, in global time order.
struct RandomHistory {
    var rng: SeededGenerator
    var contexts: [EngineContext]
    var states: [String: CaseState] = [:]
    var open: [String] = []
    var now = Timestamp(seconds: 1_583_107_200)  // 2020-03-02T00:00:00Z
    var opened = 0
    /// How far business time moves between two commands, in seconds.
    var pace: ClosedRange<Int64> = 60...(4 * 3600)
    /// Whether some steps correct an earlier event (its time or actor) or void a case's last act.
    var corrections = false
    /// Each case's events so far, for corrections (kept only when ``corrections`` is on).
    var histories: [String: [CaseEvent]] = [:]

    /// A history over the three test workflows, on the test calendars.
    init(seed: UInt64) throws {
        let contexts = try [tolerantYAML, jointYAML, panelYAML].map { yaml in
            let definition = try definition(yaml)
            return EngineContext(definition: definition,
                                 calendar: testCalendars(WorkflowKey(id: definition.id, version: definition.version)).calendar)
        }
        self.init(seed: seed, contexts: contexts)
    }

    init(seed: UInt64, contexts: [EngineContext]) {
        rng = SeededGenerator(seed: seed)
        self.contexts = contexts
    }

    /// The next command's events, as one append, or `nil` when the command was refused or did nothing.
    mutating func step() -> CaseAppend? {
        now = now.adding(seconds: Int64.random(in: pace, using: &rng))
        if open.isEmpty || Int.random(in: 0..<4, using: &rng) == 0 {
            opened += 1
            let caseID = "R-\(opened)"
            let context = contexts.randomElement(using: &rng)!
            let channel = ["online", "online", "online", "window", "assisted", "mail"].randomElement(using: &rng)!
            return decide(.open(OpenCase(caseID: caseID, actor: "opener", role: "clerk", data: ["channel": channel], at: now)), context)
        }
        if corrections, Int.random(in: 0..<10, using: &rng) == 0, let append = correct() { return append }
        let caseID = open.randomElement(using: &rng)!
        guard let state = states[caseID], let context = contexts.first(where: { $0.definition.id == state.workflowID }) else { return nil }
        if Int.random(in: 0..<6, using: &rng) == 0 {
            return decide(.tick(Tick(caseID: caseID, now: now)), context)
        }
        let actions = state.availableActions(in: context.definition)
        guard let action = actions.randomElement(using: &rng), let role = action.roles.randomElement(using: &rng) else {
            return decide(.tick(Tick(caseID: caseID, now: now)), context)
        }
        if action.isVote {
            let voted = Set(state.ballots.map(\.voter))
            let panel = context.definition.state(named: state.current.state)?.vote?.panel
            let voter: String
            if let panel {
                guard let next = panel.first(where: { !voted.contains($0) }) else { return nil }
                voter = next
            } else {
                voter = "expert-\(state.ballots.count + 1)"
            }
            let ballot: Ballot = Bool.random(using: &rng) ? .approve : .reject
            return decide(.vote(CastVote(caseID: caseID, ballot: ballot, actor: voter, role: role, at: now)), context)
        }
        var actingRole = role
        var onBehalfOf: String?
        if role == "applicant", Bool.random(using: &rng) {
            actingRole = "clerk"
            onBehalfOf = "applicant-of-\(caseID)"
        }
        return decide(.fire(FireEvent(
            caseID: caseID, event: action.event, actor: "person-\(Int.random(in: 1...5, using: &rng))", role: actingRole,
            onBehalfOf: onBehalfOf, documents: action.requires, reason: action.needsReason ? "because" : nil,
            branch: action.branch, at: now)), context)
    }

    /// A correction of a random case's event (its time moved between its neighbours', or its
    /// actor), or a void of its last act; nil when the one drawn is refused.
    private mutating func correct() -> CaseAppend? {
        guard let caseID = histories.keys.sorted().randomElement(using: &rng), let events = histories[caseID],
              let context = contexts.first(where: { $0.definition.id == events[0].workflowID }) else { return nil }
        let resolved = CaseHistory(events)
        let acts = resolved.entries.filter { $0.isEffective && $0.event.isPersonsAct }
        guard let target = acts.randomElement(using: &rng) else { return nil }
        let correction: Correction
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            guard let last = acts.last else { return nil }
            correction = .void(VoidAct(caseID: caseID, target: last.version, actor: "corrector", reason: "mistaken", recordedAt: now))
        case 1:
            let earlier = resolved.entries.last { $0.version < target.version && $0.isEffective }?.event.occurredAt ?? target.event.occurredAt
            let shift = (target.event.occurredAt.microseconds - earlier.microseconds) / 2
            correction = .amend(Amendment(caseID: caseID, target: target.version, actor: "corrector", reason: "mistyped time", recordedAt: now,
                                          at: Timestamp(microseconds: target.event.occurredAt.microseconds - shift)))
        default:
            correction = .amend(Amendment(caseID: caseID, target: target.version, actor: "corrector", reason: "wrong person",
                                          recordedAt: now, person: "person-\(Int.random(in: 6...9, using: &rng))"))
        }
        guard let event = try? Correction.decide(correction, history: events, context: context) else { return nil }
        let history = events + [event]
        histories[caseID] = history
        let state = CaseState.replay(history)
        states[caseID] = state
        open.removeAll { $0 == caseID }
        if state?.isClosed == false { open.append(caseID) }
        return CaseAppend(caseID: caseID, expectedVersion: events.count, events: [event])
    }

    private mutating func decide(_ command: Command, _ context: EngineContext) -> CaseAppend? {
        let before = states[command.caseID]
        guard let events = try? Engine.decide(before, command, context), !events.isEmpty else { return nil }
        var state = before
        for event in events { Engine.evolve(&state, event) }
        if corrections { histories[command.caseID, default: []] += events }
        states[command.caseID] = state
        if before == nil { open.append(command.caseID) }
        if state?.isClosed == true { open.removeAll { $0 == command.caseID } }
        return CaseAppend(caseID: command.caseID, expectedVersion: before?.version ?? 0, events: events)
    }

    /// Appends at least `events` events' worth of commands.
    mutating func appends(events target: Int) -> [CaseAppend] {
        var result: [CaseAppend] = []
        var count = 0
        while count < target {
            guard let append = step() else { continue }
            result.append(append)
            count += append.events.count
        }
        return result
    }
}

let tolerantYAML = """
workflow: tolerant
version: 1
roles: [clerk, applicant, approver]
assisted_handling: { clerk: [applicant] }
states:
  review:     { initial: true, department: licensing, within: 3 hours }
  waiting:    { department: applicant, stops_clock: true }
  correcting: { department: applicant }
  approved:   { final: true, outcome: approved }
  rejected:   { final: true, outcome: rejected }
transitions:
  - { event: start_review,  from: review, roles: [clerk], starts_work: true }
  - { event: ask_materials, from: review, to: waiting, roles: [clerk] }
  - { event: supply,        from: waiting, to: review, roles: [applicant], requires: [materials] }
  - { event: send_back,     from: review, to: correcting, roles: [clerk], sends_back: true }
  - { event: resubmit,      from: correcting, to: review, roles: [applicant] }
  - { event: approve,       from: review, to: approved, roles: [approver] }
  - { event: reject,        from: review, to: rejected, roles: [approver] }
"""

let jointYAML = """
workflow: joint
version: 1
roles: [clerk, health_inspector, fire_inspector, approver]
statutory_limit: { within: 2 working days, starts_on: [pass, fail] }
states:
  received: { initial: true, department: window }
  verification:
    department: centre
    within: 1 days
    join: first_rejection
    when_approved: verified
    when_rejected: failed_verification
    branches:
      health:
        department: health
        roles: [health_inspector]
        states:
          inspecting: { initial: true, within: 6 hours }
          passed: { final: true, outcome: approved }
          failed: { final: true, outcome: rejected }
        transitions:
          - { event: start_inspection, from: inspecting, starts_work: true }
          - { event: pass, from: inspecting, to: passed }
          - { event: fail, from: inspecting, to: failed, requires_reason: true }
      fire:
        department: fire
        roles: [fire_inspector]
        states:
          inspecting: { initial: true }
          passed: { final: true, outcome: approved }
          failed: { final: true, outcome: rejected }
        transitions:
          - { event: pass, from: inspecting, to: passed }
          - { event: fail, from: inspecting, to: failed, requires_reason: true }
  decision: { department: centre }
  approved: { final: true, outcome: approved }
  rejected: { final: true, outcome: rejected }
transitions:
  - { event: verify, from: received, to: verification, roles: [clerk] }
  - { event: verified, from: verification, to: decision }
  - { event: failed_verification, from: verification, to: rejected }
  - { event: withdraw, from: verification, to: rejected, roles: [clerk] }
  - { event: approve, from: decision, to: approved, roles: [approver] }
"""

let panelYAML = """
workflow: panel
version: 1
roles: [clerk, expert]
states:
  submitted: { initial: true }
  review:
    department: experts
    vote: { role: expert, seats: 3, approve_at: 2 }
    when_approved: certify
    when_rejected: decline
  certified: { final: true, outcome: approved }
  declined: { final: true, outcome: rejected }
transitions:
  - { event: convene, from: submitted, to: review, roles: [clerk] }
  - { event: certify, from: review, to: certified }
  - { event: decline, from: review, to: declined }
"""
