import DocketStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The bridge between the synchronous ``EventStore`` API and postgres-nio, which is asynchronous.
///
/// A store call leases a connection from the pool (`PostgresClient`) and then runs its SQL on
/// the calling thread, waiting for each query's future. Nothing here blocks a thread that the
/// asynchronous side needs:
/// - the pool (its `run()`) and every lease run on DocketPostgres's own event loops, which are
///   also their task executor, never on Swift's cooperative pool: a server whose cooperative
///   threads are all inside store calls, waiting, cannot starve the pool that would answer them;
/// - a call from an event loop thread (where waiting would stall that loop) is refused with an
///   error instead of waiting.
final class PostgresConnector: Sendable {
    /// The event loops every PostgreSQL store of the process shares: the connections' I/O and the
    /// pool's tasks. Two threads are plenty for a process's store traffic (the rows are decoded
    /// on the callers' threads).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    /// Runs the pool's tasks on ``eventLoops``.
    static let executor = EventLoopTaskExecutor(group: eventLoops)

    let location: PostgresLocation
    private let client: PostgresClient
    /// How a connection of its own (``withDirectConnection(_:)``) is made: the pool's settings.
    private let direct: PostgresConnection.Configuration
    private let runner: Task<Void, Never>
    /// How long a call waits for a connection from the pool before failing.
    let connectTimeout: TimeInterval
    let logger: Logger

    /// The `lock_timeout` every connection has from its start, in seconds (nil: the server's).
    let lockTimeout: Double?

