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
    /// Traces without any deviation.
    package var fittingTraces: Int
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
            events: events, replayedEvents: replayed, entries: entries)
    }
}

/// Checks a whole log against a definition: `docket conform`.
package struct ConformanceChecker: Sendable {
    package let replayer: TraceReplayer

    package init(context: EngineContext, map: ActivityMap = .identity) {
        replayer = TraceReplayer(context: context, map: map)
    }

    /// Replays every case of `log` (cases keep their log ids).
    package func check(_ log: LoadedLog) -> ConformanceReport {
        var tally = ConformanceTally()
        let known = ActivityMap.eventNames(of: replayer.context.definition)
        for logCase in log.cases {
            let replay = replayer.replay(caseID: logCase.id, events: logCase.events)
            let replayed = logCase.events.reduce(0) { count, e in
                if case .event = replayer.map.target(activity: e.activity, lifecycle: e.lifecycle, knownEvents: known) { return count + 1 }
                return count
            }
            tally.add(replay, caseID: logCase.id, logEvents: logCase.events.count, replayedEvents: replayed)
        }
        return tally.report(for: replayer.context.definition)
    }
}

extension ConformanceChecker {
    /// The engine context for a definition file not deployed anywhere: the definition, and the
    /// calendar it names read from the `calendars/` folder beside it (as `Workflows/` ships them).
    ///
    /// - Throws: ``ServiceError`` `unreadable_file`, `DocketCore/FileProblems` (the definition's
    ///   or the calendars'), ``ServiceError`` `unknown_calendar`.
    package static func context(forDefinitionAt path: String) throws -> EngineContext {
        let file = try ArtifactFile(path: path)
        let definition = try DefinitionLoader.load(text: file.text, file: path).get()
        guard let name = definition.calendar else { return EngineContext(definition: definition) }
        let folder = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("calendars")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var sources: [CalendarLoader.Source] = []
        for entry in names.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let calendarPath = (folder as NSString).appendingPathComponent(entry)
            sources.append(CalendarLoader.Source(file: calendarPath, text: try ArtifactFile(path: calendarPath).text))
        }
        let calendars = try CalendarLoader.loadAll(sources)
        guard let calendar = calendars[name] else {
            throw ServiceError(.unknownCalendar, "\(path) names calendar '\(name)', which is not in \(folder)/")
        }
        return EngineContext(definition: definition, calendar: calendar)
    }
}
