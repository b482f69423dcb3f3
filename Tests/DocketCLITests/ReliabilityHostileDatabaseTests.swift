import DocketTestSupport
import Foundation
import Testing

/// A database Docket cannot write: write-protected, held by another writer, from a newer Docket,
/// damaged, or not a database at all. Every command says so clearly, exits 4, and writes nothing.
@Suite("Reliability: unavailable databases", .requires(.sqlite3))
struct ReliabilityHostileDatabaseTests {
    /// A permit-check case `P1`, just opened.
    func openedCase() throws -> DocketBench {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        return bench
    }

    // MARK: Write-protected

    /// Root writes to write-protected files; as root, the write-protected case runs `docket` as
    /// `nobody` (through `setpriv`), who owns the folder as a user owns theirs.
    func asUser(_ bench: DocketBench, _ arguments: String...) throws -> DocketBench.Result {
        let (executable, arguments) = Unprivileged.command(DocketBinary.url, arguments)
        return try bench.docket(arguments, executable: executable)
    }

    func writeProtected() throws -> DocketBench {
        let bench = try openedCase()
        try Unprivileged.handOver([bench.directory.path] + FileManager.default.contentsOfDirectory(atPath: bench.directory.path)
            .map { bench.directory.appendingPathComponent($0).path })
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: bench.database)
        return bench
    }

    @Test(.requires(.unprivilegedUser))
    func firingOnAWriteProtectedLogExitsFourAndWritesNothing() throws {
        let bench = try writeProtected()
        let result = try asUser(bench, "fire", "P1", "accept", "--by", "bob", "--as", "clerk")
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("error: database \(bench.database) is read-only"), "\(result.stderr)")
        #expect(try bench.eventCount() == 1)
    }

    @Test(.requires(.unprivilegedUser))
    func aWriteProtectedLogCanStillBeShownAndVerified() throws {
        let bench = try writeProtected()
        let verify = try asUser(bench, "verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("OK: 1 events in 1 cases"))
        #expect(try asUser(bench, "show", "P1").status == 0)
    }

    /// `cases --open` catches the projection up to find the open cases; an auditor's copy cannot
    /// be written, so every case is read instead.
    @Test(.requires(.unprivilegedUser))
    func aWriteProtectedLogStillListsItsOpenCases() throws {
        let bench = try writeProtected()
        let result = try asUser(bench, "cases", "--open", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"P1\""))
    }

    // MARK: Held by another writer

    /// A `sqlite3` process that has read the log (so its WAL stays, as with a live writer) and then
    /// holds `BEGIN EXCLUSIVE` until `release()`.
    final class LockHolder {
        let sqlite3: RunningProcess

        init(_ bench: DocketBench, beforeLocking: () throws -> Void) throws {
            try Prerequisite.sqlite3.require()
            sqlite3 = try Processes.start(try #require(Processes.tool("sqlite3")), [bench.database], interactive: true)
            try say("SELECT 'reading' FROM events LIMIT 1;", until: "reading")
            try beforeLocking()
            try say("BEGIN EXCLUSIVE; SELECT 'held';", until: "held")
        }

        func say(_ sql: String, until reply: String) throws {
            sqlite3.write(sql + "\n")
            try sqlite3.waitForOutput(containing: reply)
        }

        func release() {
            sqlite3.write("ROLLBACK;\n.quit\n")
            sqlite3.closeInput()
            _ = try? sqlite3.wait()
        }
    }

    @Test func aLogHeldByAnotherWriterExitsFourAfterTheBusyTimeoutAndWritesNothing() throws {
        let bench = try openedCase()
        bench.environment["DOCKET_BUSY_TIMEOUT"] = "0.3"
        let holder = try LockHolder(bench) { try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk") }
        let held = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
        let shown = try bench.docket("show", "P1")
        holder.release()
        #expect(held.status == 4)
        #expect(held.stderr.hasPrefix("error: database \(bench.database) is locked by another writer"), "\(held.stderr)")
        #expect(held.stderr.contains("busy timeout (0.3 s)"))
        #expect(shown.status == 0, "readers are not blocked by a writer: \(shown.stderr)")
        #expect(try bench.eventCount() == 2)
        // Once the other writer is done, the same command goes through.
        try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
    }

    @Test func aBusyTimeoutThatIsNotANumberIsABadInput() throws {
        let bench = try openedCase()
        bench.environment["DOCKET_BUSY_TIMEOUT"] = "soon"
        let result = try bench.docket("fire", "P1", "accept", "--by", "bob", "--as", "clerk")
        #expect(result.status == 1)
        #expect(result.stderr == "error: DOCKET_BUSY_TIMEOUT 'soon' is not a number of seconds between 0 and 86400\n")
        #expect(try bench.eventCount() == 1)
    }

    // MARK: Newer, damaged, foreign

    @Test func aLogFromANewerDocketExitsFourAndWritesNothing() throws {
        let bench = try openedCase()
        try bench.sqlite("INSERT INTO grdb_migrations (identifier) VALUES ('0099_from_the_future')")
        for command in [["fire", "P1", "accept", "--by", "bob", "--as", "clerk"], ["show", "P1"], ["verify"],
                        ["deploy", DocketBench.workflows]] {
            let result = try bench.docket(command)
            #expect(result.status == 4, "\(command)")
            #expect(result.stderr.contains("was created by a newer docket"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("0099_from_the_future"))
        }
        #expect(try bench.eventCount() == 1)
        #expect(try bench.sqlite("SELECT count(*) FROM definitions") == "1")
    }

    @Test func aFileThatIsNotADatabaseExitsFourAndIsLeftAsItWas() throws {
        let bench = DocketBench()
        let text = Data(String(repeating: "minutes of the panel meeting, 10 February 2020\n", count: 200).utf8)
        try text.write(to: URL(fileURLWithPath: bench.database))
        for command in [["deploy", DocketBench.workflows], ["start", "permit-check", "--by", "alice"], ["show", "P1"], ["verify"]] {
            let result = try bench.docket(command)
            #expect(result.status == 4, "\(command)")
            #expect(result.stderr.contains("is damaged or is not a docket database"), "\(command): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: bench.database)) == text)
    }

    @Test func aLogCutShortExitsFour() throws {
        let bench = try DocketBench.workflowsDeployed.get().copy()
        try bench.ok("simulate", "expert-review", "--cases", "150")
        let data = try Data(contentsOf: URL(fileURLWithPath: bench.database))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: bench.database))
        let verify = try bench.docket("verify")
        #expect(verify.status == 4)
        #expect(verify.stderr.contains("is damaged"), "\(verify.stderr)")
    }

    @Test func aLogInAMissingFolderExitsFour() throws {
        let bench = DocketBench()
        let result = try bench.docket("deploy", DocketBench.workflows, "--db", bench.directory.appendingPathComponent("no/such/folder/docket.sqlite").path)
        #expect(result.status == 4)
        #expect(result.stderr.contains("check that its directory exists"), "\(result.stderr)")
    }
}