    init(location: PostgresLocation, maximumConnections: Int, connectTimeout: TimeInterval, lockTimeout: Double? = nil,
         logger: Logger) throws {
        self.location = location
        self.connectTimeout = connectTimeout
        self.lockTimeout = lockTimeout
        self.logger = logger
        var configuration: PostgresClient.Configuration
        let tls = try Self.tls(location)
        if let directory = location.socketDirectory {
            configuration = .init(unixSocketPath: (directory as NSString).appendingPathComponent(".s.PGSQL.\(location.port)"),
                                  username: location.user, password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user,
                                  password: location.password, database: location.database, tls: tls)
        }
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        // The lock timeout from the start: a writer need not set it in every transaction.
        configuration.options.additionalStartupParameters = [("application_name", "docket")]
            + (lockTimeout.map { [("lock_timeout", "\(Int(($0 * 1000).rounded()))")] } ?? [])
        var direct: PostgresConnection.Configuration
        if let directory = location.socketDirectory {
            direct = .init(unixSocketPath: (directory as NSString).appendingPathComponent(".s.PGSQL.\(location.port)"),
                           username: location.user, password: location.password, database: location.database)
        } else {
            direct = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                           database: location.database, tls: try Self.directTLS(tls, location: location))
        }
        direct.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        direct.options.additionalStartupParameters = [("application_name", "docket")]
        self.direct = direct
        let client = PostgresClient(configuration: configuration, eventLoopGroup: Self.eventLoops)
        self.client = client
        runner = Task(executorPreference: Self.executor) { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// Closes the pool: its connections are closed and later calls fail.
    func close() {
        runner.cancel()
    }

    private static func tls(_ location: PostgresLocation) throws -> PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable:
            return .disable
        case .prefer, .require:
            configuration.certificateVerification = .none
            return location.tls == .prefer ? .prefer(configuration) : .require(configuration)
        case .verifyCA, .verifyFull:
            configuration.certificateVerification = location.tls == .verifyFull ? .fullVerification : .noHostnameVerification
            if let file = location.rootCertificate {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
                } catch {
                    throw StoreError(.cannotOpen, "cannot read the CA certificate \(file) named by sslrootcert: \(error)")
                }
            }
            return .require(configuration)
        }
    }

    /// The TLS of a connection of its own: the pool's, as an SSL context.
    private static func directTLS(_ tls: PostgresClient.Configuration.TLS, location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        guard location.tls != .disable else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = location.tls == .verifyFull ? .fullVerification
            : location.tls == .verifyCA ? .noHostnameVerification : .none
        if let file = location.rootCertificate, location.tls == .verifyCA || location.tls == .verifyFull {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        let context = try NIOSSLContext(configuration: configuration)
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }

    /// Calls `body` with a connection of its own, outside the pool, closed afterwards: for
    /// opening the store (what goes wrong connecting is reported as it is, at once, rather than
    /// retried by the pool until the connect timeout) and for diagnosing a pool that gives none.
    func withDirectConnection<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError(.database, "the PostgreSQL store was called on an event loop thread, where waiting for the database would stall the loop; call it from another thread")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: Self.eventLoops.next(), configuration: direct, id: 0, logger: logger).wait()
        } catch {
            throw mapped(error)
        }
        defer { try? connection.close().wait() }
        return try body(PostgresSession(connection: connection, connector: self))
    }

    // MARK: - Leasing a connection

    /// Calls `body` with a connection leased from the pool, on the calling thread; the
    /// connection goes back to the pool when `body` returns or throws.
    ///
    /// - Throws: ``StoreError/Code/cannotOpen`` when no connection can be had within the
    ///   connect timeout; ``StoreError/Code/database`` when called on an event loop thread.
    ///
    /// - Parameter seconds: how long to wait for the pool's connection; the connect timeout by
    ///   default (a readiness probe waits less: a load balancer wants its answer at once).
    func withConnection<T>(waiting seconds: TimeInterval? = nil, _ body: (PostgresSession) throws -> T) throws -> T {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError(.database, "the PostgreSQL store was called on an event loop thread, where waiting for the database would stall the loop; call it from another thread")
        }
        let handoff = Handoff()
        let client = self.client
        let lease = Task(executorPreference: Self.executor) {
            do {
                try await client.withConnection { connection in
                    await withCheckedContinuation { (returned: CheckedContinuation<Void, Never>) in
                        handoff.lend(connection, returnedBy: returned)
                    }
                }
            } catch {
                handoff.fail(error)
            }
        }
        let connection: PostgresConnection
        switch handoff.wait(seconds: seconds ?? connectTimeout) {
        case .lent(let lent):
            connection = lent
        case .failed(let error):
            throw mapped(error)
        case .timedOut:
            lease.cancel()
            handoff.giveBack()
            // Why: a connection of its own says what the pool keeps retrying.
            try withDirectConnection { _ in }
            throw StoreError(.cannotOpen, "no connection to \(location) within \(Int(seconds ?? connectTimeout)) s: the server is down, unreachable or has no free connection. Check that it runs and accepts connections from this host.")
        }
        defer { handoff.giveBack() }
        return try body(PostgresSession(connection: connection, connector: self))
    }

    // MARK: - Errors

    /// A postgres-nio error as a ``StoreError`` a person can act on (never naming the password).
    func mapped(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else {
            return StoreError(.database, "\(location): \(String(describing: error))")
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "no message"
            let detail = info[.detail].map { " (\($0))" } ?? ""
            let said = "\(location) answered \(state): \(message)\(detail)"
            switch state {
            case "28P01", "28000":
                let source = location.passwordSource.map { "the password from \($0)" } ?? "no password (give one in the URL, PGPASSWORD or ~/.pgpass)"
                return StoreError(.cannotOpen, "\(location) refused user '\(location.user)' with \(source): \(message). Check the user and its password.")
            case "3D000":
                return StoreError(.cannotOpen, "\(location): the database '\(location.database)' does not exist. Create it (createdb \(location.database)) or fix the URL.")
            case "25006":
                return StoreError(.readOnly, "\(location) is read-only (a standby or a read-only transaction): nothing can be written. Write to the primary.")
            case "53100":
                return StoreError(.diskFull, "\(location) has a full disk: nothing was written. Free space on the database server. (\(message))")
            case "55P03", "57014":
                return StoreError(.locked, "\(location): another writer held the log too long (\(message)); nothing was written. Retry the command.")
            case "40001", "40P01":
                return StoreError(.locked, "\(said); nothing was written. Retry the command.")
            case "XX001", "XX002":
                return StoreError(.corrupt, "\(said). Restore the database from a backup.")
            case "57P01", "57P02", "57P03", "08000", "08003", "08006":
                return StoreError(.ioError, "\(said). The server is shutting down or restarting; retry when it is back.")
            case "23001" where message.hasPrefix("docket:"):
                return StoreError(.database, "\(location) refused the change: \(message)")
            default:
                if state.hasPrefix("53") {
                    return StoreError(.diskFull, "\(said). The database server is out of resources; nothing was written.")
                }
                return StoreError(.database, said)
            }
        }
        switch error.code {
        case .connectionError, .sslUnsupported, .failedToAddSSLHandler, .unsupportedAuthMechanism,
             .authMechanismRequiresPassword, .saslError:
            let cause = error.underlying.map { ": \($0)" } ?? ""
            let hint = error.code == .sslUnsupported
                ? " The server does not offer TLS, which sslmode=\(location.tls.rawValue) requires."
                : error.code == .authMechanismRequiresPassword
                ? " The server wants a password: give one in the URL, PGPASSWORD or ~/.pgpass."
                : " Check that the server runs and that the URL is right."
            return StoreError(.cannotOpen, "cannot connect to \(location) (\(error.code))\(cause).\(hint)")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return StoreError(.ioError, "the connection to \(location) was lost (\(error.code)). A write in progress was not confirmed: retry it with the same idempotency key, which records it once.")
        case .poolClosed:
            return StoreError(.database, "the connections to \(location) were closed (the store was closed).")
        default:
            return StoreError(.database, "\(location): \(error.code)")
        }
    }
}

