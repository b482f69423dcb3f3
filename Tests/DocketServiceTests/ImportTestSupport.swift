import DocketAnalytics
import DocketCore
import DocketInterop
import DocketService
import DocketStore
import DocketTestSupport
import Foundation

/// Logs for the import, export and conformance tests: hand-made XES written to temporary files,
/// and the real logs of `../shared/data/logs`.
enum ImportFixtures {
    /// A log of `../shared/data/logs` (tests that read one carry `.requires(.sharedData)`).
    static func sharedLog(_ name: String) -> String { SharedData.log(name) }

    /// One log event of a hand-made trace.
    struct Step {
        var activity: String
        var at: String
        var resource: String? = "li.wei"
        var role: String? = nil
        var group: String? = nil
        var lifecycle: String? = nil
    }

    /// Writes `text` to a fresh temporary file called `name` (removed when the test process exits).
    static func file(_ text: String, name: String = "log.xes") -> String {
        let path = TemporaryDirectory.path(name, prefix: "import")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// An XES document with these traces, in this order.
    static func xes(_ traces: [(String, [Step])]) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<log xes.version=\"1.0\">"]
        for (id, steps) in traces {
            lines.append("  <trace>")
            lines.append("    <string key=\"concept:name\" value=\"\(id)\"/>")
            for s in steps {
                lines.append("    <event>")
                lines.append("      <string key=\"concept:name\" value=\"\(s.activity)\"/>")
                lines.append("      <date key=\"time:timestamp\" value=\"\(s.at)\"/>")
                if let v = s.resource { lines.append("      <string key=\"org:resource\" value=\"\(v)\"/>") }
                if let v = s.role { lines.append("      <string key=\"org:role\" value=\"\(v)\"/>") }
                if let v = s.group { lines.append("      <string key=\"org:group\" value=\"\(v)\"/>") }
                if let v = s.lifecycle { lines.append("      <string key=\"lifecycle:transition\" value=\"\(v)\"/>") }
                lines.append("    </event>")
            }
            lines.append("  </trace>")
        }
        lines.append("</log>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Six cases of three events, an hour apart, starting on consecutive days.
    static func sixCases() -> String {
        xes((1...6).map { n in
            ("case-\(n)", ["register", "check", "decide"].enumerated().map { i, activity in
                Step(activity: activity, at: String(format: "2020-03-%02dT%02d:00:00+08:00", n, i + 8), resource: "staff-\(i)")
            })
        })
    }

    /// A log in permit-check's own terms: two cases that fit, the rest deviating once each
    /// (`skips` and `skips-2` in the same way).
    static func permitCheckLog() -> String {
        func s(_ activity: String, _ hour: Int) -> Step { Step(activity: activity, at: "2020-03-02T\(10 + hour):00:00Z") }
        return xes([
            ("fits-1", [s("accept", 0), s("approve", 1)]),
            ("fits-2", [s("accept", 0), s("reject", 1)]),
            ("skips", [s("approve", 0)]),
            ("skips-2", [s("approve", 0)]),
            ("open", [s("accept", 0)]),
            ("late", [s("accept", 0), s("approve", 1), s("reject", 2)]),
            ("odd", [s("accept", 0), s("lunch", 1), s("approve", 2)]),
            ("twice", [s("accept", 0), s("accept", 1), s("approve", 2)]),
        ])
    }

    /// The figures `docket analyze` computes on a file, as its JSON without the file name.
    static func figures(_ path: String) throws -> JSONValue {
        let file = try EventLogFile(path: path)
        var columns = CSVLogReader.Columns()
        columns.startTimestampCandidates = ["start_timestamp"]
        var figures = ProcessMiningFigures(rowOrder: file.format == .csv ? .sortedByCaseAndTimestamp : .asRead)
        try file.forEachBatch(options: .init(csvColumns: columns)) { batch in
            for e in batch {
                figures.add(caseID: e.caseID, activity: e.activity, timestamp: e.timestamp, lifecycle: e.lifecycle,
                            instance: e.instance, startTimestamp: e.startTimestamp)
            }
        }
        return figures.finish().json(log: "")
    }

    /// A store with permit-check deployed, and an importer on it.
    static func importer(deploying texts: [String] = [permitCheck]) throws -> LogImporter {
        let cases = try service(deploying: texts)
        return LogImporter(catalog: cases.catalog)
    }

    /// Every event of the log, in position order, without what the store added.
    static func allEvents(_ store: any EventStore) throws -> [CaseEvent] {
        try store.events(after: 0, limit: 1_000_000).map(\.event)
    }
}

extension JSONValue {
    /// This object without `key`.
    func removing(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.0 != key })
    }
}
