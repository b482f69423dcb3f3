import DocketAnalytics
import DocketCore
import Foundation

/// Where the analytics projection keeps what it derived from the event log: the facts the fold
/// emitted (cases, stays, transitions, breaches, parties), the progress of every open case, the
/// calendar each workflow version was counted on, and its checkpoint in the log.
///
/// This protocol is the seam between the projection code (`ProjectionUpdater` and
/// `ProjectionReporter` in DocketService) and storage, beside ``EventStore``:
/// `SQLiteProjectionStore` keeps the `analytics_*` tables in the log's SQLite file,
/// `PostgresProjectionStore` (DocketPostgres) in the log's PostgreSQL database,
/// ``InMemoryProjectionStore`` beside an ``InMemoryEventStore``. All three pass the same
/// contract suite (`Tests/DocketStoreTests/ProjectionStoreContractTests`).
///
/// Promises every implementation keeps:
/// - **One transaction.** Everything done in one ``write(_:)`` (facts, open cases, calendars,
///   checkpoint) is committed together, or not at all when the closure throws; a ``read(_:)``
///   sees one consistent state, never half a write.
/// - **Writers in turn.** Writes are serialised (across processes, for SQLite and PostgreSQL): the checkpoint a
///   write reads is still the checkpoint when it commits, so a writer can check that nobody moved
///   it since it read the log.
/// - **The checkpoint is the log's.** It is the event store's projection checkpoint
///   ``ProjectionSchema/checkpointName``, and it cannot pass the log's last position.
package protocol ProjectionStore: Sendable {
    /// The event log the projection follows.
    var log: any EventStore { get }

    /// True when this process may not write the projection (a read-only SQLite file, a standby):
    /// a report then builds what digests it lacks without keeping them.
    var isReadOnly: Bool { get }

    /// Runs `body` on one consistent state of the projection (on SQLite, one snapshot of the
    /// projection and the log together; in memory, the log may grow between two of its reads).
    func read<T>(_ body: (any ProjectionReading) throws -> T) throws -> T

    /// Runs `body` in one write transaction, committed when it returns and rolled back when it
    /// throws. Failures of the store are ``StoreError``s; `body`'s own errors pass through.
    func write<T>(_ body: (any ProjectionWriting) throws -> T) throws -> T

    /// Runs `body`, a long series of ``write(_:)``s (a rebuild, a catch-up of many batches), with
    /// the store set for writing much at once, and as usual again after it however it ends. On
    /// SQLite the write-ahead log is checkpointed less often; other stores run `body` as it is.
    func bulkWriting<T>(_ body: () throws -> T) throws -> T
}

extension ProjectionStore {
    package func bulkWriting<T>(_ body: () throws -> T) throws -> T { try body() }
}

/// What the projection's version and checkpoint are called.
package enum ProjectionSchema {
    /// Raised whenever what is kept or the meaning of a field changes: the projection is then
    /// rebuilt from the log.
    /// 2: the desk tables (cases, their data, work waiting); 3: narrow fact tables (names and
    /// cases as integers, clustered by workflow version and opening time), parallel states' shares
    /// of the cases' time, the statutory clock's start, and the desk's `next_breach_at` (for tick);
    /// 4: open cases' ``OpenCaseSummary`` kept beside their progress (a report decoded every open
    /// case's progress); 5: report cohorts and their digests (``ReportCohort``: a report of whole
    /// workflows read every fact).
    package static let version = 5

    /// The projection's checkpoint in the event store.
    package static let checkpointName = "analytics"
}

