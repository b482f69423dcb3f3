import DocketCore

/// Reads an XES log (IEEE 1849), plain or gzip-compressed, as a stream of events.
///
/// Events come in file order, one batch per chunk of the file, each batch holding whole traces.
/// Memory stays at a few chunks however large the file. The reading follows pm4py's XES import
/// so that figures computed from it match pm4py's:
/// - the case id is the trace's own `concept:name`, wherever it appears among the trace's children;
/// - only an event's direct attributes count (nested attributes and list items do not), and
///   a repeated key keeps its last value;
/// - `global` defaults are not applied, and events outside any trace are skipped;
/// - element names may carry a namespace prefix (`xes:event`).
///
/// Gzip is recognised by its magic bytes and inflated on a second thread.
package struct XESReader: Sendable {
    /// What to read besides the standard fields.
    package struct Options: Sendable {
        /// How to read timestamps without an offset (pm4py: UTC).
        package var naiveTimeZone: NaiveTimeZone
        /// Whether to fill ``LogEvent/attributes`` with every other event attribute.
        package var collectsAttributes: Bool
        /// Event attributes kept even without ``collectsAttributes``, and trace attributes kept on
        /// each of the trace's events as `case:KEY` (pm4py's name for them).
        package var keptAttributes: Set<String>
        /// The longest item and the deepest nesting the reader holds.
        package var limits: LogReadLimits

        package init(naiveTimeZone: NaiveTimeZone = .utc, collectsAttributes: Bool = false, keptAttributes: Set<String> = [],
                     limits: LogReadLimits = .init()) {
            self.naiveTimeZone = naiveTimeZone
            self.collectsAttributes = collectsAttributes
            self.keptAttributes = keptAttributes
            self.limits = limits
        }
    }

    package let path: String
    package let displayName: String
    package let options: Options

    /// A reader of the file at `path`; errors name it `displayName` (default: `path`).
    package init(path: String, displayName: String? = nil, options: Options = Options()) {
        self.path = path
        self.displayName = displayName ?? path
        self.options = options
    }

    /// Reads the whole log, calling `body` with consecutive batches of events (whole traces,
    /// in file order). Throws ``LogReadError`` for unreadable, damaged or malformed input, or
    /// whatever `body` throws.
    package func forEachBatch(_ body: ([LogEvent]) throws -> Void) throws {
        let source = try FileBytes(path: path, displayName: displayName)
        var interpreter = XESInterpreter(options: options)
        try XMLDocumentStream.parse(source, limits: options.limits, handler: &interpreter) { interpreter in
            if !interpreter.completed.isEmpty {
                try body(interpreter.completed)
                interpreter.completed.removeAll(keepingCapacity: true)
            }
        }
    }
}

/// Turns XML elements into events with pm4py's reading of XES.
struct XESInterpreter: XMLElementHandler {
    /// What an open element is, for the elements inside it.
    enum Context {
        case document, log, trace, event
        /// Anything whose content does not reach the log's events: nested attributes, lists,
        /// globals, extensions, classifiers, unknown elements, events outside traces.
        case ignored
    }

    let options: XESReader.Options
    /// Events of the traces completed since the last hand-over.
    var completed: [LogEvent] = []

    private var contexts: [Context] = [.document]
    private var insideTrace = false
    private var insideEvent = false
    private var caseID: String?
    private var traceEvents: [LogEvent] = []
    /// The trace's attributes named in the options' kept attributes, as `case:KEY`.
    private var traceAttributes: [String: String] = [:]
    private var strings = StringInterner()
    private var keys = StringInterner()

    private var activity: String?
    private var timestamp: Timestamp?
    private var lifecycle: String?
    private var resource: String?
    private var group: String?
    private var role: String?
    private var instance: String?
    private var startTimestamp: Timestamp?
    private var attributes: [String: String] = [:]

    init(options: XESReader.Options) {
        self.options = options
    }

    /// The part of an element name after its namespace prefix.
    private static func localName(_ name: XMLBytes) -> XMLBytes {
        var i = name.count - 1
        while i >= 0 {
            if name[i] == UInt8(ascii: ":") { return XMLBytes(rebasing: name[(i + 1)...]) }
            i -= 1
        }
        return name
    }

    private static func isAttributeElement(_ local: XMLBytes) -> Bool {
        switch local.count {
        case 2: return bytesEqual(local, "id")
        case 3: return bytesEqual(local, "int")
        case 4: return bytesEqual(local, "date") || bytesEqual(local, "list")
        case 5: return bytesEqual(local, "float")
        case 6: return bytesEqual(local, "string")
        case 7: return bytesEqual(local, "boolean")
        case 9: return bytesEqual(local, "container")
        default: return false
        }
    }

