// A streaming, non-validating XML 1.0 scanner over UTF-8 bytes, with namespace
// well-formedness checks, written for event logs.
//
// Why not FoundationXML: its XMLParser (libxml2 SAX behind a layer that builds a String
// dictionary per element) reads about 50 MB/s here, and a large permit log is 124 MB of XML.
// This scanner hands out names and values as byte views without allocating, and the XES
// layer recognises the few keys it needs by their bytes.
//
// What it checks is what libxml2 (and so XMLParser) rejects: the tests run both on every log
// and on fuzzed ones, and the scanner must either produce the same elements and attributes or
// report an error. What it does not do: DTD internal subsets (rejected as unsupported),
// encodings other than UTF-8 (ISO-8859-1 is transcoded before it; others are rejected),
// external entities (never loaded).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a name or value, valid only during the handler call that receives them.
typealias XMLBytes = UnsafeBufferPointer<UInt8>

/// Why the content of a well-formed document is not acceptable (raised by a handler).
struct XMLContentError: Error {
    var code: LogReadError.Code
    var message: String
}

/// Receives elements as the scanner meets them, in document order.
protocol XMLElementHandler {
    mutating func startElement(_ name: XMLBytes, _ attributes: borrowing XMLAttributeList) throws(XMLContentError)
    mutating func endElement(_ name: XMLBytes) throws(XMLContentError)
}

/// The attributes of one start tag, names as written and values with references replaced and
/// whitespace normalised (XML 1.0 §3.3.3).
struct XMLAttributeList: ~Copyable {
    fileprivate let records: UnsafePointer<XMLScanner.AttributeRecord>
    let count: Int
    fileprivate let buffer: UnsafePointer<UInt8>
    fileprivate let scratch: UnsafePointer<UInt8>

    func name(_ i: Int) -> XMLBytes {
        let r = records[i]
        return XMLBytes(start: buffer + r.nameStart, count: r.nameLength)
    }

    func value(_ i: Int) -> XMLBytes {
        let r = records[i]
        return XMLBytes(start: (r.valueInScratch ? scratch : buffer) + r.valueStart, count: r.valueLength)
    }

    /// The value of the attribute named `name`, if present.
    func value(named name: StaticString) -> XMLBytes? {
        let key = XMLBytes(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for i in 0..<count where bytesEqual(self.name(i), key) { return value(i) }
        return nil
    }
}

@inline(__always)
func bytesEqual(_ a: XMLBytes, _ b: XMLBytes) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

@inline(__always)
func bytesEqual(_ a: XMLBytes, _ b: StaticString) -> Bool {
    a.count == b.utf8CodeUnitCount && (a.count == 0 || memcmp(a.baseAddress!, b.utf8Start, a.count) == 0)
}

/// A well-formedness error found by the scanner, at `offset` bytes into the scanned buffer.
struct XMLScanError: Error {
    var code: LogReadError.Code
    var message: String
    var offset: Int
}

// Character classes of ASCII bytes.
private let classNameStart: UInt8 = 1
private let classNameChar: UInt8 = 2
private let classSpace: UInt8 = 4
private let classAttributeSpecial: UInt8 = 8  // < & \t \n \r in attribute values
private let classTextSpecial: UInt8 = 16  // & ] in character data

// Written once at first use, read-only after.
nonisolated(unsafe) private let byteClasses: UnsafeMutablePointer<UInt8> = {
    let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    t.initialize(repeating: 0, count: 256)
    for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] |= classNameStart | classNameChar }
    for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] |= classNameStart | classNameChar }
    for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] |= classNameChar }
    for c in [UInt8(ascii: "_"), UInt8(ascii: ":")] { t[Int(c)] |= classNameStart | classNameChar }
    for c in [UInt8(ascii: "-"), UInt8(ascii: ".")] { t[Int(c)] |= classNameChar }
    for c: UInt8 in [0x20, 0x09, 0x0A, 0x0D] { t[Int(c)] |= classSpace }
    for c: UInt8 in [0x3C, 0x26, 0x09, 0x0A, 0x0D] { t[Int(c)] |= classAttributeSpecial }
    for c: UInt8 in [0x26, 0x5D] { t[Int(c)] |= classTextSpecial }
    return t
}()

private let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&")
private let slash = UInt8(ascii: "/"), question = UInt8(ascii: "?"), bang = UInt8(ascii: "!")
private let equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")
private let colon = UInt8(ascii: ":"), semicolon = UInt8(ascii: ";"), hash = UInt8(ascii: "#")
private let newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
private let dash = UInt8(ascii: "-"), closeBracket = UInt8(ascii: "]"), openBracket = UInt8(ascii: "[")

private let xmlNamespaceURI: StaticString = "http://www.w3.org/XML/1998/namespace"
private let xmlnsNamespaceURI: StaticString = "http://www.w3.org/2000/xmlns/"

/// The scanner's state between buffers: open elements, namespace scopes, document position.
struct XMLScanner: ~Copyable {
    fileprivate struct AttributeRecord {
        var nameStart: Int
        var nameLength: Int
        var valueStart: Int
        var valueLength: Int
        var valueInScratch: Bool
        var colon: Int  // offset of the first colon in the name, or -1
    }

    /// Outcome of scanning one item that may continue past the end of the buffer.
    private enum Step {
        case done(Int)  // the offset after the item
        case incomplete
    }

    /// The 1-based line of the first unconsumed byte, which is at `committedOffset` in the
    /// buffer of the last `scan`.
    private(set) var line = 1
    private var committedOffset = 0
    private var atDocumentStart = true
    private var sawRoot = false
    private var rootClosed = false
    private var sawDoctype = false
    private var pendingNewlines = 0

