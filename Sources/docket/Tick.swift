import ArgumentParser
import DocketCore
import DocketService
import DocketStore

struct TickCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Record every deadline breach due by now, each exactly once, and fire the breach actions.",
        discussion: """
            Safe to run twice, or from two processes at once: a breach already recorded is never recorded again. \
            A breach due on a date after the calendar's coverage (Docs/calendars.md) was counted on the weekly \
            hours alone and is marked provisional.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Check deadlines as of this time, ISO 8601 (default: now).", valueName: "time"))
    var now: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let now = try session.readingTime(self.now, option: "--now") ?? SystemWallClock().now()
        // Only open cases with a limit run out and not yet recorded have a breach to record: the
        // projection knows which they are, so a tick with nothing due reads no case.
        let due = try session.casesDueForBreach(by: now)
        let outcomes = try session.cases.tick(caseIDs: due, now: now, principal: Operator.principal)
        if try output.isJSON() {
            var events: [EventView] = []
            for outcome in outcomes {
                let time = TimeText(calendar: try session.catalog.workingCalendar(for: outcome.definition))
                events += outcome.recorded.map { EventView($0, time: time) }
            }
            print(try JSONOutput.text(events))
            return
        }
        for outcome in outcomes {
            let calendar = try session.catalog.workingCalendar(for: outcome.definition)
            let time = TimeText(calendar: calendar)
            for r in outcome.recorded {
                // A due time on a date whose holidays the calendar does not know was counted on the weekly hours.
                let provisional = r.event.payload.dueAt.map { !calendar.covers(from: $0, to: $0) } ?? false
                print("\(outcome.caseID)  #\(r.position) \(describe(r.event))  due \(r.event.payload.dueAt.map { time($0) } ?? "-")"
                      + (provisional ? " (provisional: beyond the calendar's known holidays)" : ""))
            }
        }
        print("\(outcomes.reduce(0) { $0 + $1.recorded.count }) event(s) recorded on \(outcomes.count) case(s)")
    }
}
