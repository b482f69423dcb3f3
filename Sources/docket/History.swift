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

    @Flag(help: "Print the events as JSON.")
    var json = false

    func run() throws {
        let session = try Session(store, create: false)
        let loaded = try session.cases.load(caseID)
        let time = { (t: Timestamp) in session.time(t, calendar: loaded.context.calendar) }
        if json {
            print(try Format.json(loaded.events.map { EventView($0, time: time) }))
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
