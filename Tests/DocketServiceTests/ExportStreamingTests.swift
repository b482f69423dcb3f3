import DocketCore
import DocketInterop
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// `docket export` reads one snapshot of the log (one read transaction, each row checked against
/// its hash) and writes JSON Lines without JSONEncoder: what it writes is byte for byte what the
/// export wrote when it read case by case and encoded each line with JSONEncoder.
@Suite struct ExportStreamingTests {
    /// A log of the authority's four workflows, simulated, with an imported log and a voided
    /// event beside them (corrections change what a trace holds).
    static func mixedLog(path: String = temporaryDatabase()) throws -> CaseService {
        let cases = try authorityService(path: path, clock: backFillingClock())
        var plan = SimulationPlan(workflows: ReliabilityTests.workflows, cases: 300, seed: 19)
        plan.batchSize = 50
        _ = try PopulationSimulator(catalog: cases.catalog).run(plan)
        try LogImporter(catalog: cases.catalog).run(path: ImportFixtures.file(ImportFixtures.sixCases()), options: .init())
        _ = try cases.open(workflowID: "permit-check", caseID: "P-1", actor: "li.wei", role: "applicant",
                           data: ["channel": "online"], at: at("2020-03-02T10:00:00+08:00"))
        _ = try cases.fire(caseID: "P-1", event: "accept", actor: "wang", role: "clerk", at: at("2020-03-02T11:00:00+08:00"))
        _ = try cases.void(caseID: "P-1", event: 2, by: "wang", reason: "accepted the wrong case")
        return cases
    }

    // MARK: The export as it was (the reference)

    /// One event as the JSONL export's line was encoded before: an Encodable given to JSONEncoder.
    struct ReferenceLine: Encodable {
        let r: RecordedEvent

