import ArgumentParser
import DocketCore
import DocketInterop
import DocketService
import Foundation

/// `docket conform LOG --workflow FILE`: how well a log fits a definition.
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Replay every trace of a log against a workflow definition and report the deviations.",
        discussion: """
            Each trace is replayed through the real engine: the case opens at its first event, and \
            each log event fires the event the map gives its activity (roles, documents and reasons are \
            supplied so that only the control flow is tested). Reports the share of traces that fit, \
            then each deviation (an event not allowed in a state, a missing step, a case not finished, \
            an event after the case closed, an unmapped activity) with the cases showing it and \
            example cases, worst first. Events whose lifecycle is not replayed (default: only \
            'complete' and events without one) are skipped. \
            A log written by 'docket export' replays as the cases it came from: openings, votes and \
            breaches are Docket's bookkeeping, transitions Docket fires itself (joins, votes' \
            outcomes, breach actions) are matched with the engine's, a case still running ends where \
            the export says it stood, and traces of other workflows are left out. \
            The definition's calendar is read from calendars/ beside it, else from the event log \
            (--db) where it is deployed; the output names the one used. Otherwise needs no database.
            """)

    @Argument(help: "The log file: .xes, .xes.gz or .csv.")
    var log: String

    @Option(help: ArgumentHelp("The workflow definition file to replay against (its calendar is read from calendars/ beside it, else from the event log).", valueName: "file"))
    var workflow: String

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The activity map (default: activities are the workflow's event names).", valueName: "file"))
    var map: String?

    @Option(help: ArgumentHelp("Deviations to list (default 15; all with --format json).", valueName: "n"))
    var top: Int = 15

    @OptionGroup var output: OutputOptions

    @OptionGroup var reading: LogReadingOptions

    func run() throws {
        // The log is opened only when the calendar is not beside the definition, and only if there is one.
        let (context, calendar) = try ConformanceChecker.context(forDefinitionAt: workflow) { [store] in
            guard FileManager.default.fileExists(atPath: store.path) else { return nil }
            return (try Session(store, create: false).catalog, store.path)
        }
        var activityMap = ActivityMap.identity
        if let map {
            activityMap = try ActivityMap.load(text: try ArtifactFile(path: map).text, file: map, checkingAgainst: context.definition)
        }
        let checker = ConformanceChecker(context: context, map: activityMap)
        var options = try reading.readOptions()
        options.keptAttributes = checker.attributesReplayed
        let loaded = try LoadedLog.read(path: log, options: options)
        let report = checker.check(loaded)
        if try output.isJSON() {
            print(try JSONOutput.text(ConformanceView(report, log: log, calendar: calendar?.name, calendarSource: calendar?.source)))
            return
        }
        let d = context.definition
        print("\(log) against \(d.id) v\(d.version)")
        if let calendar {
            print("  calendar: \(calendar.name) (\(calendar.source))")
        } else {
            print("  calendar: none (the workflow names none: every second counts)")
        }
        if report.otherWorkflowTraces > 0 {
            print("  \(report.otherWorkflowTraces) traces of other workflows left out")
        }
        print("  \(report.traces) traces, \(report.events) events (\(report.replayedEvents) replayed)")
        print(String(format: "  %d traces fit (%.2f%%)", report.fittingTraces, report.fittingShare * 100))
        if report.runningTraces > 0 {
            print("  \(report.runningTraces) of them still running when the log was written, in the state it records")
        }
        guard !report.entries.isEmpty else { return }
        print("")
        var table = TextTable(["cases", "share", "times", "deviation", "e.g."], rightAligned: [0, 1, 2])
        for entry in report.entries.prefix(max(top, 0)) {
            table.append([
                String(entry.cases), String(format: "%.2f%%", Double(entry.cases) / Double(max(report.traces, 1)) * 100),
                String(entry.occurrences), entry.deviation.description, entry.exampleCases.prefix(3).joined(separator: ", "),
            ])
        }
        print(table.render())
        if report.entries.count > top { print("... and \(report.entries.count - top) more (all with --format json)") }
    }
}
