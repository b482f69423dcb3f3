import DocketCore
import DocketInterop
import Foundation

/// How well a log fits a workflow definition: the share of traces that replay without a
/// deviation, and each kind of deviation with how many cases show it.
package struct ConformanceReport: Sendable {
    /// One deviation and how often it occurs.
    package struct Entry: Sendable {
        package var deviation: Deviation
        /// Cases showing it at least once.
        package var cases: Int
        /// Times it occurs, over all cases.
        package var occurrences: Int
        /// The first few cases showing it, in log order.
        package var exampleCases: [String]
    }

    /// The workflow replayed against.
    package var workflowID: String
    package var workflowVersion: Int
    /// Traces replayed (cases of the log).
    package var traces: Int
    /// Traces without any deviation (running cases included, see ``runningTraces``).
    package var fittingTraces: Int
    /// Fitting traces of cases still running when the log was written: they end in a state that
    /// is not final, where the log (Docket's export) says the case stood.
    package var runningTraces: Int
    /// Traces of other workflows, left out (Docket's export names each case's `workflow`).
    package var otherWorkflowTraces: Int
    /// Log events read, and those replayed (mapped and of a replayed lifecycle).
    package var events: Int
    package var replayedEvents: Int
    /// Every deviation, worst first: most cases, then most occurrences, then by description.
    package var entries: [Entry]

    /// `fittingTraces / traces` (1 for an empty log).
    package var fittingShare: Double { traces == 0 ? 1 : Double(fittingTraces) / Double(traces) }
}

/// Accumulates trace replays into a ``ConformanceReport``.
package struct ConformanceTally: Sendable {
    private var byDeviation: [Deviation: (cases: Int, occurrences: Int, examples: [String])] = [:]
    private var traces = 0
    private var fitting = 0
    private var running = 0
    /// Traces of other workflows, left out.
    package var otherWorkflowTraces = 0
    private var events = 0
    private var replayed = 0
    /// How many example cases each entry keeps.
    package var examplesPerDeviation = 5

    package init() {}

    /// Counts one replayed trace (`caseID` as the log names it, `logEvents` its event count).
    package mutating func add(_ replay: TraceReplay, caseID: String, logEvents: Int, replayedEvents: Int) {
        traces += 1
        events += logEvents
        replayed += replayedEvents
        if replay.fits { fitting += 1 }
        if replay.fits && replay.isRunning { running += 1 }
        var seen: Set<Deviation> = []
        for deviation in replay.deviations {
            var entry = byDeviation[deviation] ?? (0, 0, [])
            entry.occurrences += 1
            if seen.insert(deviation).inserted {
                entry.cases += 1
                if entry.examples.count < examplesPerDeviation { entry.examples.append(caseID) }
            }
            byDeviation[deviation] = entry
        }
    }

    /// The report for `definition`.
    package func report(for definition: WorkflowDefinition) -> ConformanceReport {
        let entries = byDeviation.map { ConformanceReport.Entry(deviation: $0.key, cases: $0.value.cases, occurrences: $0.value.occurrences, exampleCases: $0.value.examples) }
            .sorted { ($1.cases, $1.occurrences, $0.deviation) < ($0.cases, $0.occurrences, $1.deviation) }
        return ConformanceReport(
            workflowID: definition.id, workflowVersion: definition.version, traces: traces, fittingTraces: fitting,
            runningTraces: running, otherWorkflowTraces: otherWorkflowTraces, events: events, replayedEvents: replayed, entries: entries)
    }
}

