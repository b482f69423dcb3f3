import ArgumentParser
import DocketCore
import DocketService
import DocketStore

struct Worklist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "The work waiting on a department, a role or a person, most urgent (or oldest) first, with the limit that applies.",
        discussion: """
            Each line is a case waiting in a state, or one branch of a parallel state, with the limit that runs \
            out first (the state's own or the statutory one), when it is due and the working time left. \
            Examples: docket worklist --department fire --due-within 2d; docket worklist --mine --by li.wei.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only work of this workflow.", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("Only work waiting in a state of this department.", valueName: "department"))
    var department: String?

    @Option(help: ArgumentHelp("Only work this role can act on (a transition or vote it may do).", valueName: "role"))
    var role: String?

    @Option(name: .customLong("held-by"), help: ArgumentHelp("Only work this person holds (has claimed).", valueName: "person"))
    var heldBy: String?

    @Flag(help: "Only work the person of --by holds: \"my cases\".")
    var mine = false

    @Option(help: ArgumentHelp("Who asks (for --mine).", valueName: "person"))
    var by: String?

    @Flag(help: "Only work nobody holds.")
    var unclaimed = false

    @Option(help: ArgumentHelp("Only work due within this working time from now, overdue included: 2d (working days of the workflow's calendar), 4h.", valueName: "time"))
    var dueWithin: String?

    @Option(help: ArgumentHelp("urgent (soonest due first) or oldest (longest waiting first).", valueName: "urgent|oldest"))
    var sort: String = "urgent"

    @Option(help: ArgumentHelp("Show at most this many items (the total is counted in full).", valueName: "n"))
    var limit: Int = 50

    @Option(help: ArgumentHelp("Judge deadlines as of this time, ISO 8601 (default: now).", valueName: "time"))
    var now: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        var request = WorklistRequest()
        request.workflowID = workflow
        request.department = department
        request.role = role
        request.unclaimedOnly = unclaimed
        guard let order = WorkQuery.Order(rawValue: sort) else { throw UsageFailure("--sort '\(sort)' is neither urgent nor oldest") }
        request.order = order
        guard limit > 0 else { throw UsageFailure("--limit must be at least 1") }
        request.limit = limit
        if mine {
            guard let by else { throw UsageFailure("--mine needs --by PERSON: whose cases to list") }
            guard heldBy == nil || heldBy == by else { throw UsageFailure("--mine is --held-by \(by); do not give both") }
            request.holder = by
        } else {
            request.holder = heldBy
        }
        if request.holder != nil, unclaimed { throw UsageFailure("--unclaimed lists work nobody holds; it cannot be combined with --mine or --held-by") }
        if let dueWithin {
            guard let amount = WorkingAmount(dueWithin) else {
                throw UsageFailure("--due-within '\(dueWithin)' is not a working time such as 2d (working days) or 4h")
            }
            request.dueWithin = amount
        }
        let session = try Session(store, create: false)
        try DeployedFilters.check(session.catalog, workflow: workflow, department: department, role: role)
        let now = try session.readingTime(self.now, option: "--now", workflow: workflow) ?? SystemWallClock().now()
        let view = try session.deskQueries().worklist(request, now: now)
        if try output.isJSON() {
            print(try JSONOutput.text(view))
            return
        }
        var table = TextTable(["case", "workflow", "state", "department", "waiting since", "holder", "due", "limit", "working time left"])
        var workingDays: [String: Double] = [:]
        for item in view.items {
            let key = "\(item.workflow) v\(item.workflowVersion)"
            if workingDays[key] == nil {
                let definition = try session.catalog.definition(item.workflow, version: item.workflowVersion)
                workingDays[key] = Double(try session.catalog.context(for: definition).calendar.workingDayMicroseconds) / 1_000_000
            }
            let day = workingDays[key] ?? 86_400
            let left = item.workingSecondsLeft.map {
                $0 < 0 ? "overdue " + Format.workingTime(seconds: -$0, workingDaySeconds: day) : Format.workingTime(seconds: $0, workingDaySeconds: day)
            } ?? ""
            table.append([item.caseID, item.workflow, item.branch.map { "\($0): \(item.state)" } ?? item.state, item.department ?? "",
                          item.waitingSince, item.holder ?? "", item.dueAt ?? "", item.deadline ?? "", left])
        }
        print(table.render())
        print(view.items.count < view.total ? "\(view.items.count) of \(view.total) item(s); --limit shows more" : "\(view.total) item(s)")
    }
}
