import DocketCore

/// Writes an event log as CSV, one row per event, with pm4py's column names, in bounded memory.
///
/// Columns: `case:concept:name`, `concept:name`, `time:timestamp`, then those ``Columns`` asks
/// for: `lifecycle:transition`, `org:resource`, `org:role`, `org:group`, `concept:instance`,
/// `start_timestamp`, each case attribute as `case:KEY` and each other event attribute under its
/// own name. That is what `pm4py.write_csv` produces and what `pm4py.read_csv` +
/// `format_dataframe` and `docket analyze` read back. Times are ISO 8601 in UTC with an explicit
/// `+00:00` (`2011-10-01 07:45:13.917+00:00`); an absent value is an empty cell. Fields are
/// separated by commas and quoted (RFC 4180) when they hold a comma, a quote, a line break or
/// leading or trailing blanks.
///
/// The header names every column some trace fills (``Columns/include(_:)``), so it is known only
/// when the last trace is in: the writer takes each trace once, keeps its rows with each value
/// already written as a field (a `RecordSpill`: in memory up to a limit, beyond it in a
/// temporary file), and writes the header and then the rows, each cell in its column, when it
/// finishes.
public final class CSVLogWriter {
    /// Which optional columns to write. A column no event fills is better left out: pm4py reads
    /// an all-empty column as numbers.
    public struct Columns: Sendable, Equatable {
        public var lifecycle = false
        public var resource = false
        public var role = false
        public var group = false
        public var instance = false
        public var startTimestamp = false
        /// Case attribute keys, written as `case:KEY`, in this order.
        public var caseAttributes: [String] = []
        /// Other event attribute keys, in this order.
        public var eventAttributes: [String] = []

        public init(
            lifecycle: Bool = false, resource: Bool = false, role: Bool = false, group: Bool = false,
            instance: Bool = false, startTimestamp: Bool = false, caseAttributes: [String] = [], eventAttributes: [String] = []
        ) {
            self.lifecycle = lifecycle
            self.resource = resource
            self.role = role
            self.group = group
            self.instance = instance
            self.startTimestamp = startTimestamp
            self.caseAttributes = caseAttributes
            self.eventAttributes = eventAttributes
        }

        /// Widens the columns to cover everything `trace` holds (new attribute keys go last, sorted).
        public mutating func include(_ trace: LogTrace) {
            var index = ColumnIndex(self)
            index.include(trace, into: &self)
        }

        /// The columns that cover every trace of `traces`.
        public static func covering(_ traces: some Sequence<LogTrace>) -> Columns {
            var columns = Columns()
            var index = ColumnIndex(columns)
            for trace in traces { index.include(trace, into: &columns) }
            return columns
        }

        /// The header row's names, in order.
        public var names: [String] {
            var names = ["case:concept:name", "concept:name", "time:timestamp"]
            if lifecycle { names.append("lifecycle:transition") }
            if resource { names.append("org:resource") }
            if role { names.append("org:role") }
            if group { names.append("org:group") }
            if instance { names.append("concept:instance") }
            if startTimestamp { names.append("start_timestamp") }
            names += caseAttributes.map { "case:" + $0 }
            names += eventAttributes
            return names
        }

        /// Whether each optional standard column is written, in the header's order.
        var standard: [Bool] { [lifecycle, resource, role, group, instance, startTimestamp] }
    }

    /// ``Columns`` with the position of each attribute key: widening by a trace looks each key up
    /// once instead of searching the lists.
    struct ColumnIndex {
        private(set) var caseColumn: [String: Int] = [:]
        private(set) var eventColumn: [String: Int] = [:]

        init(_ columns: Columns) {
            for (i, key) in columns.caseAttributes.enumerated() where caseColumn[key] == nil { caseColumn[key] = i }
            for (i, key) in columns.eventAttributes.enumerated() where eventColumn[key] == nil { eventColumn[key] = i }
        }

