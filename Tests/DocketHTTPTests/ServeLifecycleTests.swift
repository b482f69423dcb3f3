import AsyncHTTPClient
import DocketTestSupport
import Foundation
import Hummingbird
import Testing

/// The real `docket serve`, as a process: a signal ends it gracefully while a consumer is
/// streaming events.
@Suite struct ServeLifecycleTests {
    @Test func sigtermEndsTheOpenEventStreamClosesTheStoreAndExitsZero() async throws {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        try #require(docket.docket("start", "permit-check", "--case", "L1", "--by", "a", "--as", "applicant").status == 0)
        let token = try docket.ok("token", "create", "--for", "li.wei").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try docket.start(["serve", "--listen", "127.0.0.1:0", "--tick-every", "0"])
        try server.waitForOutput(containing: "docket serve listening on 127.0.0.1:")
        let line = try #require(server.stdoutSoFar.split(separator: "\n").first { $0.contains("listening on") })
        let port = try #require(Int(line.split(separator: ":").last ?? ""))

        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events?after=0")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        // A client of its own, patient: under the whole suite this test's task may wait long for
        // a thread of the 2-core cooperative pool, and a stream not read for 90 s (the shared
        // client's read timeout) failed it though the server was streaming. The server's
        // heartbeat (15 s) keeps a live stream talking; ten minutes of silence is a hung server.
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(timeout: .init(connect: .seconds(60), read: .minutes(10))))
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .minutes(10))
        #expect(response.status.code == 200)
        var received = ""
        var signalled = false
        // The stream ends (the loop finishes) only because the server shut down.
        for try await buffer in response.body {
            received += String(buffer: buffer)
            if !signalled, received.contains("id: 1\n") {
                signalled = true
                server.signal(SIGTERM)
            }
        }
        #expect(signalled)
        let result = try server.wait(timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("docket serve stopped; the store is closed"))
    }
}
