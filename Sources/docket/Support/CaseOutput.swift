import DocketCore
import DocketStore
import DocketService
import Foundation

/// Prints what a command did: one line per recorded event and where the case is now, or JSON.
func printOutcome(_ outcome: CommandOutcome, session: Session, json: Bool) throws {
    let context = try session.catalog.context(for: outcome.definition)
    let time = { (t: Timestamp) in session.time(t, calendar: context.calendar) }
    if json {
        struct Output: Encodable {
            var replayed: Bool
            var events: [EventView]
            var `case`: CaseView
        }
        let view = CaseView(state: outcome.state, definition: outcome.definition, context: context, now: SystemWallClock().now(), time: time)
        print(try Format.json(Output(replayed: outcome.isReplay, events: outcome.recorded.map { EventView($0, time: time) }, case: view)))
        return
    }
    if outcome.isReplay { print("already done (same --key): nothing appended") }
    for r in outcome.recorded {
        print("#\(r.position) v\(r.version) \(time(r.event.occurredAt))  \(describe(r.event))")
    }
    let s = outcome.state
    print("case \(s.caseID) (\(s.workflowID) v\(s.workflowVersion)): \(s.outcome.map { "closed, \($0)" } ?? s.whereabouts)")
}
