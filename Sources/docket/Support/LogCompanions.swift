import DocketCore
import DocketHTTP
import DocketPostgres
import DocketService
import DocketStore

/// What Docket keeps with each kind of event log, said once: the API tokens, the access log, and
/// what `docket serve` runs on (the projection, the documents' files, who runs the jobs one
/// server at a time should run). Every command that needs one of these asks here.
///
/// - An SQLite log keeps them in its own file (the documents' files in `LOG.attachments`).
/// - A PostgreSQL log keeps them in its database (tables of `Migrations/postgres/`); several
///   servers on one database take turns at the deadline tick and the projection's catch-up
///   through advisory locks; documents' files are not kept (uploads are refused, saying so).
enum LogCompanions {
    /// The API tokens kept with `log`.
    static func apiTokens(of log: any EventStore) throws -> any APITokenStore {
        switch log {
        case let file as SQLiteEventStore: return SQLiteAPITokenStore(log: file)
        case let database as PostgresEventStore: return PostgresAPITokenStore(log: database)
        default: throw unsupported("API tokens", log)
        }
    }

    /// The access log kept with `log`, stamped with `clock`.
    static func accessLog(of log: any EventStore, clock: any WallClock = SystemWallClock()) throws -> any AccessLog {
        switch log {
        case let file as SQLiteEventStore: return SQLiteAccessLog(log: file, clock: clock)
        case let database as PostgresEventStore: return PostgresAccessLog(log: database, clock: clock)
        default: throw unsupported("the access log", log)
        }
    }

    /// Why a PostgreSQL log keeps no documents' files, for the CLI's refusals and the API's.
    static let noDocumentsOnPostgres = "documents' files are not kept for a PostgreSQL log yet (Docs/store.md, \"PostgreSQL\"): "
        + "name the documents without a file, or use an SQLite log"

    /// What `docket serve` keeps its records in, for `log`. On SQLite the projection tables in
    /// its file, caught up by the requests that read them (a server started on a read-only file
    /// system still starts, and answers 503 to what needs writing); on PostgreSQL the projection
    /// `AnalyticsStore.projections(of:calendars:)` gives for the log, caught up before serving.
    static func serverStores(of log: any EventStore, maxAttachmentSize: Int64) throws -> ServerStores {
        switch log {
        case let file as SQLiteEventStore:
            return ServerStores.sqlite(file, maxAttachmentSize: maxAttachmentSize)
        case let database as PostgresEventStore:
            let projections = try AnalyticsStore.projections(of: database, calendars: try ProjectionCalendars.deployed(in: database))
            return ServerStores(
                log: database, projections: projections, accessLog: PostgresAccessLog(log: database), documents: nil,
                noDocumentsReason: noDocumentsOnPostgres,
                // A projection folded in each server's memory is caught up by each alone; one kept
                // in the database, by one server at a time.
                jobs: PostgresExclusiveJobs(log: database, shared: projections is InMemoryProjectionStore ? [.deadlineTick] : [.deadlineTick, .projectionCatchUp]),
                checkWritable: { try database.checkWritable() }, close: { database.close() })
        default:
            throw unsupported("docket serve", log)
        }
    }

    private static func unsupported(_ what: String, _ log: any EventStore) -> UsageFailure {
        UsageFailure("\(what) is kept with an SQLite or PostgreSQL log only, not with a \(type(of: log))")
    }
}
