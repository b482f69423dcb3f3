import DocketCore
import DocketHTTP
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// The tests' bearer-token verifier: a dictionary from token to principal.
struct MemoryTokenVerifier: BearerTokenVerifier {
    var principals: [String: Principal]

    func principal(forBearer token: String) async throws -> Principal {
        guard let principal = principals[token] else { throw UnknownToken() }
        return principal
    }

    struct UnknownToken: DocketError {
        var description: String { "the bearer token is not one this server knows" }
        var errorCode: String { "invalid_token" }
        var kind: FailureKind { .refused }
    }
}

/// The tokens every test server accepts.
enum Tokens {
    static let clerk = "clerk-token-0123456789"
    static let approver = "approver-token-0123456789"
    /// An applicant's: the workflows forbid staff to act on a case they applied for.
    static let applicant = "applicant-token-0123456789"
    static let verifier = MemoryTokenVerifier(principals: [
        clerk: Principal(method: .jwt, id: "li.wei"),
        approver: Principal(method: .jwt, id: "zhao.min"),
        applicant: Principal(method: .jwt, id: "wang.fang"),
    ])
}

/// A server on a real SQLite file in a temporary directory, with a clock the test moves.
final class TestServer: Sendable {
    let directory: TemporaryDirectory
    let path: String
    let clock: ManualWallClock
    let server: DocketServer

    /// A new log at `path` (default: a new temporary file).
    init(path: String? = nil, tickEvery: Duration? = nil, now: String = "2026-03-02T09:00:00Z", busyTimeout: Double = 5,
         logger: Logger = Logger(label: "docket.serve"), eventPollInterval: Duration = .milliseconds(100),
         verifier: any BearerTokenVerifier = Tokens.verifier) throws {
        directory = TemporaryDirectory("http")
        self.path = path ?? directory.path("docket.sqlite")
        clock = ManualWallClock(Timestamp.parse(iso8601: now)!)
        let log = try SQLiteEventStore(path: self.path, options: .init(busyTimeout: busyTimeout), clock: clock)
        server = DocketServer(services: ServerServices(log: log, clock: clock, logger: logger, eventPollInterval: eventPollInterval),
                              options: ServerOptions(host: "127.0.0.1", port: 0, tickEvery: tickEvery),
                              verifier: verifier)
    }

    var log: SQLiteEventStore { server.services.log as! SQLiteEventStore }

    /// Runs `body` against the server (`.live`: a real server on a loopback port).
    func test<T: Sendable>(_ setup: TestingSetup = .live, _ body: @Sendable (APIClient) async throws -> T) async throws -> T {
        try await server.makeApplication().test(setup) { client in try await body(APIClient(client: client)) }
    }

    /// Deploys permit-check (Workflows/permit-check.yaml) through the store, as `docket deploy` would.
    func deployPermitCheck() throws {
        let text = try String(contentsOfFile: Repository.workflow("permit-check.yaml"), encoding: .utf8)
        try Deployer(catalog: server.services.catalog).deploy([ArtifactFile(path: "permit-check.yaml", text: text)])
    }
}

/// A client that speaks the API: bearer token, JSON bodies, parsed answers.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    var port: Int? { client.port }

    func get(_ uri: String, token: String? = Tokens.clerk, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.executeRequest(uri: uri, method: .get, headers: authorized(headers, token), body: nil)
    }

    @discardableResult
    func post(_ uri: String, json: String = "{}", token: String? = Tokens.clerk, contentType: String? = "application/json",
              headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = authorized(headers, token)
        if let contentType { headers[.contentType] = contentType }
        return try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = Tokens.clerk) async throws -> TestResponse {
        try await client.executeRequest(uri: uri, method: method, headers: authorized([:], token), body: nil)
    }

    private func authorized(_ headers: HTTPFields, _ token: String?) -> HTTPFields {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return headers
    }

    /// Opens case `id` of permit-check as the applicant's principal (or `token`'s).
    @discardableResult
    func open(_ id: String, by: String? = nil, onBehalfOf: String? = nil, at: String? = nil,
              token: String = Tokens.applicant) async throws -> TestResponse {
        var fields = ["\"workflow\": \"permit-check\"", "\"case_id\": \"\(id)\"", "\"as\": \"applicant\""]
        if let by { fields.append("\"by\": \"\(by)\"") }
        if let onBehalfOf { fields.append("\"on_behalf_of\": \"\(onBehalfOf)\"") }
        if let at { fields.append("\"at\": \"\(at)\"") }
        return try await post("/v1/cases", json: "{" + fields.joined(separator: ", ") + "}", token: token)
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array of objects.
    var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