/// Reading the projection, inside `ProjectionStore/read(_:)` or `ProjectionStore/write(_:)`.
package protocol ProjectionReading {
    /// The ``ProjectionSchema/version`` the projection was created with, or `nil` when there is
    /// none (never created, or dropped).
    func installedVersion() throws -> Int?

    /// The last log position the projection has applied (0 when it never ran).
    func checkpoint() throws -> Int64

    /// The position of the log's last event, in the same snapshot (0 for an empty log).
    func lastPosition() throws -> Int64

    /// The calendar label recorded for each workflow version the projection has counted on.
    func recordedCalendars() throws -> [WorkflowKey: String]

    /// The ids of the open cases (of workflow `workflowID`, or of every workflow), in the order
    /// the cases were opened (their first events' positions).
    func openCaseIDs(workflowID: String?) throws -> [String]

    /// How many cases are open.
    func openCaseCount() throws -> Int

    /// The saved progress of those of `caseIDs` that are open (in no particular order).
    ///
    /// - Throws: ``StoreError/Code/corrupt`` when saved progress cannot be read back (`docket
    ///   replay` rebuilds it).
    func openCaseProgress(of caseIDs: [String]) throws -> [OpenCaseProgress]

    /// Calls `body` with every row that `scope` selects, as `Docs/analytics.md` (Selection) defines:
    /// decided cases, open cases by case id, then breaches, stays and transitions. Decided cases,
    /// breaches, stays and transitions come by workflow version (in no set order of the
    /// workflows), then in log order. Breaches, stays and transitions come with only what a
    /// report reads of them (``BreachFact/forReport``, ``StayFact/forReport``,
    /// ``TransitionFact/forReport``: no case id; for stays and transitions no times but the
    /// case's opening, and no exit; a report reads millions, and each column and string read cost
    /// time); ``contents()`` has them whole. `scope.measure` and `scope.asOf` select nothing. Nothing when the
    /// projection does not exist.
    func select(_ scope: ReportScope, _ body: (ProjectionRow) throws -> Void) throws

    /// What ``select(_:_:)`` hands but the open cases, and only the facts at log positions after
    /// `position`: what a report digest (``ReportCohort``) holding the facts up to `position`
    /// lacks. In the same orders as ``select(_:_:)``; with a workflow and version in `scope`, one
    /// range of each table's key.
    func selectFacts(_ scope: ReportScope, after position: Int64, _ body: (ProjectionRow) throws -> Void) throws

    /// The cases open in `scope`'s cohort (as ``select(_:_:)`` hands them, without the rest), by
    /// case id.
    func selectOpenCases(_ scope: ReportScope, _ body: (OpenCaseSummary) throws -> Void) throws

    /// The breaches ``select(_:_:)`` hands for `scope` (as it hands them, without the rest): what
    /// a report from a party's digests reads whole, since a case may enter a department after
    /// its breach.
    func selectBreaches(_ scope: ReportScope, _ body: (BreachFact) throws -> Void) throws

    /// The report cohorts of workflow `workflowID` (every workflow when `nil`) at `version` (every
    /// version when `nil`) that have facts, by workflow version and day, each with its digest on
    /// the clock `measure` when one is kept: the digest of its whole cases, or with `party` the
    /// digest of that party's facts (``DigestedParty``), kept at the cohort's present stamp.
    /// Nothing when the projection does not exist.
    func reportCohorts(workflowID: String?, version: Int?, measure: TimeMeasure, party: DigestedParty?) throws -> [ReportCohort]

    /// The work waiting that `query` selects, in its order (the first `query.limit` items), and
    /// how many items it selects in all. Nothing when the projection does not exist.
    func worklist(_ query: WorkQuery) throws -> WorkPage

    /// The cases `query` finds, in the order they were opened (soonest due first for
    /// `overdueAt`). Nothing when the projection does not exist.
    func searchCases(_ query: CaseQuery) throws -> [DeskCase]

    /// ``searchCases(_:)`` handing each case to `body` as it is read, in the same order: memory
    /// does not grow with the answer (`cases --overdue --format json` of every overdue case).
    func searchCases(_ query: CaseQuery, _ body: (DeskCase) throws -> Void) throws

    /// Up to `limit` distinct values of `field` any case has, in byte order; with `matching`,
    /// only that value if some case has it (a cheap "is it known?").
    func deskValues(_ field: DeskField, matching: String?, limit: Int) throws -> [String]

    /// Everything the projection holds, in a fixed order: two projections hold the same when
    /// their contents are equal. Empty when the projection does not exist.
    func contents() throws -> ProjectionContents
}

