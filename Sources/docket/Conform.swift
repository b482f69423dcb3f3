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
            'complete' and events without one) are skipped. Needs no database.
            """)

    @Argument(help: "The log file: .xes, .xes.gz or .csv.")
    var log: String

    @Option(help: ArgumentHelp("The workflow definition file to replay against (its calendar is read from calendars/ beside it).", valueName: "file"))
    var workflow: String

    @Option(help: ArgumentHelp("The activity map (default: activities are the workflow's event names).", valueName: "file"))
    var map: String?

    @Option(help: ArgumentHelp("Deviations to list (default 15; all with --format json).", valueName: "n"))
    var top: Int = 15

    @OptionGroup var output: OutputOptions

    @OptionGroup var reading: LogReadingOptions

    func run() throws {
        let context = try ConformanceChecker.context(forDefinitionAt: workflow)
        var activityMap = ActivityMap.identity
        if let map {
            activityMap = try ActivityMap.load(text: try ArtifactFile(path: map).text, file: map, checkingAgainst: context.definition)
        }
        let loaded = try LoadedLog.read(path: log, options: try reading.readOptions())
        let report = ConformanceChecker(context: context, map: activityMap).check(loaded)
        if try output.isJSON() {
            print(try JSONOutput.text(ConformanceView(report, log: log)))
            return
        }
        let d = context.definition
        print("\(log) against \(d.id) v\(d.version)")
        print("  \(report.traces) traces, \(report.events) events (\(report.replayedEvents) replayed)")
        print(String(format: "  %d traces fit (%.2f%%)", report.fittingTraces, report.fittingShare * 100))
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
