import ArgumentParser
import DocketAuth
import DocketCore
import DocketHTTP
import DocketService
import DocketStore
import Foundation
import Logging
import Synchronization

/// `docket serve`: the HTTP API (Docs/api.md) on one event log.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (Docs/api.md) on the event log, ticking deadlines by itself.",
        discussion: """
            Every /v1 route needs Authorization: Bearer TOKEN; /healthz, /readyz, /metrics and /openapi.json \
            do not. SIGTERM or SIGINT stops accepting connections, lets requests in flight finish, closes \
            the store and exits 0. Several servers (and CLI commands) may share one log.
            """)

    @OptionGroup var store: StoreOptions

    @OptionGroup var attachmentOptions: AttachmentOptions

    @Option(help: ArgumentHelp("The address and port to listen on.", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp(
        "Record due deadline breaches this often, as docket tick does (e.g. 60s, 5m, 1h; 0 never).", valueName: "duration"))
    var tickEvery: String = "60s"

    @OptionGroup(title: "Authentication (API tokens from `docket token create` are always accepted)")
    var jwt: JWTOptions

    @Option(help: ArgumentHelp("Sign the log's head every second with this key (docket head keygen); needs --heads.", valueName: "file"))
    var headKey: String?

    @Option(help: ArgumentHelp("The heads file the signed heads are appended to (copy it off the machine).", valueName: "file"))
    var heads: String?

    @Option(help: ArgumentHelp("Connections served at once; more wait in the listen backlog.", valueName: "n"))
    var maxConnections: Int = 256

    @Option(help: ArgumentHelp("Close a connection with no request in progress after this long (e.g. 60s).", valueName: "duration"))
    var idleTimeout: String = "60s"

    func validate() throws {
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        if (headKey == nil) != (heads == nil) { throw ValidationError("--head-key and --heads go together") }
    }

    func run() throws {
        let (host, port) = try Self.address(listen)
        let tickEvery = try Self.duration(self.tickEvery, option: "--tick-every")
        guard let idleTimeout = try Self.duration(self.idleTimeout, option: "--idle-timeout") else {
            throw UsageFailure("--idle-timeout must be longer than 0")
        }
        let signing = try headKey.map { (signer: HeadSigner(key: try HeadSigningKey.load(path: $0)), headsFile: heads ?? "") }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        // An SQLite file or a PostgreSQL database (created when missing, as deploy would), with
        // what is kept with it (LogCompanions). On PostgreSQL the requests share a pool of
        // connections; several servers may share the database.
        let log = try store.openLog(create: true, connections: Self.postgresConnections)
        // Docket's own API tokens (service accounts), and the identity provider's JWTs with --jwks.
        let verifier = CompositeBearerVerifier(apiTokens: APITokenVerifier(store: try LogCompanions.apiTokens(of: log)), jwt: try jwt.verifier())
        let server = DocketServer(
            services: ServerServices(stores: try LogCompanions.serverStores(of: log, maxAttachmentSize: try attachmentOptions.maximumSize())),
            options: ServerOptions(host: host, port: port, tickEvery: tickEvery, maxConnections: maxConnections, idleTimeout: idleTimeout,
                                   headSigning: signing),
            verifier: verifier)
        // The command line is synchronous; the server is not: run it on the concurrency pool and
        // wait here until it has shut down.
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                // Written at once, unbuffered: a supervisor (or a test) waits for these lines.
                try await server.run { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            } catch {
                outcome.failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.failure.withLock({ $0 }) { throw error }
    }

    /// Connections a server opens to a PostgreSQL log at most: its requests' store calls, the
    /// group commit, and the two held by the jobs it runs alone (the tick, the catch-up).
    static let postgresConnections = 16

    /// `HOST:PORT` (`[::1]:8080` for IPv6).
    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw UsageFailure("--listen '\(text)' is not HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw UsageFailure("--listen '\(text)' names no host, e.g. 127.0.0.1:8080") }
        return (host, port)
    }

    /// `500ms`, `60s`, `5m`, `1h` (nil for `0`: never).
    static func duration(_ text: String, option: String) throws -> Duration? {
        if text == "0" { return nil }
        let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))]
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            if let amount = Int(text.dropLast(suffix.count)), amount > 0 { return unit * amount }
        }
        throw UsageFailure("\(option) '\(text)' is not a duration such as 500ms, 60s, 5m or 1h (or 0)")
    }
}

/// How the server's task ended, handed back to the waiting command line.
private final class ServeOutcome: Sendable {
    let failure = Mutex<(any Error)?>(nil)
}
