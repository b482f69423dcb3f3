import DocketTestSupport
import Foundation
import Testing

/// Issue 14 §4, faults at the file layer, on the real `docket serve`: the log on a small tmpfs of
/// the test's own that the test fills, frees and remounts; a log damaged while the server runs.
/// (CI runs as root, for whom file permissions stop nothing: the faults come from the file system.)
@Suite(.requires(.mountAsRoot, .sqlite3, .docketBinary), .serialized)
struct ServeDiskFaultTests {
    /// A tmpfs of `megabytes` mounted on a new folder of `bench`; unmounted by `unmount()`.
    struct SmallDisk {
        let path: String

        init(in bench: DocketBench, megabytes: Int) throws {
            path = bench.directory.appendingPathComponent("disk").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let result = try Processes.run(tool: "mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
            try #require(result.status == 0, "mount: \(result.stderr)")
        }

        func remount(_ mode: String) throws -> ProcessResult {
            try Processes.run(tool: "mount", ["-o", "remount,\(mode)", path])
        }

        /// Fills the disk to the last byte.
        func fill() throws {
            // dd stops with "No space left on device" (exit 1): that is the point.
            _ = try Processes.run(tool: "dd", ["if=/dev/zero", "of=\(path)/filler", "bs=64k"])
        }

        func free() throws { try FileManager.default.removeItem(atPath: "\(path)/filler") }

        func unmount() {
            _ = try? Processes.run(tool: "umount", ["-l", path])
        }
    }

    /// What a request during a fault may answer: success, or the log unavailable (503 problem).
    static func expectSuccessOrUnavailable(_ answer: LiveServer.Answer, _ what: String,
                                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status < 500 || answer.status == 503, "\(what): \(answer.status) \(answer.body)", sourceLocation: sourceLocation)
        if answer.status == 503 {
            #expect(answer.contentType.hasPrefix("application/problem+json"), "\(what): \(answer.contentType)", sourceLocation: sourceLocation)
            #expect(answer.body.contains("unavailable") || answer.body.contains("disk") || answer.body.contains("read-only"),
                    "\(what): \(answer.body)", sourceLocation: sourceLocation)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aFullDiskAnswers503AndTheServerRecoversWhenSpaceIsFreed() async throws {
        let bench = DocketBench()
        let disk = try SmallDisk(in: bench, megabytes: 3)
        defer { disk.unmount() }
        let server = try LiveServer.start(bench, database: disk.path + "/docket.sqlite")
        defer { if server.isRunning { try? server.stop() } }

        #expect(try await server.open("F-0").status == 201)
        #expect(try await server.request(.GET, "/readyz", authorized: false).status == 200)

        try disk.fill()
        var unavailable: LiveServer.Answer?
        var opened = 0
        for n in 1...200 where unavailable == nil {
            let answer = try await server.open("F-\(n)")
            Self.expectSuccessOrUnavailable(answer, "open F-\(n) on a full disk")
            if answer.status == 201 { opened += 1 }
            if answer.status == 503 { unavailable = answer }
        }
        let refused = try #require(unavailable, "no command answered 503 on a full disk (\(opened) opened)")
        #expect(refused.body.contains(#""code":"disk_full""#) || refused.body.contains(#""code" : "disk_full""#)
                    || refused.body.contains("disk_full"), "\(refused.body)")
        let ready = try await server.request(.GET, "/readyz", authorized: false)
        #expect(ready.status == 503, "readyz on a full disk: \(ready.status) \(ready.body)")
        #expect(ready.contentType.hasPrefix("application/problem+json"))
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        // A read is recorded in the access log before it is answered; when it cannot be recorded
        // it is not served (fail closed, as an audited system must), so reads wait for space too.
        let read = try await server.request(.GET, "/v1/cases/F-0")
        #expect(read.status == 503, "a read that cannot be recorded on a full disk: \(read.status) \(read.body)")
        #expect(server.isRunning)

        try disk.free()
        #expect(try await server.request(.GET, "/readyz", authorized: false).status == 200)
        let again = try await server.open("G-1")
        #expect(again.status == 201, "after the space was freed: \(again.status) \(again.body)")
        #expect(try await server.request(.POST, "/v1/cases/G-1/events",
                                         body: #"{"event": "accept", "by": "clerk-1", "as": "clerk"}"#).status == 200)
        try server.stop()
        let verify = try bench.docket("verify", "--db", server.database)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // Every case the server answered 201 for is whole in the log, and nothing else is.
        let cases = try bench.sqlite("SELECT count(DISTINCT case_id) FROM events WHERE case_id NOT LIKE '@%'", file: server.database)
        #expect(Int(cases) == opened + 2)
    }

