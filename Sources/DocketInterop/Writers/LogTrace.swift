import DocketCore

/// One case of a log as the writers take it: its id, its case-level attributes and its events,
/// in the order they are to appear.
public struct LogTrace: Sendable, Hashable {
    /// The case id, written as the trace's `concept:name` (CSV `case:concept:name`).
    public var caseID: String
    /// Other case attributes (XES trace attributes, CSV `case:KEY` columns), written as text in
    /// key order. A `concept:name` key here is ignored: ``caseID`` is the case's name.
    public var attributes: [String: String]
    /// The events, in order. Their ``LogEvent/caseID`` is not read: they belong to this trace.
    public var events: [LogEvent]

    public init(caseID: String, attributes: [String: String] = [:], events: [LogEvent] = []) {
        self.caseID = caseID
        self.attributes = attributes
        self.events = events
    }
}

/// Bytes being assembled for a sink, flushed in large slices.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []
    let sink: any LogSink
    static let flushThreshold = 256 * 1024

    init(sink: any LogSink) {
        self.sink = sink
        bytes.reserveCapacity(Self.flushThreshold + 4096)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func appendBytes(_ slice: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: slice)
    }

    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    mutating func flushIfFull() throws {
        if bytes.count >= Self.flushThreshold { try flush() }
    }

    mutating func flush() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try sink.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// `t` as ISO 8601 in UTC with an explicit `+00:00` offset and `separator` between date and
    /// time; fractions as milliseconds when that is exact, else microseconds, none when zero.
    mutating func appendTime(_ t: Timestamp, separator: UInt8) {
        let c = CivilDateTime(t, offsetSeconds: 0)
        digits(c.year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(c.month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(c.day, 2)
        bytes.append(separator)
        digits(c.hour, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(c.minute, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(c.second, 2)
        if c.microsecond != 0 {
            bytes.append(UInt8(ascii: "."))
            if c.microsecond % 1000 == 0 { digits(c.microsecond / 1000, 3) } else { digits(c.microsecond, 6) }
        }
        append("+00:00")
    }

    private mutating func digits(_ value: Int, _ width: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            digits(-value, width)
            return
        }
        var scratch: [UInt8] = []
        var v = value
        repeat {
            scratch.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        if scratch.count < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - scratch.count)) }
        bytes.append(contentsOf: scratch.reversed())
    }
}
