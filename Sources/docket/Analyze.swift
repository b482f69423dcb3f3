import ArgumentParser
import DocketAnalytics
import DocketCore
import DocketInterop
import DocketService
import Foundation

/// `docket analyze LOG`: the process-mining figures of an event log, as pm4py computes them.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure an event log (XES, XES.gz, CSV) with pm4py's figures.",
        discussion: """
            Reads the log straight from the file and prints case counts, case durations, the \
            performance directly-follows graph (slowest transitions and bottlenecks), service, \
            waiting and sojourn times, arrival rates, rework and variants, with pm4py 2.7's \
            semantics. All durations in --format json are seconds. --format html writes the log's \
            page (with --out to a file): the process map (directly-follows graph, narrowed to the \
            most frequent variants' paths), the variants and the case-duration distribution. \
            With --calendar, case durations are measured in working time on that calendar too \
            (JSON: calendar, case_duration_working_s); without one, only wall-clock time is shown.
            """)

    @Argument(help: "The log file: .xes, .xes.gz or .csv (the format is recognised by content).")
    var log: String

    @OptionGroup var output: OutputOptions

    @OptionGroup var destination: OutputFileOptions

    @OptionGroup var reading: LogReadingOptions

    @Option(help: """
        CSV: a start timestamp column to measure service times with (default: start_timestamp, \
        which is what pm4py uses; Disco's "Start Timestamp" only when named here).
        """)
    var startColumn: String?

    @Option(help: ArgumentHelp(
        "A business calendar to measure case durations in working time on: a shipped calendar's name (weekdays, cn, cn-2020, rizhao-2020) or a calendar file.",
        valueName: "name|file"))
    var calendar: String?

    func run() throws {
        let format = try output.checked(csv: false, html: true)
        let started = DispatchTime.now()
        let options = try reading.readOptions(startColumn: startColumn)
        let businessCalendar = try calendar.map { try CalendarArgument.load($0) }
        let file = try EventLogFile(path: log)
        var figures = ProcessMiningFigures(rowOrder: file.format == .csv ? .sortedByCaseAndTimestamp : .asRead)
        var workingDurations = businessCalendar.map { WorkingCaseDurations(calendar: $0) }
        let summary = try file.forEachBatch(options: options) { batch in
            for e in batch {
                figures.add(
                    caseID: e.caseID, activity: e.activity, timestamp: e.timestamp,
                    lifecycle: e.lifecycle, instance: e.instance, startTimestamp: e.startTimestamp)
                workingDurations?.add(caseID: e.caseID, timestamp: e.timestamp)
            }
        }
        let read = DispatchTime.now()
        let report = figures.finish()
        let working = businessCalendar.map { c in
            WorkingDurationFigures(calendar: c.provenance.description, workingDaySeconds: workingDurations?.workingDaySeconds ?? 0,
                                   caseDuration: workingDurations?.finish())
        }
        let done = DispatchTime.now()
        if let summary, summary.skippedRows > 0 {
            FileHandle.standardError.write(Data("warning: \(log): skipped \(summary.skippedRows) rows without a timestamp, case or activity (pm4py drops them too)\n".utf8))
        }
        switch format {
        case .json:
            let timings = [
                ("read", seconds(started, read)),
                ("figures", seconds(read, done)),
            ]
            var json = report.json(log: log, timings: timings)
            if let working, case var .object(pairs) = json {
                pairs.append(("calendar", .object([("name", .string(working.calendar)), ("working_day_s", .double(working.workingDaySeconds))])))
                pairs.append(("case_duration_working_s", working.caseDuration?.summaryJSON ?? .null))
                json = .object(pairs)
            }
            try destination.emitJSON(json)
        case .html: try destination.emit(AnalyzePage.make(report, log: log, layout: GraphvizLayout.installed(), working: working))
        case .table, .csv: try destination.emit(AnalyzeSummary(report: report, log: log, working: working).text)
        }
    }

    private func seconds(_ a: DispatchTime, _ b: DispatchTime) -> Double {
        Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9
    }
}

/// The readable summary `analyze` prints without `--json`.
struct AnalyzeSummary {
    let report: ProcessMiningReport
    let log: String
    var working: WorkingDurationFigures?

    var text: String {
        var lines: [String] = []
        let r = report
        lines.append("\(log)")
        lines.append("  \(r.caseCount) cases, \(r.eventCount) events, \(r.activityCount) activities, \(r.variantCount) variants")
        if let first = r.firstTimestamp, let last = r.lastTimestamp {
            lines.append("  from \(first.iso8601(offsetSeconds: 0)) to \(last.iso8601(offsetSeconds: 0))")
        }
        if let d = r.caseDuration {
            lines.append("")
            lines.append("Case duration")
            lines.append("  median \(human(d.median)), mean \(human(d.mean)), p90 \(human(d.p90))")
            lines.append("  min \(human(d.min)), p25 \(human(d.p25)), p75 \(human(d.p75)), max \(human(d.max))")
        }
        if let working, let d = working.caseDuration {
            func wd(_ seconds: Double) -> String { Format.workingTime(seconds: seconds, workingDaySeconds: working.workingDaySeconds) }
            lines.append("")
            lines.append("Case duration in working time (calendar \(working.calendar); wd = a working day of \(human(working.workingDaySeconds)))")
            lines.append("  median \(wd(d.median)), mean \(wd(d.mean)), p90 \(wd(d.p90))")
            lines.append("  min \(wd(d.min)), p25 \(wd(d.p25)), p75 \(wd(d.p75)), max \(wd(d.max))")
        }
        func edgeLines(_ title: String, _ edges: [PerformanceDFG.Edge], _ value: (PerformanceDFG.Edge) -> String) {
            lines.append("")
            lines.append(title)
            for e in edges.prefix(10) {
                lines.append("  \(value(e))  \(e.source) -> \(e.target)  (\(e.count)x, mean \(human(e.mean)), median \(human(e.median)))")
            }
        }
        edgeLines("Bottlenecks (transitions by total time)", r.performanceDFG.edgesByTotalTime) { pad(human($0.sum), 10) }
        edgeLines("Slowest transitions (by mean time)", r.performanceDFG.edgesByMean) { pad(human($0.mean), 10) }
        if let s = r.serviceTimes {
            lines.append("")
            lines.append("Service time per activity (\(s.source.rawValue))")
            for a in s.perActivity.prefix(10) {
                lines.append("  \(pad(human(a.mean), 10))  \(a.activity)  (median \(human(a.median)))")
            }
            if let service = s.caseService, let waiting = s.caseWaiting {
                lines.append("  per case: service median \(human(service.median)), waiting median \(human(waiting.median))")
            }
        }
        if let arrival = r.caseArrivalAverage {
            lines.append("")
            lines.append("A case starts every \(human(arrival)) on average; one ends every \(human(r.caseDispersionAverage ?? 0)).")
        }
        let rework = r.reworkCompleteOnly ?? r.rework
        if !rework.isEmpty {
            lines.append("")
            lines.append("Rework (cases repeating an activity\(r.reworkCompleteOnly != nil ? ", complete events" : ""))")
            for a in rework.prefix(5) { lines.append("  \(pad(String(a.cases), 7))  \(a.activity)") }
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// A duration in human units, the same everywhere in the CLI (`Format.duration`).
    func human(_ seconds: Double) -> String { Format.duration(seconds: seconds) }
}
