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

    @OptionGroup var output: OutputOptions

    @Option(help: .hidden)
    var batchSize: Int = ProjectionUpdater.rebuildBatchSize

    func run() throws {
        let store = try AnalyticsStore.open(storeOptions)
        guard let kept = AnalyticsStore.keptProjections(of: store) else {
            throw UsageFailure("\(storeOptions.path) keeps no projection tables to rebuild")
        }
        let updater = ProjectionUpdater(kept.store, calendars: try ProjectionCalendars.deployed(in: store))
        let bar = ProgressBar(label: "replaying", total: try store.lastPosition())
        let start = DispatchTime.now().uptimeNanoseconds
        let run = try updater.rebuild(batchSize: batchSize) { bar.update($0.done) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        bar.finish()
        let outcome = ReplayView(run, seconds: elapsed)
        if try output.isJSON() {
            print(try JSONOutput.text(outcome))
            return
        }
        var line = String(format: "replayed %lld events in %.2f s: %.0f events/s; %d cases open",
                          run.events, elapsed, outcome.eventsPerSecond, run.openCases)
        if run.ignoredEvents > 0 { line += "; \(run.ignoredEvents) events could not be placed (see Docs/analytics.md)" }
        print(line)
    }
}