    private var openNames: [UInt8] = []
    /// The deepest nesting of elements taken (``LogReadLimits/maxDepth``).
    var maxDepth = 256
    private var openNameOffsets: [Int] = []
    private var namespacePrefixes: [[UInt8]] = []
    private var namespaceURIs: [[UInt8]] = []
    private var namespaceCounts: [Int] = []

    /// The character-class table, loaded once (reading the global each time costs a lazy-init check).
    private let classes: UnsafeMutablePointer<UInt8> = byteClasses
    private var records: UnsafeMutablePointer<AttributeRecord>
    private var recordCapacity = 16
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    private var scratchCount = 0

    init() {
        records = .allocate(capacity: recordCapacity)
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        records.deallocate()
        scratch.deallocate()
    }

    /// The line of `offset` in `b`, the buffer of the last `scan`.
    func line(of offset: Int, in b: XMLBytes) -> Int {
        var l = line
        var i = committedOffset
        while i < offset && i < b.count {
            if b[i] == newline { l += 1 }
            i += 1
        }
        return l
    }

    /// Scans as many complete items of `b` as possible and returns how many bytes they span;
    /// the rest must be passed again, followed by more data. With `isFinal`, `b` is the end of
    /// the document and an incomplete item is an error.
    mutating func scan<H: XMLElementHandler>(_ b: XMLBytes, isFinal: Bool, handler: inout H) throws(XMLScanError) -> Int {
        let n = b.count
        var p = 0
        committedOffset = 0
        if atDocumentStart {
            guard let afterProlog = try documentStart(b, isFinal: isFinal) else { return 0 }
            p = afterProlog
            committedOffset = p
            atDocumentStart = false
        }
        while p < n {
            pendingNewlines = 0
            let step: Step
            if b[p] != lt {
                step = try text(b, p, isFinal: isFinal)
            } else if p + 1 >= n {
                step = .incomplete
            } else {
                switch b[p + 1] {
                case slash: step = try endTag(b, p, handler: &handler)
                case question: step = try processingInstruction(b, p)
                case bang: step = try markupDeclaration(b, p, isFinal: isFinal)
                default: step = try startTag(b, p, handler: &handler)
                }
            }
            switch step {
            case .done(let next):
                line += pendingNewlines
                p = next
                committedOffset = p
            case .incomplete:
                if isFinal { throw XMLScanError(code: .malformedXML, message: "the document ends inside markup", offset: p) }
                return p
            }
        }
        return p
    }

    /// Checks the end of the document once every byte has been scanned.
    func finish(at offset: Int) throws(XMLScanError) {
        if !openNameOffsets.isEmpty {
            let start = openNameOffsets.last!
            let name = String(decoding: openNames[start...], as: UTF8.self)
            throw XMLScanError(code: .malformedXML, message: "the document ends before </\(name)>", offset: offset)
        }
        if !sawRoot { throw XMLScanError(code: .malformedXML, message: "the document has no root element", offset: offset) }
    }

    // MARK: Document start

