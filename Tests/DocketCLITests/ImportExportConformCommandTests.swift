import DocketTestSupport
import Foundation
import Testing

/// `docket import`, `export` and `conform` as a user runs them: the real binary, real files.
@Suite(.serialized, .requires(.sqlite3)) struct ImportExportConformCommandTests {
    static let runningExample = SharedData.log("running-example.xes")

    @Test func aBadFileExitsOneNamingFileAndLineAndImportsNothing() throws {
        let docket = DocketBench()
        let path = docket.file("bad.xes", """
            <?xml version="1.0" encoding="UTF-8"?>
            <log>
              <trace><string key="concept:name" value="1"/>
                <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2020-03-02T10:00:00Z"/></event>
              </trace>
              <trace><string key="concept:name" value="2"/>
                <event><string key="concept:name" value="a"/><date key="time:timestamp" value="yesterday"/></event>
              </trace>
            </log>

            """)
        let result = try docket.docket("import", path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(path):7: "))
        #expect(result.stderr.contains("yesterday"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "0")
    }

    @Test(.requires(.sharedData))
    func importTwiceThenExportGivesTheLogBack() throws {
        let docket = DocketBench()
        let first = try docket.docket("import", Self.runningExample, "--batch-size", "10")
        #expect(first.status == 0)
        // The file's events, as analyze counts them, and the openings Docket added.
        #expect(first.stdout.hasPrefix("imported 6 cases (48 events: the file's 42 and an opening per case) of "))
        #expect(try docket.docket("analyze", Self.runningExample).stdout.contains("6 cases, 42 events"))
        let second = try docket.docket("import", Self.runningExample)
        #expect(second.stdout.contains("6 cases were already imported"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "48")

        let out = docket.directory.appendingPathComponent("export.csv").path
        let export = try docket.docket("export", "--workflow", "imported", "--out", out)
        #expect(export.status == 0)
        let original = try docket.docket("analyze", "--json", Self.runningExample)
        let exported = try docket.docket("analyze", "--json", out)
        let a = try JSONSerialization.jsonObject(with: Data(original.stdout.utf8)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? NSDictionary
        for key in ["n_cases", "n_events", "n_variants", "case_duration_s", "performance_dfg"] {
            #expect(a?[key] != nil)
            #expect((a?[key] as? NSObject)?.isEqual(b?[key]) == true, "\(key)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(try docket.docket("import", Self.runningExample, "--case-prefix", "again/", "--json").stdout.utf8)) as? [String: Any]
        #expect(json?["imported_log_events"] as? Int == 42)
        #expect(json?["added_events"] as? Int == 6)
    }

    @Test func conformPrintsTheFittingShareAndTheDeviations() throws {
        let bench = DocketBench()
        let log = bench.file("log.csv", """
            case:concept:name,concept:name,time:timestamp
            1,accept,2020-03-02 10:00:00
            1,approve,2020-03-02 11:00:00
            2,approve,2020-03-02 10:00:00

            """)
        let result = try bench.docket("conform", log, "--workflow", DocketBench.workflows + "/permit-check.yaml")
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 traces fit (50.00%)"))
        #expect(result.stdout.contains("missing step 'accept' before 'approve' (in state 'submitted')"))
        let json = try bench.docket("conform", log, "--workflow", DocketBench.workflows + "/permit-check.yaml", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["fitting_share"] as? Double == 0.5)
        #expect((object?["deviations"] as? [[String: Any]])?.first?["kind"] as? String == "missing_step")
    }
}
