import DocketHTTP
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct OpenAPIDocumentTests {
    /// Every route the router serves is documented, and every documented path and method is served.
    @Test func theDocumentAndTheRouterAgreeBothWays() async throws {
        let server = try TestServer()
        _ = server.server.makeRouter()
        let served = Set(server.server.routes.routes.map { "\($0.method.rawValue) \($0.path)" })
        let document = try await server.test(.router) { api in try await api.get("/openapi.json", token: nil).text }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(json["openapi"] as? String == "3.1.0")
        let paths = try #require(json["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        let documented = Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        #expect(served.count >= 15)
    }
}
