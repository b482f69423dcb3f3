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
    /// A report of whole cases (no filter but the workflow, its version and `from`/`to`) merges
    /// its cohorts' digests (`ReportCohort`, `ReportDigest`: a workflow version's cases opened on
    /// one day), brings those behind up to date with the facts after them, and keeps those for
    /// the next report when the projection may be written; the days `from` and `to` cut are read
    /// from their facts. A report filtered by one department or one role does the same with the
    /// digests of that party's facts in each cohort (`DigestedParty`), and reads the breaches of
    /// the cases it took part in whole. A report filtered by an assisted party or a channel reads
    /// the facts it selects. All give the figures of the facts (`ReportDigestTests`).
    public func report(_ scope: ReportScope) throws -> ProcessReport {
        if scope.isWholeCases { return try reportFromDigests(scope, party: nil) }
        if let party = scope.digestedParty { return try reportFromDigests(scope, party: party) }
        return try reportFromFacts(scope)
    }

    /// The report of `scope` from the facts it selects, every one read.
    ///
    /// The store reads and decodes the rows on a thread of its own while this one adds them to
    /// the builder, in batches, so that adding them costs no time beside the reading, the longer
    /// half (on the province, a quarter of a filtered report's work was the builder's).
    package func reportFromFacts(_ scope: ReportScope) throws -> ProcessReport {
        var builder = ReportBuilder(scope: scope, calendars: { calendars($0) })
        let projections = self.projections
        let batches = Handoff<[ProjectionRow]>.start(capacity: 4, name: "docket-report-reader") { emit in
            var batch: [ProjectionRow] = []
            batch.reserveCapacity(Self.rowsPerBatch)
            try projections.read { tables in
                try tables.select(scope) { row in
                    batch.append(row)
                    if batch.count == Self.rowsPerBatch {
                        guard emit(batch) else { throw CancellationError() }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            if !batch.isEmpty { _ = emit(batch) }
        }
        // However this ends, the reader must stop before we return.
        defer { batches.cancel() }
        while true {
            switch batches.take() {
            case let .item(batch): for row in batch { builder.add(row) }
            case .done: return builder.build()
            case let .failed(error): throw error
            }
        }
    }

    /// Rows handed over at a time: enough that the hand-over costs nothing beside them, few
    /// enough that the batches in flight stay small.
    private static let rowsPerBatch = 4_096

    /// The report of whole cases (no filter but workflow, version and opening time), or with
    /// `party` of that party's facts, from their cohorts' digests.
    private func reportFromDigests(_ scope: ReportScope, party: DigestedParty?) throws -> ProcessReport {
        var builder = ReportBuilder(scope: scope, calendars: { calendars($0) })
        let brought = try projections.read { tables -> [(ReportCohort, [UInt8])] in
            // The facts the digests are brought up to: those of this snapshot.
            let checkpoint = try tables.checkpoint()
            let cohorts = try tables.reportCohorts(workflowID: scope.workflowID, version: scope.version, measure: scope.measure, party: party)
            var brought: [(ReportCohort, [UInt8])] = []
            // One workflow version at a time: its cohorts' builders hold every duration of their
            // facts, the bytes they leave a fraction of that.
            for (workflow, cohorts) in Dictionary(grouping: cohorts, by: \.workflow).sorted(by: { $0.key < $1.key }) {
                // With `--from/--to`, the days it covers whole are read from their digests; those
                // it cuts, from the facts of the cases it keeps.
                let whole = cohorts.filter { scope.covers($0) }
                for (cohort, digest, bytes) in try upToDate(whole, of: workflow, at: checkpoint, scope: scope, party: party, in: tables) {
                    try builder.add(digest, of: workflow)
                    if let bytes { brought.append((cohort, bytes)) }
                }
                let cut = cohorts.filter { !scope.covers($0) && scope.overlaps($0) }
                if let digest = try partOf(cut, of: workflow, at: checkpoint, scope: scope, party: party, in: tables) {
                    try builder.add(digest, of: workflow)
                }
            }
            // A party's digests hold no breach: a case may enter the department after its breach.
            if party != nil { try tables.selectBreaches(scope) { builder.add($0) } }
            try tables.selectOpenCases(scope) { builder.add($0) }
            return brought
        }
        // Kept for the next report; a writer that replaced some of a cohort's facts since the
        // read above gave it a new stamp, and its digest is then not kept.
        if !brought.isEmpty, !projections.isReadOnly {
            try projections.write { tables in
                for (cohort, bytes) in brought { try tables.keepDigest(bytes, of: cohort, measure: scope.measure, party: party) }
            }
        }
        return builder.build()
    }

    /// What the report's scope keeps of `cohorts` (of workflow version `workflow`), which its
    /// opening times cut: one digest of the facts of the cases it keeps, selected in one pass,
    /// never kept (another scope cuts them elsewhere); `nil` for no cohort.
    private func partOf(
        _ cohorts: [ReportCohort], of workflow: WorkflowKey, at checkpoint: Int64, scope: ReportScope, party: DigestedParty?,
        in tables: any ProjectionReading
    ) throws -> ReportDigest? {
        guard !cohorts.isEmpty else { return nil }
        let days = Set(cohorts.map(\.day))
        var part = ReportScope(workflowID: workflow.id, version: workflow.version, measure: scope.measure, asOf: scope.asOf)
            .selecting(party)
        // Only the cut days' cases are added; the range read is theirs when they lie together.
        let start = cohorts.map(\.start).min()!, end = cohorts.map(\.end).max()!
        part.from = scope.from.map { max($0, start) } ?? start
        part.to = scope.to.map { min($0, end) } ?? end
        var builder = ReportBuilder(scope: part, calendars: { calendars($0) })
        try tables.selectFacts(part, after: 0) { row in
            if let fact = row.cohortFact(party), days.contains(ReportCohort.day(of: fact.caseOpenedAt)) { builder.add(row) }
        }
        // Through its bytes, as the others.
        return try ReportDigest(bytes: builder.digest(of: workflow, upTo: checkpoint).bytes)
    }

    /// The digests of `cohorts` (of workflow version `workflow`) holding all their facts, in
    /// their order, with the bytes of those that had to be brought up to `checkpoint`:
    /// each kept digest, with the facts after the position it holds them to added (a selection
    /// from the lowest such position, each fact added to its cohort's builder), or from every
    /// fact when none is kept.
    private func upToDate(
        _ cohorts: [ReportCohort], of workflow: WorkflowKey, at checkpoint: Int64, scope: ReportScope, party: DigestedParty?,
        in tables: any ProjectionReading
    ) throws -> [(ReportCohort, ReportDigest, [UInt8]?)] {
        func digest(_ bytes: [UInt8], of cohort: ReportCohort) throws -> ReportDigest {
            do {
                return try ReportDigest(bytes: bytes)
            } catch {
                throw StoreError(
                    .corrupt, "the report digest of \(workflow) for cases opened on day \(cohort.day) cannot be read (\(error)); "
                        + "run `docket replay` to rebuild the projections")
            }
        }
        var kept: [Int64: ReportDigest] = [:]
        for cohort in cohorts {
            guard let bytes = cohort.digest else { continue }
            kept[cohort.day] = try digest(bytes, of: cohort)
        }
        // A cohort with no fact after its digest's position is up to date, however far the log went.
        let behind = cohorts.filter { (kept[$0.day]?.position ?? -1) < $0.lastFactPosition }
        guard let first = behind.map(\.start).min(), let end = behind.map(\.end).max() else {
            return cohorts.map { ($0, kept[$0.day]!, nil) }
        }
        /// Each cohort behind: what it holds so far, and up to which position.
        var builders: [Int64: (builder: ReportBuilder, since: Int64)] = [:]
        for cohort in behind {
            var builder = ReportBuilder(
                scope: ReportScope(workflowID: workflow.id, version: workflow.version, from: cohort.start, to: cohort.end,
                                   measure: scope.measure, asOf: scope.asOf),
                calendars: { calendars($0) })
            if let digest = kept[cohort.day] { try builder.add(digest, of: workflow) }
            builders[cohort.day] = (builder, kept[cohort.day]?.position ?? 0)
        }
        let range = ReportScope(workflowID: workflow.id, version: workflow.version, from: first, to: end, measure: scope.measure, asOf: scope.asOf)
            .selecting(party)
        try tables.selectFacts(range, after: builders.values.map(\.since).min()!) { row in
            guard let fact = row.cohortFact(party) else { return }
            let day = ReportCohort.day(of: fact.caseOpenedAt)
            // Not behind (up to date), or holding this fact already.
            guard let since = builders[day]?.since, fact.position > since else { return }
            builders[day]!.builder.add(row)
        }
        return try cohorts.map { cohort in
            guard let (builder, _) = builders[cohort.day] else { return (cohort, kept[cohort.day]!, nil) }
            // Through their bytes, as a kept digest is read: every report of whole workflows
            // takes the same path.
            let bytes = builder.digest(of: workflow, upTo: checkpoint).bytes
            return (cohort, try ReportDigest(bytes: bytes), bytes)
        }
    }
}

extension ReportBuilder {
    /// Adds what `row` is.
    fileprivate mutating func add(_ row: ProjectionRow) {
        switch row {
        case let .decided(fact): add(fact)
        case let .open(summary): add(summary)
        case let .breach(fact): add(fact)
        case let .stay(fact): add(fact)
        case let .transition(fact): add(fact)
        }
    }
}

extension ProjectionRow {
    /// A fact's log position and its case's opening (which cohort holds it), when a digest (of
    /// whole cases, or of `party`'s facts) holds it: `nil` for an open case, measured to a
    /// report's moment, and for a breach in a party's digest (a case may enter the department
    /// after its breach: a report reads them whole).
    fileprivate func cohortFact(_ party: DigestedParty?) -> (position: Int64, caseOpenedAt: Timestamp)? {
        switch self {
        case let .decided(fact): (fact.position, fact.openedAt)
        case .open: nil
        case .breach where party != nil: nil
        case let .breach(fact): (fact.position, fact.caseOpenedAt)
        case let .stay(fact): (fact.position, fact.caseOpenedAt)
        case let .transition(fact): (fact.position, fact.caseOpenedAt)
        }
    }
}

extension ReportScope {
    /// This scope, with `party`'s filter as well.
    func selecting(_ party: DigestedParty?) -> ReportScope {
        var scope = self
        switch party?.kind {
        case .department: scope.department = party?.value
        case .role: scope.role = party?.value
        case .onBehalfOf: scope.onBehalfOf = party?.value
        case nil: break
        }
        return scope
    }

    /// No filter but the workflow, its version and the cases' opening time: the report is of
    /// whole cases, merged from their cohorts' digests (and the facts of the days `from` and `to`
    /// cut).
    var isWholeCases: Bool {
        !filtersByParty && channel == nil
    }

    /// Whether every case of `cohort` is in the scope's opening times.
    func covers(_ cohort: ReportCohort) -> Bool {
        (from.map { $0 <= cohort.start } ?? true) && (to.map { cohort.end <= $0 } ?? true)
    }

    /// Whether some case of `cohort` may be.
    func overlaps(_ cohort: ReportCohort) -> Bool {
        (from.map { $0 < cohort.end } ?? true) && (to.map { cohort.start < $0 } ?? true)
    }
}