/// Checks a whole log against a definition: `docket conform`.
package struct ConformanceChecker: Sendable {
    package let replayer: TraceReplayer

    package init(context: EngineContext, map: ActivityMap = .identity) {
        replayer = TraceReplayer(context: context, map: map)
    }

    /// The attributes the replay reads from a log (``EventLogFile/ReadOptions/keptAttributes``).
    package var attributesReplayed: Set<String> {
        DocketExport.attributesReplayed(dataFields: (replayer.context.definition.dataFields ?? []).map(\.name))
    }

    /// Replays every case of `log` (cases keep their log ids); a case the log says belongs to
    /// another workflow (Docket's export names it) is left out and counted.
    package func check(_ log: LoadedLog) -> ConformanceReport {
        var tally = ConformanceTally()
        let definition = replayer.context.definition
        let known = ActivityMap.eventNames(of: definition)
        for logCase in log.cases {
            if let workflow = logCase.events.first?.attributes[DocketExport.caseAttribute(DocketExport.workflowAttribute)], workflow != definition.id {
                tally.otherWorkflowTraces += 1
                continue
            }
            let replay = replayer.replay(caseID: logCase.id, events: logCase.events)
            let replayed = logCase.events.reduce(0) { count, e in
                switch replayer.map.target(activity: e.activity, lifecycle: e.lifecycle, knownEvents: known) {
                case .event: return count + 1
                case .unmapped where DocketExport.Bookkeeping(rawValue: e.activity) != nil: return count + 1
                default: return count
                }
            }
            tally.add(replay, caseID: logCase.id, logEvents: logCase.events.count, replayedEvents: replayed)
        }
        return tally.report(for: replayer.context.definition)
    }
}

/// The calendar a replay's deadlines run on, and where it was found.
package struct ReplayCalendar: Sendable {
    /// `cn-2020 v1`, `rizhao-2020 v1 on cn-2020 v1`.
    package var name: String
    /// `Workflows/calendars/` (the folder beside the definition) or `deployed in docket.sqlite`.
    package var source: String
}

extension ConformanceChecker {
    /// The engine context for a definition file not deployed anywhere: the definition, and the
    /// calendar it names read from the `calendars/` folder beside it (as `Workflows/` ships them);
    /// when that folder lacks it, the calendar deployed in `deployed` (the event log `--db` names),
    /// at its newest version. The calendar is `nil` when the definition names none.
    ///
    /// - Throws: ``ServiceError`` `unreadable_file`, `DocketCore/FileProblems` (the definition's
    ///   or the calendars'), ``ServiceError`` `unknown_calendar` (naming both places looked in).
    /// `deployed` opens the event log, only when the calendar is needed from it (`nil`: there is none).
    package static func context(
        forDefinitionAt path: String, deployed: () throws -> (catalog: WorkflowCatalog, log: String)? = { nil }
    ) throws -> (context: EngineContext, calendar: ReplayCalendar?) {
        let file = try ArtifactFile(path: path)
        let definition = try DefinitionLoader.load(text: file.text, file: path).get()
        guard let name = definition.calendar else { return (EngineContext(definition: definition), nil) }
        let folder = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("calendars")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var sources: [CalendarLoader.Source] = []
        for entry in names.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let calendarPath = (folder as NSString).appendingPathComponent(entry)
            sources.append(CalendarLoader.Source(file: calendarPath, text: try ArtifactFile(path: calendarPath).text))
        }
        let calendars = try CalendarLoader.loadAll(sources)
        if let calendar = calendars[name] {
            return (EngineContext(definition: definition, calendar: calendar),
                    ReplayCalendar(name: calendar.provenance.description, source: folder + "/"))
        }
        guard let deployed = try deployed() else {
            throw ServiceError(
                .unknownCalendar,
                "\(path) names calendar '\(name)', which is not in \(folder)/, and there is no event log to take it from (--db names one where it is deployed)")
        }
        let calendar: BusinessCalendar
        do {
            calendar = try deployed.catalog.calendar(named: name)
        } catch let error as ServiceError where error.code == .unknownCalendar {
            throw ServiceError(.unknownCalendar, "\(path) names calendar '\(name)', which is neither in \(folder)/ nor deployed in \(deployed.log)")
        }
        return (EngineContext(definition: definition, calendar: calendar),
                ReplayCalendar(name: calendar.provenance.description, source: "deployed in \(deployed.log)"))
    }
}