        /// Widens `columns` (which this indexes) to cover `trace`: new keys go last, sorted.
        mutating func include(_ trace: LogTrace, into columns: inout Columns) {
            var newCase: [String] = []
            for key in trace.attributes.keys where key != "concept:name" && caseColumn[key] == nil { newCase.append(key) }
            for key in newCase.sorted() {
                caseColumn[key] = columns.caseAttributes.count
                columns.caseAttributes.append(key)
            }
            var newEvent: Set<String> = []
            for e in trace.events {
                if e.lifecycle != nil { columns.lifecycle = true }
                if e.resource != nil { columns.resource = true }
                if e.role != nil { columns.role = true }
                if e.group != nil { columns.group = true }
                if e.instance != nil { columns.instance = true }
                if e.startTimestamp != nil { columns.startTimestamp = true }
                for key in e.attributes.keys where eventColumn[key] == nil { newEvent.insert(key) }
            }
            for key in newEvent.sorted() {
                eventColumn[key] = columns.eventAttributes.count
                columns.eventAttributes.append(key)
            }
        }
    }

    /// The columns of the traces written so far (with those the writer was given); the header's
    /// when the writer has finished.
    public private(set) var columns: Columns
    private var index: ColumnIndex
    private let sink: any LogSink
    private let spill: RecordSpill
    /// The record of the trace being held back (its buffer reused).
    private var record = SpilledTrace()
    private var finished = false

    /// A writer into `sink` whose header has `columns` and whatever more the traces fill.
    /// `spillMemory`: bytes of rows kept in memory before the rest goes to a temporary file
    /// (in `TMPDIR`).
    public init(sink: any LogSink, columns: Columns = Columns(), spillMemory: Int = 16 << 20) {
        self.columns = columns
        index = ColumnIndex(columns)
        self.sink = sink
        spill = RecordSpill(memoryLimit: spillMemory)
    }

    /// Whether the rows outgrew the memory given and went to a temporary file.
    public var spilledToFile: Bool { spill.usesFile }

    /// Takes the rows of one trace: they are written when the writer finishes.
    public func write(_ trace: LogTrace) throws {
        precondition(!finished, "CSVLogWriter.write after finish")
        index.include(trace, into: &columns)
        var r = SpilledTrace()
        swap(&r, &record)
        r.encode(trace, index)
        try spill.append(r.bytes)
        swap(&r, &record)
    }

    /// Writes the header and every row, flushes and finishes the sink (a log without events is
    /// just the header).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        var out = OutputBuffer(sink: sink)
        for (i, name) in columns.names.enumerated() {
            if i > 0 { out.append(byte: UInt8(ascii: ",")) }
            var field: [UInt8] = []
            SpilledTrace.appendField(name, to: &field)
            out.appendBytes(field[...])
        }
        out.append(byte: 0x0A)
        let standard = columns.standard
        // Where each column's field lies in the record being written, nil when the row has none.
        var caseCells = [Range<Int>?](repeating: nil, count: columns.caseAttributes.count)
        var eventCells = [Range<Int>?](repeating: nil, count: columns.eventAttributes.count)
        var filled: [Int] = []
        try spill.forEach { record in
            var reader = SpilledTrace.Reader(record: record)
            let caseID = reader.span()
            for _ in 0..<reader.number() {
                let column = reader.number()
                caseCells[column] = reader.span()
            }
            for _ in 0..<reader.number() {
                out.appendBytes(record[caseID])
                out.append(byte: UInt8(ascii: ","))
                out.appendBytes(record[reader.span()])
                for written in standard {
                    let cell = reader.span()
                    if written {
                        out.append(byte: UInt8(ascii: ","))
                        out.appendBytes(record[cell])
                    }
                }
                for cell in caseCells {
                    out.append(byte: UInt8(ascii: ","))
                    if let cell { out.appendBytes(record[cell]) }
                }
                filled.removeAll(keepingCapacity: true)
                for _ in 0..<reader.number() {
                    let column = reader.number()
                    eventCells[column] = reader.span()
                    filled.append(column)
                }
                for cell in eventCells {
                    out.append(byte: UInt8(ascii: ","))
                    if let cell { out.appendBytes(record[cell]) }
                }
                for column in filled { eventCells[column] = nil }
                out.append(byte: 0x0A)
            }
            for i in caseCells.indices { caseCells[i] = nil }
            try out.flushIfFull()
        }
        try out.flush()
        try sink.finish()
    }
}