    /// Skips a UTF-8 byte-order mark and reads the XML declaration; returns the offset after
    /// them, or `nil` if more bytes are needed to tell.
    private mutating func documentStart(_ b: XMLBytes, isFinal: Bool) throws(XMLScanError) -> Int? {
        let n = b.count
        if n < 6 && !isFinal { return nil }
        var p = 0
        if n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) || b[0] == 0 || b[1] == 0) {
            throw XMLScanError(code: .unsupportedXML, message: "the document is not UTF-8 (UTF-16 or UTF-32 is not supported)", offset: 0)
        }
        if n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { p = 3 }
        // "<?xml" followed by whitespace starts the declaration ("<?xml-stylesheet" is a PI).
        guard n - p >= 6, b[p] == lt, b[p + 1] == question, b[p + 2] == UInt8(ascii: "x"),
            b[p + 3] == UInt8(ascii: "m"), b[p + 4] == UInt8(ascii: "l"),
            classes[Int(b[p + 5])] & classSpace != 0
        else { return p }
        // Find "?>" (no quotes in the declaration may contain it).
        var end = p + 6
        while end + 1 < n && !(b[end] == question && b[end + 1] == gt) { end += 1 }
        if end + 1 >= n {
            if isFinal { throw XMLScanError(code: .malformedXML, message: "unterminated XML declaration", offset: p) }
            return nil
        }
        try xmlDeclaration(b, from: p + 5, to: end)
        line += countNewlines(b, p, end)
        return end + 2
    }

    /// Parses `version`, `encoding` and `standalone` in that order, as XML 1.0 §2.8 requires.
    private func xmlDeclaration(_ b: XMLBytes, from start: Int, to end: Int) throws(XMLScanError) {
        var i = start
        func fail(_ message: String) -> XMLScanError { XMLScanError(code: .malformedXML, message: message, offset: i) }
        func pseudoAttribute(_ name: StaticString) throws(XMLScanError) -> XMLBytes? {
            let save = i
            var j = i
            var spaces = 0
            while j < end && classes[Int(b[j])] & classSpace != 0 { j += 1; spaces += 1 }
            let len = name.utf8CodeUnitCount
            guard spaces > 0, j + len <= end, memcmp(b.baseAddress! + j, name.utf8Start, len) == 0 else {
                i = save
                return nil
            }
            j += len
            while j < end && classes[Int(b[j])] & classSpace != 0 { j += 1 }
            guard j < end, b[j] == equals else { i = j; throw fail("malformed XML declaration: expected '=' after \(name)") }
            j += 1
            while j < end && classes[Int(b[j])] & classSpace != 0 { j += 1 }
            guard j < end, b[j] == quote || b[j] == apostrophe else { i = j; throw fail("malformed XML declaration: \(name) needs a quoted value") }
            let q = b[j]
            j += 1
            let valueStart = j
            while j < end && b[j] != q { j += 1 }
            guard j < end else { i = j; throw fail("malformed XML declaration: unterminated \(name) value") }
            i = j + 1
            return XMLBytes(rebasing: b[valueStart..<j])
        }
        guard let version = try pseudoAttribute("version") else { throw fail("malformed XML declaration: version is missing") }
        guard bytesEqual(version, "1.0") else {
            throw XMLScanError(code: .unsupportedXML, message: "XML version \(String(decoding: version, as: UTF8.self)) is not supported", offset: i)
        }
        if let encoding = try pseudoAttribute("encoding") {
            let name = String(decoding: encoding, as: UTF8.self)
            guard XMLEncoding(declared: name) != nil else {
                throw XMLScanError(code: .unsupportedXML, message: "encoding \(name) is not supported (UTF-8, US-ASCII or ISO-8859-1)", offset: i)
            }
        }
        if let standalone = try pseudoAttribute("standalone") {
            guard bytesEqual(standalone, "yes") || bytesEqual(standalone, "no") else { throw fail("malformed XML declaration: standalone must be yes or no") }
        }
        while i < end && classes[Int(b[i])] & classSpace != 0 { i += 1 }
        guard i == end else { throw fail("malformed XML declaration") }
    }

    // MARK: Character data

    private mutating func text(_ b: XMLBytes, _ start: Int, isFinal: Bool) throws(XMLScanError) -> Step {
        let n = b.count
        var p = start
        var newlines = 0
        // Fast path: whitespace between tags.
        while p < n {
            let c = b[p]
            if c == lt { break }
            if classes[Int(c)] & classSpace == 0 { break }
            if c == newline { newlines += 1 }
            p += 1
        }
        if p == n {
            pendingNewlines = newlines
            return .done(n)  // all whitespace so far: consume it
        }
        if b[p] == lt {
            pendingNewlines = newlines
            return .done(p)
        }
        // Character data: find where it ends before judging it.
        guard let end = find(lt, in: b, from: p) else {
            if isFinal {
                if !openNameOffsets.isEmpty { throw XMLScanError(code: .malformedXML, message: "the document ends inside an element", offset: n) }
                throw outsideRoot(p)
            }
            return .incomplete
        }
        if openNameOffsets.isEmpty { throw outsideRoot(p) }
        while p < end {
            let c = b[p]
            if classes[Int(c)] & classTextSpecial != 0 {
                if c == amp {
                    p = try reference(b, p, limit: end).next
                    continue
                }
                if c == closeBracket && p + 2 < end && b[p + 1] == closeBracket && b[p + 2] == gt {
                    throw XMLScanError(code: .malformedXML, message: "']]>' is not allowed in character data", offset: p)
                }
            } else if c == newline {
                newlines += 1
            }
            p += 1
        }
        pendingNewlines = newlines
        return .done(end)
    }

    private func outsideRoot(_ offset: Int) -> XMLScanError {
        XMLScanError(
            code: .malformedXML,
            message: rootClosed ? "text after the end of the root element" : "text before the root element",
            offset: offset)
    }

    /// Reads an entity or character reference at `p` (`&...;`) and returns its UTF-8 bytes.
    private func reference(_ b: XMLBytes, _ p: Int, limit: Int) throws(XMLScanError) -> (next: Int, scalar: UInt32) {
        guard let semi = find(semicolon, in: b, from: p + 1, before: limit), semi > p + 1 else {
            throw XMLScanError(code: .malformedXML, message: "'&' must start a reference such as &amp;", offset: p)
        }
        let body = XMLBytes(rebasing: b[(p + 1)..<semi])
        if body[0] == hash {
            var value: UInt32 = 0
            var i = 1
            let hex = body.count > 1 && body[1] == UInt8(ascii: "x")
            if hex { i = 2 }
            guard i < body.count else { throw XMLScanError(code: .malformedXML, message: "empty character reference", offset: p) }
            while i < body.count {
                let c = body[i]
                var digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw XMLScanError(code: .malformedXML, message: "malformed character reference", offset: p)
                }
                value = value * (hex ? 16 : 10) + digit
                if value > 0x10FFFF { throw XMLScanError(code: .malformedXML, message: "character reference out of range", offset: p) }
                i += 1
            }
            guard isXMLChar(value) else {
                throw XMLScanError(code: .malformedXML, message: "character reference to a character XML does not allow", offset: p)
            }
            return (semi + 1, value)
        }
        let scalar: UInt32
        if bytesEqual(body, "lt") { scalar = 0x3C }
        else if bytesEqual(body, "gt") { scalar = 0x3E }
        else if bytesEqual(body, "amp") { scalar = 0x26 }
        else if bytesEqual(body, "apos") { scalar = 0x27 }
        else if bytesEqual(body, "quot") { scalar = 0x22 }
        else {
            throw XMLScanError(code: .malformedXML, message: "undefined entity &\(String(decoding: body, as: UTF8.self));", offset: p)
        }
        return (semi + 1, scalar)
    }

    // MARK: Tags

    private mutating func startTag<H: XMLElementHandler>(_ b: XMLBytes, _ start: Int, handler: inout H) throws(XMLScanError) -> Step {
        let n = b.count
        if rootClosed { throw XMLScanError(code: .malformedXML, message: "a second root element", offset: start) }
        guard let (nameEnd, nameColon) = try name(b, start + 1) else { return .incomplete }
        var p = nameEnd
        var count = 0
        var newlines = 0
        scratchCount = 0
        var selfClosing = false
        while true {
            var spaces = 0
            while p < n && classes[Int(b[p])] & classSpace != 0 {
                if b[p] == newline { newlines += 1 }
                p += 1
                spaces += 1
            }
            guard p < n else { return .incomplete }
            let c = b[p]
            if c == gt {
                p += 1
                break
            }
            if c == slash {
                guard p + 1 < n else { return .incomplete }
                guard b[p + 1] == gt else { throw XMLScanError(code: .malformedXML, message: "expected '/>'", offset: p) }
                selfClosing = true
                p += 2
                break
            }
            if spaces == 0 { throw XMLScanError(code: .malformedXML, message: "attributes must be separated by whitespace", offset: p) }
            guard let (attrNameEnd, attrColon) = try name(b, p) else { return .incomplete }
            let attrNameStart = p
            p = attrNameEnd
            while p < n && classes[Int(b[p])] & classSpace != 0 {
                if b[p] == newline { newlines += 1 }
                p += 1
            }
            guard p < n else { return .incomplete }
            guard b[p] == equals else { throw XMLScanError(code: .malformedXML, message: "expected '=' after an attribute name", offset: p) }
            p += 1
            while p < n && classes[Int(b[p])] & classSpace != 0 {
                if b[p] == newline { newlines += 1 }
                p += 1
            }
            guard p < n else { return .incomplete }
            let q = b[p]
            guard q == quote || q == apostrophe else { throw XMLScanError(code: .malformedXML, message: "attribute values must be quoted", offset: p) }
            p += 1
            let valueStart = p
            var special = false
            while p < n {
                let v = b[p]
                if v == q { break }
                if classes[Int(v)] & classAttributeSpecial != 0 {
                    if v == lt { throw XMLScanError(code: .malformedXML, message: "'<' is not allowed in an attribute value", offset: p) }
                    if v == newline { newlines += 1 }
                    special = true
                }
                p += 1
            }
            guard p < n else { return .incomplete }
            var record = AttributeRecord(
                nameStart: attrNameStart, nameLength: attrNameEnd - attrNameStart,
                valueStart: valueStart, valueLength: p - valueStart, valueInScratch: false,
                colon: attrColon.map { $0 - attrNameStart } ?? -1)
            if special {
                let (s, len) = try normalizedValue(b, valueStart, p)
                record.valueStart = s
                record.valueLength = len
                record.valueInScratch = true
            }
            p += 1
            // Duplicate names are an error (XML 1.0 §3.1, "Unique Att Spec").
            let newName = XMLBytes(start: b.baseAddress! + record.nameStart, count: record.nameLength)
            for i in 0..<count {
                let r = records[i]
                if bytesEqual(XMLBytes(start: b.baseAddress! + r.nameStart, count: r.nameLength), newName) {
                    throw XMLScanError(code: .malformedXML, message: "attribute \(String(decoding: newName, as: UTF8.self)) is repeated", offset: attrNameStart)
                }
            }
            if count == recordCapacity {
                let bigger = UnsafeMutablePointer<AttributeRecord>.allocate(capacity: recordCapacity * 2)
                bigger.moveInitialize(from: records, count: count)
                records.deallocate()
                records = bigger
                recordCapacity *= 2
            }
            records[count] = record
            count += 1
        }

        let elementName = XMLBytes(start: b.baseAddress! + start + 1, count: nameEnd - start - 1)
        // Namespace rules only concern prefixed names and xmlns declarations: skip them otherwise.
        var involvesNamespaces = nameColon != nil
        for i in 0..<count where !involvesNamespaces {
            let r = records[i]
            involvesNamespaces = r.colon >= 0 || (r.nameLength == 5 && b[r.nameStart] == UInt8(ascii: "x") && b[r.nameStart + 4] == UInt8(ascii: "s"))
        }
        let declared = involvesNamespaces
            ? try checkNamespaces(b, element: elementName, colon: nameColon.map { $0 - start - 1 }, attributeCount: count, at: start)
            : 0
        sawRoot = true
        let attributes = XMLAttributeList(records: records, count: count, buffer: b.baseAddress!, scratch: scratch)
        do {
            try handler.startElement(elementName, attributes)
            if selfClosing { try handler.endElement(elementName) }
        } catch {
            throw XMLScanError(code: error.code, message: error.message, offset: start)
        }
        if selfClosing {
            namespacePrefixes.removeLast(declared)
            namespaceURIs.removeLast(declared)
            if openNameOffsets.isEmpty { rootClosed = true }
        } else {
            if openNameOffsets.count >= maxDepth {
                throw XMLScanError(
                    code: .limitExceeded, message: "elements nested more than \(maxDepth) deep (the deepest the reader takes): this is not an XES log",
                    offset: start)
            }
            openNameOffsets.append(openNames.count)
            openNames.append(contentsOf: elementName)
            namespaceCounts.append(declared)
        }
        pendingNewlines = newlines
        return .done(p)
    }

    /// Copies a value with references replaced and whitespace characters turned into spaces
    /// (a CR LF pair into one space) into the scratch buffer.
    private mutating func normalizedValue(_ b: XMLBytes, _ start: Int, _ end: Int) throws(XMLScanError) -> (Int, Int) {
        let needed = scratchCount + (end - start)
        if needed > scratchCapacity {
            var capacity = scratchCapacity
            while capacity < needed { capacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: scratch, count: scratchCount)
            scratch.deallocate()
            scratch = bigger
            scratchCapacity = capacity
        }
        let out = scratchCount
        var w = scratchCount
        var i = start
        while i < end {
            let c = b[i]
            switch c {
            case amp:
                let (next, scalar) = try reference(b, i, limit: end)
                // A reference is never longer in UTF-8 than its source text.
                w += encodeUTF8(scalar, into: scratch + w)
                i = next
                continue
            case carriageReturn:
                scratch[w] = 0x20
                w += 1
                if i + 1 < end && b[i + 1] == newline { i += 1 }
            case newline, 0x09:
                scratch[w] = 0x20
                w += 1
            default:
                scratch[w] = c
                w += 1
            }
            i += 1
        }
        scratchCount = w
        return (out, w - out)
    }

    private mutating func endTag<H: XMLElementHandler>(_ b: XMLBytes, _ start: Int, handler: inout H) throws(XMLScanError) -> Step {
        let n = b.count
        guard let (nameEnd, _) = try name(b, start + 2) else { return .incomplete }
        var p = nameEnd
        var newlines = 0
        while p < n && classes[Int(b[p])] & classSpace != 0 {
            if b[p] == newline { newlines += 1 }
            p += 1
        }
        guard p < n else { return .incomplete }
        guard b[p] == gt else { throw XMLScanError(code: .malformedXML, message: "expected '>' to close an end tag", offset: p) }
        let elementName = XMLBytes(start: b.baseAddress! + start + 2, count: nameEnd - start - 2)
        guard let open = openNameOffsets.last else {
            throw XMLScanError(code: .malformedXML, message: "end tag </\(String(decoding: elementName, as: UTF8.self))> without a start tag", offset: start)
        }
        let matches = openNames.withUnsafeBufferPointer { all in
            bytesEqual(XMLBytes(rebasing: all[open...]), elementName)
        }
        guard matches else {
            let expected = String(decoding: openNames[open...], as: UTF8.self)
            throw XMLScanError(
                code: .malformedXML,
                message: "end tag </\(String(decoding: elementName, as: UTF8.self))> does not match <\(expected)>", offset: start)
        }
        do {
            try handler.endElement(elementName)
        } catch {
            throw XMLScanError(code: error.code, message: error.message, offset: start)
        }
        openNames.removeSubrange(open...)
        openNameOffsets.removeLast()
        let declared = namespaceCounts.removeLast()
        namespacePrefixes.removeLast(declared)
        namespaceURIs.removeLast(declared)
        if openNameOffsets.isEmpty { rootClosed = true }
        pendingNewlines = newlines
        return .done(p + 1)
    }

    // MARK: Processing instructions, comments, CDATA, DOCTYPE

    private mutating func processingInstruction(_ b: XMLBytes, _ start: Int) throws(XMLScanError) -> Step {
        let n = b.count
        guard let (targetEnd, targetColon) = try name(b, start + 2) else { return .incomplete }
        let target = XMLBytes(rebasing: b[(start + 2)..<targetEnd])
        if target.count == 3 && (target[0] | 0x20) == UInt8(ascii: "x") && (target[1] | 0x20) == UInt8(ascii: "m")
            && (target[2] | 0x20) == UInt8(ascii: "l")
        {
            throw XMLScanError(code: .malformedXML, message: "an XML declaration is only allowed at the very start of the document", offset: start)
        }
        if targetColon != nil {
            throw XMLScanError(code: .malformedXML, message: "colons are not allowed in processing instruction names", offset: start)
        }
        guard targetEnd + 1 < n else { return .incomplete }
        if !(b[targetEnd] == question && b[targetEnd + 1] == gt) && classes[Int(b[targetEnd])] & classSpace == 0 {
            throw XMLScanError(code: .malformedXML, message: "malformed processing instruction", offset: targetEnd)
        }
        guard let end = find(question, gt, in: b, from: targetEnd) else { return .incomplete }
        pendingNewlines = countNewlines(b, start, end)
        return .done(end + 2)
    }

    private mutating func markupDeclaration(_ b: XMLBytes, _ start: Int, isFinal: Bool) throws(XMLScanError) -> Step {
        let n = b.count
        if matches(b, start, "<!--") {
            // The first "--" must end the comment ("--" is not allowed inside one).
            guard let dashes = find(dash, dash, in: b, from: start + 4) else { return .incomplete }
            guard dashes + 2 < n else { return .incomplete }
            guard b[dashes + 2] == gt else { throw XMLScanError(code: .malformedXML, message: "'--' is not allowed inside a comment", offset: dashes) }
            pendingNewlines = countNewlines(b, start, dashes)
            return .done(dashes + 3)
        }
        if n - start < 9 && !isFinal {
            let available = n - start
            for keyword in ["<!--", "<![CDATA[", "<!DOCTYPE"] where matches(b, start, String(keyword.prefix(available))) {
                return .incomplete
            }
        }
        if matches(b, start, "<![CDATA[") {
            if openNameOffsets.isEmpty { throw XMLScanError(code: .malformedXML, message: "CDATA outside the root element", offset: start) }
            var i = start + 9
            while true {
                guard let brackets = find(closeBracket, closeBracket, in: b, from: i) else { return .incomplete }
                guard brackets + 2 < n else { return .incomplete }
                if b[brackets + 2] == gt {
                    pendingNewlines = countNewlines(b, start, brackets)
                    return .done(brackets + 3)
                }
                i = brackets + 1
            }
        }
        if matches(b, start, "<!DOCTYPE") {
            if sawRoot || sawDoctype { throw XMLScanError(code: .malformedXML, message: "a DOCTYPE must come once, before the root element", offset: start) }
            let step = try doctype(b, start)
            if case .done = step { sawDoctype = true }
            return step
        }
        throw XMLScanError(code: .malformedXML, message: "'<!' must start a comment, CDATA section or DOCTYPE", offset: start)
    }

    /// `<!DOCTYPE name (SYSTEM "uri" | PUBLIC "id" "uri")? S? >`; an internal subset is refused.
    private mutating func doctype(_ b: XMLBytes, _ start: Int) throws(XMLScanError) -> Step {
        let n = b.count
        var p = start + 9
        func spaces() -> Int {
            let s = p
            while p < n && classes[Int(b[p])] & classSpace != 0 { p += 1 }
            return p - s
        }
        func literal(pubid: Bool) throws(XMLScanError) -> Bool? {
            guard p < n else { return nil }
            let q = b[p]
            guard q == quote || q == apostrophe else { throw XMLScanError(code: .malformedXML, message: "malformed DOCTYPE: expected a quoted literal", offset: p) }
            guard let end = find(q, in: b, from: p + 1) else { return nil }
            if pubid {
                for i in (p + 1)..<end where !isPubidChar(b[i]) {
                    throw XMLScanError(code: .malformedXML, message: "malformed DOCTYPE: invalid public identifier", offset: i)
                }
            }
            p = end + 1
            return true
        }
        guard spaces() > 0 else { return p >= n ? .incomplete : .done(try failDoctype(p)) }
        guard let (nameEnd, _) = try name(b, p) else { return .incomplete }
        p = nameEnd
        let hadSpace = spaces() > 0
        guard p < n else { return .incomplete }
        if hadSpace && (b[p] == UInt8(ascii: "S") || b[p] == UInt8(ascii: "P")) {
            guard p + 6 <= n else { return .incomplete }
            guard matches(b, p, "SYSTEM") || matches(b, p, "PUBLIC") else { return .done(try failDoctype(p)) }
            let isPublic = b[p] == UInt8(ascii: "P")
            p += 6
            guard spaces() > 0 else { return p >= n ? .incomplete : .done(try failDoctype(p)) }
            guard try literal(pubid: isPublic) != nil else { return .incomplete }
            if isPublic {
                guard spaces() > 0 else { return p >= n ? .incomplete : .done(try failDoctype(p)) }
                guard try literal(pubid: false) != nil else { return .incomplete }
            }
            _ = spaces()
        }
        guard p < n else { return .incomplete }
        if b[p] == openBracket {
            throw XMLScanError(code: .unsupportedXML, message: "DTD internal subsets are not supported", offset: p)
        }
        guard b[p] == gt else { return .done(try failDoctype(p)) }
        pendingNewlines = countNewlines(b, start, p)
        return .done(p + 1)
    }

    private func failDoctype(_ p: Int) throws(XMLScanError) -> Int {
        throw XMLScanError(code: .malformedXML, message: "malformed DOCTYPE", offset: p)
    }

    // MARK: Names and namespaces

    /// Scans an XML Name at `p`: returns its end and the offset of its first colon, `nil` when
    /// the buffer ends inside it, or throws when no name starts at `p`.
    private func name(_ b: XMLBytes, _ start: Int) throws(XMLScanError) -> (Int, Int?)? {
        let n = b.count
        var p = start
        var firstColon: Int?
        while p < n {
            let c = b[p]
            if c < 0x80 {
                let cls = classes[Int(c)]
                let ok = p == start ? cls & classNameStart != 0 : cls & classNameChar != 0
                if !ok { break }
                if c == colon && firstColon == nil { firstColon = p }
                p += 1
            } else {
                guard let (scalar, length) = decodeUTF8(b, p) else { return nil }
                let ok = p == start ? isNameStartScalar(scalar) : isNameScalar(scalar)
                if !ok { break }
                p += length
            }
        }
        if p == n { return nil }
        if p == start { throw XMLScanError(code: .malformedXML, message: "expected a name", offset: start) }
        return (p, firstColon)
    }

    /// Applies the namespace constraints libxml2 enforces: prefixes are declared, qualified
    /// names have one colon, reserved prefixes keep their meaning, and no two attributes share an
    /// expanded name. Returns how many declarations the element adds to the scope.
    private mutating func checkNamespaces(_ b: XMLBytes, element: XMLBytes, colon: Int?, attributeCount: Int, at offset: Int) throws(XMLScanError) -> Int {
        func fail(_ message: String) -> XMLScanError { XMLScanError(code: .malformedXML, message: message, offset: offset) }
        var declared = 0
        var anyPrefixedAttribute = false
        for i in 0..<attributeCount {
            let r = records[i]
            let name = XMLBytes(start: b.baseAddress! + r.nameStart, count: r.nameLength)
            let value = XMLBytes(start: (r.valueInScratch ? UnsafePointer(scratch) : b.baseAddress!) + r.valueStart, count: r.valueLength)
            if bytesEqual(name, "xmlns") {
                if bytesEqual(value, xmlNamespaceURI) || bytesEqual(value, xmlnsNamespaceURI) {
                    throw fail("the default namespace cannot be a reserved namespace")
                }
                namespacePrefixes.append([])
                namespaceURIs.append(Array(value))
                declared += 1
            } else if r.colon >= 0 {
                try checkQualifiedName(name, colon: r.colon, at: offset)
                let prefix = XMLBytes(rebasing: name[..<r.colon])
                if bytesEqual(prefix, "xmlns") {
                    let declaredPrefix = XMLBytes(rebasing: name[(r.colon + 1)...])
                    if value.isEmpty { throw fail("namespace prefix \(String(decoding: declaredPrefix, as: UTF8.self)) cannot be bound to an empty URI") }
                    if bytesEqual(declaredPrefix, "xmlns") { throw fail("the xmlns prefix cannot be declared") }
                    let isXMLPrefix = bytesEqual(declaredPrefix, "xml")
                    if isXMLPrefix != bytesEqual(value, xmlNamespaceURI) || bytesEqual(value, xmlnsNamespaceURI) {
                        throw fail("the xml prefix and the XML namespace are reserved for each other")
                    }
                    namespacePrefixes.append(Array(declaredPrefix))
                    namespaceURIs.append(Array(value))
                    declared += 1
                } else {
                    anyPrefixedAttribute = true
                }
            }
        }
        if let colon {
            try checkQualifiedName(element, colon: colon, at: offset)
            let prefix = XMLBytes(rebasing: element[..<colon])
            if bytesEqual(prefix, "xmlns") { throw fail("the xmlns prefix cannot name an element") }
            if resolve(prefix) == nil {
                throw fail("namespace prefix \(String(decoding: prefix, as: UTF8.self)) of element \(String(decoding: element, as: UTF8.self)) is not declared")
            }
        }
        if anyPrefixedAttribute {
            var expanded: [([UInt8], XMLBytes)] = []
            for i in 0..<attributeCount {
                let r = records[i]
                guard r.colon >= 0 else { continue }
                let name = XMLBytes(start: b.baseAddress! + r.nameStart, count: r.nameLength)
                let prefix = XMLBytes(rebasing: name[..<r.colon])
                if bytesEqual(prefix, "xmlns") { continue }
                guard let uri = resolve(prefix) else {
                    throw fail("namespace prefix \(String(decoding: prefix, as: UTF8.self)) of attribute \(String(decoding: name, as: UTF8.self)) is not declared")
                }
                let local = XMLBytes(rebasing: name[(r.colon + 1)...])
                for (otherURI, otherLocal) in expanded where otherURI == uri && bytesEqual(otherLocal, local) {
                    throw fail("attribute \(String(decoding: name, as: UTF8.self)) is repeated under another prefix")
                }
                expanded.append((uri, local))
            }
        }
        return declared
    }

    private func checkQualifiedName(_ name: XMLBytes, colon: Int, at offset: Int) throws(XMLScanError) {
        let text = { String(decoding: name, as: UTF8.self) }
        guard colon > 0, colon + 1 < name.count else {
            throw XMLScanError(code: .malformedXML, message: "malformed qualified name \(text())", offset: offset)
        }
        for i in (colon + 1)..<name.count where name[i] == UInt8(ascii: ":") {
            throw XMLScanError(code: .malformedXML, message: "malformed qualified name \(text())", offset: offset)
        }
        let first = name[colon + 1]
        let startsName: Bool
        if first < 0x80 {
            startsName = classes[Int(first)] & classNameStart != 0
        } else {
            startsName = decodeUTF8(name, colon + 1).map { isNameStartScalar($0.0) } ?? false
        }
        guard startsName else { throw XMLScanError(code: .malformedXML, message: "malformed qualified name \(text())", offset: offset) }
    }

    /// The namespace bound to `prefix` in the current scope (`xml` is always bound).
    private func resolve(_ prefix: XMLBytes) -> [UInt8]? {
        if bytesEqual(prefix, "xml") { return Array(XMLBytes(start: xmlNamespaceURI.utf8Start, count: xmlNamespaceURI.utf8CodeUnitCount)) }
        var i = namespacePrefixes.count - 1
        while i >= 0 {
            let candidate = namespacePrefixes[i]
            let same = candidate.withUnsafeBufferPointer { bytesEqual($0, prefix) }
            if same { return namespaceURIs[i] }
            i -= 1
        }
        return nil
    }
}

