import ArgumentParser
import DocketInterop
import DocketService
import Foundation

/// `docket export`: the event log in the field's formats.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the event log out as XES, CSV (pm4py column names) or JSON Lines.",
        discussion: """
            XES and CSV: one trace per case, in opening order. Imported cases come out as the log \
            they came from (same case ids, activities, times, lifecycle, resources, roles, groups), so \
            'docket analyze' on the export gives the figures of the original file. Docket's own cases \
            come out with their transitions as activities. JSONL: every event with every field, one \
            per line, in log order. The export covers the log as it stands when it starts. With \
            --out, the file appears only once complete (a name ending in .gz is gzip-compressed).
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Only cases of this workflow (e.g. imported).", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("xes, csv or jsonl (default: from the --out name, else xes).", valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var out: String?

    func run() throws {
        let chosen: ExportFormat
        if let format {
            guard let parsed = ExportFormat(rawValue: format.lowercased()) else {
                throw UsageFailure("unknown format '\(format)': use xes, csv or jsonl")
            }
            chosen = parsed
        } else {
            let name = (out ?? "").lowercased().replacingOccurrences(of: ".gz", with: "")
            chosen = name.hasSuffix(".csv") ? .csv : name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") ? .jsonl : .xes
        }
        let session = try Session(store, create: false)
        if let workflow, try session.store.latestDeployment(.workflow, id: workflow) == nil {
            let known = try session.store.deployments(.workflow).map(\.id)
            throw UsageFailure("workflow '\(workflow)' is not deployed" + (known.isEmpty ? "" : "; deployed: " + Set(known).sorted().joined(separator: ", ")))
        }
        let sink = try FileLogSink(path: out)
        let summary = try LogExporter(store: session.store).export(workflowID: workflow, format: chosen, to: sink, logName: workflow)
        if let out {
            print("exported \(summary.cases) cases, \(summary.events) events to \(out) (\(chosen.rawValue), log through position \(summary.throughPosition))")
        }
    }
}
