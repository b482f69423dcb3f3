import DocketCore
import DocketInterop
import DocketStore
import Foundation

/// The workflow imported cases belong to unless a named workflow is asked for.
///
/// Imported events are facts from another system: the engine never decides anything for them,
/// so this definition declares none of the log's activities. It exists so that imported cases
/// load like any other (`show`, `history`, `cases`, `tick` look their definition up): every
/// imported case is closed at its last event, with outcome `ended`.
package enum ImportedWorkflow {
    package static let id = "imported"
    package static let version = 1
    /// The state an imported case opens in, before its first log event.
    package static let initialState = "started"
    /// The outcome every imported case closes with, at its last log event.
    package static let outcome = "ended"

    /// The definition's text, deployed by the first import into a log.
    package static let yaml = """
        workflow: imported
        version: 1
        title: Cases imported from an event log (docket import)
        roles: [importer]
        states:
          started: { initial: true }
          ended: { final: true, outcome: ended }
        transitions:
          - { event: end, from: started, to: ended, roles: [importer] }

        """

    /// The definition counting working time on calendar `calendar`, as version `version` (`import
    /// --calendar`): the same workflow, so its cases load and report alike, one version per calendar.
    package static func yaml(calendar: String, version: Int) -> String {
        yaml.replacingOccurrences(of: "version: 1\n", with: "version: \(version)\ncalendar: \(calendar)\n")
    }

    /// The version of ``id`` deployed in `catalog` that counts on `calendar`, deploying the next
    /// version for it when none does yet (version 1 never names a calendar).
    package static func version(countingOn calendar: String, in catalog: WorkflowCatalog) throws -> WorkflowDefinition {
        let versions = try catalog.store.deployments(.workflow).filter { $0.id == id }
        for deployment in versions.sorted(by: { $0.version < $1.version }) {
            let definition = try catalog.definition(of: deployment)
            if definition.calendar == calendar { return definition }
        }
        let next = max(versions.map(\.version).max() ?? 1, 1) + 1
        try catalog.store.deploy(.workflow, id: id, version: next, content: yaml(calendar: calendar, version: next))
        catalog.invalidate()
        return try catalog.definition(id, version: next)
    }
}

/// What to import and how.
package struct LogImportOptions: Sendable {
    /// The deployed workflow to import into (its newest version), replaying each trace through
    /// the engine with ``map``; `nil` imports into ``ImportedWorkflow`` as facts.
    package var workflowID: String?
    /// Activity names to events, for a named workflow.
    package var map: ActivityMap
    /// Events per append transaction; a case is never split, so a batch may run over by one case.
    package var batchSize: Int
    /// Prepended to each log case id to make the Docket case id; `nil`: the first 8 hex digits of
    /// the file's SHA-256 and a slash (`a1b2c3d4/173688`), so two logs never collide and the
    /// same file always gives the same ids.
    package var casePrefix: String?
    /// How to read the file.
    package var read: EventLogFile.ReadOptions
    /// Who runs the import: recorded on every event it appends.
    package var principal: Principal?
    /// Into ``ImportedWorkflow``: the deployed calendar the cases count working time on (the
    /// version of `imported` naming it); `nil`: every second counts (version 1).
    package var calendar: String?

    package init(workflowID: String? = nil, map: ActivityMap = .identity, batchSize: Int = 10_000,
                casePrefix: String? = nil, read: EventLogFile.ReadOptions = .init()) {
        self.workflowID = workflowID
        self.map = map
        self.batchSize = batchSize
        self.casePrefix = casePrefix
        self.read = read
    }
}

/// How far an import got: passed to the progress callback after every committed batch.
package struct ImportProgress: Sendable {
    /// Batches committed by this run.
    package var batches: Int
    /// Cases and events appended by this run so far.
    package var casesImported: Int
    package var eventsImported: Int
    /// Cases of the log considered so far (imported, already present, or not fitting).
    package var casesDone: Int
    /// Cases in the log.
    package var casesTotal: Int
}

/// What an import did.
package struct LogImportSummary: Sendable {
    /// The log's SHA-256 and how it is recorded on each imported case (`FILE sha256:HEX`).
    package var sha256: String
    package var source: String
    package var workflowID: String
    package var workflowVersion: Int
    /// Cases and log events in the file.
    package var logCases: Int
    package var logEvents: Int
    /// Cases appended by this run, and the events appended for them (openings included).
    package var importedCases: Int
    package var appendedEvents: Int
    /// The file's events of the cases this run appended: ``appendedEvents`` minus these are the
    /// events Docket added (an opening per case; with a named workflow, whatever else the engine
    /// records, such as branch starts and clock stops), so the count agrees with `analyze`'s.
    package var importedLogEvents = 0
    /// ``appendedEvents`` beyond the file's (may be negative when events of lifecycles not
    /// replayed were left out).
    package var addedEvents: Int { appendedEvents - importedLogEvents }
    /// Cases found already imported (an earlier or interrupted run): left as they are.
    package var alreadyImported: Int
    /// For a named workflow: cases whose trace does not fit the definition, not imported, with
    /// their first deviation (run `docket conform` for the full picture).
    package var notFitting: [(caseID: String, deviation: Deviation)]
    /// For a named workflow: imported cases whose trace ends before a final state; they are
    /// open in Docket and carry on from where the log left them.
    package var openCases: Int
    /// Transactions committed.
    package var batches: Int
    /// Rows a CSV reader skipped (no timestamp, case or activity).
    package var skippedRows: Int
}

