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
    ///
    /// A report of whole workflows (no filter but the workflow and its version) merges its
    /// cohorts' digests (``ReportCohort``, `ReportDigest`), builds those whose facts changed since
    /// from the facts, and keeps them for the next report when the projection may be written;
    /// a filtered report reads the facts it selects. Both give the same figures
    /// (`ReportDigestTests`).
    public func report(_ scope: ReportScope) throws -> ProcessReport {
        scope.isWholeWorkflows ? try reportFromDigests(scope) : try reportFromFacts(scope)
    }

    /// The report of `scope` from the facts it selects, every one read.
    package func reportFromFacts(_ scope: ReportScope) throws -> ProcessReport {
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

    /// The report of whole workflows from their cohorts' digests.
    private func reportFromDigests(_ scope: ReportScope) throws -> ProcessReport {
        var builder = ReportBuilder(scope: scope, calendars: { calendars($0) })
        let built = try projections.read { tables -> [(ReportCohort, [UInt8])] in
            let cohorts = try tables.reportCohorts(workflowID: scope.workflowID, version: scope.version, measure: scope.measure)
            var built: [(ReportCohort, [UInt8])] = []
            // One workflow version at a time: its cohorts' builders hold every duration of their
            // facts, the bytes they leave a fraction of that.
            for (_, stale) in Dictionary(grouping: cohorts.filter { $0.digest == nil }, by: \.workflow).sorted(by: { $0.key < $1.key }) {
                built += try digests(of: stale, scope: scope, in: tables)
            }
            var fresh = built.makeIterator()
            for cohort in cohorts {
                // Through their bytes, as a kept digest is read: every report of whole workflows
                // takes the same path.
                let bytes = cohort.digest ?? fresh.next()!.1
                let digest: ReportDigest
                do {
                    digest = try ReportDigest(bytes: bytes)
                } catch {
                    throw StoreError(
                        .corrupt, "the report digest of \(cohort.workflow) for cases opened on day \(cohort.day) cannot be read (\(error)); "
                            + "run `docket replay` to rebuild the projections")
                }
                try builder.add(digest, of: cohort.workflow)
            }
            try tables.selectOpenCases(scope) { builder.add($0) }
            return built
        }
        // Kept for the next report; a writer that changed a cohort's facts since the read above
        // gave it a new stamp, and its digest is then not kept.
        if !built.isEmpty, !projections.isReadOnly {
            try projections.write { tables in
                for (cohort, bytes) in built { try tables.keepDigest(bytes, of: cohort, measure: scope.measure) }
            }
        }
        return builder.build()
    }

    /// The digests of `cohorts` (of one workflow version), in their order, from their facts: one
    /// selection of the cases opened from the first cohort's day to the last's, each fact added to
    /// its cohort's builder.
    private func digests(of cohorts: [ReportCohort], scope: ReportScope, in tables: any ProjectionReading) throws -> [(ReportCohort, [UInt8])] {
        guard let workflow = cohorts.first?.workflow, let first = cohorts.map(\.start).min(), let end = cohorts.map(\.end).max() else { return [] }
        var builders: [Int64: ReportBuilder] = [:]
        for cohort in cohorts {
            builders[cohort.day] = ReportBuilder(
                scope: ReportScope(workflowID: workflow.id, version: workflow.version, from: cohort.start, to: cohort.end,
                                   measure: scope.measure, asOf: scope.asOf),
                calendars: { calendars($0) })
        }
        func add(_ openedAt: Timestamp, _ change: (inout ReportBuilder) -> Void) {
            let day = ReportCohort.day(of: openedAt)
            guard builders[day] != nil else { return }  // its cohort's digest is kept
            change(&builders[day]!)
        }
        let range = ReportScope(workflowID: workflow.id, version: workflow.version, from: first, to: end, measure: scope.measure, asOf: scope.asOf)
        try tables.select(range) { row in
            switch row {
            case let .decided(fact): add(fact.openedAt) { $0.add(fact) }
            case .open: break  // measured to the report's moment: never digested
            case let .breach(fact): add(fact.caseOpenedAt) { $0.add(fact) }
            case let .stay(fact): add(fact.caseOpenedAt) { $0.add(fact) }
            case let .transition(fact): add(fact.caseOpenedAt) { $0.add(fact) }
            }
        }
        return cohorts.map { ($0, builders[$0.day]!.digest(of: workflow).bytes) }
    }
}

extension ReportScope {
    /// No filter but the workflow and its version: the report's cohorts are whole days, and it can
    /// be merged from their digests.
    var isWholeWorkflows: Bool {
        from == nil && to == nil && department == nil && role == nil && onBehalfOf == nil && channel == nil
    }
}
