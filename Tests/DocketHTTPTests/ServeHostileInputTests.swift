import DocketTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Hand-made hostile requests against the real `docket serve` (issue 14 §4): malformed and
/// deeply nested JSON, invalid UTF-8, huge headers, path tricks, garbage that is not HTTP, and
/// 2,000 connections opened and left idle. No answer is a 5xx other than 503, the server keeps
/// answering /healthz, and nothing is appended.
@Suite(.requires(.sqlite3, .docketBinary), .serialized)
struct ServeHostileInputTests {
    /// Sends `bytes` on a new connection and reads until the server closes it (or `seconds`
    /// pass); the status of the first response, or nil when the server closed without one.
    static func raw(_ port: Int, _ bytes: [UInt8], seconds: Int64 = 10) async throws -> (status: Int?, text: String) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let closer = Task {
            try await Task.sleep(for: .seconds(seconds))
            try? await channel.channel.close()
        }
        defer { closer.cancel() }
        var received = ByteBuffer()
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: bytes))
                for try await chunk in inbound {
                    received.writeImmutableBuffer(chunk)
                }
            }
        } catch {
            // A reset after the server refused the request is an answer too: what it sent counts.
        }
        let text = String(decoding: received.readableBytesView, as: UTF8.self)
        let status = text.hasPrefix("HTTP/1.") ? Int(text.split(separator: " ").dropFirst().first ?? "") : nil
        return (status, text)
    }

    func request(_ method: String, _ target: String, headers: [String] = [], body: [UInt8] = [], token: String?,
                        contentLength: Bool = true) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if contentLength, !body.isEmpty { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        for header in headers { head += header + "\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    @Test(.timeLimit(.minutes(2)))
    func hostileRequestsGetNoServerErrorAndAppendNothing() async throws {
        let bench = DocketBench()
        let server = try LiveServer.start(bench)
        defer { if server.isRunning { try? server.stop() } }
        #expect(try await server.open("H-1").status == 201)
        let before = try server.eventCount()
        let token = server.token

        let nested = Array(repeating: UInt8(ascii: "["), count: 100_000)
        let nestedObject = Array((String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8)
        let openBody = Array(#"{"workflow": "permit-check", "case_id": "X-1", "as": "applicant", "by": "a"}"#.utf8)
        var invalidUTF8 = Array(#"{"workflow": "permit-check", "case_id": "X-"#.utf8) + [0xFF, 0xFE, 0xC0, 0x80]
        invalidUTF8 += Array(#"", "as": "applicant", "by": "a"}"#.utf8)
        let cases: [(String, [UInt8])] = [
            ("100,000 [", request("POST", "/v1/cases", body: nested, token: token)),
            ("100,000 [ into a fire", request("POST", "/v1/cases/H-1/events", body: nested, token: token)),
            ("50,000 nested objects in data", request("POST", "/v1/cases",
                                                     body: Array(#"{"workflow": "permit-check", "as": "applicant", "by": "a", "data": "#.utf8)
                                                         + nestedObject + [UInt8(ascii: "}")], token: token)),
            ("truncated JSON", request("POST", "/v1/cases", body: Array(openBody.dropLast(10)), token: token)),
            ("JSON of the wrong shape", request("POST", "/v1/cases", body: Array(#"[1, 2, {"workflow": null}]"#.utf8), token: token)),
            ("a number too large", request("POST", "/v1/cases",
                                           body: Array(#"{"workflow": "permit-check", "version": 1e400, "as": "applicant"}"#.utf8), token: token)),
            ("invalid UTF-8 in the body", request("POST", "/v1/cases", body: invalidUTF8, token: token)),
            ("invalid UTF-8 in the path", request("GET", "/v1/cases/\u{FF}\u{FE}", token: token)),
            ("percent-encoded invalid UTF-8", request("GET", "/v1/cases/%FF%FE%C0%80", token: token)),
            ("a NUL in the path", request("GET", "/v1/cases/H-1%00", token: token)),
            ("..%2f..%2fetc", request("GET", "/v1/cases/..%2f..%2fetc%2fpasswd", token: token)),
            ("../../etc/passwd", request("GET", "/v1/cases/../../etc/passwd", token: token)),
            ("fire on a dotted path", request("POST", "/v1/cases/..%2f..%2fH-1/events",
                                              body: Array(#"{"event": "accept", "by": "c", "as": "clerk"}"#.utf8), token: token)),
            ("double slashes", request("GET", "//v1//cases//H-1", token: token)),
            ("an absolute-form target", request("GET", "http://evil.example/v1/cases/H-1", token: token)),
            ("a 64 KiB path", request("GET", "/v1/cases/" + String(repeating: "a", count: 65_536), token: token)),
            ("a 1 MiB header", request("GET", "/v1/cases/H-1", headers: ["X-Big: " + String(repeating: "b", count: 1 << 20)], token: token)),
            ("10,000 headers", request("GET", "/v1/cases/H-1", headers: (0..<10_000).map { "X-H\($0): v" }, token: token)),
            ("a huge bearer token", request("GET", "/v1/cases/H-1", headers: ["Authorization: Bearer " + String(repeating: "t", count: 200_000)],
                                            token: nil)),
            ("a body larger than announced", request("POST", "/v1/cases", headers: ["Content-Type: application/json", "Content-Length: 5"],
                                                     body: openBody, token: token, contentLength: false)),
            ("Content-Length and chunked", request("POST", "/v1/cases",
                                                   headers: ["Content-Type: application/json", "Content-Length: 4", "Transfer-Encoding: chunked"],
                                                   body: Array("0\r\n\r\n".utf8) + openBody, token: token, contentLength: false)),
            ("a Content-Length of 10^11", request("POST", "/v1/cases", headers: ["Content-Type: application/json", "Content-Length: 99999999999"],
                                                  body: openBody, token: token, contentLength: false)),
            ("bad chunk sizes", request("POST", "/v1/cases", headers: ["Content-Type: application/json", "Transfer-Encoding: chunked"],
                                        body: Array("zz\r\nxx\r\nFFFFFFFFFFFFFFFFFF\r\n".utf8), token: token, contentLength: false)),
            ("an unknown method", request("BREW", "/v1/cases", token: token)),
            ("not HTTP", Array("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}garbage\r\n\r\n".utf8)),
            ("NUL bytes", Array(repeating: 0, count: 4096)),
            ("HTTP/0.9", Array("GET /healthz\r\n\r\n".utf8)),
            ("a request line of 1 MiB", Array(("GET /" + String(repeating: "x", count: 1 << 20) + " HTTP/1.1\r\n\r\n").utf8)),
        ]
        var tally: [String] = []
        for (name, bytes) in cases {
            let (status, text) = try await Self.raw(server.port, bytes)
            tally.append("\(name): \(status.map(String.init) ?? "closed")")
            if let status {
                #expect(status < 500 || status == 503, "\(name): \(text.prefix(600))")
            }
            #expect(server.isRunning, "the server died on \(name)")
        }
        // At least the JSON ones must be proper refusals, not silence.
        #expect(tally.filter { $0.hasSuffix(": 400") }.count >= 5, "\(tally)")
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        #expect(try server.eventCount() == before, "a hostile request appended something: \(tally)")
        try server.stop()
        #expect(try bench.docket("verify").status == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func twoThousandIdleConnectionsAreBoundedAndReleased() async throws {
        let bench = DocketBench()
        let server = try LiveServer.start(bench, extra: ["--idle-timeout", "2s", "--max-connections", "256"])
        defer { if server.isRunning { try? server.stop() } }
        let channels = try await withThrowingTaskGroup(of: (any Channel)?.self) { group in
            for _ in 0..<2_000 {
                group.addTask {
                    try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connectTimeout(.seconds(3))
                        .connect(host: "127.0.0.1", port: server.port).get()
                }
            }
            var opened: [any Channel] = []
            for try await channel in group { if let channel { opened.append(channel) } }
            return opened
        }
        #expect(channels.count >= 256, "only \(channels.count) of 2,000 connections were accepted or queued")
        // Silent connections are closed after the idle timeout, so a real client gets in.
        let health = try await server.request(.GET, "/healthz", authorized: false)
        #expect(health.status == 200)
        #expect(try await server.open("I-1").status == 201)
        let open = channels.filter(\.isActive).count
        for channel in channels { try? await channel.close() }
        #expect(server.isRunning)
        #expect(try await server.request(.GET, "/healthz", authorized: false).status == 200)
        try server.stop()
        _ = open
    }
}
