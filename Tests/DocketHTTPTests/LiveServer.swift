import AsyncHTTPClient
import DocketTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A real `docket serve` process on a loopback port, on the log at `database` (default: the
/// bench's), with an API token of Docket's own: for the tests of faults, kills and hostile input.
struct LiveServer {
    let bench: DocketBench
    let database: String
    let process: RunningProcess
    let port: Int
    let token: String

    struct Answer {
        var status: Int
        var body: String
        var contentType: String
    }

    /// Deploys permit-check on `database`, creates a token, starts the server and reads its port.
    static func start(_ bench: DocketBench, database: String? = nil, extra: [String] = []) throws -> LiveServer {
        let database = database ?? bench.database
        try bench.ok("deploy", "--db", database, DocketBench.workflows + "/permit-check.yaml")
        let token = try bench.ok("token", "create", "--for", "portal", "--db", database).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let process = try bench.start(["serve", "--db", database, "--listen", "127.0.0.1:0", "--tick-every", "0"] + extra)
        try process.waitForOutput(containing: "docket serve listening on 127.0.0.1:", timeout: 60)
        let line = try #require(process.stdoutSoFar.split(separator: "\n").first { $0.contains("listening on") })
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        return LiveServer(bench: bench, database: database, process: process, port: port, token: token)
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [],
                 authorized: Bool = true) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Answer(status: Int(response.status.code), body: String(buffer: bytes),
                      contentType: response.headers.first(name: "Content-Type") ?? "")
    }

    /// Opens permit-check case `id` as applicant `by`.
    func open(_ id: String, by: String = "applicant-1", key: String? = nil) async throws -> Answer {
        try await request(.POST, "/v1/cases",
                          body: #"{"workflow": "permit-check", "case_id": "\#(id)", "by": "\#(by)", "as": "applicant"}"#,
                          headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    var isRunning: Bool { process.process.isRunning }

    /// SIGTERM, and the clean exit it must lead to.
    func stop() throws {
        process.signal(SIGTERM)
        let result = try process.wait(timeout: 30)
        #expect(result.status == 0 && result.exited, "docket serve: \(result.stderr.suffix(2000))")
    }

    /// The number of events in the log.
    func eventCount() throws -> Int { Int(try bench.sqlite("SELECT count(*) FROM events", file: database)) ?? -1 }
}

extension Prerequisite {
    /// Root, with `mount` and `umount`: a test mounts a small file system of its own for the log.
    static var mountAsRoot: Prerequisite {
        Prerequisite("root, with mount and umount on PATH (a small tmpfs of the test's own holds the log)",
                     remedy: "run the tests as root (CI does), with util-linux installed") {
            getuid() == 0 && Processes.tool("mount") != nil && Processes.tool("umount") != nil
        }
    }
}
