import DocketCore
import DocketService
import DocketStore
import Logging

/// The services one server runs its routes on, built once at start: the log (SQLite, for the
/// probes and the event stream), the catalog and the case service over it (whose group commit
/// lets the commands of concurrent requests share a transaction and a sync to disk), the clock,
/// the metrics, and the threads the store's blocking work runs on.
package final class ServerServices: Sendable {
    package let log: SQLiteEventStore
    package let catalog: WorkflowCatalog
    package let cases: CaseService
    /// The directory in force, read afresh for each request that needs it (a change recorded by
    /// the CLI takes effect at the next request).
    package let directories: DirectoryService
    /// Who read which case (`access_log` in the log's file), apart from the case log.
    package let accessLog: any AccessLog
    package let clock: any WallClock
    package let metrics: ServerMetrics
    package let executor: StoreExecutor
    package let logger: Logger
    /// Wakes the event streams on this server's appends.
    package let appends = AppendSignal()
    /// How often an event stream looks at the log when nothing woke it (appends of other processes).
    package let eventPollInterval: Duration
    /// The documents' files, beside the log (`LOG.attachments`).
    package let documents: DocumentFiles

    package init(log: SQLiteEventStore, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "docket.serve"),
                 eventPollInterval: Duration = .milliseconds(100), maxAttachmentSize: Int64 = AttachmentLimits.defaultMaximumSize) {
        self.documents = DocumentFiles(store: FileAttachmentStore(besideLog: log.path, maximumSize: maxAttachmentSize))
        self.log = log
        self.catalog = WorkflowCatalog(store: log)
        self.cases = CaseService(catalog: catalog, clock: clock)
        self.directories = DirectoryService(catalog: catalog, clock: clock)
        self.accessLog = SQLiteAccessLog(log: log, clock: clock)
        self.clock = clock
        self.metrics = ServerMetrics()
        self.executor = StoreExecutor()
        self.logger = logger
        self.eventPollInterval = eventPollInterval
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
