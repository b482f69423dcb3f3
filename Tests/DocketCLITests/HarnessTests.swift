import DocketTestSupport
import Foundation
import Testing

/// The test support's promises: a process past its time limit is killed and fails its test, input
/// reaches it, and temporary directories go away even when the test throws.
@Suite struct HarnessTests {
    struct Thrown: Error {}

    @Test func aProcessPastItsTimeLimitIsKilledAndReported() throws {
        let started = Date()
        let error = #expect(throws: ProcessTimedOut.self) {
            try Processes.run(URL(fileURLWithPath: "/bin/sleep"), ["30"], timeout: 0.3)
        }
        #expect(error?.description.contains("did not finish within 0.3 s") == true)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func standardInputReachesTheProcessAndItsOutputAndStatusComeBack() throws {
        let result = try Processes.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cat; echo oops >&2; exit 3"], stdin: Data("approved\n".utf8))
        #expect(result.stdout == "approved\n")
        #expect(result.stderr == "oops\n")
        #expect(result.status == 3 && result.exited)
    }

    @Test func theBenchRunsDocketOnItsOwnLog() throws {
        let bench = DocketBench()
        let result = try bench.docket("verify")
        #expect(result.status == 1 && result.stderr.contains("no event log"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bench.database))
    }

    @Test func aTemporaryDirectoryIsRemovedWhenTheTestThrows() throws {
        var path = ""
        #expect(throws: Thrown.self) {
            try withTemporaryDirectory { directory in
                path = directory.file("log.xes", "<log/>")
                throw Thrown()
            }
        }
        #expect(!path.isEmpty && !FileManager.default.fileExists(atPath: path))

        func failing() throws {
            let directory = TemporaryDirectory()
            path = directory.file("log.csv", "a,b\n")
            throw Thrown()
        }
        #expect(throws: Thrown.self) { try failing() }
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path))
    }
}
