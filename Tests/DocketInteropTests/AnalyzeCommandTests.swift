import Foundation
import Testing

/// The `docket` executable built next to the test bundle, if any.
private let docketBinary: URL? = {
    let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("docket")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = docketBinary
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite("docket analyze", .enabled(if: docketBinary != nil, "the docket executable is not built next to the tests"))
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
