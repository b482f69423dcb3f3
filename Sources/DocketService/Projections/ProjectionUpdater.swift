import DocketAnalytics
import DocketCore
import DocketStore
import Foundation

/// How far a projection run got, for progress bars.
public struct ProjectionProgress: Hashable, Sendable {
    /// Events folded so far in this run.
    public var done: Int64
    /// Events this run expects to fold (the log's end when the run started, minus the checkpoint).
    public var total: Int64
}

/// What a projection run did.
public struct ProjectionRun: Hashable, Sendable {
    /// Events folded.
    public var events: Int64
    /// Write transactions committed.
    public var batches: Int
    /// The checkpoint before and after the run.
    public var fromPosition: Int64
    /// The checkpoint after the run.
    public var toPosition: Int64
    /// True when the run started from an empty projection: asked to (`rebuild`), or because the
    /// tables were missing, their schema version changed, or a workflow's calendar changed.
    public var rebuilt: Bool
    /// Why it rebuilt, for people (`nil` when it did not).
    public var rebuildReason: String?
    /// Cases still open after the run.
    public var openCases: Int
    /// Events the fold could not place (see `CaseFlowFold`).
    public var ignoredEvents: Int64
}

/// Keeps the analytics projection (a `ProjectionStore`: the `analytics_*` tables in the log's
/// SQLite file, or their in-memory twin; checkpoint `analytics`) up to date with the event log.
///
/// Each batch of events is folded and written, with the open cases' progress and the checkpoint,
/// in one write transaction: after a crash the tables and the checkpoint still agree, and catching
/// up in any number of runs and batches gives exactly the tables a rebuild gives. Two processes
/// catching up at once are safe: each batch checks the checkpoint inside its transaction and
/// reloads the progress when another process moved it.
///
/// The service layer can call ``catchUp(batchSize:progress:)`` after each command; it is cheap
/// when there is little to do.
public final class ProjectionUpdater {
    /// The checkpoint's name in the event store.
    public static let checkpointName = ProjectionSchema.checkpointName

    private let log: any EventStore
    private let projections: any ProjectionStore
    private let calendars: ProjectionCalendars

    /// An updater for `projection`, which follows its log, counting working time on `calendars`.
    public convenience init(_ projection: AnalyticsProjection, calendars: ProjectionCalendars) {
        self.init(projection.store, calendars: calendars)
    }

    /// An updater for `projections`, which follows the log `projections.log`, counting working time
    /// on `calendars`.
    package init(_ projections: any ProjectionStore, calendars: ProjectionCalendars) {
        self.log = projections.log
        self.projections = projections
        self.calendars = calendars
    }

    /// Events appended since the projection's checkpoint (the whole log when it never ran).
    public func pendingEvents() throws -> Int64 {
        try projections.read { try pendingEvents(in: $0) }
    }

    /// ``pendingEvents()`` inside the caller's transaction.
    func pendingEvents(in tables: any ProjectionReading) throws -> Int64 {
        let checkpoint = try tables.installedVersion() == ProjectionSchema.version ? try tables.checkpoint() : 0
        return max(0, try tables.lastPosition() - checkpoint)
    }

    /// Whether the tables can be read as they are, without writing: their schema is this
    /// Docket's, they have read the log's last event, and every workflow's calendar is the one they
    /// counted on. (A log this process may not write is reported from such tables, or else from
    /// a projection computed in memory.)
    package func isCurrent() throws -> Bool {
        try projections.read { tables in
            guard try tables.installedVersion() == ProjectionSchema.version, try pendingEvents(in: tables) == 0 else { return false }
            return try tables.recordedCalendars().allSatisfy { calendars($0.key).label == $0.value }
        }
    }

    /// Folds every event after the checkpoint into the tables, `batchSize` events per transaction.
    /// Creates the tables when missing, and rebuilds them from the start of the log when their
    /// schema version or a workflow's calendar changed.
    @discardableResult
    public func catchUp(batchSize: Int = 5_000, progress: (ProjectionProgress) -> Void = { _ in }) throws -> ProjectionRun {
        try run(rebuild: false, batchSize: batchSize, progress: progress)
    }

