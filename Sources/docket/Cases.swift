import ArgumentParser
import DocketCore
import DocketStore
import DocketService

struct Cases: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cases", abstract: "List cases, with their workflow version, state and deadlines.")

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only cases of this workflow.", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("Only cases in this state (case-level or branch state).", valueName: "state"))
    var state: String?

    @Flag(help: "Only open cases.")
    var open = false

    @Flag(help: "Only cases past a time limit now (or at --now), most overdue first.")
    var overdue = false

    @Option(help: ArgumentHelp("Judge deadlines as of this time, ISO 8601 (default: now).", valueName: "time"))
    var now: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        try DeployedFilters.check(session.catalog, workflow: workflow, state: state)
        let now = try self.now.map { try parseTime($0, option: "--now") } ?? SystemWallClock().now()
        let json = try output.isJSON()
        var rows: [(row: CaseSummaryView, due: Timestamp?)] = []
        // Open or overdue cases only: the projection knows which cases are open, so millions of
        // closed ones are not read.
        let caseIDs = open || overdue
            ? try session.openCaseIDs(workflowID: workflow)
            : try session.store.cases(workflowID: workflow).map(\.caseID)
        for caseID in caseIDs {
            let loaded = try session.cases.load(caseID)
            let s = loaded.state
            if open, s.isClosed { continue }
            if let state, s.current.state != state, !s.branches.contains(where: { $0.visit.state == state }) { continue }
            let late = s.deadlines(in: loaded.context).filter { $0.isOverdue(at: now) }
            let earliestDue = late.compactMap(\.dueAt).min()
            if overdue, late.isEmpty { continue }
            let time = TimeText(calendar: loaded.context.calendar)
            rows.append((CaseSummaryView(state: s, time: time, overdue: !late.isEmpty, overdueSince: earliestDue, definition: loaded.definition),
                         earliestDue))
        }
        if overdue { rows.sort { ($0.due ?? now) < ($1.due ?? now) } }
        if json {
            print(try JSONOutput.text(rows.map(\.row)))
            return
        }
        var table = TextTable(["case", "workflow", "v", "state", "opened", "overdue since"], rightAligned: [2])
        for (row, _) in rows {
            let state = row.stateTitle.map { "\(row.state) \($0)" } ?? row.state
            table.append([row.caseID, row.workflow, String(row.workflowVersion), row.outcome.map { "closed: \($0)" } ?? state,
                          row.openedAt, row.overdueSince ?? ""])
        }
        print(table.render())
        print("\(rows.count) case(s)")
    }
}