    mutating func startElement(_ name: XMLBytes, _ attributes: borrowing XMLAttributeList) throws(XMLContentError) {
        let local = Self.localName(name)
        let parent = contexts[contexts.count - 1]
        if bytesEqual(local, "event") && insideEvent {
            throw XMLContentError(code: .invalidLog, message: "an <event> inside another <event>")
        }
        if bytesEqual(local, "trace") && insideTrace {
            throw XMLContentError(code: .invalidLog, message: "a <trace> inside another <trace>")
        }
        switch parent {
        case .document:
            guard bytesEqual(local, "log") else {
                throw XMLContentError(
                    code: .invalidLog, message: "the root element is <\(String(decoding: name, as: UTF8.self))>, not an XES <log>")
            }
            contexts.append(.log)
        case .log:
            if bytesEqual(local, "trace") {
                insideTrace = true
                caseID = nil
                traceEvents.removeAll(keepingCapacity: true)
                if !traceAttributes.isEmpty { traceAttributes = [:] }
                contexts.append(.trace)
            } else {
                contexts.append(.ignored)
            }
        case .trace:
            if bytesEqual(local, "event") {
                beginEvent()
                contexts.append(.event)
            } else {
                if Self.isAttributeElement(local) && !bytesEqual(local, "list"),
                    let key = attributes.value(named: "key"), bytesEqual(key, "concept:name")
                {
                    caseID = String(decoding: attributes.value(named: "value") ?? XMLBytes(start: nil, count: 0), as: UTF8.self)
                } else if !options.keptAttributes.isEmpty, Self.isAttributeElement(local), !bytesEqual(local, "list"),
                    !bytesEqual(local, "container"), let key = attributes.value(named: "key"), let value = attributes.value(named: "value")
                {
                    let name = "case:" + String(decoding: key, as: UTF8.self)
                    if options.keptAttributes.contains(name) { traceAttributes[name] = strings.string(value) }
                }
                contexts.append(.ignored)
            }
        case .event:
            if Self.isAttributeElement(local), let key = attributes.value(named: "key") {
                try eventAttribute(type: local, key: key, value: attributes.value(named: "value"))
            }
            contexts.append(.ignored)
        case .ignored:
            contexts.append(.ignored)
        }
    }

    mutating func endElement(_ name: XMLBytes) throws(XMLContentError) {
        let context = contexts.removeLast()
        switch context {
        case .event:
            insideEvent = false
            guard let activity else {
                throw XMLContentError(code: .invalidLog, message: "an event without an activity (concept:name)")
            }
            guard let timestamp else {
                throw XMLContentError(code: .invalidLog, message: "an event without a timestamp (time:timestamp)")
            }
            traceEvents.append(LogEvent(
                caseID: "", activity: activity, timestamp: timestamp, lifecycle: lifecycle,
                resource: resource, group: group, role: role, instance: instance,
                startTimestamp: startTimestamp, attributes: attributes))
        case .trace:
            insideTrace = false
            guard !traceEvents.isEmpty else { return }
            guard let caseID else {
                throw XMLContentError(code: .invalidLog, message: "a trace without a case id (concept:name)")
            }
            for i in traceEvents.indices {
                traceEvents[i].caseID = caseID
                // Trace attributes may come after the events: added when the trace ends.
                for (key, value) in traceAttributes where traceEvents[i].attributes[key] == nil { traceEvents[i].attributes[key] = value }
            }
            completed.append(contentsOf: traceEvents)
            traceEvents.removeAll(keepingCapacity: true)
        default:
            break
        }
    }

    private mutating func beginEvent() {
        insideEvent = true
        activity = nil
        timestamp = nil
        lifecycle = nil
        resource = nil
        group = nil
        role = nil
        instance = nil
        startTimestamp = nil
        if !attributes.isEmpty { attributes = [:] }
    }

    private mutating func eventAttribute(type: XMLBytes, key: XMLBytes, value: XMLBytes?) throws(XMLContentError) {
        let isList = bytesEqual(type, "list") || bytesEqual(type, "container")
        let text = isList ? nil : value
        switch key.count {
        case 12 where bytesEqual(key, "concept:name"):
            activity = text.map { strings.string($0) }
            return
        case 14 where bytesEqual(key, "time:timestamp"):
            timestamp = try parseTime(text, key: "time:timestamp")
            return
        case 20 where bytesEqual(key, "lifecycle:transition"):
            lifecycle = text.map { strings.string($0) }
            return
        case 12 where bytesEqual(key, "org:resource"):
            resource = text.map { strings.string($0) }
            return
        case 9 where bytesEqual(key, "org:group"):
            group = text.map { strings.string($0) }
            return
        case 8 where bytesEqual(key, "org:role"):
            role = text.map { strings.string($0) }
            return
        case 16 where bytesEqual(key, "concept:instance"):
            instance = text.map { strings.string($0) }
            return
        case 15 where bytesEqual(key, "start_timestamp"):
            startTimestamp = try parseTime(text, key: "start_timestamp")
            return
        default:
            break
        }
        if let text, options.collectsAttributes || (!options.keptAttributes.isEmpty && options.keptAttributes.contains(keys.string(key))) {
            attributes[keys.string(key)] = strings.string(text)
        }
    }

    private func parseTime(_ text: XMLBytes?, key: String) throws(XMLContentError) -> Timestamp? {
        guard let text else { return nil }
        guard let t = options.naiveTimeZone.parse(text) else {
            throw XMLContentError(
                code: .unparsableTimestamp,
                message: "unparsable timestamp \"\(String(decoding: text, as: UTF8.self))\" in \(key) (expected ISO 8601, e.g. 2011-10-01T09:45:13.917+02:00)")
        }
        return t
    }
}
