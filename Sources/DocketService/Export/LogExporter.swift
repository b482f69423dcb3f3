import DocketCore
import DocketInterop
import DocketStore
import Foundation

/// The formats `docket export` writes.
package enum ExportFormat: String, Sendable, CaseIterable {
    /// XES (IEEE 1849), one trace per case.
    case xes
    /// CSV with pm4py's column names, one row per event.
    case csv
    /// JSON Lines: every event of the log with every field, one per line, in log order.
    case jsonl
}

/// What an export wrote.
package struct LogExportSummary: Sendable, Equatable {
    /// Cases written (traces), and events written (rows, XES events or JSON lines).
    package var cases: Int
    package var events: Int
    /// The last log position the export covers: events appended later are not in it.
    package var throughPosition: Int64
}

/// Writes the event log back out in the field's formats: `docket export`.
///
/// The export covers the log as it stands when it starts (up to ``LogExportSummary/throughPosition``),
/// reads one case at a time and streams, so memory does not grow with the log.
///
/// For XES and CSV, each case is a trace in the order cases were opened:
/// - An imported case (its opening records a `source`) is written as the log it came from: the
///   trace is named by the log's case id (`data["concept:name"]`), the synthetic opening is left
///   out, and each `transition_fired` is an event with the activity, time, lifecycle, resource,
///   role, group, instance, start time and attributes it was imported with. So exporting an
///   import and measuring the result with `docket analyze` gives the figures of the original file.
/// - A case of Docket's own is named by its id, with `workflow`, `workflow_version`, `state`
///   (where the case stood when exported) and its opening `data` as trace attributes; `case_opened`, `transition_fired` and `work_started` (activity: the transition),
///   `vote_cast` and `deadline_breached` become events (lifecycle `complete`, resource the actor,
///   role, group the department, and from/to/outcome/reason/branch/vote/state/limit/documents and
///   the data given with the event as attributes). Branch starts and cancellations and clock stops are bookkeeping of the
///   transition they accompany and are left out; JSONL has them.
package final class LogExporter: Sendable {
    package let store: any EventStore

    package init(store: any EventStore) {
        self.store = store
    }

    /// Writes the cases of `workflowID` (all cases when `nil`) to `sink` in `format`, and
    /// finishes the sink.
    @discardableResult
    package func export(workflowID: String? = nil, format: ExportFormat, to sink: any LogSink, logName: String? = nil) throws -> LogExportSummary {
        let head = try store.lastPosition()
        switch format {
        case .jsonl:
            return try exportJSONL(workflowID: workflowID, through: head, to: sink)
        case .xes:
            let writer = XESLogWriter(sink: sink, logName: logName)
            return try writeTraces(workflowID: workflowID, through: head, write: writer.write, finish: writer.finish)
        case .csv:
            // CSV's header names every attribute any trace has: one pass to find them, one to write.
            var columns = CSVLogWriter.Columns()
            try forEachTrace(workflowID: workflowID, through: head) { columns.include($0) }
            let writer = CSVLogWriter(sink: sink, columns: columns)
            return try writeTraces(workflowID: workflowID, through: head, write: writer.write, finish: writer.finish)
        }
    }

    /// Writes every case (of `workflowID`) up to `head` as a trace, then finishes the writer.
    private func writeTraces(workflowID: String?, through head: Int64, write: (LogTrace) throws -> Void,
                             finish: () throws -> Void) throws -> LogExportSummary {
        var summary = LogExportSummary(cases: 0, events: 0, throughPosition: head)
        try forEachTrace(workflowID: workflowID, through: head) { trace in
            try write(trace)
            summary.cases += 1
            summary.events += trace.events.count
        }
        try finish()
        return summary
    }

    /// Calls `body` with every case (of `workflowID`) as a trace, in opening order.
    package func forEachTrace(workflowID: String? = nil, through head: Int64, _ body: (LogTrace) throws -> Void) throws {
        for header in try store.cases(workflowID: workflowID) {
            let events = try store.events(of: header.caseID).filter { $0.position <= head }
            guard !events.isEmpty else { continue }
            try body(Self.trace(of: events))
        }
    }

    /// One case's events as a trace (see the type's documentation for what is written).
    package static func trace(of events: [RecordedEvent]) -> LogTrace {
        guard let opening = events.first else { return LogTrace(caseID: "") }
        let imported = opening.payload.source != nil
        var attributes = opening.payload.data ?? [:]
        let caseID = imported ? (attributes["concept:name"] ?? opening.caseID) : opening.caseID
        attributes["concept:name"] = nil
        // A trace tells the case's corrected course: voided events and the corrections left out.
        let resolved = CaseHistory(events.map(\.event))
        if opening.workflowID != ImportedWorkflow.id { attributes[DocketExport.workflowAttribute] = opening.workflowID }
        if !imported {
            attributes[DocketExport.workflowVersionAttribute] = String(opening.workflowVersion)
            // Where the case stood when exported, so a replay (`conform`) tells a running case
            // from a trace that stops short.
            if let state = CaseState.replay(history: resolved) { attributes[DocketExport.stateAttribute] = state.whereabouts }
        }
        var trace = LogTrace(caseID: caseID, attributes: attributes)
        trace.events.reserveCapacity(events.count)
        for entry in resolved.entries where entry.isEffective {
            let e = entry.event
            let p = e.payload
            let activity: String
            switch e.type {
            case .caseOpened:
                if imported { continue }
                activity = e.type.rawValue
            case .transitionFired, .workStarted:
                activity = p.transition ?? e.type.rawValue
            case .voteCast, .deadlineBreached:
                activity = e.type.rawValue
            case .branchStarted, .branchCancelled, .clockStopped, .clockResumed:
                continue
            case .caseClaimed, .claimReleased, .caseReassigned:
                continue  // who holds a case is desk bookkeeping, not an activity of the process
            case .roleGranted, .roleRevoked, .personLeft, .personAdded:
                continue  // a directory's changes, never in a case's trace
            case .eventCorrected, .eventVoided:
                continue  // resolved above
            }
            var event = LogEvent(
                caseID: caseID, activity: activity, timestamp: e.occurredAt,
                lifecycle: imported ? p.lifecycle : (p.lifecycle ?? "complete"),
                resource: p.actorUnknown == true ? nil : e.actor, group: p.department, role: e.role,
                instance: p.instance, startTimestamp: p.startedAt, attributes: p.attributes ?? [:])
            if !imported {
                let extra: [(String, String?)] = [
                    ("from", p.from), ("to", p.to), ("outcome", p.outcome), ("reason", p.reason), ("branch", p.branch),
                    ("vote", p.vote), ("state", p.state), ("limit", p.limit), ("trigger", p.trigger),
                    ("on_behalf_of", e.onBehalfOf), ("documents", p.documents?.joined(separator: ", ")),
                ]
                for case let (key, value?) in extra where event.attributes[key] == nil { event.attributes[key] = value }
                // Data given with an event (a risk the assessor records): routes depend on it.
                if e.type != .caseOpened, let data = p.data {
                    for (key, value) in data where event.attributes[key] == nil { event.attributes[key] = value }
                }
            }
            trace.events.append(event)
        }
        return trace
    }

    private func exportJSONL(workflowID: String?, through head: Int64, to sink: any LogSink) throws -> LogExportSummary {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 18)
        var cases: Set<String> = []
        var count = 0
        var position: Int64 = 0
        while position < head {
            let page = try store.events(after: position, limit: 2_000)
            guard !page.isEmpty else { break }
            for recorded in page where recorded.position <= head {
                position = recorded.position
                if let workflowID, recorded.workflowID != workflowID { continue }
                // The log's reserved streams (a directory's changes) are not cases.
                if recorded.event.isOutsideCases { continue }
                buffer.append(contentsOf: try encoder.encode(JSONLine(recorded)))
                buffer.append(0x0A)
                cases.insert(recorded.caseID)
                count += 1
            }
            position = max(position, page.last?.position ?? position)
            if buffer.count >= 1 << 18 {
                try buffer.withUnsafeBytes { try sink.write($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try buffer.withUnsafeBytes { try sink.write($0) }
        try sink.finish()
        return LogExportSummary(cases: cases.count, events: count, throughPosition: head)
    }
}

/// One event as a line of the JSONL export: the store's columns, times as ISO 8601 (UTC,
/// microseconds exact), the payload as stored.
struct JSONLine: Encodable {
    var position: Int64
    var case_id: String
    var version: Int
    var type: String
    var workflow_id: String
    var workflow_version: Int
    var actor: String
    var role: String?
    var on_behalf_of: String?
    var occurred_at: String
    var recorded_at: String
    var payload: EventPayload
    var prev_hash: String
    var hash: String

    init(_ r: RecordedEvent) {
        position = r.position
        case_id = r.caseID
        version = r.version
        type = r.type.rawValue
        workflow_id = r.workflowID
        workflow_version = r.workflowVersion
        actor = r.actor
        role = r.role
        on_behalf_of = r.onBehalfOf
        occurred_at = r.occurredAt.iso8601(offsetSeconds: 0)
        recorded_at = r.recordedAt.iso8601(offsetSeconds: 0)
        payload = r.payload
        prev_hash = r.prevHash
        hash = r.hash
    }

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey {
            case position, case_id, version, type, workflow_id, workflow_version, actor, role, on_behalf_of
            case occurred_at, recorded_at, payload, prev_hash, hash
        }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(position, forKey: .position)
        try c.encode(case_id, forKey: .case_id)
        try c.encode(version, forKey: .version)
        try c.encode(type, forKey: .type)
        try c.encode(workflow_id, forKey: .workflow_id)
        try c.encode(workflow_version, forKey: .workflow_version)
        try c.encode(actor, forKey: .actor)
        try c.encode(role, forKey: .role)  // null when absent: every field, always
        try c.encode(on_behalf_of, forKey: .on_behalf_of)
        try c.encode(occurred_at, forKey: .occurred_at)
        try c.encode(recorded_at, forKey: .recorded_at)
        try c.encode(payload, forKey: .payload)
        try c.encode(prev_hash, forKey: .prev_hash)
        try c.encode(hash, forKey: .hash)
    }
}
