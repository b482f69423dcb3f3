import DocketCore

/// Writes an event log as CSV, one row per event, with pm4py's column names, in constant memory.
///
/// Columns: `case:concept:name`, `concept:name`, `time:timestamp`, then those ``Columns`` asks
/// for: `lifecycle:transition`, `org:resource`, `org:role`, `org:group`, `concept:instance`,
/// `start_timestamp`, each case attribute as `case:KEY` and each other event attribute under its
/// own name. That is what `pm4py.write_csv` produces and what `pm4py.read_csv` +
/// `format_dataframe` and `docket analyze` read back. Times are ISO 8601 in UTC with an explicit
/// `+00:00` (`2011-10-01 07:45:13.917+00:00`); an absent value is an empty cell. Fields are
/// separated by commas and quoted (RFC 4180) when they hold a comma, a quote, a line break or
/// leading or trailing blanks.
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
            let newCase = trace.attributes.keys.filter { $0 != "concept:name" && !caseAttributes.contains($0) }
            caseAttributes += newCase.sorted()
            var newEvent: Set<String> = []
            for e in trace.events {
                if e.lifecycle != nil { lifecycle = true }
                if e.resource != nil { resource = true }
                if e.role != nil { role = true }
                if e.group != nil { group = true }
                if e.instance != nil { instance = true }
                if e.startTimestamp != nil { startTimestamp = true }
                for key in e.attributes.keys where !eventAttributes.contains(key) { newEvent.insert(key) }
            }
            eventAttributes += newEvent.sorted()
        }

        /// The columns that cover every trace of `traces`.
        public static func covering(_ traces: some Sequence<LogTrace>) -> Columns {
            var columns = Columns()
            for trace in traces { columns.include(trace) }
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
    }

    public let columns: Columns
    private var out: OutputBuffer
    private var started = false
    private var finished = false

    /// A writer into `sink` with a header of `columns`.
    public init(sink: any LogSink, columns: Columns) {
        self.columns = columns
        out = OutputBuffer(sink: sink)
    }

    /// Writes the rows of one trace (the header first, on the first call). Values for columns
    /// the writer was not given are left out.
    public func write(_ trace: LogTrace) throws {
        precondition(!finished, "CSVLogWriter.write after finish")
        if !started { header() }
        let caseValues = columns.caseAttributes.map { trace.attributes[$0] }
        for e in trace.events {
            field(trace.caseID)
            comma()
            field(e.activity)
            comma()
            out.appendTime(e.timestamp, separator: UInt8(ascii: " "))
            if columns.lifecycle { comma(); field(e.lifecycle) }
            if columns.resource { comma(); field(e.resource) }
            if columns.role { comma(); field(e.role) }
            if columns.group { comma(); field(e.group) }
            if columns.instance { comma(); field(e.instance) }
            if columns.startTimestamp {
                comma()
                if let t = e.startTimestamp { out.appendTime(t, separator: UInt8(ascii: " ")) }
            }
            for value in caseValues { comma(); field(value) }
            for key in columns.eventAttributes { comma(); field(e.attributes[key]) }
            out.append(byte: 0x0A)
        }
        try out.flushIfFull()
    }

    /// Flushes and finishes the sink (a log without events is just the header).
    public func finish() throws {
        guard !finished else { return }
        if !started { header() }
        try out.flush()
        try out.sink.finish()
        finished = true
    }

    private func header() {
        started = true
        for (i, name) in columns.names.enumerated() {
            if i > 0 { comma() }
            field(name)
        }
        out.append(byte: 0x0A)
    }

    private func comma() { out.append(byte: UInt8(ascii: ",")) }

    private func field(_ value: String?) {
        guard let value, !value.isEmpty else { return }
        var text = value
        text.withUTF8 { bytes in
            guard CSVField.needsQuotes(bytes) else {
                out.appendBytes(bytes)
                return
            }
            out.append(byte: UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { out.append(byte: b) }
                out.append(byte: b)
            }
            out.append(byte: UInt8(ascii: "\""))
        }
    }
}