/// One trace's rows as ``CSVLogWriter`` holds them back: every value already a CSV field.
///
/// Layout (counts, columns and lengths 4 bytes little-endian; a field is its length and bytes):
/// the case id field; the number of case attributes, each its column and field; the number of
/// events, each: `activity,time` as one field, the six standard fields (lifecycle, resource,
/// role, group, instance, start time; empty when absent), the number of attributes, each its
/// column and field.
struct SpilledTrace {
    var bytes: [UInt8] = []

    mutating func encode(_ trace: LogTrace, _ index: CSVLogWriter.ColumnIndex) {
        bytes.removeAll(keepingCapacity: true)
        field(trace.caseID)
        number(trace.attributes.count - (trace.attributes["concept:name"] == nil ? 0 : 1))
        for (key, value) in trace.attributes where key != "concept:name" {
            number(index.caseColumn[key]!)
            field(value)
        }
        number(trace.events.count)
        for e in trace.events {
            let slot = open()
            Self.appendField(e.activity, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            OutputBuffer.appendTime(e.timestamp, separator: UInt8(ascii: " "), to: &bytes)
            close(slot)
            field(e.lifecycle)
            field(e.resource)
            field(e.role)
            field(e.group)
            field(e.instance)
            let time = open()
            if let t = e.startTimestamp { OutputBuffer.appendTime(t, separator: UInt8(ascii: " "), to: &bytes) }
            close(time)
            number(e.attributes.count)
            for (key, value) in e.attributes {
                number(index.eventColumn[key]!)
                field(value)
            }
        }
    }

    mutating func number(_ value: Int) {
        let n = UInt32(value)
        bytes.append(UInt8(truncatingIfNeeded: n))
        bytes.append(UInt8(truncatingIfNeeded: n >> 8))
        bytes.append(UInt8(truncatingIfNeeded: n >> 16))
        bytes.append(UInt8(truncatingIfNeeded: n >> 24))
    }

    /// A field: its length, then `value` as CSV writes it.
    mutating func field(_ value: String?) {
        let slot = open()
        Self.appendField(value, to: &bytes)
        close(slot)
    }

    /// Starts a field whose length is known once it is written.
    private mutating func open() -> Int {
        bytes.append(contentsOf: repeatElement(0, count: 4))
        return bytes.count
    }

    private mutating func close(_ start: Int) {
        let n = UInt32(bytes.count - start)
        bytes[start - 4] = UInt8(truncatingIfNeeded: n)
        bytes[start - 3] = UInt8(truncatingIfNeeded: n >> 8)
        bytes[start - 2] = UInt8(truncatingIfNeeded: n >> 16)
        bytes[start - 1] = UInt8(truncatingIfNeeded: n >> 24)
    }

    /// `value` as a CSV field: nothing when absent or empty, quoted when it has to be.
    static func appendField(_ value: String?, to bytes: inout [UInt8]) {
        guard let value, !value.isEmpty else { return }
        var text = value
        text.withUTF8 { utf8 in
            guard CSVField.needsQuotes(utf8) else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(UInt8(ascii: "\""))
            for b in utf8 {
                if b == UInt8(ascii: "\"") { bytes.append(b) }
                bytes.append(b)
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Reads a record back in the order it was written.
    struct Reader {
        let record: ArraySlice<UInt8>
        var at: Int

        init(record: ArraySlice<UInt8>) {
            self.record = record
            at = record.startIndex
        }

        mutating func number() -> Int {
            defer { at += 4 }
            return Int(record[at]) | Int(record[at + 1]) << 8 | Int(record[at + 2]) << 16 | Int(record[at + 3]) << 24
        }

        /// The next field's bytes.
        mutating func span() -> Range<Int> {
            let count = number()
            defer { at += count }
            return at..<(at + count)
        }
    }
}
