import AsyncHTTPClient
import DocketCore
import Hummingbird
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct CommandTests {
    @Test(arguments: [TestingSetup.router, .live])
    func aCaseDrivenThroughTheAPIAnswersTheCLIsJSONWithItsVersionAsETag(setup: TestingSetup) async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(setup) { api in
            let opened = try await api.open("P1", by: "wang.fang")
            #expect(opened.status.code == 201)
            #expect(opened.headers[.location] == "/v1/cases/P1")
            #expect(opened.headers[.eTag] == "\"v1\"")
            #expect(opened.object["replayed"] as? Bool == false)
            let accepted = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#)
            #expect(accepted.status.code == 200)
            #expect(accepted.headers[.eTag] == "\"v2\"")
            let shown = try await api.get("/v1/cases/P1")
            #expect(shown.headers[.eTag] == "\"v2\"")
            #expect(shown.object["state"] as? String == "review")
            #expect(shown.object["workflow_version"] as? Int == 1)
            let history = try await api.get("/v1/cases/P1/history")
            #expect(history.array.map { $0["type"] as? String } == ["case_opened", "transition_fired"])
            #expect(history.array.first?["actor"] as? String == "wang.fang")
        }
    }

    @Test func aStaleIfMatchIs412AndAppendsNothing() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P1")
            var stale = HTTPFields()
            stale[.ifMatch] = "\"v0\""
            let before = try server.log.lastPosition()
            let refused = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#, headers: stale)
            #expect(refused.status.code == 412)
            #expect(refused.object["code"] as? String == "precondition_failed")
            #expect(try server.log.lastPosition() == before)
            var current = HTTPFields()
            current[.ifMatch] = "\"v1\""
            let accepted = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#, headers: current)
            #expect(accepted.status.code == 200)
            #expect(accepted.headers[.eTag] == "\"v2\"")
        }
    }

    @Test func aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerAndAppendsNothing() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            var keyed = HTTPFields()
            keyed[.idempotencyKey] = "open-P1-once"
            let body = #"{"workflow": "permit-check", "case_id": "P1", "as": "applicant"}"#
            let first = try await api.post("/v1/cases", json: body, headers: keyed)
            #expect(first.status.code == 201)
            let after = try server.log.lastPosition()
            let retry = try await api.post("/v1/cases", json: body, headers: keyed)
            #expect(retry.status.code == 201)
            #expect(retry.object["replayed"] as? Bool == true)
            let firstEvents = first.object["events"] as? [[String: Any]]
            let retryEvents = retry.object["events"] as? [[String: Any]]
            #expect(firstEvents?.map { $0["hash"] as? String } == retryEvents?.map { $0["hash"] as? String })
            #expect(try server.log.lastPosition() == after)
            // Without the key the same body is a second command, which the engine refuses.
            let again = try await api.post("/v1/cases", json: body)
            #expect(again.status.code == 422)
            #expect(again.object["code"] as? String == "case_already_exists")
        }
    }

    @Test func aVoteNeedsABallotTheEngineKnows() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P1")
            let response = try await api.post("/v1/cases/P1/votes", json: #"{"ballot": "maybe", "as": "approver"}"#)
            #expect(response.status.code == 400)
            #expect(response.object["code"] as? String == "invalid_parameter")
        }
    }

    @Test func theRequestIDIsEchoedWhenSaneAndMadeOtherwise() async throws {
        let server = try TestServer()
        try await server.test { api in
            var given = HTTPFields()
            given[.requestID] = "req-42.a_b"
            #expect(try await api.get("/healthz", token: nil, headers: given).headers[.requestID] == "req-42.a_b")
            var insane = HTTPFields()
            insane[.requestID] = "bad id with spaces"
            let made = try await api.get("/healthz", token: nil, headers: insane).headers[.requestID]
            #expect(made != nil && made != "bad id with spaces")
            let problem = try await api.get("/v1/workflows", token: nil, headers: given)
            #expect(problem.object["request_id"] as? String == "req-42.a_b")
        }
    }
}

@Suite struct ConcurrentCommandTests {
    /// Eight clerks accept the same case at once, each with the ETag they read: exactly one
    /// command is appended; every other one is answered 409, 412 or 422, never appended.
    @Test func concurrentCommandsOnOneVersionAppendOnce() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            try await api.open("R1")
            let port = try #require(api.port)
            // Each on a connection of its own (the shared client's pool), so they really race.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/cases/R1/events")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(Tokens.clerk)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "If-Match", value: "\"v1\"")
                        request.body = .bytes(ByteBuffer(string: #"{"event": "accept", "as": "clerk"}"#))
                        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { [200, 409, 412, 422].contains($0) }, "\(statuses)")
            #expect(try server.log.events(of: "R1").count == 2)
        }
    }
}

@Suite struct KeyedRetryTests {
    /// A client whose answer was lost retries with the same key and the same (now stale)
    /// If-Match: it gets the first answer, not 412, and nothing is appended; a different command
    /// with that stale If-Match is still 412.
    @Test func aKeyedRetryWithTheSameStaleIfMatchGetsTheFirstAnswer() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("K1")
            var headers = HTTPFields()
            headers[.ifMatch] = "\"v1\""
            headers[.idempotencyKey] = "accept-K1"
            let first = try await api.post("/v1/cases/K1/events", json: #"{"event": "accept", "as": "clerk"}"#, headers: headers)
            #expect(first.status.code == 200)
            let after = try server.log.lastPosition()
            let retry = try await api.post("/v1/cases/K1/events", json: #"{"event": "accept", "as": "clerk"}"#, headers: headers)
            #expect(retry.status.code == 200)
            #expect(retry.object["replayed"] as? Bool == true)
            #expect(try server.log.lastPosition() == after)
            headers[.idempotencyKey] = "reject-K1"
            let other = try await api.post("/v1/cases/K1/events", json: #"{"event": "reject", "as": "approver"}"#, headers: headers)
            #expect(other.status.code == 412)
            #expect(try server.log.lastPosition() == after)
        }
    }
}