    /// The kernel refuses to remount a file system read-only while a process holds a file on it
    /// open for writing ("mount point is busy"): a running server keeps its log open, so the
    /// read-only fault is the log's file system remounted read-only while the server is down,
    /// and a server started on it: 503, up. Remounted read-write, that process stays read-only
    /// (SQLite opened the file read-only) until restarted: a known limit (Docs/operations.md).
    @Test(.timeLimit(.minutes(2)))
    func aReadOnlyFileSystemAnswers503AndARestartRecoversWhenRemountedReadWrite() async throws {
        let bench = DocketBench()
        let disk = try SmallDisk(in: bench, megabytes: 8)
        defer { disk.unmount() }
        let first = try LiveServer.start(bench, database: disk.path + "/docket.sqlite")
        #expect(try await first.open("R-1").status == 201)
        // While it runs, the kernel refuses (the point of the note above; if a kernel ever allows
        // it, the fault is injected live instead).
        let busy = try disk.remount("ro")
        try first.stop()
        if busy.status != 0 { try #require(try disk.remount("ro").status == 0) }

        let process = try bench.start(["serve", "--db", first.database, "--listen", "127.0.0.1:0", "--tick-every", "0"])
        defer { if process.process.isRunning { process.signal(SIGTERM); _ = try? process.wait(timeout: 20) } }
        try process.waitForOutput(containing: "docket serve listening on 127.0.0.1:", timeout: 60)
        let line = try #require(process.stdoutSoFar.split(separator: "\n").first { $0.contains("listening on") })
        let server = LiveServer(bench: bench, database: first.database, process: process,
                                port: try #require(Int(line.split(separator: ":").last ?? "")), token: first.token)

        let refused = try await server.open("R-2")
        #expect(refused.status == 503, "open on a read-only file system: \(refused.status) \(refused.body)")
        Self.expectSuccessOrUnavailable(refused, "open on a read-only file system")
        #expect(try await server.request(.GET, "/readyz", authorized: false).status == 503)
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        let read = try await server.request(.GET, "/v1/cases/R-1")
        Self.expectSuccessOrUnavailable(read, "reading on a read-only file system")
        #expect(server.isRunning)

        try #require(try disk.remount("rw").status == 0)
        // SQLite opened the file read-only and shares that among the process's connections:
        // this server stays read-only (503, never a crash) until it is restarted.
        let still = try await server.open("R-3")
        Self.expectSuccessOrUnavailable(still, "open after remounting read-write, before a restart")
        try server.stop()
        let restarted = try LiveServer.start(bench, database: first.database)
        defer { if restarted.isRunning { try? restarted.stop() } }
        #expect(try await restarted.request(.GET, "/readyz", authorized: false).status == 200)
        let again = try await restarted.open("R-4")
        #expect(again.status == 201, "after remounting read-write and a restart: \(again.status) \(again.body)")
        try restarted.stop()
        #expect(try bench.docket("verify", "--db", server.database).status == 0)
        let opened = try bench.sqlite("SELECT group_concat(DISTINCT case_id) FROM events WHERE case_id NOT LIKE '@%'", file: server.database)
        #expect(opened == "R-1,R-4" || (still.status == 201 && opened == "R-1,R-3,R-4"), "\(opened)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aLogDamagedWhileServingAnswers503OrAClearErrorAndNeverCrashes() async throws {
        let bench = DocketBench()
        let server = try LiveServer.start(bench)
        defer { if server.isRunning { try? server.stop() } }
        for n in 1...40 { #expect(try await server.open("D-\(n)", by: "applicant-\(n)").status == 201) }
        // Everything into the main file, then garbage over its middle (the tables' pages).
        _ = try bench.sqlite("PRAGMA wal_checkpoint(TRUNCATE)")
        let handle = try #require(FileHandle(forUpdatingAtPath: bench.database))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 4096 * 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096 * 3))
        try handle.close()

        var answers: [(String, LiveServer.Answer)] = []
        for n in 1...5 {
            answers.append(("open E-\(n)", try await server.open("E-\(n)")))
            answers.append(("show D-\(n)", try await server.request(.GET, "/v1/cases/D-\(n)")))
            answers.append(("fire D-\(n)", try await server.request(.POST, "/v1/cases/D-\(n)/events",
                                                                     body: #"{"event": "accept", "by": "clerk-1", "as": "clerk"}"#)))
        }
        answers.append(("list", try await server.request(.GET, "/v1/cases?limit=500")))
        answers.append(("history", try await server.request(.GET, "/v1/cases/D-20/history")))
        let verify = try await server.request(.POST, "/v1/verify")
        answers.append(("verify", verify))
        answers.append(("readyz", try await server.request(.GET, "/readyz", authorized: false)))
        for (what, answer) in answers { Self.expectSuccessOrUnavailable(answer, what) }
        // The damage is reported somewhere: a 503, or verify's report.
        #expect(answers.contains { $0.1.status == 503 } || verify.body.contains(#""ok":false"#) || verify.body.contains(#""ok" : false"#),
                "\(answers.map { "\($0.0): \($0.1.status)" })")
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        #expect(server.isRunning, "the server died on a damaged log: \(server.process.stdoutSoFar)")
    }
}
