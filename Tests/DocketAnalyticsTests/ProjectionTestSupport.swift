import DocketAnalytics
import DocketCore
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

/// Hours, minutes and seconds in microseconds, for expected durations.
func hours(_ h: Double) -> Int64 { Int64(h * 3_600_000_000) }
func minutes(_ m: Double) -> Int64 { Int64(m * 60_000_000) }

/// Loads a definition that the test expects to be valid.
func definition(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> WorkflowDefinition {
    switch DefinitionLoader.load(text: yaml, file: "test.yaml") {
    case let .success(definition): return definition
    case let .failure(errors):
        Issue.record("definition does not load:\n\(errors)", sourceLocation: sourceLocation)
        throw errors
    }
}

/// Working time is 09:00-17:00 UTC every day (one working day is 8 hours): enough to tell working
/// time from wall-clock time by hand.
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

/// Drives cases through the real engine and keeps the log in global order, as a store would.
struct History {
    var context: EngineContext
    var log: [CaseEvent] = []
    var states: [String: CaseState] = [:]

    init(_ yaml: String, calendar: any WorkingTimeCalendar = AlwaysWorkingCalendar()) throws {
        context = EngineContext(definition: try definition(yaml), calendar: calendar)
    }

    @discardableResult
    mutating func run(_ command: Command) throws -> [CaseEvent] {
        let events = try Engine.decide(states[command.caseID], command, context)
        for event in events { Engine.evolve(&states[command.caseID], event) }
        log += events
        return events
    }

    @discardableResult
    mutating func open(_ caseID: String, by actor: String = "ann", as role: String? = "clerk", onBehalfOf: String? = nil,
                       channel: String? = nil, at time: String) throws -> [CaseEvent] {
        try run(.open(OpenCase(caseID: caseID, actor: actor, role: role, onBehalfOf: onBehalfOf,
                               data: channel.map { ["channel": $0] } ?? [:], at: at(time))))
    }

    @discardableResult
    mutating func fire(_ caseID: String, _ event: String, by actor: String = "bob", as role: String, onBehalfOf: String? = nil,
                       documents: [String] = [], reason: String? = nil, branch: String? = nil, at time: String) throws -> [CaseEvent] {
        try run(.fire(FireEvent(caseID: caseID, event: event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                documents: documents, reason: reason, branch: branch, at: at(time))))
    }

    @discardableResult
    mutating func vote(_ caseID: String, _ ballot: Ballot, by actor: String, as role: String = "expert", at time: String) throws -> [CaseEvent] {
        try run(.vote(CastVote(caseID: caseID, ballot: ballot, actor: actor, role: role, at: at(time))))
    }

    @discardableResult
    mutating func tick(_ caseID: String, at time: String) throws -> [CaseEvent] {
        try run(.tick(Tick(caseID: caseID, now: at(time))))
    }

    /// Folds the whole log (positions 1, 2, ...) on the engine's calendar.
    func fold() -> (facts: [ProjectionFact], fold: CaseFlowFold) {
        let calendar = context.calendar, startsOn = context.definition.statutoryLimit?.startsOn ?? []
        var fold = CaseFlowFold(calendars: { _ in calendar }, statutoryStartsOn: { _ in startsOn })
        var facts: [ProjectionFact] = []
        for (i, event) in log.enumerated() { fold.apply(event, position: Int64(i + 1), into: &facts) }
        return (facts, fold)
    }
}

extension Array where Element == ProjectionFact {
    var stays: [StayFact] { compactMap { if case let .stay(f) = $0 { f } else { nil } } }
    var transitions: [TransitionFact] { compactMap { if case let .transition(f) = $0 { f } else { nil } } }
    var decided: [CaseFact] { compactMap { if case let .decided(f) = $0 { f } else { nil } } }
    var breaches: [BreachFact] { compactMap { if case let .breach(f) = $0 { f } else { nil } } }
    var parties: [PartyFact] { compactMap { if case let .party(f) = $0 { f } else { nil } } }
}

/// The simple permit check of issue 3, with a department on review.
let permitCheckYAML = """
workflow: permit-check
version: 1
roles: [applicant, clerk, approver]
states:
  submitted: { initial: true }
  review:    { department: licensing }
  approved:  { final: true, outcome: approved }
  rejected:  { final: true, outcome: rejected }
transitions:
  - { event: accept,  from: submitted, to: review,   roles: [clerk] }
  - { event: approve, from: review,    to: approved, roles: [approver] }
  - { event: reject,  from: review,    to: rejected, roles: [approver] }
"""

/// Three departments inspect in parallel; inspectors mark when they start.
let jointYAML = """
workflow: joint
version: 1
roles: [clerk, health_inspector, environment_inspector, fire_inspector, approver]
states:
  received: { initial: true, department: window }
  verification:
    department: centre
    join: all
    when_approved: verified
    when_rejected: failed_verification
    branches:
      health:
        department: health
        roles: [health_inspector]
        states:
          inspecting: { initial: true }
          passed: { final: true, outcome: approved }
          failed: { final: true, outcome: rejected }
        transitions:
          - { event: start_inspection, from: inspecting, starts_work: true }
          - { event: pass, from: inspecting, to: passed }
          - { event: fail, from: inspecting, to: failed, requires_reason: true }
      environment:
        department: environment
        roles: [environment_inspector]
        states:
          inspecting: { initial: true }
          passed: { final: true, outcome: approved }
          failed: { final: true, outcome: rejected }
        transitions:
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

/// Tolerant acceptance in miniature: waiting for materials stops the statutory clock; a send-back
/// returns the case for correction; `limit` puts a time limit on review that only marks the case
/// overdue.
func tolerantYAML(limit: String? = nil) -> String {
    """
workflow: tolerant
version: 1
roles: [clerk, applicant, approver]
states:
  review:     { initial: true, department: licensing\(limit.map { ", within: \($0)" } ?? "") }
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
}

/// A panel of three experts; two approvals approve.
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

/// Hours in seconds, as reports give durations.
func seconds(hours: Double) -> Double { hours * 3600 }
