import HTTPTypes
import HummingbirdTesting
import InMemoryLogging
import Logging
import Testing

@Suite struct RequestLogTests {
    /// Every line the server logs for a request carries the request's id, the one its response names.
    @Test func everyLogLineOfARequestCarriesItsID() async throws {
        let handler = InMemoryLogHandler()
        let server = try TestServer(logger: Logger(label: "docket.serve") { _ in handler })
        try server.deployPermitCheck()
        try await server.test(.router) { api in
            var headers = HTTPFields()
            headers[.requestID] = "trace-7"
            _ = try await api.post("/v1/deployments", json: #"{"files": []}"#, headers: headers)
            let id = try await api.get("/v1/workflows").headers[.requestID]
            let lines = handler.entries.filter { $0.metadata["route"] != nil }
            #expect(lines.count == 2)
            #expect(lines.first?.metadata["request_id"] == "trace-7")
            #expect(lines.last?.metadata["request_id"].map { "\($0)" } == id)
        }
    }
}