extension ProjectionReading {
    /// The whole answer first, then each case: for a store that holds it in memory anyway.
    package func searchCases(_ query: CaseQuery, _ body: (DeskCase) throws -> Void) throws {
        for found in try searchCases(query) { try body(found) }
    }
}

/// Changing the projection, inside `ProjectionStore/write(_:)`.
package protocol ProjectionWriting: ProjectionReading {
    /// Drops whatever the projection holds, whatever its version, and creates it empty at
    /// ``ProjectionSchema/version``. Leaves the checkpoint alone.
    func recreate() throws

    /// Empties the projection (facts, open cases, calendars), keeping its version. Leaves the
    /// checkpoint alone.
    func clear() throws

    /// Records that the projection has applied every event up to `position`.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` for a position beyond the end of the log.
    func saveCheckpoint(_ position: Int64) throws

    /// Forgets every fact of the cases `caseIDs` (stays, transitions, breaches, parties, the
    /// decided case): a correction made the projection fold them again. Their cohorts get a new
    /// stamp and lose their digests (whose facts are no longer all there).
    func deleteFacts(of caseIDs: [String]) throws

    /// Adds `facts`, which are in log order. A decided case already held is kept as it is; a
    /// party already held is not added twice. A stay, transition or breach is added once (its
    /// case's facts are deleted before they are folded again; the facts of one position come in one
    /// call, which numbers them): SQLite refuses one held already. The cohorts of the decided
    /// cases, stays, transitions and breaches are recorded with the position of their latest
    /// fact; their digests stay, since new facts come at positions after those digests hold.
    func insert(_ facts: [ProjectionFact]) throws

    /// Keeps `digest` (`ReportDigest/bytes` on the clock `measure`) as `cohort`'s (with `party`,
    /// as the digest of that party's facts), when the cohort's stamp is still `cohort.stamp`
    /// (else a refold since replaced some of its facts, and the digest is dropped: a later report
    /// builds it again).
    func keepDigest(_ digest: [UInt8], of cohort: ReportCohort, measure: TimeMeasure, party: DigestedParty?) throws

    /// Saves the progress of cases still open, and forgets those decided (`progress == nil`).
    func saveOpenCases(_ updates: [OpenCaseUpdate]) throws

    /// Replaces the desk rows (case, data, work waiting) of each case updated.
    func saveDesk(_ updates: [DeskUpdate]) throws

    /// Records (or replaces) the label of the calendar `workflow` is counted on.
    func recordCalendar(_ label: String, for workflow: WorkflowKey) throws
}

/// The facts that belong to a case's cohort: stays, transitions, breaches. Every store keeps
/// these columns of them, to select a report's cohort.
package protocol CaseScopedFact: Sendable {
    var position: Int64 { get set }
    var caseID: String { get set }
    var workflow: WorkflowKey { get set }
    var caseOpenedAt: Timestamp { get set }
    var channel: String? { get set }
}

extension StayFact: CaseScopedFact {}
extension TransitionFact: CaseScopedFact {}
extension BreachFact: CaseScopedFact {}

extension ProjectionReading {
    /// The report cohorts with the digests of their whole cases.
    package func reportCohorts(workflowID: String?, version: Int?, measure: TimeMeasure) throws -> [ReportCohort] {
        try reportCohorts(workflowID: workflowID, version: version, measure: measure, party: nil)
    }
}

extension ProjectionWriting {
    /// Keeps `digest` as the digest of `cohort`'s whole cases.
    package func keepDigest(_ digest: [UInt8], of cohort: ReportCohort, measure: TimeMeasure) throws {
        try keepDigest(digest, of: cohort, measure: measure, party: nil)
    }
}

