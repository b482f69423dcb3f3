import ArgumentParser
import DocketCore
import DocketInterop
import DocketService
import Foundation

/// `docket import LOG`: appends an event log to the event store.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append an event log (XES, XES.gz, CSV) to the event store as cases.",
        discussion: """
            Without --workflow, every case of the log becomes a closed case of the built-in workflow \
            'imported' (deployed on first use): an opening at its first event, then one transition per \
            log event, the activity as the transition, times as business time, resource as actor, role \
            and group as role and department, lifecycle kept. With --workflow, each trace is replayed \
            through the engine against that deployed workflow (activities mapped to events by --map) \
            and appended only if every event replays (a trace that stops early becomes an open case); \
            run 'docket conform' to see why others do not. \
            The whole file is checked before anything is appended: a bad file imports nothing. Cases \
            go in batches, one transaction each; case ids are the log's, prefixed with the file's \
            SHA-256 (first 8 digits), so importing the same file again adds nothing, and an \
            interrupted import run again picks up where it stopped.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The log file: .xes, .xes.gz or .csv (the format is recognised by content).")
    var log: String

    @Option(help: ArgumentHelp("Import into this deployed workflow (its newest version) instead of 'imported'.", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("With --workflow: the activity map (YAML: activities: {LOG ACTIVITY: event}).", valueName: "file"))
    var map: String?

    @Option(help: ArgumentHelp(
        "Into 'imported': the business calendar the cases count working time on, a deployed or shipped calendar's name (weekdays, cn) or a calendar file (deployed first). Without it every second counts and reports show wall-clock time only.",
        valueName: "name|file"))
    var calendar: String?

    @Option(help: ArgumentHelp("Events per transaction (cases are never split).", valueName: "n"))
    var batchSize: Int = 10_000

    @Option(help: ArgumentHelp("Prefix for the case ids (default: the first 8 hex digits of the file's SHA-256 and '/').", valueName: "text"))
    var casePrefix: String?

    @Flag(help: "Keep every other event attribute of the log on the events (larger log, slower).")
    var attributes = false

    @OptionGroup var output: OutputOptions

    @OptionGroup var reading: LogReadingOptions

    func run() throws {
        guard batchSize > 0 else { throw UsageFailure("--batch-size must be at least 1") }
        if map != nil, workflow == nil { throw UsageFailure("--map needs --workflow: a map translates activities into one workflow's events") }
        if calendar != nil, let workflow {
            throw UsageFailure("--calendar is for imports into 'imported': workflow '\(workflow)' counts on the calendar its definition names")
        }
        let session = try Session(store)
        var options = LogImportOptions(batchSize: batchSize, casePrefix: casePrefix, read: try reading.readOptions(collectsAttributes: attributes))
        options.principal = Operator.principal
        if let calendar {
            options.calendar = try CalendarArgument.deployed(calendar, catalog: session.catalog, principal: Operator.principal)
        }
        if let workflow {
            options.workflowID = workflow
            let definition = try session.catalog.definition(workflow)
            if let map {
                let text = try ArtifactFile(path: map).text
                options.map = try ActivityMap.load(text: text, file: map, checkingAgainst: definition)
            }
        }
        let started = DispatchTime.now()
        var bar: ProgressBar?
        let summary = try LogImporter(catalog: session.catalog).run(path: log, options: options) { progress in
            if bar == nil { bar = ProgressBar(label: "import", total: Int64(progress.casesTotal)) }
            bar?.update(Int64(progress.casesDone))
        }
        bar?.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        if summary.skippedRows > 0 {
            Terminal.printError("warning: \(log): skipped \(summary.skippedRows) rows without a timestamp, case or activity (pm4py drops them too)")
        }
        if try output.isJSON() {
            print(try JSONOutput.text(ImportView(summary, seconds: seconds)))
            return
        }
        let rate = seconds > 0 ? Int(Double(summary.appendedEvents) / seconds) : 0
        let added: String
        if summary.importedCases == 0 {
            added = ""
        } else if options.workflowID == nil {
            added = ": the file's \(summary.importedLogEvents) and an opening per case"
        } else {
            added = " for the file's \(summary.importedLogEvents): the engine adds openings, branch starts, clock stops and the like"
        }
        print("imported \(summary.importedCases) cases (\(summary.appendedEvents) events\(added)) of \(log) into workflow \(summary.workflowID) v\(summary.workflowVersion) in \(String(format: "%.2f", seconds)) s (\(rate) events/s, \(summary.batches) transactions)")
        if summary.alreadyImported > 0 {
            print("\(summary.alreadyImported) cases were already imported and were left as they are")
        }
        if summary.openCases > 0 {
            print("\(summary.openCases) of them are still open: their trace ends before a final state of \(summary.workflowID)")
        }
        if !summary.notFitting.isEmpty {
            print("\(summary.notFitting.count) cases do not fit workflow \(summary.workflowID) and were not imported, e.g.:")
            for (caseID, deviation) in summary.notFitting.prefix(5) { print("  \(caseID): \(deviation)") }
            print("run 'docket conform \(log) --workflow FILE --map FILE' for every deviation")
        }
    }
}
