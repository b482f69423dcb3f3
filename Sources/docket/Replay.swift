import ArgumentParser
import DocketService
import DocketStore
import Foundation

/// `docket replay`: throws the analytics projections away and rebuilds them from the log.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild the analytics projections from the event log and print the replay speed.",
        discussion: """
            Drops the analytics tables, folds every event of the log again (on the calendars the \
            deployed workflows name) and prints how many events per second that took. `docket \
            report` keeps the projections up to date by itself; replay is for after a change of \
            Docket or of a calendar, and to measure. The log itself is never changed.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(help: .hidden)
    var batchSize: Int = ProjectionUpdater.rebuildBatchSize

    struct Outcome: Encodable {
        var events: Int64
        var seconds: Double
        var eventsPerSecond: Double
        var openCases: Int
        var ignoredEvents: Int64
    }

    func run() throws {
        let store = try AnalyticsStore.open(storeOptions)
        let updater = ProjectionUpdater(SQLiteProjectionStore(log: store), calendars: try ProjectionCalendars.deployed(in: store))
        let bar = ProgressBar(label: "replaying", total: try store.lastPosition())
        let start = DispatchTime.now().uptimeNanoseconds
        let run = try updater.rebuild(batchSize: batchSize) { bar.update($0.done) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        bar.finish()
        let outcome = Outcome(
            events: run.events, seconds: elapsed, eventsPerSecond: elapsed > 0 ? Double(run.events) / elapsed : 0,
            openCases: run.openCases, ignoredEvents: run.ignoredEvents)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(outcome), as: UTF8.self))
            return
        }
        var line = String(format: "replayed %lld events in %.2f s: %.0f events/s; %d cases open",
                          run.events, elapsed, outcome.eventsPerSecond, run.openCases)
        if run.ignoredEvents > 0 { line += "; \(run.ignoredEvents) events could not be placed (see Docs/analytics.md)" }
        print(line)
    }
}
