import AsyncHTTPClient
import DocketCore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// Reads server-sent events from a live server until a condition holds, then disconnects.
struct EventStreamReader {
    let port: Int

    /// The ids of the messages received (in order) from `GET /v1/events`, until `enough` holds.
    func ids(after: Int64? = nil, lastEventID: Int64? = nil, token: String = Tokens.clerk,
             until enough: @Sendable ([Int64]) -> Bool, whileStreaming: @Sendable () async throws -> Void = {}) async throws -> [Int64] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events" + (after.map { "?after=\($0)" } ?? ""))
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(40))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var ids: [Int64] = []
        var pending = ""
        var triggered = false
        let deadline = ContinuousClock.now + .seconds(30)  // generous: two loaded cores; a poll is longer still
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            // Whole messages only: a message ends with a blank line.
            while let end = pending.range(of: "\n\n") {
                let message = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                for line in message.split(separator: "\n") where line.hasPrefix("id: ") {
                    ids.append(Int64(line.dropFirst(4))!)
                }
            }
            if !triggered {
                triggered = true
                try await whileStreaming()
            }
            if enough(ids) || ContinuousClock.now > deadline { break }
        }
        return ids
    }
}

@Suite struct EventStreamTests {
    @Test func aReconnectingConsumerMissesNothingAndSeesNothingTwice() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            let reader = EventStreamReader(port: try #require(api.port))
            for i in 1...3 { try await api.open("S\(i)") }
            // First connection: the three events so far, then one appended while it listens.
            let first = try await reader.ids(after: 0, until: { $0.count >= 4 }) {
                try await api.post("/v1/cases/S1/events", json: #"{"event": "accept", "as": "clerk"}"#)
            }
            #expect(first == [1, 2, 3, 4])
            // While disconnected, more is appended.
            try await api.open("S4")
            try await api.post("/v1/cases/S2/events", json: #"{"event": "accept", "as": "clerk"}"#)
            // Reconnecting with Last-Event-ID (which wins over after=0) resumes just after it.
            let second = try await reader.ids(after: 0, lastEventID: first.last, until: { $0.count >= 3 }) {
                try await api.open("S5")
            }
            #expect(second == [5, 6, 7])
            #expect(Set(first).isDisjoint(with: second))
            #expect(first + second == Array(1...7))
        }
    }

    /// With polling all but off, an event this server appends reaches the stream at once: the
    /// append wakes it.
    @Test func thisServersAppendsWakeTheStream() async throws {
        let server = try TestServer(eventPollInterval: .seconds(60))
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            let reader = EventStreamReader(port: try #require(api.port))
            let start = ContinuousClock.now
            let ids = try await reader.ids(after: 0, until: { $0.count >= 1 }) { try await api.open("W1") }
            #expect(ids == [1])
            // Well under the 60 s poll: only the wake can deliver it in time. (5 s was exceeded
            // when the whole suite, headless browsers included, shares two cores.)
            #expect(ContinuousClock.now - start < .seconds(30))
        }
    }

    @Test func theStreamNeedsAToken() async throws {
        let server = try TestServer()
        try await server.test(.live) { api in
            let response = try await api.get("/v1/events", token: nil)
            #expect(response.status.code == 401)
        }
    }
}