/// A connection leased for one store call, used synchronously from the calling thread.
///
/// Statements whose answer the caller does not need at once (`BEGIN`, `SAVEPOINT`, the head's
/// update) are *sent* without waiting (``send(_:)``): the connection runs its queries in order,
/// so by the time a later query is answered they have been answered too, and each wait costs a
/// round trip and a thread wake-up that a durable command would otherwise pay a dozen times.
/// Their errors are not lost: the next query waited for (``query(_:)``, at the latest `COMMIT`)
/// throws the first of them, before its own (a failed statement aborts the transaction, so the
/// later ones only say "current transaction is aborted").
struct PostgresSession {
    let connection: PostgresConnection
    let connector: PostgresConnector
    private let sent = SentStatements()

    init(connection: PostgresConnection, connector: PostgresConnector) {
        self.connection = connection
        self.connector = connector
    }

    /// Runs `query` and returns its rows (all of them: callers page large reads).
    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try send(query).rows()
    }

    /// Sends `query` without waiting for its answer; its error, if any, is thrown by the next
    /// query waited for, or by the returned handle's ``SentQuery/rows()``.
    @discardableResult
    func send(_ query: PostgresQuery) throws -> SentQuery {
        // A query written to a connection the server has just ended may never be answered
        // (postgres-nio drops it with the channel): every wait watches for the close as well.
        guard !connection.isClosed else { throw lost() }
        let outcome = Outcome<PostgresQueryResult>()
        connection.query(query, logger: connector.logger).whenComplete { outcome.finish($0) }
        let handle = SentQuery(session: self, outcome: outcome)
        sent.append(handle)
        return handle
    }

    /// Sends `sql`, without parameters, without waiting (``send(_:)``).
    @discardableResult
    func send(sql: String) throws -> SentQuery {
        try send(PostgresQuery(unsafeSQL: sql))
    }

    /// Waits for `outcome`, then for every statement sent before it: the first error among them
    /// is thrown (in the order sent), else `outcome`'s rows.
    fileprivate func rows(of outcome: Outcome<PostgresQueryResult>) throws -> [PostgresRow] {
        for earlier in sent.takeUpTo(outcome) { _ = try answer(earlier) }
        return try answer(outcome).rows
    }

    /// What the server answered to `outcome` (a query, or a COPY), waited for while the
    /// connection stays open: its error as a ``StoreError``, a connection lost meanwhile as one.
    fileprivate func answer<Value>(_ outcome: Outcome<Value>) throws -> Value {
        let connection = self.connection
        switch outcome.wait(whileOpen: { !connection.isClosed }) {
        case .success(let value): return value
        case .failure(let error): throw connector.mapped(error)
        case nil: throw lost()
        }
    }

    /// Waits for every statement sent and forgets their errors: before a rollback, whose own
    /// answer is what counts.
    private func settle() {
        let connection = self.connection
        for earlier in sent.takeAll() { _ = earlier.wait(whileOpen: { !connection.isClosed }) }
    }

    private func lost() -> StoreError {
        StoreError(.ioError, "the connection to \(connector.location) was lost. A write in progress was not confirmed: retry it with the same idempotency key, which records it once.")
    }

    /// Runs `sql` without parameters.
    @discardableResult
    func run(_ sql: String) throws -> [PostgresRow] {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// - Parameter readOnly: a read-only REPEATABLE READ transaction (one snapshot for every
    ///   read of `body`) instead of a READ COMMITTED one for writing.
    func transaction<T>(readOnly: Bool = false, lockTimeout: Double? = nil, _ body: () throws -> T) throws -> T {
        try send(sql: readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL READ COMMITTED")
        let result: T
        do {
            if let lockTimeout, lockTimeout != connector.lockTimeout {
                try send(sql: "SET LOCAL lock_timeout = '\(Int((lockTimeout * 1000).rounded()))ms'")
            }
            result = try body()
        } catch {
            settle()
            _ = try? run("ROLLBACK")
            throw error
        }
        do {
            try run("COMMIT")
        } catch let error as StoreError where error.code == .ioError {
            throw StoreError(.ioError, "the connection to \(connector.location) was lost while committing: the write may or may not be recorded. Check with docket history, or retry with the same idempotency key, which records it once.")
        } catch {
            // A statement sent and not waited for failed: the server rolled the transaction back.
            _ = try? run("ROLLBACK")
            throw error
        }
        return result
    }

    /// Runs `body` in a savepoint of the current transaction: released when it returns, rolled
    /// back to (undoing only `body`'s writes) when it throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        try send(sql: "SAVEPOINT docket_unit")
        do {
            let result = try body()
            try send(sql: "RELEASE SAVEPOINT docket_unit")
            return result
        } catch {
            settle()
            try run("ROLLBACK TO SAVEPOINT docket_unit")
            try send(sql: "RELEASE SAVEPOINT docket_unit")
            throw error
        }
    }

    /// Starts `COPY table (columns) FROM STDIN` in the current transaction, fed from this thread
    /// (``CopyIn/write(_:)``) while the server already stores what came: the rows' hashing and
    /// the server's work overlap. Nothing else may be sent on the session until it is finished.
    func copyIn(into table: String, columns: [String]) throws -> CopyIn {
        guard !connection.isClosed else { throw lost() }
        // What was sent before must be answered first: COPY is not queued behind it by the driver.
        for earlier in sent.takeAll() { _ = try answer(earlier) }
        let connection = self.connection
        let (chunks, feed) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let outcome = Outcome<Void>()
        let logger = connector.logger
        Task(executorPreference: PostgresConnector.executor) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for try await chunk in chunks { try await writer.write(chunk) }
                }
                outcome.finish(.success(()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        return CopyIn(session: self, feed: feed, outcome: outcome)
    }

    /// Copies `data` (rows in COPY's text format, each ending in a newline) into `columns` of
    /// `table` with `COPY ... FROM STDIN`, in the current transaction.
    func copy(into table: String, columns: [String], data: ByteBuffer) throws {
        let copy = try copyIn(into: table, columns: columns)
        copy.write(data)
        try copy.finish()
    }
}

/// A `COPY ... FROM STDIN` in progress (``PostgresSession/copyIn(into:columns:)``).
final class CopyIn {
    private let session: PostgresSession
    private let feed: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let outcome: Outcome<Void>

    fileprivate init(session: PostgresSession, feed: AsyncThrowingStream<ByteBuffer, any Error>.Continuation, outcome: Outcome<Void>) {
        self.session = session
        self.feed = feed
        self.outcome = outcome
    }

    /// Hands rows (COPY's text format, whole lines) to the server.
    func write(_ rows: ByteBuffer) {
        feed.yield(rows)
    }

    /// Ends the data and waits until the server has stored it all; throws what went wrong.
    func finish() throws {
        feed.finish()
        try session.answer(outcome)
    }

    /// Gives up: the server discards what it got (and the transaction can only roll back).
    func abandon() {
        feed.finish(throwing: CancellationError())
        _ = try? session.answer(outcome)
    }
}

/// A query sent on a session, whose answer is waited for when it is needed.
struct SentQuery {
    fileprivate let session: PostgresSession
    fileprivate let outcome: Outcome<PostgresQueryResult>

    /// Its rows, after every statement sent before it was answered without error.
    func rows() throws -> [PostgresRow] {
        try session.rows(of: outcome)
    }
}

/// The statements a session sent whose errors nobody has looked at yet, in the order sent.
private final class SentStatements: @unchecked Sendable {
    // @unchecked: `outcomes` is only touched under `lock` (a session is used by one thread, but
    // it is a struct whose copies share this).
    private let lock = NSLock()
    private var outcomes: [Outcome<PostgresQueryResult>] = []

    func append(_ handle: SentQuery) {
        lock.withLock { outcomes.append(handle.outcome) }
    }

    /// The statements sent before `outcome` (which is removed too), forgotten here.
    func takeUpTo(_ outcome: Outcome<PostgresQueryResult>) -> [Outcome<PostgresQueryResult>] {
        lock.withLock {
            guard let index = outcomes.firstIndex(where: { $0 === outcome }) else { return [] }
            let earlier = Array(outcomes[..<index])
            outcomes.removeSubrange(...index)
            return earlier
        }
    }

    func takeAll() -> [Outcome<PostgresQueryResult>] {
        lock.withLock {
            defer { outcomes = [] }
            return outcomes
        }
    }
}

/// The answer to one query (or COPY), waited for while its connection stays open.
private final class Outcome<Value>: @unchecked Sendable {
    // @unchecked: `result` is touched only under `lock`.
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    func finish(_ result: Result<Value, any Error>) {
        lock.withLock { self.result = result }
        ready.signal()
    }

    /// The answer; nil when the connection closed without one (given a second more to arrive).
    /// Looks at the connection every half second rather than registering on its close: a
    /// pooled connection answers millions of queries. An answer already had is returned again.
    func wait(whileOpen isOpen: () -> Bool) -> Result<Value, any Error>? {
        if let had = lock.withLock({ result }) { return had }
        while ready.wait(timeout: .now() + 0.5) == .timedOut {
            if !isOpen() {
                _ = ready.wait(timeout: .now() + 1)
                break
            }
        }
        return lock.withLock { result }
    }
}

/// Hands a connection leased by an asynchronous task to a waiting thread, and back.
private final class Handoff: @unchecked Sendable {
    // @unchecked: every stored property is touched only under `lock`.
    enum Outcome {
        case lent(PostgresConnection)
        case failed(any Error)
        case timedOut
    }

    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var outcome: Outcome?
    private var returned: CheckedContinuation<Void, Never>?
    private var givenBack = false

    func lend(_ connection: PostgresConnection, returnedBy continuation: CheckedContinuation<Void, Never>) {
        lock.lock()
        if givenBack {
            // The waiter gave up before the connection came: it goes straight back.
            lock.unlock()
            continuation.resume()
            return
        }
        outcome = .lent(connection)
        returned = continuation
        lock.unlock()
        ready.signal()
    }

    func fail(_ error: any Error) {
        lock.lock()
        outcome = .failed(error)
        lock.unlock()
        ready.signal()
    }

    func wait(seconds: TimeInterval) -> Outcome {
        if ready.wait(timeout: .now() + seconds) == .timedOut { return .timedOut }
        lock.lock()
        defer { lock.unlock() }
        return outcome ?? .timedOut
    }

    /// Returns the connection to the pool (at most once).
    func giveBack() {
        lock.lock()
        givenBack = true
        let continuation = returned
        returned = nil
        lock.unlock()
        continuation?.resume()
    }
}

/// A task executor that runs jobs on NIO event loops: the pool's tasks never wait for a thread
/// of Swift's cooperative pool.
final class EventLoopTaskExecutor: TaskExecutor {
    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.next().execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
