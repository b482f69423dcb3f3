import ArgumentParser
import DocketCore
import DocketStore
import DocketService

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show where a case is: state, branches, deadlines, documents, and what can be done next.",
        discussion: """
            A working-time deadline that needs dates after the calendar's coverage (the holidays it \
            knows, Docs/calendars.md) is counted on the weekly hours alone and marked provisional \
            (JSON: provisional: true); it moves when next year's holidays are deployed.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Option(help: ArgumentHelp("Judge deadlines as of this time, ISO 8601 (default: now).", valueName: "time"))
    var now: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let now = try self.now.map { try session.cases.instant(of: BusinessTime($0, field: "--now"), caseID: caseID) } ?? SystemWallClock().now()
        let loaded = try session.cases.load(caseID)
        let view = CaseView(state: loaded.state, definition: loaded.definition, context: loaded.context, now: now)
        let desk = view.desk
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
        lines.append("applicant  \(desk.applicant ?? "none (opened by the authority)")" + (desk.actingFor.map { ", opened for them by \($0)" } ?? ""))
        for holder in desk.holders {
            lines.append("held by    \(holder.person)\(holder.branch.map { " (branch \($0))" } ?? "")\(holder.since.map { " since \($0)" } ?? "")")
        }
        if !view.allowed.isEmpty, desk.holders.isEmpty { lines.append("held by    nobody (docket claim)") }
        if let vote = desk.vote {
            let cast = vote.ballots.map { "\($0.voter) \($0.ballot)" }.joined(separator: ", ")
            lines.append("vote       \(vote.approvals) approve, \(vote.rejections) reject (approved at \(vote.approveAt), rejected at \(vote.rejectAt))"
                         + (cast.isEmpty ? "" : "; voted: \(cast)")
                         + (vote.notYetVoted.isEmpty ? (vote.seatsOpen > 0 ? "; \(vote.seatsOpen) seat(s) still to vote" : "") : "; not yet: " + vote.notYetVoted.joined(separator: ", ")))
        }
        if !view.data.isEmpty { lines.append("data       " + view.data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        if !view.documents.isEmpty { lines.append("documents  " + view.documents.joined(separator: ", ")) }
        if !desk.documentsOwed.isEmpty { lines.append("still owed " + desk.documentsOwed.joined(separator: ", ")) }
        if view.sendBackRounds > 0 { lines.append("sent back  \(view.sendBackRounds) time(s)") }
        if view.clockStopped { lines.append("clock      stopped (waiting for the applicant)") }
        for (d, left) in zip(view.deadlines, desk.workingSecondsLeft) {
            let day = Double(loaded.context.calendar.workingDayMicroseconds) / 1_000_000
            let remaining = left.map {
                $0 < 0 ? ", overdue by \(Format.workingTime(seconds: -$0, workingDaySeconds: day)) of working time"
                    : ", \(Format.workingTime(seconds: $0, workingDaySeconds: day)) of working time left"
            } ?? ""
            let what = d.kind == "statutory" ? "statutory limit" : "limit of \(d.branch.map { "\($0)/" } ?? "")\(d.state ?? "?")"
            lines.append("deadline   \(what): \(d.limit), due \(d.dueAt ?? "(clock stopped)")\(d.provisional ? " (provisional: beyond the calendar's known holidays)" : "")\(remaining)\(d.overdue ? "  OVERDUE" : "")")
        }
        for action in loaded.state.availableActions(in: loaded.definition) {
            lines.append("next       \(action.description)\(loaded.definition.eventTitle(action.event).map { "  \($0)" } ?? "")")
        }
        lines.append("version    \(view.version) event(s)")
        print(lines.joined(separator: "\n"))
    }
}

