import ArgumentParser
import DocketCore
import DocketStore
import DocketService

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show where a case is: state, branches, deadlines, documents, and what can be done next.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let loaded = try session.cases.load(caseID)
        let view = CaseView(state: loaded.state, definition: loaded.definition, context: loaded.context, now: SystemWallClock().now())
        if try output.isJSON() {
            print(try JSONOutput.text(view))
            return
        }
        var lines = [
            "case       \(view.caseID)",
            "workflow   \(view.workflow) v\(view.workflowVersion)\(view.workflowTitle.map { " \($0)" } ?? "")",
            "state      \(view.outcome.map { "closed, \($0) (\(view.state))" } ?? view.whereabouts)\(view.stateTitle.map { " \($0)" } ?? "")",
            "opened     \(view.openedAt)",
        ]
        if let closed = view.closedAt { lines.append("closed     \(closed)") }
        if !view.data.isEmpty { lines.append("data       " + view.data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        if !view.documents.isEmpty { lines.append("documents  " + view.documents.joined(separator: ", ")) }
        if view.sendBackRounds > 0 { lines.append("sent back  \(view.sendBackRounds) time(s)") }
        if view.clockStopped { lines.append("clock      stopped (waiting for the applicant)") }
        for d in view.deadlines {
            let what = d.kind == "statutory" ? "statutory limit" : "limit of \(d.branch.map { "\($0)/" } ?? "")\(d.state ?? "?")"
            lines.append("deadline   \(what): \(d.limit), due \(d.dueAt ?? "(clock stopped)")\(d.overdue ? "  OVERDUE" : "")")
        }
        for action in loaded.state.availableActions(in: loaded.definition) {
            lines.append("next       \(action.description)\(loaded.definition.eventTitle(action.event).map { "  \($0)" } ?? "")")
        }
        lines.append("version    \(view.version) event(s)")
        print(lines.joined(separator: "\n"))
    }
}
