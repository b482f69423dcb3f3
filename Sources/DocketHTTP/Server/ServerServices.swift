import DocketCore
import DocketService
import DocketStore
import HTTPTypes
import Logging

/// What one server keeps its records in, chosen together for its log by whoever starts it (the
/// CLI, `docket serve`, in one place; tests): the event log, the projection the desk's searches,
/// the reports and the ticker read, the access log, the documents' files (none: uploads refused),
/// who runs the jobs one server at a time should run, and how readiness is checked and the
/// log closed.
package struct ServerStores: Sendable {
    package var log: any EventStore
    package var projections: any ProjectionStore
    package var accessLog: any AccessLog
    /// The documents' files; nil where the log keeps none (uploads and attachments are refused).
    package var documents: DocumentFiles?
    /// Why ``documents`` is nil, said to a client that sends a file.
    package var noDocumentsReason: String
    package var jobs: any ExclusiveJobs
    /// Reads nothing but checks that the log can be written now (`/readyz`); throws the store's error.
    package var checkWritable: @Sendable () throws -> Void
    /// Closes the log once the server has stopped.
    package var close: @Sendable () throws -> Void

    package init(log: any EventStore, projections: any ProjectionStore, accessLog: any AccessLog, documents: DocumentFiles?,
                 noDocumentsReason: String = "this server keeps no documents' files", jobs: any ExclusiveJobs,
                 checkWritable: @escaping @Sendable () throws -> Void, close: @escaping @Sendable () throws -> Void) {
        self.log = log
        self.projections = projections
        self.accessLog = accessLog
        self.documents = documents
        self.noDocumentsReason = noDocumentsReason
        self.jobs = jobs
        self.checkWritable = checkWritable
        self.close = close
    }

    /// An SQLite log and what is kept beside it: the projection tables and the access log in its
    /// file, the documents' files in `LOG.attachments`; its single writer lock already makes
    /// servers take turns, so jobs take turns within the process only.
    package static func sqlite(_ log: SQLiteEventStore, clock: any WallClock = SystemWallClock(),
                               maxAttachmentSize: Int64 = AttachmentLimits.defaultMaximumSize) -> ServerStores {
        ServerStores(
            log: log, projections: SQLiteProjectionStore(log: log), accessLog: SQLiteAccessLog(log: log, clock: clock),
            documents: DocumentFiles(store: FileAttachmentStore(besideLog: log.path, maximumSize: maxAttachmentSize)),
            jobs: LocalExclusiveJobs(), checkWritable: { try log.checkWritable() }, close: { try log.close() })
    }
}

/// The services one server runs its routes on, built once at start: the log and what goes with
/// it (``ServerStores``), the catalog and the case service over it (whose group commit lets the
/// commands of concurrent requests share a transaction and a sync to disk), the clock, the
/// metrics, and the threads the store's blocking work runs on.
package final class ServerServices: Sendable {
    package let log: any EventStore
    package let catalog: WorkflowCatalog
    package let cases: CaseService
    /// The directory in force, read afresh for each request that needs it (a change recorded by
    /// the CLI takes effect at the next request).
    package let directories: DirectoryService
    /// Who read which case, apart from the case log.
    package let accessLog: any AccessLog
    /// The projection of the log the desk's searches, the reports and the ticker read.
    package let projections: any ProjectionStore
    /// The jobs one server at a time runs among all that share the log (the tick, catching up).
    package let jobs: any ExclusiveJobs
    package let clock: any WallClock
    package let metrics: ServerMetrics
    package let executor: StoreExecutor
    package let logger: Logger
    /// Wakes the event streams on this server's appends.
    package let appends = AppendSignal()
    /// How often an event stream looks at the log when nothing woke it (appends of other processes).
    package let eventPollInterval: Duration
    private let stores: ServerStores

    package init(stores: ServerStores, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "docket.serve"),
                 eventPollInterval: Duration = .milliseconds(100)) {
        self.stores = stores
        self.log = stores.log
        self.catalog = WorkflowCatalog(store: stores.log)
        self.cases = CaseService(catalog: catalog, clock: clock)
        self.directories = DirectoryService(catalog: catalog, clock: clock)
        self.accessLog = stores.accessLog
        self.projections = stores.projections
        self.jobs = stores.jobs
        self.clock = clock
        self.metrics = ServerMetrics()
        self.executor = StoreExecutor()
        self.logger = logger
        self.eventPollInterval = eventPollInterval
    }

    /// A server on the SQLite log `log` (``ServerStores/sqlite(_:clock:maxAttachmentSize:)``).
    package convenience init(log: SQLiteEventStore, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "docket.serve"),
                             eventPollInterval: Duration = .milliseconds(100), maxAttachmentSize: Int64 = AttachmentLimits.defaultMaximumSize) {
        self.init(stores: .sqlite(log, clock: clock, maxAttachmentSize: maxAttachmentSize), clock: clock, logger: logger,
                  eventPollInterval: eventPollInterval)
    }

    /// The documents' files; a 501 problem saying why when the log keeps none.
    package func documents() throws -> DocumentFiles {
        guard let documents = stores.documents else {
            throw HTTPProblem(.notImplemented, code: "attachments_unavailable", stores.noDocumentsReason)
        }
        return documents
    }

    /// The documents' files, when the log keeps any (for `verify`).
    package var documentsIfKept: DocumentFiles? { stores.documents }

    /// Checks that the log can be written now, writing nothing (blocking).
    package func checkWritable() throws {
        try stores.checkWritable()
    }

    /// Closes the log (the server has stopped).
    package func close() throws {
        try stores.close()
    }

    /// The projection, caught up with the log first (blocking): one server at a time folds new
    /// events (``ExclusiveJob/projectionCatchUp``); the others wait for it and find little left.
    package func caughtUpProjections() throws -> any ProjectionStore {
        let updater = ProjectionUpdater(projections, calendars: try ProjectionCalendars.deployed(in: log))
        try jobs.runAlone(.projectionCatchUp) { _ = try updater.catchUp() }
        return projections
    }

    /// Who may read what now, with the directory in force now (blocking: reads the store).
    package func authorizer() throws -> Authorizer {
        try directories.authorizer()
    }

    /// Runs the blocking `body` (store reads and writes) on the store's threads.
    package func blocking<T: Sendable>(_ body: @Sendable () throws -> T) async throws -> T {
        try await executor.run(body)
    }
}
