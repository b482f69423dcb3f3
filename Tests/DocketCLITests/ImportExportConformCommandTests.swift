import Foundation
import Testing

/// `docket import`, `export` and `conform` as a user runs them: the real binary, real files.
@Suite(.serialized) struct ImportExportConformCommandTests {
    static let runningExample = DocketProcess.repository.deletingLastPathComponent()
        .appendingPathComponent("shared/data/logs/running-example.xes").path

    static func file(_ text: String, _ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docket-cli-log-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func aBadFileExitsOneNamingFileAndLineAndImportsNothing() throws {
        let docket = DocketProcess()
        let path = Self.file("""
            <?xml version="1.0" encoding="UTF-8"?>
            <log>
              <trace><string key="concept:name" value="1"/>
                <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2020-03-02T10:00:00Z"/></event>
              </trace>
              <trace><string key="concept:name" value="2"/>
                <event><string key="concept:name" value="a"/><date key="time:timestamp" value="yesterday"/></event>
              </trace>
            </log>

            """, "bad.xes")
        let result = try docket.run("import", path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(path):7: "))
        #expect(result.stderr.contains("yesterday"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "0")
    }

    @Test func importTwiceThenExportGivesTheLogBack() throws {
        let docket = DocketProcess()
        let first = try docket.run("import", Self.runningExample, "--batch-size", "10")
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("imported 6 cases (48 events)"))
        let second = try docket.run("import", Self.runningExample)
        #expect(second.stdout.contains("6 cases were already imported"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "48")

        let out = Self.file("", "placeholder").replacingOccurrences(of: "placeholder", with: "export.csv")
        let export = try docket.run("export", "--workflow", "imported", "--out", out)
        #expect(export.status == 0)
        let original = try docket.run("analyze", "--json", Self.runningExample)
        let exported = try docket.run("analyze", "--json", out)
        let a = try JSONSerialization.jsonObject(with: Data(original.stdout.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? NSDictionary
        for key in ["n_cases", "n_events", "n_variants", "case_duration_s", "performance_dfg"] {
            #expect(a?[key] != nil)
            #expect((a?[key] as? NSObject)?.isEqual(b?[key]) == true, "\(key)")
        }
    }

    @Test func conformPrintsTheFittingShareAndTheDeviations() throws {
        let log = Self.file("""
            case:concept:name,concept:name,time:timestamp
            1,accept,2020-03-02 10:00:00
            1,approve,2020-03-02 11:00:00
            2,approve,2020-03-02 10:00:00

            """, "log.csv")
        let result = try DocketProcess().run("conform", log, "--workflow", "Workflows/permit-check.yaml")
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 traces fit (50.00%)"))
        #expect(result.stdout.contains("missing step 'accept' before 'approve' (in state 'submitted')"))
        let json = try DocketProcess().run("conform", log, "--workflow", "Workflows/permit-check.yaml", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["fitting_share"] as? Double == 0.5)
        #expect((object?["deviations"] as? [[String: Any]])?.first?["kind"] as? String == "missing_step")
    }
}
