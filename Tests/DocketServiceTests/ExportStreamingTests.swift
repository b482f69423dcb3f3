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
            return referenceCSV(traces)
        case .xes:
            let writer = XESLogWriter(sink: sink, logName: workflowID)
            for trace in traces { try writer.write(trace) }
            try writer.finish()
        case .jsonl:
            return try referenceJSONL(store, workflowID: workflowID)
        }
        return sink.bytes
    }

    /// CSV as the writer wrote it when the exporter found the columns in a first pass: the header
    /// of the columns covering every trace, then each row straight out, cell by cell.
    static func referenceCSV(_ traces: [LogTrace]) -> [UInt8] {
        let columns = CSVLogWriter.Columns.covering(traces)
        func time(_ t: Timestamp) -> String {
            let c = CivilDateTime(t, offsetSeconds: 0)
            func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
            var text = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
            if c.microsecond != 0 { text += c.microsecond % 1000 == 0 ? ".\(pad(c.microsecond / 1000, 3))" : ".\(pad(c.microsecond, 6))" }
            return text + "+00:00"
        }
        func field(_ value: String?) -> String { value.map(CSVField.text) ?? "" }
        var text = columns.names.map(CSVField.text).joined(separator: ",") + "\n"
        for trace in traces {
            for e in trace.events {
                var row = [field(trace.caseID), field(e.activity), time(e.timestamp)]
                if columns.lifecycle { row.append(field(e.lifecycle)) }
                if columns.resource { row.append(field(e.resource)) }
                if columns.role { row.append(field(e.role)) }
                if columns.group { row.append(field(e.group)) }
                if columns.instance { row.append(field(e.instance)) }
                if columns.startTimestamp { row.append(e.startTimestamp.map(time) ?? "") }
                row += columns.caseAttributes.map { field(trace.attributes[$0]) }
                row += columns.eventAttributes.map { field(e.attributes[$0]) }
                text += row.joined(separator: ",") + "\n"
            }
        }
        return Array(text.utf8)
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

    @Test func aColumnOnlyALateCaseFillsIsInTheCSVHeader() throws {
        // The header comes first but is known only at the last trace: the rows wait for it.
        let cases = try service(clock: backFillingClock())
        for n in 1...3 {
            _ = try cases.open(workflowID: "permit-check", caseID: "C-\(n)", actor: "li.wei", role: "applicant",
                               data: ["channel": "online"], at: at("2020-03-02T10:00:00Z"))
            _ = try cases.fire(caseID: "C-\(n)", event: "accept", actor: "wang", role: "clerk", at: at("2020-03-02T11:00:00Z"))
        }
        _ = try cases.open(workflowID: "permit-check", caseID: "C-4", actor: "li.wei", role: "applicant",
                           data: ["channel": "post", "urgency": "high, very"], at: at("2020-03-03T10:00:00Z"))
        _ = try cases.fire(caseID: "C-4", event: "accept", actor: "wang", role: "clerk", reason: "late \"reason\"",
                           at: at("2020-03-03T11:00:00Z"))
        let (bytes, summary) = try Self.exported(cases.store, .csv)
        #expect(summary.cases == 4 && summary.events == 8)
        #expect(bytes == (try Self.referenceTraces(cases.store, format: .csv)))
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.contains("case:urgency") && header.contains("reason"))
        #expect(header.firstIndex(of: "case:channel")! < header.firstIndex(of: "case:urgency")!)
        #expect(lines.count == 9)
        // Every row has every column; the late case's rows hold its value, the others' are empty.
        #expect(lines.dropFirst(1).prefix(6).allSatisfy { !$0.contains("high") && !$0.contains("late") })
        #expect(lines[7].hasPrefix("C-4,case_opened,") && lines[7].contains(",\"high, very\""))
        #expect(lines[8].hasPrefix("C-4,accept,") && lines[8].contains(",\"late \"\"reason\"\"\""))
        #expect(lines[1].filter { $0 == "," }.count == header.count - 1)
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

    /// A sink whose disk fills after `room` bytes.
    final class FullDiskSink: LogSink {
        struct DiskFull: Error {}
        var room: Int
        private(set) var written = 0
        init(room: Int) { self.room = room }
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard written + bytes.count <= room else { throw DiskFull() }
            written += bytes.count
        }
        func finish() throws {}
    }

    @Test(arguments: [ExportFormat.xes, .csv])
    func aSinkThatFailsStopsTheExportAndItsReader(_ format: ExportFormat) throws {
        // The cases are read on a thread of their own: the writer's error must reach the caller
        // (not hang on a reader waiting to hand over more), and the store stays usable.
        let path = temporaryDatabase()
        let cases = try Self.mixedLog(path: path)
        let sink = FullDiskSink(room: 4_096)
        #expect(throws: FullDiskSink.DiskFull.self) {
            try LogExporter(store: cases.store).export(format: format, to: sink)
        }
        #expect(sink.written <= 4_096)
        // No read transaction is left open: a checkpoint can take the whole write-ahead log back.
        let busy = try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        #expect(busy == 0)
        let again = try Self.exported(cases.store, format)
        #expect(again.summary.cases == (try cases.store.cases()).count)
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
