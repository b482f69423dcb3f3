import DocketTestSupport
import Foundation
import Testing

/// Runs the real `docket` (the one harness, ``DocketBench``), outside any log.
private func run(_ arguments: [String]) throws -> DocketBench.Result {
    try DocketBench().docket(arguments)
}

@Suite("docket analyze", .requires(.docketBinary))
struct AnalyzeCommandTests {
    @Test func badInputExitsWithStatusOneAndAnErrorLine() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad.xes", "<log>\n<trace>\n</log>\n")
        let result = try run(["analyze", path, "--json"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(path):3: end tag </log> does not match <trace>\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func jsonHasTheReferenceKeysAndTheFullGraph() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("log.csv", "Case ID;Activity;Complete Timestamp\n1;a;2020-01-01 08:00\n1;b;2020-01-01 09:30\n")
        let result = try run(["analyze", path, "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["n_cases"] as? Int == 1)
        let dfg = try #require(object["performance_dfg"] as? [String: Any])
        let edges = try #require(dfg["edges"] as? [[String: Any]])
        #expect(edges.first?["mean_s"] as? Double == 5400)
    }

    @Test func theSummaryNamesTheBottlenecks() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("log.csv", "Case ID,Activity,Complete Timestamp\n1,Submit,2020-01-01 08:00\n1,Approve,2020-01-03 10:00\n")
        let result = try run(["analyze", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("2 d 2 h  Submit -> Approve"))
    }
}