        func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey {
                case position, case_id, version, type, workflow_id, workflow_version, actor, role, on_behalf_of
                case occurred_at, recorded_at, payload, prev_hash, hash
            }
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(r.position, forKey: .position)
            try c.encode(r.caseID, forKey: .case_id)
            try c.encode(r.version, forKey: .version)
            try c.encode(r.type.rawValue, forKey: .type)
            try c.encode(r.workflowID, forKey: .workflow_id)
            try c.encode(r.workflowVersion, forKey: .workflow_version)
            try c.encode(r.actor, forKey: .actor)
            try c.encode(r.role, forKey: .role)
            try c.encode(r.onBehalfOf, forKey: .on_behalf_of)
            try c.encode(r.occurredAt.iso8601(offsetSeconds: 0), forKey: .occurred_at)
            try c.encode(r.recordedAt.iso8601(offsetSeconds: 0), forKey: .recorded_at)
            try c.encode(r.payload, forKey: .payload)
            try c.encode(r.prevHash, forKey: .prev_hash)
            try c.encode(r.hash, forKey: .hash)
        }
    }

    static func referenceLine(_ r: RecordedEvent) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(ReferenceLine(r: r))) + [0x0A]
    }

    /// The JSONL export as it was: pages of events, each line through JSONEncoder.
    static func referenceJSONL(_ store: any EventStore, workflowID: String? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        for r in try store.events(after: 0, limit: 1_000_000) where !r.event.isOutsideCases {
            if let workflowID, r.workflowID != workflowID { continue }
            out += try referenceLine(r)
        }
        return out
    }

    /// XES or CSV as it was: every case through the store's own `cases` and `events(of:)`.
    static func referenceTraces(_ store: any EventStore, format: ExportFormat, workflowID: String? = nil) throws -> [UInt8] {
        var traces: [LogTrace] = []
        for header in try store.cases(workflowID: workflowID) {
            let events = try store.events(of: header.caseID)
            if !events.isEmpty { traces.append(LogExporter.trace(of: events)) }
        }
        let sink = MemoryLogSink()
        switch format {
        case .csv:
            var columns = CSVLogWriter.Columns()
            for trace in traces { columns.include(trace) }
            let writer = CSVLogWriter(sink: sink, columns: columns)
            for trace in traces { try writer.write(trace) }
            try writer.finish()
        case .xes:
            let writer = XESLogWriter(sink: sink, logName: workflowID)
            for trace in traces { try writer.write(trace) }
            try writer.finish()
        case .jsonl:
            return try referenceJSONL(store, workflowID: workflowID)
        }
        return sink.bytes
    }

    static func exported(_ store: any EventStore, _ format: ExportFormat, workflowID: String? = nil) throws -> (bytes: [UInt8], summary: LogExportSummary) {
        let sink = MemoryLogSink()
        let summary = try LogExporter(store: store).export(workflowID: workflowID, format: format, to: sink, logName: workflowID)
        #expect(sink.isFinished)
        return (sink.bytes, summary)
    }

    // MARK: Tests

    @Test(arguments: ExportFormat.allCases)
    func theExportIsByteForByteWhatItWasBefore(_ format: ExportFormat) throws {
        let cases = try Self.mixedLog()
        let store = cases.store
        let (bytes, summary) = try Self.exported(store, format)
        let reference = try Self.referenceTraces(store, format: format)
        #expect(bytes.count > 10_000)
        #expect(bytes == reference)
        #expect(summary.throughPosition == (try store.lastPosition()))
        #expect(summary.cases == (try store.cases()).count)
        // One workflow's export likewise.
        let one = try Self.exported(store, format, workflowID: "expert-review")
        #expect(one.bytes == (try Self.referenceTraces(store, format: format, workflowID: "expert-review")))
        #expect(one.summary.cases == (try store.cases(workflowID: "expert-review")).count)
    }

    @Test func aJSONLineIsWhatJSONEncoderWrites() throws {
        // Strings JSONEncoder escapes, absent and present optionals, non-ASCII, attributes with keys
        // the fast payload writer leaves to JSONEncoder, and a large position.
        var payload = EventPayload(transition: "x\u{7f}y", from: "a\"b\\c/d", to: "é\u{1}\n\t")
        payload.attributes = ["Zeta": "1", "alpha": "2", "名": "3"]
        payload.data = ["channel": "on/line"]
        let event = CaseEvent(caseID: "C-\u{2028}1", type: .transitionFired, workflowID: "w/1", workflowVersion: 3,
                              actor: "李伟", role: nil, onBehalfOf: "someone \"quoted\"",
                              occurredAt: at("2020-03-02T11:00:00.5Z"), payload: payload)
        let recorded = RecordedEvent(position: 9_007_199_254_740_993, version: 12, recordedAt: at("2021-01-01T00:00:00.000001Z"),
                                     prevHash: String(repeating: "0", count: 64), hash: String(repeating: "f", count: 64),
                                     event: event, principal: nil)
        var line: [UInt8] = []
        var writer = JSONLineWriter()
        try writer.append(recorded, to: &line)
        #expect(String(decoding: line, as: UTF8.self) == String(decoding: try Self.referenceLine(recorded), as: UTF8.self))
    }

    @Test(arguments: ExportFormat.allCases)
    func aRowChangedBehindDocketsBackStopsTheExport(_ format: ExportFormat) throws {
        let path = temporaryDatabase()
        let cases = try service(path: path, clock: backFillingClock())
        for n in 1...3 {
            _ = try cases.open(workflowID: "permit-check", caseID: "C-\(n)", actor: "li.wei", role: "applicant", at: at("2020-03-02T10:00:00Z"))
            _ = try cases.fire(caseID: "C-\(n)", event: "accept", actor: "wang", role: "clerk", at: at("2020-03-02T11:00:00Z"))
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            try db.execute(sql: "UPDATE events SET actor = 'mallory' WHERE position = 4")
        }
        let error = #expect(throws: StoreError.self) { try Self.exported(cases.store, format) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("position 4") == true)
    }

    @Test func theExportCoversTheLogAsItStoodWhenItStarted() throws {
        let path = temporaryDatabase()
        let cases = try Self.mixedLog(path: path)
        // The reader on a connection of its own, as another process would be.
        let store = try SQLiteEventStore(path: path)
        let head = try store.lastPosition()
        // Events appended while the snapshot is open are not in it.
        let (during, later) = try store.snapshot { log -> (Int64, Int64) in
            let seen = try log.lastPosition()  // the snapshot begins at its first read
            _ = try cases.open(workflowID: "expert-review", caseID: "LATE-1", actor: "li.wei", role: "applicant",
                               at: at("2020-03-02T10:00:00Z"))
            var last: Int64 = 0
            try log.scan(after: 0, through: Int64.max) { last = $0.position }
            #expect(try log.lastPosition() == seen)
            return (seen, last)
        }
        #expect(during == head)
        #expect(later == head)
        #expect(try store.lastPosition() > head)
        #expect(try store.snapshot { try $0.caseIDs(workflowID: nil) } == (try store.cases()).map(\.caseID))
    }
}
