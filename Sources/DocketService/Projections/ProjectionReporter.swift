import DocketAnalytics
import DocketCore
import DocketStore

/// Builds `docket report` from the analytics projection (bring it up to date first with
/// ``ProjectionUpdater/catchUp(batchSize:progress:)``).
///
/// The selection happens in the `ProjectionStore` (`ProjectionReading/select(_:_:)`), the
/// figures in `ReportBuilder`. Which facts each filter keeps is defined in `Docs/analytics.md`:
/// `from`/`to`, workflow, version and channel select cases; the department, role and
/// on-behalf-of filters keep stays and transitions that match directly, and cases (with their
/// breaches) in which a match took part.
public struct ProjectionReporter {
    private let projections: any ProjectionStore
    private let calendars: ProjectionCalendars

    /// A reporter on `projection`, naming the calendars `calendars` resolves.
    public init(_ projection: AnalyticsProjection, calendars: ProjectionCalendars) {
        self.init(projection.store, calendars: calendars)
    }

    /// A reporter on `projections`, naming the calendars `calendars` resolves.
    package init(_ projections: any ProjectionStore, calendars: ProjectionCalendars) {
        self.projections = projections
        self.calendars = calendars
    }

    /// The report of `scope`, read in one consistent snapshot.
    public func report(_ scope: ReportScope) throws -> ProcessReport {
        var builder = ReportBuilder(scope: scope, calendars: { calendars($0) })
        try projections.read { tables in
            try tables.select(scope) { row in
                switch row {
                case let .decided(fact): builder.add(fact)
                case let .open(progress): builder.add(progress)
                case let .breach(fact): builder.add(fact)
                case let .stay(fact): builder.add(fact)
                case let .transition(fact): builder.add(fact)
                }
            }
        }
        return builder.build()
    }
}
