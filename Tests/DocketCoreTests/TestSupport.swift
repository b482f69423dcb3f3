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
                       documents: [String] = [], reason: String? = nil, branch: String? = nil,
                       at time: String = "2020-03-02T02:00:00Z") throws(Refusal) -> [CaseEvent] {
        try run(.fire(FireEvent(caseID: caseID, event: event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                documents: documents, reason: reason, branch: branch, at: at(time))))
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
