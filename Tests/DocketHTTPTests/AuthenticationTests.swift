import DocketCore
import Foundation
import HummingbirdTesting
import Testing

@Suite struct AuthenticationTests {
    @Test(arguments: [TestingSetup.router, .live])
    func aRequestWithoutATokenIsRefusedWith401AndABearerChallenge(setup: TestingSetup) async throws {
        let server = try TestServer()
        try await server.test(setup) { api in
            let response = try await api.get("/v1/workflows", token: nil)
            #expect(response.status.code == 401)
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.object["code"] as? String == "unauthenticated")
            #expect(response.object["status"] as? Int == 401)
        }
    }

    @Test func aTokenTheVerifierRefusesIs401WithTheVerifiersWords() async throws {
        let server = try TestServer()
        try await server.test { api in
            let response = try await api.get("/v1/workflows", token: "not-a-token")
            #expect(response.status.code == 401)
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(response.object["detail"] as? String == "the bearer token is not one this server knows")
            // Counted by why, and never by the token.
            let metrics = try await api.get("/metrics", token: nil).text
            #expect(metrics.contains(#"docket_refusals_total{status="401",code="invalid_token"} 1"#), "\(metrics)")
            #expect(!metrics.contains("not-a-token"))
        }
    }

    @Test func theProbesMetricsAndDescriptionNeedNoToken() async throws {
        let server = try TestServer()
        try await server.test { api in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                let status = try await api.get(path, token: nil).status.code
                #expect(status == 200, "\(path)")
            }
        }
    }

    @Test func aCommandWithoutByIsDoneByThePrincipal() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            let opened = try await api.open("P1")
            #expect(opened.status.code == 201)
            let events = opened.object["events"] as? [[String: Any]]
            #expect(events?.first?["actor"] as? String == "wang.fang")
        }
    }
}
