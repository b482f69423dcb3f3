import ArgumentParser
import DocketCore
import DocketStore
import DocketService

struct Cases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases", abstract: "List cases, with their workflow version, state and deadlines.",
        discussion: """
            A case with a provisional deadline (one that needs dates after its calendar's coverage, \
            Docs/calendars.md) is marked * in the last column and counted below the table; JSON has \
            provisional: true.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only cases of this workflow.", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("Only cases in this state (case-level or branch state).", valueName: "state"))
    var state: String?

    @Flag(help: "Only open cases.")
    var open = false

    @Flag(help: "Only cases past a time limit now (or at --now), most overdue first.")
    var overdue = false

    @Option(help: ArgumentHelp("Only cases that entered a state of this department.", valueName: "department"))
    var department: String?

    @Option(help: ArgumentHelp("Only cases of this applicant (opened by them, or by a clerk for them).", valueName: "person"))
    var applicant: String?

    @Option(help: ArgumentHelp("Only cases opened with this data (repeatable; all must match).", valueName: "key=value"))
    var data: [String] = []

    @Option(help: ArgumentHelp("Only cases opened on this channel (the data field channel).", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp("Only cases opened at or after this time, ISO 8601.", valueName: "time"))
    var openedFrom: String?

    @Option(help: ArgumentHelp("Only cases opened before this time, ISO 8601.", valueName: "time"))
    var openedBefore: String?

    @Option(help: ArgumentHelp("List at most this many cases.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Judge deadlines as of this time, ISO 8601 (default: now).", valueName: "time"))
    var now: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        try DeployedFilters.check(session.catalog, workflow: workflow, state: state, department: department)
        let now = try session.readingTime(self.now, option: "--now", workflow: workflow) ?? SystemWallClock().now()
        let json = try output.isJSON()
        var query = CaseQuery()
        query.workflowID = workflow
        query.state = state
        query.department = department
        query.applicant = applicant
        query.channel = channel
        query.data = try parsePairs(data, option: "--data")
        query.openedFrom = try session.readingTime(openedFrom, option: "--opened-from", workflow: workflow)
        query.openedBefore = try session.readingTime(openedBefore, option: "--opened-before", workflow: workflow)
        query.openOnly = open || overdue
        query.overdueAt = overdue ? now : nil
        query.soonestDueFirst = overdue
        if let limit, limit < 1 { throw UsageFailure("--limit must be at least 1") }
        query.limit = limit
        // The desk tables of the projection, caught up first: millions of cases are not read.
        let desk = try session.deskQueries()
        if json {
            // A value no case has is refused before anything is written (the answer would be empty).
            if let unknown = try desk.unknownValue(in: query) { throw UsageFailure(unknown) }
            // Streamed: each case written as it is read, so every overdue case of a province is
            // written with bounded memory, the first at once.
            var stream = JSONOutput.ArrayStream { print($0, terminator: "") }
            try desk.search(query, now: now) { stream.append($0) }
            try stream.finish()
            print()
            return
        }
        let rows = try desk.search(query, now: now)
        // A value no case has (a mistyped channel, data key or applicant) is refused, listing the
        // known ones: a typo never reads as "no cases".
        if rows.isEmpty, let unknown = try desk.unknownValue(in: query) { throw UsageFailure(unknown) }
        var table = TextTable(["case", "workflow", "v", "state", "opened", "overdue since"], rightAligned: [2])
        for row in rows {
            let state = row.stateTitle.map { "\(row.state) \($0)" } ?? row.state
            table.append([row.caseID, row.workflow, String(row.workflowVersion), row.outcome.map { "closed: \($0)" } ?? state,
                          row.openedAt, [row.overdueSince, row.provisional ? "*" : nil].compactMap { $0 }.joined(separator: " ")])
        }
        print(table.render())
        print("\(rows.count) case(s)")
        let provisional = rows.filter(\.provisional).count
        if provisional > 0 {
            print("* \(provisional) case(s) with a provisional deadline: it needs dates whose holidays the calendar does not know yet (docket show CASE)")
        }
    }
}