/// The department or role whose facts a cohort's party digest holds, for a report filtered by
/// it (`--department`, `--role`): the stays and transitions that name it, and the decided cases
/// it took part in. Both can be digested by log position, as a whole cohort's facts are: a case
/// takes no part after its decision (the fold ignores a decided case's events, and a correction
/// gives the cohort a new stamp). Its breaches cannot (a case may enter the department after a
/// breach) and its open cases are measured to the report's moment: a report reads both whole.
package struct DigestedParty: Hashable, Sendable {
    package var kind: PartyFact.Kind
    package var value: String

    package init(kind: PartyFact.Kind, value: String) {
        self.kind = kind
        self.value = value
    }
}

extension ReportScope {
    /// The party whose digests serve this scope: a department or a role alone, with no assisted
    /// party or channel (those are many and each used by few cases, or select cases, not facts:
    /// their reports read the facts).
    package var digestedParty: DigestedParty? {
        guard onBehalfOf == nil, channel == nil else { return nil }
        switch (department, role) {
        case let (department?, nil): return DigestedParty(kind: .department, value: department)
        case let (nil, role?): return DigestedParty(kind: .role, value: role)
        default: return nil
        }
    }
}

/// A report's cohort: the cases of one workflow version opened on one day (UTC), which a report
/// of whole workflows reads as one ``ReportDigest`` of their finished facts.
///
/// Every store keeps a cohort for each workflow version and day that has facts, with a `stamp`
/// that changes with each write that replaces some of them (a correction's refold, a clear): a
/// digest built from facts read at one stamp is kept only while the stamp is still that one, so
/// a report never keeps a digest of facts a writer replaced while it read them. New facts do not
/// change the stamp: they come at later log positions than the digest holds
/// (`ReportDigest.position`), and the next report adds them.
package struct ReportCohort: Hashable, Sendable {
    /// The workflow version.
    package var workflow: WorkflowKey
    /// The day the cases were opened: days since 1970-01-01, in UTC.
    package var day: Int64
    /// Changes whenever some of the cohort's facts are replaced.
    package var stamp: Int64
    /// The log position of the cohort's latest fact: a digest holding the facts up to it or
    /// later holds them all.
    package var lastFactPosition: Int64
    /// The digest on the clock asked for, when one is kept (it may hold the facts only up to an
    /// earlier position than ``lastFactPosition``).
    package var digest: [UInt8]?

    package init(workflow: WorkflowKey, day: Int64, stamp: Int64, lastFactPosition: Int64, digest: [UInt8]?) {
        self.workflow = workflow
        self.day = day
        self.stamp = stamp
        self.lastFactPosition = lastFactPosition
        self.digest = digest
    }

    /// Which cohort: a workflow version and a day.
    package struct Key: Hashable, Sendable {
        package var workflow: WorkflowKey
        package var day: Int64

        package init(workflow: WorkflowKey, day: Int64) {
            self.workflow = workflow
            self.day = day
        }

        /// The cohort of a case of `workflow` opened at `openedAt`.
        package init(workflow: WorkflowKey, openedAt: Timestamp) {
            self.init(workflow: workflow, day: ReportCohort.day(of: openedAt))
        }
    }

    /// This cohort's key.
    package var key: Key { Key(workflow: workflow, day: day) }

    /// The cohorts `facts` belong to (decided cases, stays, transitions, breaches; parties belong
    /// to none), each with the position of its latest fact among them: what an insert records.
    package static func latestPositions(of facts: [ProjectionFact]) -> [Key: Int64] {
        var latest: [Key: Int64] = [:]
        for fact in facts {
            let key: Key, position: Int64
            switch fact {
            case let .stay(f): (key, position) = (Key(workflow: f.workflow, openedAt: f.caseOpenedAt), f.position)
            case let .transition(f): (key, position) = (Key(workflow: f.workflow, openedAt: f.caseOpenedAt), f.position)
            case let .breach(f): (key, position) = (Key(workflow: f.workflow, openedAt: f.caseOpenedAt), f.position)
            case let .decided(f): (key, position) = (Key(workflow: f.workflow, openedAt: f.openedAt), f.position)
            case .party: continue
            }
            latest[key] = max(latest[key] ?? position, position)
        }
        return latest
    }

    /// The day of the cohort of a case opened at `openedAt`.
    package static func day(of openedAt: Timestamp) -> Int64 {
        let micros = openedAt.microseconds
        let perDay: Int64 = 86_400_000_000
        let q = micros / perDay
        return micros % perDay < 0 ? q - 1 : q
    }

    /// The cohort's first instant.
    package var start: Timestamp { Timestamp(microseconds: day * 86_400_000_000) }

    /// The instant after its last.
    package var end: Timestamp { Timestamp(microseconds: (day + 1) * 86_400_000_000) }
}

