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
            print(try JSONOutput.text(loaded.events.map { EventView($0, time: time) }))
            return
        }
        var table = TextTable(["v", "occurred at", "actor", "role", "for", "what"], rightAligned: [0])
        for r in loaded.events {
            let e = r.event
            table.append([String(r.version), time(e.occurredAt), e.actor, e.role ?? "", e.onBehalfOf ?? "", describe(e)])
        }
        print(table.render())
    }
}
