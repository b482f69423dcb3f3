import DocketCore
import DocketStore
import DocketService
import Foundation

/// Prints what a command did: one line per recorded event and where the case is now, or JSON.
func printOutcome(_ outcome: CommandOutcome, session: Session, json: Bool) throws {
    let context = try session.catalog.context(for: outcome.definition)
    if json {
        print(try JSONOutput.text(CommandOutcomeView(outcome, context: context, now: SystemWallClock().now())))
        return
    }
    let time = TimeText(calendar: context.calendar)
    if outcome.isReplay { print("already done (same --key): nothing appended") }
    for r in outcome.recorded {
        print("#\(r.position) v\(r.version) \(time(r.event.occurredAt))  \(describe(r.event, time: time))")
    }
    let s = outcome.state
    print("case \(s.caseID) (\(s.workflowID) v\(s.workflowVersion)): \(s.outcome.map { "closed, \($0)" } ?? s.whereabouts)")
}
