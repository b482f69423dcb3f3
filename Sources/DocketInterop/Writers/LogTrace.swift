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

    mutating func appendBytes(_ slice: ArraySlice<UInt8>) {
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
    /// time (see ``appendTime(_:separator:to:)``).
    mutating func appendTime(_ t: Timestamp, separator: UInt8) {
        Self.appendTime(t, separator: separator, to: &bytes)
    }

    /// `t` as ISO 8601 in UTC with an explicit `+00:00` offset and `separator` between date and
    /// time; fractions as milliseconds when that is exact, else microseconds, none when zero.
    static func appendTime(_ t: Timestamp, separator: UInt8, to bytes: inout [UInt8]) {
        let c = CivilDateTime(t, offsetSeconds: 0)
        digits(c.year, 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(c.month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        digits(c.day, 2, to: &bytes)
        bytes.append(separator)
        digits(c.hour, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(c.minute, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        digits(c.second, 2, to: &bytes)
        if c.microsecond != 0 {
            bytes.append(UInt8(ascii: "."))
            if c.microsecond % 1000 == 0 {
                digits(c.microsecond / 1000, 3, to: &bytes)
            } else {
                digits(c.microsecond, 6, to: &bytes)
            }
        }
        let offset: StaticString = "+00:00"
        offset.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `value` in decimal, zero-padded to `width` digits (written in place: this runs seven
    /// times for every time written).
    private static func digits(_ value: Int, _ width: Int, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            digits(-value, width, to: &bytes)
            return
        }
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        if count < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count)) }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var v = value
        var at = start + count - 1
        while at >= start {
            bytes[at] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            at -= 1
        }
    }
}