/// Appends an event log to the event store: `docket import`.
///
/// - **All or nothing per file when the file is bad.** The whole log is read and checked before
///   anything is appended (``LoadedLog``), so a malformed file imports nothing.
/// - **Batched.** Cases are appended ``LogImportOptions/batchSize`` events at a time, each batch
///   one transaction.
/// - **Idempotent and resumable.** Case ids derive from the file's content (see
///   ``LogImportOptions/casePrefix``), and each case carries an idempotency key
///   `import:SHA:CASE`: cases already in the log are skipped before appending, and the key makes
///   the store itself return the first import's result if two imports of one file race. An
///   import stopped after k batches, run again, appends exactly the cases that were missing.
///
/// Imported into ``ImportedWorkflow`` (the default), each log case becomes `case_opened` at its
/// first event's time (actor and role of that event) followed by one `transition_fired` per log
/// event: `transition` and `to` the activity, `from` the previous activity, actor the resource
/// (`unknown`, flagged `actorUnknown`, when the log names none), role the log's role,
/// `department` its group, and `lifecycle`, `instance`, `startedAt` and (when read) other
/// attributes as the log has them; the last carries outcome `ended`. The opening records the
/// source file (`source`) and the log's case id (`data["concept:name"]`), which `export` writes
/// back. Imported into a named workflow, each trace is replayed through the engine
/// (``TraceReplayer``) and its events appended only if every event replays as recorded; a trace
/// that stops before a final state becomes an open case, to be carried on in Docket.
package final class LogImporter: Sendable {
    package let catalog: WorkflowCatalog
    package var store: any EventStore { catalog.store }

    package init(catalog: WorkflowCatalog) {
        self.catalog = catalog
    }

    /// Reads `path` and imports it.
    ///
    /// - Parameter progress: called after every committed batch; whatever it throws stops the
    ///   import there (the batches committed stay, and a new run resumes after them).
    /// - Throws: `DocketInterop/LogReadError` (nothing imported), ``ServiceError``,
    ///   `DocketCore/Refusal` `unknown_workflow`, `DocketStore/StoreError`.
    @discardableResult
    package func run(path: String, displayName: String? = nil, options: LogImportOptions,
                    progress: (ImportProgress) throws -> Void = { _ in }) throws -> LogImportSummary {
        guard options.batchSize > 0 else {
            throw ServiceError(.invalidArgument, "the batch size must be at least 1 (got \(options.batchSize))")
        }
        let name = displayName ?? path
        let log = try LoadedLog.read(path: path, displayName: name, options: options.read)
        return try run(log, fileName: (name as NSString).lastPathComponent, options: options, progress: progress)
    }

    /// Imports a log already read.
    @discardableResult
    package func run(_ log: LoadedLog, fileName: String, options: LogImportOptions,
                    progress: (ImportProgress) throws -> Void = { _ in }) throws -> LogImportSummary {
        guard options.batchSize > 0 else {
            throw ServiceError(.invalidArgument, "the batch size must be at least 1 (got \(options.batchSize))")
        }
        let definition: WorkflowDefinition
        let replayer: TraceReplayer?
        if let id = options.workflowID {
            definition = try catalog.definition(id)
            replayer = TraceReplayer(context: try catalog.context(for: definition), map: options.map)
        } else if let calendar = options.calendar {
            _ = try catalog.calendar(named: calendar)  // refused unless deployed
            definition = try ImportedWorkflow.version(countingOn: calendar, in: catalog)
            replayer = nil
        } else {
            try store.deploy(.workflow, id: ImportedWorkflow.id, version: ImportedWorkflow.version, content: ImportedWorkflow.yaml)
            definition = try catalog.definition(ImportedWorkflow.id, version: ImportedWorkflow.version)
            replayer = nil
        }
        let source = "\(fileName) sha256:\(log.sha256)"
        let prefix = options.casePrefix ?? String(log.sha256.prefix(8)) + "/"
        let existing = Dictionary(try store.cases().map { ($0.caseID, $0.workflowID) }, uniquingKeysWith: { a, _ in a })
        let fingerprintBase = ImportFingerprint(
            file: log.sha256, workflow: definition.id, version: definition.version,
            map: options.workflowID == nil ? nil : MapFingerprint(options.map), case: "")

        var summary = LogImportSummary(
            sha256: log.sha256, source: source, workflowID: definition.id, workflowVersion: definition.version,
            logCases: log.cases.count, logEvents: log.eventCount, importedCases: 0, appendedEvents: 0,
            alreadyImported: 0, notFitting: [], openCases: 0, batches: 0, skippedRows: log.csvSummary?.skippedRows ?? 0)
        var batch: [CaseAppend] = []
        var batchLogEvents: [Int] = []
        var batchEvents = 0
        var done = 0

        func commit() throws {
            guard !batch.isEmpty else { return }
            let results = try store.append(batch: batch)
            for ((append, result), logEvents) in zip(zip(batch, results), batchLogEvents) {
                if result.isReplay {
                    summary.alreadyImported += 1
                } else {
                    summary.importedCases += 1
                    summary.appendedEvents += append.events.count
                    summary.importedLogEvents += logEvents
                }
            }
            summary.batches += 1
            batch.removeAll(keepingCapacity: true)
            batchLogEvents.removeAll(keepingCapacity: true)
            batchEvents = 0
            try progress(ImportProgress(
                batches: summary.batches, casesImported: summary.importedCases, eventsImported: summary.appendedEvents,
                casesDone: done, casesTotal: log.cases.count))
        }

        for logCase in log.cases {
            done += 1
            let caseID = prefix + logCase.id
            guard !CaseID.isReserved(caseID) else {
                throw ServiceError(.invalidArgument, "case '\(caseID)': ids starting with '@' are reserved for the log's own streams (a directory's changes); import under other ids with --case-prefix")
            }
            if let workflow = existing[caseID] {
                guard workflow == definition.id else {
                    throw ServiceError(
                        .caseExists,
                        "case '\(caseID)' already exists in workflow '\(workflow)'; import into '\(definition.id)' under other ids with --case-prefix")
                }
                summary.alreadyImported += 1
                continue
            }
            guard !logCase.events.isEmpty else { continue }
            let data = ["concept:name": logCase.id]
            var events: [CaseEvent]
            if let replayer {
                let replay = replayer.replay(caseID: caseID, events: logCase.events, data: data)
                guard replay.replaysCleanly else {
                    if let first = replay.deviations.first(where: { $0.kind != .caseNotFinished }) {
                        summary.notFitting.append((logCase.id, first))
                    }
                    continue
                }
                if replay.state?.isClosed == false { summary.openCases += 1 }
                events = replay.events
            } else {
                events = Self.importedEvents(caseID: caseID, of: logCase, workflowVersion: definition.version)
            }
            if let i = events.firstIndex(where: { $0.type == .caseOpened }) {
                events[i].payload.source = source
                var opened = events[i].payload.data ?? [:]
                opened.merge(data) { _, new in new }
                events[i].payload.data = opened
            }
            var fingerprint = fingerprintBase
            fingerprint.case = logCase.id
            let key = try IdempotencyKey(key: "import:\(log.sha256.prefix(16)):\(caseID)", command: fingerprint)
            batch.append(CaseAppend(caseID: caseID, expectedVersion: 0, events: events, idempotency: key,
                                    principal: options.principal))
            batchLogEvents.append(logCase.events.count)
            batchEvents += events.count
            if batchEvents >= options.batchSize { try commit() }
        }
        try commit()
        return summary
    }

    /// The events of one log case imported as facts into ``ImportedWorkflow``.
    static func importedEvents(caseID: String, of logCase: LogCase, workflowVersion: Int) -> [CaseEvent] {
        guard let first = logCase.events.first else { return [] }
        var events: [CaseEvent] = []
        events.reserveCapacity(logCase.events.count + 1)
        events.append(CaseEvent(
            caseID: caseID, type: .caseOpened, workflowID: ImportedWorkflow.id, workflowVersion: workflowVersion,
            actor: first.resource ?? TraceReplayer.unknownActor, role: first.role, occurredAt: first.timestamp,
            payload: EventPayload(to: ImportedWorkflow.initialState, actorUnknown: first.resource == nil ? true : nil)))
        var previous = ImportedWorkflow.initialState
        let last = logCase.events.count - 1
        for (i, e) in logCase.events.enumerated() {
            events.append(CaseEvent(
                caseID: caseID, type: .transitionFired, workflowID: ImportedWorkflow.id, workflowVersion: workflowVersion,
                actor: e.resource ?? TraceReplayer.unknownActor, role: e.role, occurredAt: e.timestamp,
                payload: EventPayload(
                    transition: e.activity, from: previous, to: e.activity,
                    outcome: i == last ? ImportedWorkflow.outcome : nil, department: e.group,
                    lifecycle: e.lifecycle, instance: e.instance, startedAt: e.startTimestamp,
                    attributes: e.attributes.isEmpty ? nil : e.attributes, actorUnknown: e.resource == nil ? true : nil)))
            previous = e.activity
        }
        return events
    }
}

/// What identifies the import of one case for its idempotency key.
struct ImportFingerprint: Encodable {
    var file: String
    var workflow: String
    var version: Int
    var map: MapFingerprint?
    var `case`: String
}

/// An ``ActivityMap`` in a canonical, encodable form.
struct MapFingerprint: Encodable {
    var activities: [String: String]
    var roles: [String: String]
    var lifecycles: [String]

    init(_ map: ActivityMap) {
        activities = map.activities.mapValues { $0 ?? "~" }
        roles = map.roles
        lifecycles = map.lifecycles.sorted()
    }
}