// MARK: - Byte helpers

private func find(_ byte: UInt8, in b: XMLBytes, from start: Int, before limit: Int? = nil) -> Int? {
    let end = limit ?? b.count
    guard start < end else { return nil }
    guard let hit = memchr(b.baseAddress! + start, Int32(byte), end - start) else { return nil }
    return b.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
}

/// The offset of the first `first` immediately followed by `second` at or after `start`.
private func find(_ first: UInt8, _ second: UInt8, in b: XMLBytes, from start: Int) -> Int? {
    var i = start
    while let hit = find(first, in: b, from: i) {
        guard hit + 1 < b.count else { return nil }
        if b[hit + 1] == second { return hit }
        i = hit + 1
    }
    return nil
}

private func matches(_ b: XMLBytes, _ p: Int, _ literal: String) -> Bool {
    let bytes = Array(literal.utf8)
    guard p + bytes.count <= b.count else { return false }
    for (i, c) in bytes.enumerated() where b[p + i] != c { return false }
    return true
}

private func countNewlines(_ b: XMLBytes, _ start: Int, _ end: Int) -> Int {
    var count = 0
    var i = start
    while i < end {
        if b[i] == newline { count += 1 }
        i += 1
    }
    return count
}

/// Decodes the (already validated) UTF-8 sequence at `p`; `nil` if the buffer ends inside it.
@inline(__always)
func decodeUTF8(_ b: XMLBytes, _ p: Int) -> (UInt32, Int)? {
    let c = b[p]
    let length = c < 0xE0 ? 2 : (c < 0xF0 ? 3 : 4)
    guard p + length <= b.count else { return nil }
    var scalar = UInt32(c) & (length == 2 ? 0x1F : (length == 3 ? 0x0F : 0x07))
    for i in 1..<length { scalar = scalar << 6 | UInt32(b[p + i] & 0x3F) }
    return (scalar, length)
}

