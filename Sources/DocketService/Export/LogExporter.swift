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
/// reads one case at a time (each row once) and streams, so memory does not grow with the log.
/// CSV's header names every column some trace fills, so its rows are held back until the last
/// trace is read: in memory up to 16 MB, beyond it in a temporary file (``CSVLogWriter``).
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
    ///
    /// The whole export reads one snapshot of the log (one read transaction): it covers the log
    /// as it stood when it started, whatever is appended meanwhile, and each row is checked
    /// against its hash as it is read, so a row changed behind Docket's back stops the export
    /// with ``StoreError/Code/corrupt`` (naming its position) instead of being written out.
    @discardableResult
    package func export(workflowID: String? = nil, format: ExportFormat, to sink: any LogSink, logName: String? = nil) throws -> LogExportSummary {
        switch format {
        case .jsonl:
            return try store.snapshot { log in try exportJSONL(log, workflowID: workflowID, through: log.lastPosition(), to: sink) }
        case .xes:
            let writer = XESLogWriter(sink: sink, logName: logName)
            return try writeTraces(workflowID: workflowID, write: writer.write, finish: writer.finish)
        case .csv:
            // One pass: the writer holds the rows back until the last trace has named its
            // columns (the header's), in memory up to a limit and beyond it in a temporary file.
            let writer = CSVLogWriter(sink: sink)
            return try writeTraces(workflowID: workflowID, write: writer.write, finish: writer.finish)
        }
    }

    /// Writes every case (of `workflowID`) in the log as it stands as a trace, then finishes the writer.
    private func writeTraces(workflowID: String?, write: (LogTrace) throws -> Void, finish: () throws -> Void) throws -> LogExportSummary {
        var summary = LogExportSummary(cases: 0, events: 0, throughPosition: 0)
        summary.throughPosition = try forEachTrace(workflowID: workflowID, through: nil) { trace in
            try write(trace)
            summary.cases += 1
            summary.events += trace.events.count
        }
        try finish()
        return summary
    }

    /// Calls `body` with every case (of `workflowID`) as a trace, in opening order, as the log
    /// stood at `head`.
    package func forEachTrace(workflowID: String? = nil, through head: Int64, _ body: (LogTrace) throws -> Void) throws {
        try forEachTrace(workflowID: workflowID, through: Optional(head), body)
    }

    /// ``forEachTrace(workflowID:through:_:)`` up to `head`, or when `nil` up to the last position
    /// of the snapshot it reads; returns the position it covered.
    ///
    /// A thread of its own reads the cases' events (by the (case, version) index, on one statement
    /// of one read transaction, each row checked against its hash) while this one makes the
    /// traces and hands them to `body`: the reading is about half of an export's work, and the
    /// rest no longer waits for it.
    private func forEachTrace(workflowID: String?, through head: Int64?, _ body: (LogTrace) throws -> Void) throws -> Int64 {
        let store = self.store
        let batches = Handoff<CaseBatch>.start(capacity: 4, name: "docket-export-reader") { emit in
            try store.snapshot { (log: any LogSnapshot) in
                let last = try head ?? log.lastPosition()
                var batch = CaseBatch(head: last)
                for caseID in try log.caseIDs(workflowID: workflowID) {
                    var events = try log.events(of: caseID)
                    if let e = events.last, e.position > last { events.removeAll { $0.position > last } }
                    guard !events.isEmpty else { continue }
                    batch.cases.append(events)
                    if batch.cases.count == Self.casesPerBatch {
                        guard emit(batch) else { throw CancellationError() }
                        batch.cases.removeAll(keepingCapacity: true)
                    }
                }
                // Also when empty: it says up to where the log was read.
                _ = emit(batch)
            }
        }
        // However this ends, the reader must stop before we return.
        defer { batches.cancel() }
        var covered = head ?? 0
        while true {
            switch batches.take() {
            case let .item(batch):
                covered = batch.head
                for events in batch.cases { try body(Self.trace(of: events)) }
            case .done: return covered
            case let .failed(error): throw error
            }
        }
    }

    /// Cases' events handed from the reading thread, with the last position the reading covers.
    private struct CaseBatch: Sendable {
        var head: Int64
        var cases: [[RecordedEvent]] = []
    }

    /// Cases handed over at a time: enough that the hand-over costs nothing beside them (a case
    /// has about ten events), few enough that the batches in flight stay small.
    private static let casesPerBatch = 64

    /// One case's events as a trace (see the type's documentation for what is written).
    package static func trace(of events: [RecordedEvent]) -> LogTrace {
        guard let opening = events.first else { return LogTrace(caseID: "") }
        let imported = opening.payload.source != nil
        var attributes = opening.payload.data ?? [:]
        let caseID = imported ? (attributes["concept:name"] ?? opening.caseID) : opening.caseID
        attributes["concept:name"] = nil
        // A trace tells the case's corrected course: voided events and the corrections left out.
        // (Most cases have no correction: their events are their course, no history to resolve.)
        let recorded = events.map(\.event)
        let resolved = recorded.contains { $0.type.isCorrection } ? CaseHistory(recorded) : nil
        let course = resolved?.effectiveEvents ?? recorded
        if opening.workflowID != ImportedWorkflow.id { attributes[DocketExport.workflowAttribute] = opening.workflowID }
        if !imported {
            attributes[DocketExport.workflowVersionAttribute] = String(opening.workflowVersion)
            // Where the case stood when exported, so a replay (`conform`) tells a running case
            // from a trace that stops short.
            if let state = resolved.map(CaseState.replay(history:)) ?? CaseState.replay(recorded) { attributes[DocketExport.stateAttribute] = state.whereabouts }
        }
        var trace = LogTrace(caseID: caseID, attributes: attributes)
        trace.events.reserveCapacity(events.count)
        for e in course {
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
            var attributes = p.attributes ?? [:]
            if !imported {
                // Each only where the event's own attributes do not name it already.
                func add(_ key: String, _ value: String?) {
                    if let value, attributes[key] == nil { attributes[key] = value }
                }
                attributes.reserveCapacity(attributes.count + 4 + (p.data?.count ?? 0))
                add("from", p.from)
                add("to", p.to)
                add("outcome", p.outcome)
                add("reason", p.reason)
                add("branch", p.branch)
                add("vote", p.vote)
                add("state", p.state)
                add("limit", p.limit)
                add("trigger", p.trigger)
                add("on_behalf_of", e.onBehalfOf)
                add("documents", p.documents?.joined(separator: ", "))
                // Data given with an event (a risk the assessor records): routes depend on it.
                if e.type != .caseOpened, let data = p.data {
                    for (key, value) in data { add(key, value) }
                }
            }
            trace.events.append(LogEvent(
                caseID: caseID, activity: activity, timestamp: e.occurredAt,
                lifecycle: imported ? p.lifecycle : (p.lifecycle ?? "complete"),
                resource: p.actorUnknown == true ? nil : e.actor, group: p.department, role: e.role,
                instance: p.instance, startTimestamp: p.startedAt, attributes: attributes))
        }
        return trace
    }

    /// The log in position order, one JSON line per event, streamed from one statement.
    private func exportJSONL(_ log: any LogSnapshot, workflowID: String?, through head: Int64, to sink: any LogSink) throws -> LogExportSummary {
        var line = JSONLineWriter()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 18 + 1 << 12)
        var cases: Set<String> = []
        var lastCase = ""
        var count = 0
        try log.scan(after: 0, through: head) { recorded in
            if let workflowID, recorded.workflowID != workflowID { return }
            // The log's reserved streams (a directory's changes) are not cases.
            if recorded.event.isOutsideCases { return }
            try line.append(recorded, to: &buffer)
            if recorded.caseID != lastCase {
                cases.insert(recorded.caseID)
                lastCase = recorded.caseID
            }
            count += 1
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
/// microseconds exact), the payload as stored; keys sorted, no spaces, as JSONEncoder with
/// sorted keys and unescaped slashes writes them (`ExportStreamingTests` holds that encoder's
/// version of the line and compares).
package struct JSONLineWriter {
    private var payload = EventJSONWriter()

    package init() {}

    /// Appends the line of `r`, newline included. (Fields are read through `r.event`, not
    /// `RecordedEvent`'s shorthands, which copy the event out of another module.)
    package mutating func append(_ r: RecordedEvent, to out: inout [UInt8]) throws {
        func key(_ name: StaticString, first: Bool = false) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func string(_ value: String?) {
            if let value { EventJSONWriter.appendString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        // A time in ISO 8601 has nothing JSON escapes.
        func time(_ t: Timestamp) {
            out.append(UInt8(ascii: "\""))
            t.appendISO8601(offsetSeconds: 0, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        key("actor", first: true)
        string(r.event.actor)
        key("case_id")
        string(r.event.caseID)
        key("hash")
        string(r.hash)
        key("occurred_at")
        time(r.event.occurredAt)
        key("on_behalf_of")
        string(r.event.onBehalfOf)
        key("payload")
        try payload.appendPayload(r.event.payload, to: &out)
        key("position")
        EventJSONWriter.appendInt(r.position, to: &out)
        key("prev_hash")
        string(r.prevHash)
        key("recorded_at")
        time(r.recordedAt)
        key("role")
        string(r.event.role)
        key("type")
        string(r.event.type.rawValue)
        key("version")
        EventJSONWriter.appendInt(Int64(r.version), to: &out)
        key("workflow_id")
        string(r.event.workflowID)
        key("workflow_version")
        EventJSONWriter.appendInt(Int64(r.event.workflowVersion), to: &out)
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
    }
}