    /// Events per transaction of ``rebuild(batchSize:progress:)``: large, because a case touched
    /// several times in a batch has its progress written once, yet small enough that appenders
    /// waiting for the write lock wait well under a second, and that the batches in memory at
    /// once (one being folded, one waiting, one being written: each its events' facts, progress
    /// and desk rows) stay a small part of a rebuild's memory. On the province month 25,000
    /// took 239 s and 950 MB where 50,000 (and two batches waiting) took 255 s and 1,065 MB.
    public static let rebuildBatchSize = 25_000

    /// Drops the tables and folds the whole log again.
    @discardableResult
    public func rebuild(batchSize: Int = ProjectionUpdater.rebuildBatchSize, progress: (ProjectionProgress) -> Void = { _ in }) throws -> ProjectionRun {
        try run(rebuild: true, batchSize: batchSize, progress: progress)
    }

    /// The ids of the cases open at the projection's checkpoint (of workflow `workflowID`, or of
    /// every workflow), in the order they were opened (their first events' positions); `nil` when
    /// the projection has not read the log's last event: ``catchUp(batchSize:progress:)`` first.
    ///
    /// With millions of cases this is how commands that only concern open cases (`tick`,
    /// `cases --open`) avoid reading every case: the projection already knows which are open.
    public func openCaseIDs(workflowID: String? = nil) throws -> [String]? {
        try projections.read { tables -> [String]? in
            guard try tables.installedVersion() == ProjectionSchema.version, try pendingEvents(in: tables) == 0 else { return nil }
            return try tables.openCaseIDs(workflowID: workflowID)
        }
    }

    private func run(rebuild: Bool, batchSize: Int, progress: (ProjectionProgress) -> Void) throws -> ProjectionRun {
        let batchSize = max(1, batchSize)
        let start = try projections.write { tables in try prepare(tables, rebuild: rebuild) }
        var checkpoint = start.checkpoint
        let total = max(0, start.lastPosition - checkpoint)
        var ignoredEvents: Int64 = 0
        var done: Int64 = 0
        var batches = 0
        progress(ProjectionProgress(done: 0, total: total))
        // Reading and folding run on a second thread, one batch ahead of the writes here. When
        // another process moves the checkpoint, the batch in hand is stale: stop the reader and
        // continue from that process's checkpoint (and the progress it saved).
        func foldAndWrite() throws {
            pipelines: while true {
                let folded = FoldedBatches.start(log: log, projections: projections, calendars: calendars, after: checkpoint, batchSize: batchSize)
                defer { folded.cancel() }
                while true {
                    let batch: FoldedBatch
                    switch folded.take() {
                    case let .item(next): batch = next
                    case .done: break pipelines
                    case let .failed(error): throw error
                    }
                    let movedTo = try projections.write { tables -> Int64? in
                        let current = try tables.checkpoint()
                        guard current == batch.after else { return current }
                        if !batch.refolded.isEmpty { try tables.deleteFacts(of: batch.refolded) }
                        try tables.insert(batch.facts)
                        try tables.saveOpenCases(batch.touched)
                        try tables.saveDesk(batch.desk)
                        for (workflow, label) in batch.calendars { try tables.recordCalendar(label, for: workflow) }
                        try tables.saveCheckpoint(batch.last)
                        return nil
                    }
                    if let movedTo {
                        checkpoint = movedTo
                        continue pipelines
                    }
                    checkpoint = batch.last
                    ignoredEvents += batch.ignoredEvents
                    batches += 1
                    done += Int64(batch.events)
                    progress(ProjectionProgress(done: min(done, max(total, done)), total: max(total, done)))
                }
            }
        }
        // A run of many batches (a rebuild, a long catch-up) writes with the store set for that;
        // the catch-up after a command, one batch or less, as every other write.
        if total > Int64(batchSize) {
            try projections.bulkWriting(foldAndWrite)
        } else {
            try foldAndWrite()
        }
        let openCases = try projections.read { try $0.openCaseCount() }
        return ProjectionRun(
            events: done, batches: batches, fromPosition: start.checkpoint, toPosition: checkpoint,
            rebuilt: start.rebuildReason != nil, rebuildReason: start.rebuildReason,
            openCases: openCases, ignoredEvents: ignoredEvents)
    }