@inline(__always)
private func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
    switch scalar {
    case 0..<0x80:
        out[0] = UInt8(scalar)
        return 1
    case 0x80..<0x800:
        out[0] = UInt8(0xC0 | scalar >> 6)
        out[1] = UInt8(0x80 | scalar & 0x3F)
        return 2
    case 0x800..<0x10000:
        out[0] = UInt8(0xE0 | scalar >> 12)
        out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
        out[2] = UInt8(0x80 | scalar & 0x3F)
        return 3
    default:
        out[0] = UInt8(0xF0 | scalar >> 18)
        out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
        out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
        out[3] = UInt8(0x80 | scalar & 0x3F)
        return 4
    }
}

/// Whether XML 1.0 allows the character (production [2] Char).
@inline(__always)
func isXMLChar(_ u: UInt32) -> Bool {
    switch u {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
}

private func isNameStartScalar(_ u: UInt32) -> Bool {
    switch u {
    case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
        0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
        return true
    default:
        return false
    }
}

private func isNameScalar(_ u: UInt32) -> Bool {
    isNameStartScalar(u) || u == 0xB7 || (0x300...0x36F).contains(u) || (0x203F...0x2040).contains(u)
}

private func isPubidChar(_ c: UInt8) -> Bool {
    switch c {
    case 0x20, 0x0D, 0x0A: return true
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
    default: return Array("-'()+,./:=?;!*#@$_%".utf8).contains(c)
    }
}

// MARK: - Encoding check

/// The encodings a document may declare.
enum XMLEncoding: Equatable {
    /// UTF-8, or US-ASCII (a subset).
    case utf8
    /// ISO-8859-1 (Latin-1): each byte is the code point; transcoded to UTF-8 before scanning.
    case latin1

    /// The encoding a declaration names, or `nil` if unsupported.
    init?(declared name: String) {
        switch name.uppercased() {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII": self = .utf8
        case "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1": self = .latin1
        default: return nil
        }
    }

    /// The encoding declared at the start of `b` (after an optional UTF-8 byte-order mark);
    /// UTF-8 when there is no declaration or it names none.
    static func sniff(_ b: XMLBytes) -> XMLEncoding {
        var p = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { p = 3 }
        let head = Array(b[p..<min(b.count, p + 1024)])
        guard head.starts(with: Array("<?xml".utf8)), let end = head.indices.first(where: { $0 + 1 < head.count && head[$0] == UInt8(ascii: "?") && head[$0 + 1] == UInt8(ascii: ">") }) else {
            return .utf8
        }
        let declaration = String(decoding: head[..<end], as: UTF8.self)
        guard let key = declaration.range(of: "encoding") else { return .utf8 }
        let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return .utf8 }
        let value = rest.dropFirst().prefix { $0 != quote }
        return XMLEncoding(declared: String(value)) ?? .utf8
    }
}

