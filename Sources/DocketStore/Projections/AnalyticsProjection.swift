/// The analytics projection of an event log: the facts `report` reads, kept beside the log and
/// brought up to date from it (`ProjectionUpdater` and `ProjectionReporter` in DocketService).
///
/// A program embedding Docket names where the projection is kept and hands it on; how it is
/// stored (the `ProjectionStore` seam) is Docket's own business.
public struct AnalyticsProjection: Sendable {
    /// Where the projection is kept.
    package let store: any ProjectionStore

    package init(_ store: any ProjectionStore) {
        self.store = store
    }

    /// The projection kept in the `analytics_*` tables of the log's own SQLite file.
    public static func sqlite(_ log: SQLiteEventStore) -> AnalyticsProjection {
        AnalyticsProjection(SQLiteProjectionStore(log: log))
    }

    /// A projection kept in memory beside an in-memory log, for tests.
    public static func inMemory(_ log: InMemoryEventStore) -> AnalyticsProjection {
        AnalyticsProjection(InMemoryProjectionStore(log: log))
    }
}
