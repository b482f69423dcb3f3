import DocketTestSupport
import Foundation
import Testing

/// A log Docket exported conforms to the workflow it came from (issue 19): simulated cases of
/// every shipped workflow, exported as XES and CSV, replay without a deviation; a trace changed
/// by hand still deviates; and `conform` says which calendar its deadlines ran on.
@Suite(.serialized, .requires(.sqlite3)) struct ConformOwnExportCommandTests {
    static let shipped = [
        "expert-review", "food-licence-change", "joint-verification", "permit-check", "remote-video-inspection",
        "tolerant-acceptance", "bpic2020-declarations",
    ]

    /// One simulated log shared by the tests below (simulating is the slow part).
    static let bench: DocketBench = {
        let bench = DocketBench()
        _ = try? bench.docket("deploy", "--shipped")
        _ = try? bench.docket(["simulate"] + shipped + ["--cases", "2100", "--seed", "19"])
        return bench
    }()

    static func conform(_ log: String, _ workflow: String, _ extra: String...) throws -> [String: Any] {
        let result = try bench.docket(["conform", log, "--workflow", DocketBench.workflows + "/\(workflow).yaml", "--json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test(arguments: ["export.xes", "export.csv"])
    func everyShippedWorkflowsOwnExportFitsIt(file: String) throws {
        let bench = Self.bench
        #expect(try bench.eventCount() > 10_000)
        let out = bench.directory.appendingPathComponent(file).path
        let export = try bench.docket("export", "--out", out)
        #expect(export.status == 0, "\(export.stderr)")
        for workflow in Self.shipped {
            let report = try Self.conform(out, workflow)
            let traces = report["traces"] as? Int ?? 0
            #expect(traces == 300, "\(workflow)")
            #expect(report["fitting_share"] as? Double == 1, "\(workflow): \(report["deviations"] ?? [])")
            #expect(report["other_workflow_traces"] as? Int == 2100 - traces, "\(workflow)")
            #expect((report["deviations"] as? [Any])?.isEmpty == true, "\(workflow)")
        }
        // Some cases were still running when exported, and they fit too.
        let expert = try Self.conform(out, "expert-review")
        #expect((expert["running_traces"] as? Int ?? 0) > 0)
        #expect(expert["calendar"] as? String == "cn-2020 v1")
    }

    @Test func aTamperedTraceStillDeviates() throws {
        let bench = Self.bench
        let out = bench.directory.appendingPathComponent("tamper.csv").path
        #expect(try bench.docket("export", "--workflow", "joint-verification", "--out", out).status == 0)
        let rows = CSVRows(try String(contentsOfFile: out, encoding: .utf8))
        let header = rows.records[0]
        let caseColumn = try #require(header.firstIndex(of: "case:concept:name"))
        let activityColumn = try #require(header.firstIndex(of: "concept:name"))
        let stateColumn = try #require(header.firstIndex(of: "case:state"))

        // The first case the clerk accepted: its acceptance is taken out of the log.
        let accepted = try #require(rows.records.firstIndex { $0[activityColumn] == "accept" })
        let tampered = rows.records[accepted][caseColumn]
        let report = try Self.conform(bench.file("tampered.csv", rows.text(without: accepted)), "joint-verification")
        #expect(report["traces"] as? Int == 300)
        #expect(report["fitting_traces"] as? Int == 299)
        let deviations = report["deviations"] as? [[String: Any]] ?? []
        #expect(!deviations.isEmpty)
        for deviation in deviations { #expect(deviation["example_cases"] as? [String] == [tampered]) }

        // A running case whose last event is cut off ends short of where the export says it stood.
        // (A person's transition: a breach or a work start moves nothing, and Docket fires a join
        // itself, so cutting the log's copy of any of them is no deviation.)
        let triggerColumn = try #require(header.firstIndex(of: "trigger"))
        let toColumn = try #require(header.firstIndex(of: "to"))
        let last = try #require(rows.records.indices.last { i in
            let record = rows.records[i], state = record[stateColumn]
            let isLastOfCase = i + 1 == rows.records.count || rows.records[i + 1][caseColumn] != record[caseColumn]
            return isLastOfCase && !["approved", "rejected", "withdrawn", "lapsed"].contains(state)
                && !["deadline_breached", "vote_cast"].contains(record[activityColumn]) && record[triggerColumn].isEmpty
                && !record[toColumn].isEmpty
        })
        let cut = rows.records[last][caseColumn]
        let short = try Self.conform(bench.file("short.csv", rows.text(without: last)), "joint-verification")
        #expect(short["fitting_traces"] as? Int == 299)
        let kinds = (short["deviations"] as? [[String: Any]] ?? []).map { $0["kind"] as? String }
        #expect(kinds == ["case_not_finished"])
        #expect((short["deviations"] as? [[String: Any]])?.first?["example_cases"] as? [String] == [cut])
    }

    @Test func theDeployedCalendarIsUsedWhenNoneIsBesideTheDefinition() throws {
        let bench = Self.bench
        let out = bench.directory.appendingPathComponent("expert.xes").path
        #expect(try bench.docket("export", "--workflow", "expert-review", "--out", out).status == 0)
        let alone = bench.directory.appendingPathComponent("alone")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        let definition = alone.appendingPathComponent("expert-review.yaml").path
        try FileManager.default.copyItem(atPath: DocketBench.workflows + "/expert-review.yaml", toPath: definition)

        let table = try bench.docket("conform", out, "--workflow", definition)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("calendar: cn-2020 v1 (deployed in \(bench.database))"))
        #expect(table.stdout.contains("traces fit (100.00%)"))
        let beside = try bench.docket("conform", out, "--workflow", DocketBench.workflows + "/expert-review.yaml")
        #expect(beside.stdout.contains("calendar: cn-2020 v1 (\(DocketBench.workflows)/calendars/)"))

        // The log is opened only when the calendar is needed from it: a file that is no log is no matter then.
        let garbage = bench.file("garbage.sqlite", "not a database")
        #expect(try bench.docket("conform", out, "--workflow", DocketBench.workflows + "/expert-review.yaml", "--db", garbage).status == 0)

        // No calendar beside it and no log to take it from: an error naming both.
        let none = try bench.docket("conform", out, "--workflow", definition, "--db", bench.directory.appendingPathComponent("none.sqlite").path)
        #expect(none.status == 1)
        #expect(none.stderr.hasPrefix("error: \(definition) names calendar 'cn-2020', which is not in \(alone.path)/calendars/"))
    }
}

/// The records of a CSV file (RFC 4180: quoted fields may hold delimiters, quotes and line
/// breaks), with the text of each, to write the file back without one of them.
private struct CSVRows {
    var records: [[String]] = []
    var texts: [String] = []

    init(_ text: String) {
        var field = "", record: [String] = [], raw = ""
        var quoted = false, atFieldStart = true
        var characters = Array(text)
        if characters.last != "\n" { characters.append("\n") }
        var i = 0
        while i < characters.count {
            let c = characters[i]
            raw.append(c)
            if quoted {
                if c == "\"" {
                    if i + 1 < characters.count, characters[i + 1] == "\"" {
                        field.append("\"")
                        raw.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && atFieldStart {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
                atFieldStart = true
                i += 1
                continue
            } else if c == "\n" || c == "\r\n" {
                record.append(field)
                raw.removeLast()
                if record != [""] {
                    records.append(record)
                    texts.append(raw)
                }
                field = ""
                record = []
                raw = ""
                atFieldStart = true
                i += 1
                continue
            } else {
                field.append(c)
            }
            atFieldStart = false
            i += 1
        }
    }

    /// The file without record `index`.
    func text(without index: Int) -> String {
        texts.indices.filter { $0 != index }.map { texts[$0] }.joined(separator: "\n") + "\n"
    }
}
