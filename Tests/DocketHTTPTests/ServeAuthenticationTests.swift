import AsyncHTTPClient
import DocketTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Issue 13 through the real `docket serve` process: every bearer token the server is offered
/// (a JWT signed by the key it was told to trust, an API token Docket issued) is verified, a
/// refused one appends nothing, and an accepted command records the principal beside the actor;
/// the server signs its head every second into the heads file `verify --heads` checks.
@Suite struct ServeAuthenticationTests {
    struct Server {
        let bench: DocketBench
        let process: RunningProcess
        let port: Int
        let headKey: String

        func request(_ method: HTTPMethod, _ path: String, token: String?, body: String? = nil) async throws -> (status: Int, body: String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: bytes))
        }

        func openCase(_ id: String, token: String?) async throws -> (status: Int, body: String) {
            try await request(.POST, "/v1/cases", token: token,
                              body: #"{"workflow": "permit-check", "case_id": "\#(id)", "as": "applicant", "at": "2020-02-10T09:00:00+08:00"}"#)
        }

        func stop() throws {
            process.signal(SIGTERM)
            #expect(try process.wait(timeout: 20).status == 0)
        }
    }

    /// A log with permit-check deployed; the development JWT key trusted through its JWKS; a head key.
    func serve() throws -> Server {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem")
        bench.file("jwks.json", try bench.ok("token", "dev-jwks", "--key", "dev.pem").stdout)
        let headKey = try bench.ok("head", "keygen", "--key", bench.directory.appendingPathComponent("head.key").path)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let process = try bench.start(["serve", "--listen", "127.0.0.1:0", "--tick-every", "0", "--leeway", "0",
                                       "--jwks", bench.directory.appendingPathComponent("jwks.json").path,
                                       "--head-key", bench.directory.appendingPathComponent("head.key").path,
                                       "--heads", bench.directory.appendingPathComponent("heads.jsonl").path])
        try process.waitForOutput(containing: "docket serve listening on 127.0.0.1:")
        let line = try #require(process.stdoutSoFar.split(separator: "\n").first { $0.contains("listening on") })
        return Server(bench: bench, process: process, port: try #require(Int(line.split(separator: ":").last ?? "")), headKey: headKey)
    }

    func jwt(_ bench: DocketBench, for person: String, _ extra: String...) throws -> String {
        try bench.ok(["token", "issue", "--for", person, "--key", "dev.pem"] + extra).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aJWTOrAnAPITokenIsRecordedAsThePrincipalAndEveryOtherTokenIsRefusedWithNothingAppended() async throws {
        let server = try serve()
        defer { try? server.stop() }
        let bench = server.bench

        let signedIn = try await server.openCase("A-1", token: try jwt(bench, for: "li.wei"))
        #expect(signedIn.status == 201, "\(signedIn.body)")
        let portal = try bench.ok("token", "create", "--for", "portal").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await server.openCase("A-2", token: portal).status == 201)

        let history = try bench.ok("history", "A-1", "--format", "json").stdout
        #expect(history.contains(#""principal" : "jwt:li.wei""#), "\(history)")
        #expect(history.contains(#""actor" : "li.wei""#))
        #expect(try bench.ok("history", "A-2", "--format", "json").stdout.contains(#""principal" : "api_token:portal""#))
        let before = try bench.eventCount()

        // Every refusal: 401, a problem naming why, never the token, nothing appended.
        let otherKey = DocketBench()
        try otherKey.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem")
        let refused: [(String, String?)] = [
            ("no token", nil),
            ("garbage", "not-a-token"),
            ("expired", try jwt(bench, for: "li.wei", "--expires", "1s")),
            ("wrong issuer", try jwt(bench, for: "li.wei", "--issuer", "someone-else")),
            ("wrong audience", try jwt(bench, for: "li.wei", "--audience", "payroll")),
            ("another key", try jwt(otherKey, for: "li.wei")),
            ("unknown API token", "dkt_0123456789abcdef_" + String(repeating: "A", count: 43)),
        ]
        try await Task.sleep(for: .seconds(2))  // the 1 s token has expired (the server allows no leeway)
        for (label, token) in refused {
            let answer = try await server.openCase("R-\(label.count)", token: token)
            #expect(answer.status == 401, "\(label): \(answer.body)")
            #expect(answer.body.contains("unauthenticated") || answer.body.contains("401"), "\(label): \(answer.body)")
            if let token { #expect(!answer.body.contains(token), "\(label)") }
        }
        let revokedID = try bench.ok("token", "list", "--format", "json").stdout
            .split(separator: "\"").drop { $0 != "token_id" }.dropFirst(2).first.map(String.init)
        try bench.ok("token", "revoke", try #require(revokedID))
        let revoked = try await server.openCase("R-revoked", token: portal)
        #expect(revoked.status == 401, "\(revoked.body)")
        #expect(try bench.eventCount() == before)
    }

    /// With the example directory deployed (by the operator, while the server runs): a JWT person
    /// acts only as themselves (403, nothing appended), an applicant reads only their own case
    /// (another's is 404, as unknown), and the reads are in the access log.
    @Test func withTheDirectoryDeployedAJWTActsOnlyAsItsPersonAndReadsOnlyItsCases() async throws {
        let server = try serve()
        defer { try? server.stop() }
        let bench = server.bench
        try bench.ok("deploy", Repository.directories.appendingPathComponent("shandong.yaml").path)
        let open = #"{"workflow": "permit-check", "case_id": "R-1", "as": "applicant", "data": {"centre": "rizhao", "channel": "window"}}"#
        let maLin = try jwt(bench, for: "ma.lin"), liWei = try jwt(bench, for: "li.wei"), huangTao = try jwt(bench, for: "huang.tao")
        #expect(try await server.request(.POST, "/v1/cases", token: maLin, body: open).status == 201)
        let before = try bench.eventCount()
        let naming = try await server.request(.POST, "/v1/cases/R-1/events", token: liWei, body: #"{"event": "accept", "as": "clerk", "by": "chen.jing"}"#)
        #expect(naming.status == 403, "\(naming.body)")
        #expect(naming.body.contains("actor_mismatch"), "\(naming.body)")
        #expect(!naming.body.contains(liWei))
        #expect(try bench.eventCount() == before)
        #expect(try await server.request(.POST, "/v1/cases/R-1/events", token: liWei, body: #"{"event": "accept", "as": "clerk"}"#).status == 200)

        #expect(try await server.request(.GET, "/v1/cases/R-1", token: maLin, body: nil).status == 200)
        let other = try await server.request(.GET, "/v1/cases/R-1/history", token: huangTao, body: nil)
        #expect(other.status == 404, "\(other.body)")
        #expect(other.body.contains("unknown_case"))
        let reads = try bench.ok("access-log", "--case", "R-1", "--format", "json").stdout
        #expect(reads.contains(#""principal" : "jwt:ma.lin""#), "\(reads)")
        #expect(!reads.contains("jwt:huang.tao"), "\(reads)")
    }

    @Test func theServerSignsItsHeadEverySecondAndTheHeadsProveTheLog() async throws {
        let server = try serve()
        let bench = server.bench
        #expect(try await server.openCase("H-1", token: try jwt(bench, for: "li.wei")).status == 201)
        let heads = bench.directory.appendingPathComponent("heads.jsonl").path
        var signed = ""
        for _ in 0..<50 where !signed.contains(#""position":1"#) {
            try await Task.sleep(for: .milliseconds(100))
            signed = (try? String(contentsOfFile: heads, encoding: .utf8)) ?? ""
        }
        #expect(signed.contains(#""position":1"#), "\(signed)")
        try server.stop()
        let checked = try bench.docket("verify", "--heads", heads, "--trust", server.headKey)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }
}
