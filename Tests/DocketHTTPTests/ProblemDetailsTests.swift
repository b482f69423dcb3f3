import DocketCore
import DocketHTTP
import DocketStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct ProblemDetailsTests {
    @Test(arguments: [TestingSetup.router, .live])
    func anUnknownCaseIs404WithTheCLIsWordsAndCode(setup: TestingSetup) async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(setup) { api in
            let response = try await api.get("/v1/cases/NOPE")
            #expect(response.status.code == 404)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = response.object
            #expect(problem["code"] as? String == "unknown_case")
            #expect(problem["type"] as? String == "urn:docket:problem:unknown_case")
            #expect(problem["title"] as? String == "Not Found")
            #expect(problem["detail"] as? String == Refusal.unknownCase("NOPE").description)
        }
    }

    @Test func aRefusedCommandIs422AndAppendsNothing() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P1")
            _ = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#)
            let before = try server.log.lastPosition()
            let response = try await api.post("/v1/cases/P1/events", json: #"{"event": "approve", "as": "approver"}"#, token: Tokens.approver)
            #expect(response.status.code == 422)
            #expect(response.object["code"] as? String == "documents_missing")
            #expect(try server.log.lastPosition() == before)
        }
    }

    @Test func badJSONIs400AndSaysWhere() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            let syntax = try await api.post("/v1/cases", json: "{\"workflow\": \"permit-check\",\n \"as\": }")
            #expect(syntax.status.code == 400)
            #expect(syntax.object["code"] as? String == "invalid_json")
            let detail = syntax.object["detail"] as? String ?? ""
            #expect(detail.contains("line 2") || detail.contains("offset"), "\(detail)")
            let type = try await api.post("/v1/cases", json: #"{"workflow": 7}"#)
            #expect(type.status.code == 400)
            #expect((type.object["detail"] as? String ?? "").contains("$.workflow"))
        }
    }

    @Test func anUnknownRouteIs404AndAWrongMethod405WithAllow() async throws {
        let server = try TestServer()
        try await server.test { api in
            let missing = try await api.get("/v1/nothing-here")
            #expect(missing.status.code == 404)
            #expect(missing.object["code"] as? String == "no_such_route")
            let wrong = try await api.send(.delete, "/v1/cases/P1")
            #expect(wrong.status.code == 405)
            #expect(wrong.headers[.allow] == "GET")
            #expect(wrong.object["code"] as? String == "method_not_allowed")
        }
    }

    @Test func aBodyThatIsNotJSONIs415() async throws {
        let server = try TestServer()
        try await server.test { api in
            let response = try await api.post("/v1/cases", json: "workflow=permit-check", contentType: "application/x-www-form-urlencoded")
            #expect(response.status.code == 415)
            #expect(response.object["code"] as? String == "unsupported_media_type")
        }
    }

    @Test func aBodyOverOneMebibyteIs413() async throws {
        let server = try TestServer()
        try await server.test { api in
            let text = String(repeating: "x", count: HTTPLimits.maxBodyBytes + 1)
            let response = try await api.post("/v1/deployments", json: #"{"files": [{"name": "big.yaml", "text": "\#(text)"}]}"#)
            #expect(response.status.code == 413)
            #expect(response.object["code"] as? String == "body_too_large")
        }
    }

    @Test func everyFailureKindHasItsStatus() {
        let expected: [FailureKind: Int] = [.invalidInput: 400, .notFound: 404, .unauthenticated: 401, .forbidden: 403,
                                            .refused: 422, .conflict: 409, .unavailable: 503]
        for kind in FailureKind.allCases {
            #expect(ProblemStatus.of(kind).code == expected[kind], "\(kind)")
        }
        #expect(ProblemStatus.of(StoreError(.conflict, "lost the race")).code == 409)
    }
}