/// One row `ProjectionReading/select(_:_:)` found.
package enum ProjectionRow: Hashable, Sendable {
    case decided(CaseFact)
    /// An open case, as a report shows it (the projection keeps the summary beside the progress).
    case open(OpenCaseSummary)
    case breach(BreachFact)
    case stay(StayFact)
    case transition(TransitionFact)
}

/// Everything a projection holds (`ProjectionReading/contents()`).
package struct ProjectionContents: Hashable, Sendable {
    /// The calendar label of each workflow version counted on.
    package var calendars: [WorkflowKey: String] = [:]
    /// Decided cases, by case id.
    package var cases: [CaseFact] = []
    /// Open cases' progress, by case id.
    package var openCases: [OpenCaseProgress] = []
    /// Finished stays, in log order.
    package var stays: [StayFact] = []
    /// Transitions, in log order.
    package var transitions: [TransitionFact] = []
    /// Breaches, in log order.
    package var breaches: [BreachFact] = []
    /// Who took part in which case, by kind, value and case id.
    package var parties: [PartyFact] = []
    /// The desk's rows of every case (with its opening data), by case id.
    package var desk: [DeskUpdate] = []

    package init() {}
}

/// The new progress of a case a batch touched: `nil` when the case was decided.
package struct OpenCaseUpdate: Sendable {
    /// The case.
    package var caseID: String
    /// Its progress, encoded; `nil` for a case no longer open.
    package var progress: EncodedProgress?

    package init(caseID: String, progress: EncodedProgress?) {
        self.caseID = caseID
        self.progress = progress
    }
}

/// An open case's progress with the text it is saved as. Encoding is a good part of the cost of
/// saving progress, so the projection encodes on its reading thread (``ProgressEncoder``), ahead
/// of the write.
package struct EncodedProgress: Sendable {
    /// The progress.
    package let progress: OpenCaseProgress
    /// Its JSON, with sorted keys: the same progress is the same text on every run.
    package let json: String
}

/// Encodes progress for saving. Not thread-safe: one per thread.
package struct ProgressEncoder {
    private let encoder: JSONEncoder

    package init() {
        // Sorted keys: the same progress is the same text on every run (JSONEncoder's own key order
        // is not stable), so a caught-up projection and a rebuilt one compare equal row by row.
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    package func encode(_ progress: OpenCaseProgress) throws -> EncodedProgress {
        EncodedProgress(progress: progress, json: String(decoding: try encoder.encode(progress), as: UTF8.self))
    }
}

/// Reads saved progress back.
package struct ProgressDecoder {
    private let decoder = JSONDecoder()

    package init() {}

    package func decode(_ json: String, caseID: String) throws -> OpenCaseProgress {
        do {
            return try decoder.decode(OpenCaseProgress.self, from: Data(json.utf8))
        } catch {
            throw StoreError(
                .corrupt,
                "the saved analytics progress of open case '\(caseID)' cannot be read (\(error)); "
                    + "run `docket replay` to rebuild the projections",
                caseID: caseID)
        }
    }
}

extension ReportScope {
    /// Whether a case with these attributes is in the scope's cohort (workflow, version, opening
    /// time, channel); department, role and on-behalf-of are checked by the caller.
    package func selectsCase(_ workflow: WorkflowKey, openedAt: Timestamp, channel: String?) -> Bool {
        if let workflowID, workflow.id != workflowID { return false }
        if let version, workflow.version != version { return false }
        if let from, openedAt < from { return false }
        if let to, openedAt >= to { return false }
        if let wanted = self.channel, channel != wanted { return false }
        return true
    }
}
