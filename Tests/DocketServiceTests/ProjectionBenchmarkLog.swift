import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Not a test, and gated on its variable rather than on a prerequisite (skipped in every
/// ordinary run, required or not): writes a large, realistic event log for measuring `docket replay` and `docket
/// report` (Benchmarks, issue 7). Runs only when `DOCKET_PROJECTION_LOG` names the file to write:
///
///     DOCKET_PROJECTION_LOG=/tmp/big.sqlite DOCKET_PROJECTION_EVENTS=1000000 \
///         swift test -c release --filter ProjectionBenchmarkLog
///
/// The log holds the authority's flows from `Workflows/` (deployed, with their calendars), driven
/// by random allowed actions through the real engine.
@Suite struct ProjectionBenchmarkLog {
    static let path = ProcessInfo.processInfo.environment["DOCKET_PROJECTION_LOG"]

    @Test(.enabled(if: path != nil))
    func writeABenchmarkLog() throws {
        let path = try #require(Self.path)
        let target = Int(ProcessInfo.processInfo.environment["DOCKET_PROJECTION_EVENTS"] ?? "") ?? 100_000
        let store = try SQLiteEventStore(path: path)
        let workflows = Repository.workflows
        let files = try FileManager.default.contentsOfDirectory(atPath: workflows.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let calendarFiles = try FileManager.default.contentsOfDirectory(atPath: workflows.appendingPathComponent("calendars").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        var sources: [CalendarLoader.Source] = []
        for file in calendarFiles {
            let text = try String(contentsOf: workflows.appendingPathComponent("calendars").appendingPathComponent(file), encoding: .utf8)
            sources.append(CalendarLoader.Source(file: file, text: text))
        }
        let calendars = try CalendarLoader.loadAll(sources)
        for (name, calendar) in calendars {
            if let source = sources.first(where: { $0.text.contains("calendar: \(name)\n") }) {
                try store.deploy(.calendar, id: name, version: calendar.version, content: source.text)
            }
        }
        var contexts: [EngineContext] = []
        for file in files {
            let text = try String(contentsOf: workflows.appendingPathComponent(file), encoding: .utf8)
            let definition = try definition(text)
            try store.deploy(.workflow, id: definition.id, version: definition.version, content: text)
            let calendar: any WorkingTimeCalendar = definition.calendar.flatMap { calendars[$0] } ?? AlwaysWorkingCalendar()
            contexts.append(EngineContext(definition: definition, calendar: calendar))
        }
        var history = RandomHistory(seed: 2020, contexts: contexts)
        // A command every 30 s on average: a million events span about a year of 2020-2021.
        history.pace = 1...60
        var written = 0
        while written < target {
            let batch = history.appends(events: min(20_000, target - written))
            try store.append(batch: batch)
            written += batch.reduce(0) { $0 + $1.events.count }
        }
        print("wrote \(written) events, \(history.opened) cases, to \(path)")
    }
}
