import DocketTestSupport
import Foundation
import Testing

@Suite struct ServeAndBackupCommandTests {
    /// SIGTERM: the server stops accepting, finishes, closes the store and exits 0.
    @Test(arguments: [SIGTERM, SIGINT])
    func serveStopsGracefullyOnASignalAndExitsZero(signal: Int32) throws {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        let server = try docket.start(["serve", "--listen", "127.0.0.1:0", "--tick-every", "50ms"])
        try server.waitForOutput(containing: "docket serve listening on 127.0.0.1:")
        server.signal(signal)
        let result = try server.wait(timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("docket serve stopped; the store is closed"))
    }

    @Test func serveRefusesAnAddressThatIsNotHostAndPort() throws {
        let docket = DocketBench()
        let result = try docket.docket("serve", "--listen", "localhost")
        #expect(result.status != 0)
        #expect(result.stderr.contains("is not HOST:PORT"))
    }

    @Test func backupWritesACopyThatVerifiesAndNeverOverwrites() throws {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        try #require(docket.docket("start", "permit-check", "--case", "B1", "--by", "a", "--as", "applicant").status == 0)
        let copy = docket.directory.appendingPathComponent("copy.sqlite").path
        let backup = try docket.docket("backup", "--to", copy)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("(1 event(s))"))
        let original = try docket.docket("verify", "--format", "json")
        let copied = try docket.docket("verify", "--db", copy, "--format", "json")
        #expect(copied.status == 0)
        #expect(copied.stdout == original.stdout)
        let again = try docket.docket("backup", "--to", copy)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }
}

@Suite struct ReportOnOpenCasesTests {
    /// The report resolves each workflow's calendar inside its read of the projection: it must not
    /// read the store again there (GRDB forbids it; the process used to stop on a precondition).
    @Test func aReportOnALogWithOnlyAnOpenCaseAnswers() throws {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        try #require(docket.docket("start", "permit-check", "--case", "O1", "--by", "a", "--as", "applicant").status == 0)
        let report = try docket.docket("report", "--format", "json")
        #expect(report.status == 0, "\(report.stderr)")
    }
}
