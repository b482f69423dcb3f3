import DocketCore

/// Writes an event log as XES (IEEE 1849-2016), one trace at a time, in constant memory.
///
/// Each event carries `concept:name` (the activity), `time:timestamp` (UTC, written with an
/// explicit `+00:00` offset), and when known `lifecycle:transition`, `org:resource`, `org:role`,
/// `org:group`, `concept:instance` and `start_timestamp` (a date); other attributes are strings.
/// Traces carry `concept:name` (the case id) and their attributes as strings. The header declares
/// the Concept, Time, Lifecycle and Organizational extensions and the `Activity` classifier, as
/// pm4py and ProM expect. Text is escaped for XML; characters XML 1.0 cannot carry (control
/// characters other than tab, newline and carriage return) become U+FFFD.
public final class XESLogWriter {
    private var out: OutputBuffer
    private var started = false
    private var finished = false
    /// The log's own `concept:name`, if any.
    public let logName: String?

    /// A writer into `sink`; `logName` becomes the log's `concept:name`.
    public init(sink: any LogSink, logName: String? = nil) {
        out = OutputBuffer(sink: sink)
        self.logName = logName
    }

    /// Writes one trace (the header first, on the first call).
    public func write(_ trace: LogTrace) throws {
        precondition(!finished, "XESLogWriter.write after finish")
        if !started { header() }
        out.append("\t<trace>\n")
        stringAttribute("concept:name", trace.caseID, indent: 2)
        for key in trace.attributes.keys.sorted() where key != "concept:name" {
            stringAttribute(key, trace.attributes[key] ?? "", indent: 2)
        }
        for event in trace.events {
            out.append("\t\t<event>\n")
            stringAttribute("concept:name", event.activity, indent: 3)
            dateAttribute("time:timestamp", event.timestamp)
            if let v = event.lifecycle { stringAttribute("lifecycle:transition", v, indent: 3) }
            if let v = event.resource { stringAttribute("org:resource", v, indent: 3) }
            if let v = event.role { stringAttribute("org:role", v, indent: 3) }
            if let v = event.group { stringAttribute("org:group", v, indent: 3) }
            if let v = event.instance { stringAttribute("concept:instance", v, indent: 3) }
            if let v = event.startTimestamp { dateAttribute("start_timestamp", v) }
            if !event.attributes.isEmpty {
                for key in event.attributes.keys.sorted() {
                    stringAttribute(key, event.attributes[key] ?? "", indent: 3)
                }
            }
            out.append("\t\t</event>\n")
        }
        out.append("\t</trace>\n")
        try out.flushIfFull()
    }

    /// Closes the log element and finishes the sink. A log without traces is still a valid XES
    /// document.
    public func finish() throws {
        guard !finished else { return }
        if !started { header() }
        out.append("</log>\n")
        try out.flush()
        try out.sink.finish()
        finished = true
    }

    private func header() {
        started = true
        out.append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
            \t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
            \t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
            \t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
            \t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
            \t<global scope="trace">
            \t\t<string key="concept:name" value="__INVALID__"/>
            \t</global>
            \t<global scope="event">
            \t\t<string key="concept:name" value="__INVALID__"/>
            \t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
            \t</global>
            \t<classifier name="Activity" keys="concept:name"/>

            """)
        if let logName { stringAttribute("concept:name", logName, indent: 1) }
    }

    private func indent(_ n: Int) {
        for _ in 0..<n { out.append(byte: 0x09) }
    }

    private func stringAttribute(_ key: String, _ value: String, indent n: Int) {
        indent(n)
        out.append("<string key=\"")
        escaped(key)
        out.append("\" value=\"")
        escaped(value)
        out.append("\"/>\n")
    }

    private func dateAttribute(_ key: StaticString, _ value: Timestamp) {
        indent(3)
        out.append("<date key=\"")
        out.append(key)
        out.append("\" value=\"")
        out.appendTime(value, separator: UInt8(ascii: "T"))
        out.append("\"/>\n")
    }

    /// Appends `text` escaped for a double-quoted XML attribute value.
    private func escaped(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var plainStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                let replacement: StaticString?
                switch b {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case 0x09: replacement = "&#9;"
                case 0x0A: replacement = "&#10;"
                case 0x0D: replacement = "&#13;"
                case 0x00..<0x20: replacement = "\u{FFFD}"
                default: replacement = nil
                }
                guard let replacement else { continue }
                if plainStart < i { out.appendBytes(UnsafeBufferPointer(rebasing: bytes[plainStart..<i])) }
                out.append(replacement)
                plainStart = i + 1
            }
            if plainStart < bytes.count { out.appendBytes(UnsafeBufferPointer(rebasing: bytes[plainStart...])) }
        }
    }
}
