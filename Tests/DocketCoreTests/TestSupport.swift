import Foundation
import Testing
@testable import DocketCore

/// The issue-3 example, verbatim.
let permitCheckYAML = """
workflow: permit-check
version: 1
title: Simple permit check
roles: [applicant, clerk, approver]
states:
  submitted: { initial: true }
  review:    { department: licensing }
  approved:  { final: true, outcome: approved }
  rejected:  { final: true, outcome: rejected }
transitions:
  - { event: accept,  from: submitted, to: review,   roles: [clerk] }
  - { event: approve, from: review,    to: approved, roles: [approver], requires: [site_photos] }
  - { event: reject,  from: review,    to: rejected, roles: [approver] }
"""

/// An instant written in ISO 8601 (tests use literal, valid times).
func at(_ text: String) -> Timestamp {
    guard let t = Timestamp.parse(iso8601: text) else {
        Issue.record("bad test time \(text)")
        return Timestamp(microseconds: 0)
    }
    return t
}

/// Loads a definition that the test expects to be valid.
func definition(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> WorkflowDefinition {
    switch DefinitionLoader.load(text: yaml, file: "test.yaml") {
    case let .success(definition): return definition
    case let .failure(errors):
        Issue.record("definition does not load:\n\(errors)", sourceLocation: sourceLocation)
        throw errors
    }
}

/// The diagnostics of a definition the test expects to be invalid.
func diagnostics(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Diagnostic] {
    switch DefinitionLoader.load(text: yaml, file: "test.yaml") {
    case .success:
        Issue.record("definition unexpectedly loads", sourceLocation: sourceLocation)
        return []
    case let .failure(errors): return errors.diagnostics
    }
}

/// Drives one case through the engine, keeping its log the way a store would.
struct CaseDriver {
    var context: EngineContext
    var caseID = "C-1"
    var log: [CaseEvent] = []

    init(_ definition: WorkflowDefinition, calendar: any WorkingTimeCalendar = AlwaysWorkingCalendar()) {
        context = EngineContext(definition: definition, calendar: calendar)
    }

    var state: CaseState? { CaseState.replay(log) }

    @discardableResult
    mutating func run(_ command: Command) throws(Refusal) -> [CaseEvent] {
        let events = try Engine.decide(state, command, context)
        log += events
        return events
    }

    @discardableResult
    mutating func open(by actor: String = "ann", as role: String? = "applicant", onBehalfOf: String? = nil,
                       data: [String: String] = [:], at time: String = "2020-03-02T01:00:00Z") throws(Refusal) -> [CaseEvent] {
        try run(.open(OpenCase(caseID: caseID, actor: actor, role: role, onBehalfOf: onBehalfOf, data: data, at: at(time))))
    }

    @discardableResult
    mutating func fire(_ event: String, by actor: String = "bob", as role: String, onBehalfOf: String? = nil,
                       documents: [String] = [], reason: String? = nil, branch: String? = nil, data: [String: String] = [:],
                       at time: String = "2020-03-02T02:00:00Z") throws(Refusal) -> [CaseEvent] {
        try run(.fire(FireEvent(caseID: caseID, event: event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                documents: documents, reason: reason, branch: branch, data: data, at: at(time))))
    }

    @discardableResult
    mutating func vote(_ ballot: Ballot, by actor: String, as role: String = "expert", onBehalfOf: String? = nil,
                       at time: String = "2020-03-02T03:00:00Z") throws(Refusal) -> [CaseEvent] {
        try run(.vote(CastVote(caseID: caseID, ballot: ballot, actor: actor, role: role, onBehalfOf: onBehalfOf, at: at(time))))
    }

    @discardableResult
    mutating func tick(at time: String) throws(Refusal) -> [CaseEvent] {
        try run(.tick(Tick(caseID: caseID, now: at(time))))
    }

    /// The refusal code of a command expected to be refused (nil if it was accepted).
    /// Commands are tried on a copy: a refused command must leave the log as it was.
    func refusal(_ body: (inout CaseDriver) throws -> Void) -> Refusal? {
        var copy = self
        do {
            try body(&copy)
            return nil
        } catch {
            return error as? Refusal
        }
    }
}

/// A test double for the calendar seam: working time is 09:00-17:00 UTC every day (one working
/// day is 8 hours). Enough to tell working time from wall-clock time.
struct NineToFiveCalendar: WorkingTimeCalendar {
    static let hour: Int64 = 3_600_000_000
    static let day: Int64 = 24 * hour

    func window(ofDay day: Int64) -> (Int64, Int64) { (day * Self.day + 9 * Self.hour, day * Self.day + 17 * Self.hour) }

    func workingMicroseconds(from start: Timestamp, to end: Timestamp) -> Int64 {
        guard end > start else { return 0 }
        var total: Int64 = 0
        var day = start.microseconds.floorDivided(by: Self.day).quotient
        while day * Self.day < end.microseconds {
            let (open, close) = window(ofDay: day)
            let from = max(open, start.microseconds), to = min(close, end.microseconds)
            if to > from { total += to - from }
            day += 1
        }
        return total
    }

    func adding(workingMicroseconds amount: Int64, to start: Timestamp) -> Timestamp {
        guard amount > 0 else { return start }
        var remaining = amount
        var day = start.microseconds.floorDivided(by: Self.day).quotient
        while true {
            let (open, close) = window(ofDay: day)
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