/// Appends `b` transcoded from ISO-8859-1 to UTF-8 to `out`.
func appendLatin1AsUTF8(_ b: XMLBytes, to out: inout [UInt8]) {
    out.reserveCapacity(out.count + b.count + b.count / 8)
    for c in b {
        if c < 0x80 {
            out.append(c)
        } else {
            out.append(0xC0 | c >> 6)
            out.append(0x80 | c & 0x3F)
        }
    }
}

/// High bit set in each zero byte of `x` (exact, no borrow between bytes).
@inline(__always)
private func zeroBytes(_ x: UInt64) -> UInt64 {
    ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x | 0x7F7F_7F7F_7F7F_7F7F)
}

/// Finds the first byte that is not part of a valid UTF-8 encoding of an XML character.
///
/// Runs ahead of the scanner over each new stretch of bytes; most logs are ASCII, so eight
/// bytes are tested at a time for anything that is not plain printable ASCII.
enum XMLCharacterCheck {
    /// Checks `b[start...]`. Returns the offset of the first invalid byte, or `nil` and the
    /// offset up to which the bytes are valid (short of a sequence cut off at the end).
    static func check(_ b: XMLBytes, from start: Int) -> (invalid: Int?, validUpTo: Int) {
        let n = b.count
        var i = start
        let base = UnsafeRawPointer(b.baseAddress!)
        while i < n {
            // Eight ASCII bytes at a time: no high bit, and no byte below 0x20 other than tab,
            // line feed and carriage return (which XES indentation puts in most words).
            while i + 8 <= n {
                let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                // High bit set in each byte that is at least 0x20 (exact for ASCII bytes).
                let printable = (word &+ 0x6060_6060_6060_6060) & 0x8080_8080_8080_8080
                let control = ~printable & 0x8080_8080_8080_8080
                if control != 0 {
                    let allowed = zeroBytes(word ^ 0x0909_0909_0909_0909) | zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                        | zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
                    if control & ~allowed != 0 { break }
                }
                i += 8
            }
            guard i < n else { break }
            let c = b[i]
            if c < 0x80 {
                if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { return (i, i) }
                i += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch c {
            case 0xC2...0xDF: length = 2; scalar = UInt32(c & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(c & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(c & 0x07)
            default: return (i, i)
            }
            if i + length > n {
                // Possibly cut off: valid so far if the bytes present are continuations.
                for k in (i + 1)..<n where b[k] & 0xC0 != 0x80 { return (i, i) }
                return (nil, i)
            }
            for k in 1..<length {
                let d = b[i + k]
                guard d & 0xC0 == 0x80 else { return (i, i) }
                scalar = scalar << 6 | UInt32(d & 0x3F)
            }
            let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
            guard scalar >= minimum, isXMLChar(scalar) else { return (i, i) }
            i += length
        }
        return (nil, n)
    }
}
