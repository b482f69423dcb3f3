import ArgumentParser
import DocketCore
import DocketService

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List every event of a case: who did what, for whom, when, in which branch.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let loaded = try session.cases.load(caseID)
        let time = TimeText(calendar: loaded.context.calendar)
        if try output.isJSON() {
            print(try JSONOutput.text(EventView.history(loaded.events, time: time)))
            return
        }
        var table = TextTable(["v", "occurred at", "actor", "role", "for", "what"], rightAligned: [0])
        // Every event as recorded; a corrected or voided one says so (the corrections are listed too).
        let resolved = CaseHistory(loaded.events.map(\.event))
        for (r, entry) in zip(loaded.events, resolved.entries) {
            let e = r.event
            table.append([String(r.version), time(e.occurredAt), e.actor, e.role ?? "", e.onBehalfOf ?? "",
                          describe(e, time: time) + marks(entry)])
        }
        print(table.render())
    }
}

/// ` [voided by v9]`, ` [corrected by v8]`: what later events say of this one.
private func marks(_ entry: CaseHistory.Entry) -> String {
    var text = ""
    if !entry.correctedBy.isEmpty { text += " [corrected by " + entry.correctedBy.map { "v\($0)" }.joined(separator: ", ") + "]" }
    if let voided = entry.voidedBy { text += " [voided by v\(voided)]" }
    return text
}