    private struct Start {
        var checkpoint: Int64
        var lastPosition: Int64
        var rebuildReason: String?
    }

    /// Makes the tables ready: created, or dropped and recreated when asked to or outdated, or
    /// emptied when a calendar changed; returns where to continue from.
    private func prepare(_ tables: any ProjectionWriting, rebuild: Bool) throws -> Start {
        var reason: String?
        switch try tables.installedVersion() {
        case nil:
            reason = "the analytics tables did not exist"
        case ProjectionSchema.version?:
            if rebuild { reason = "asked to rebuild" }
        case let installed?:
            reason = "the analytics schema changed (version \(installed) to \(ProjectionSchema.version))"
        }
        if reason != nil {
            try tables.recreate()
        } else {
            for (workflow, label) in try tables.recordedCalendars().sorted(by: { $0.key < $1.key }) {
                let now = calendars(workflow).label
                if now != label {
                    reason = "the calendar of \(workflow) changed (\(label) to \(now))"
                    try tables.clear()
                    break
                }
            }
        }
        if reason == nil, try tables.checkpoint() == 0 {
            // Nothing applied yet: make sure nothing half-written lingers.
            try tables.clear()
        }
        if reason != nil { try tables.saveCheckpoint(0) }
        return Start(checkpoint: try tables.checkpoint(), lastPosition: try tables.lastPosition(), rebuildReason: reason)
    }
}

/// Wraps the calendar lookup so a run knows which workflow versions it counted on, to record
/// their calendars with the batch that first used them.
private final class SeenCalendars {
    let calendars: ProjectionCalendars
    private var fresh: [(WorkflowKey, String)] = []

    init(calendars: ProjectionCalendars) {
        self.calendars = calendars
    }

    var lookup: (WorkflowKey) -> any WorkingTimeCalendar {
        { [self] key in
            let resolved = calendars(key)
            fresh.append((key, resolved.label))
            return resolved.calendar
        }
    }

    /// The events that start each version's statutory clock (a deployed definition's
    /// `starts_on`; a version's definition never changes, and one deployed later changes its
    /// calendar label, which rebuilds the projection).
    var statutoryStartsOn: (WorkflowKey) -> [String] {
        { [calendars] key in calendars(key).statutoryStartsOn }
    }

    func drainNew() -> [(WorkflowKey, String)] {
        defer { fresh.removeAll() }
        return fresh
    }
}

/// One batch of the log, read and folded, ready to be written.
private struct FoldedBatch {
    /// The checkpoint the batch continues from: the writer checks it is still the projection's.
    var after: Int64
    /// The position of the batch's last event: the checkpoint after writing it.
    var last: Int64
    var events: Int
    /// Cases a correction made the fold start again: their facts in the tables are forgotten
    /// before the batch's facts (which hold them again, corrected) are written.
    var refolded: [String]
    var facts: [ProjectionFact]
    /// The progress of every case the batch touched (`nil` for a decided one), encoded.
    var touched: [OpenCaseUpdate]
    /// The desk rows of every case the batch touched.
    var desk: [DeskUpdate]
    /// Workflow versions whose calendar the fold asked for for the first time.
    var calendars: [(WorkflowKey, String)]
    /// Events of this batch the fold could not place.
    var ignoredEvents: Int64
}

/// Reads the log after a checkpoint in batches and folds each one, on a thread of its own.
private enum FoldedBatches {
    static func start(
        log: any EventStore, projections: any ProjectionStore, calendars: ProjectionCalendars, after checkpoint: Int64, batchSize: Int
    ) -> Handoff<FoldedBatch> {
        // One batch waiting is enough to keep both threads busy; each more is memory (a batch of
        // 25,000 events has room for 75,000 facts of 296 bytes: 22 MB before its progress and
        // desk rows).
        Handoff.start(capacity: 1) { emit in
            let seen = SeenCalendars(calendars: calendars)
            var fold = CaseFlowFold(calendars: seen.lookup, statutoryStartsOn: seen.statutoryStartsOn)
            var desk = DeskFold(contexts: calendars.context)
            // Progress saved by earlier runs is read only for the cases the new events concern
            // (a province has hundreds of thousands of open cases; a catch-up touches a few). A
            // run from the start of the log has none to read. A case this run has already seen
            // is never read back: the table may still hold what it was before this run's
            // unwritten batches.
            var saved = checkpoint > 0 ? SavedProgress() : nil
            let encoder = ProgressEncoder()
            var after = checkpoint
            // The writer waits for the first batch: start small and double up to the batch size.
            var limit = min(batchSize, 2_000)
            while true {
                let events = try log.events(after: after, limit: limit)
                guard let last = events.last else { return }
                // The log's reserved streams (a directory's changes) are not cases: skipped, but
                // the checkpoint still moves past them.
                let caseEvents = events.contains { $0.event.isOutsideCases } ? events.filter { !$0.event.isOutsideCases } : events
                if saved != nil { try saved!.resume(casesOf: caseEvents, into: &fold, from: projections) }
                let ignoredBefore = fold.ignoredEvents
                var facts: [ProjectionFact] = []
                facts.reserveCapacity(caseEvents.count * 3)
                var refolded: [String] = []
                for event in caseEvents {
                    guard event.event.type.isCorrection else {
                        fold.apply(event.event, position: event.position, into: &facts)
                        continue
                    }
                    // A correction changes facts already emitted: the case is folded again from
                    // its corrected course, and what it emitted before is forgotten.
                    let caseID = event.event.caseID
                    let recorded = try log.events(of: caseID).prefix { $0.position <= event.position }
                    let history = CaseHistory(recorded.map(\.event))
                    let effective = zip(history.entries, recorded).filter { $0.0.isEffective }.map { (event: $0.0.event, position: $0.1.position) }
                    facts.removeAll { $0.caseID == caseID }
                    if !refolded.contains(caseID) { refolded.append(caseID) }
                    fold.refold(caseID: caseID, effective, into: &facts)
                }
                let touched = try fold.drainTouched().map { touched in
                    OpenCaseUpdate(caseID: touched.caseID, progress: try touched.progress.map(encoder.encode))
                }
                let deskRows = try desk.apply(caseEvents, last: last.position, log: log)
                let batch = FoldedBatch(
                    after: after, last: last.position, events: caseEvents.count, refolded: refolded, facts: facts, touched: touched, desk: deskRows,
                    calendars: seen.drainNew(),
                    ignoredEvents: fold.ignoredEvents - ignoredBefore)
                guard emit(batch) else { return }
                if events.count < limit { return }
                after = last.position
                limit = min(batchSize, limit * 2)
            }
        }
    }
}

/// Reads the saved progress of the open cases a run's events concern, once per case.
private struct SavedProgress {
    private var seen: Set<String> = []

    mutating func resume(casesOf events: [RecordedEvent], into fold: inout CaseFlowFold, from projections: any ProjectionStore) throws {
        var unseen: [String] = []
        for event in events where seen.insert(event.event.caseID).inserted {
            unseen.append(event.event.caseID)
        }
        guard !unseen.isEmpty else { return }
        for progress in try projections.read({ try $0.openCaseProgress(of: unseen) }) {
            fold.resume(progress)
        }
    }
}
