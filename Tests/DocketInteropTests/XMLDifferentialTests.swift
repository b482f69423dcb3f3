@testable import DocketInterop
import DocketTestSupport
import Foundation
import FoundationXML
import Testing

/// Elements and attributes in a canonical text form, so two parsers can be compared:
/// `<name a=1 b=2>` with attributes sorted by name, and `</name>`.
struct ElementTrace {
    /// Kept for small documents, to show where two parsers part.
    var lines: [String] = []
    var keepsLines: Bool
    var count = 0
    var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    init(keepsLines: Bool) { self.keepsLines = keepsLines }

    mutating func start(_ name: String, _ attributes: [(String, String)]) {
        var line = "<" + name
        for (k, v) in attributes.sorted(by: { $0.0 < $1.0 }) { line += "\u{1}" + k + "\u{2}" + v }
        record(line + ">")
    }

    mutating func end(_ name: String) { record("</" + name + ">") }

    private mutating func record(_ line: String) {
        count += 1
        for b in line.utf8 { digest = (digest ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        digest = (digest ^ 0xFF) &* 0x0000_0100_0000_01B3
        if keepsLines { lines.append(line) }
    }

    /// The first line where two traces differ, for messages.
    func firstDifference(from other: ElementTrace) -> String {
        for (i, (a, b)) in zip(lines, other.lines).enumerated() where a != b { return "element \(i): \(a) vs \(b)" }
        return "\(count) vs \(other.count) elements"
    }
}

/// Records what the Docket scanner reports.
struct RecordingHandler: XMLElementHandler {
    var trace: ElementTrace

    mutating func startElement(_ name: XMLBytes, _ attributes: borrowing XMLAttributeList) throws(XMLContentError) {
        var pairs: [(String, String)] = []
        for i in 0..<attributes.count {
            pairs.append((String(decoding: attributes.name(i), as: UTF8.self), String(decoding: attributes.value(i), as: UTF8.self)))
        }
        trace.start(String(decoding: name, as: UTF8.self), pairs)
    }

    mutating func endElement(_ name: XMLBytes) throws(XMLContentError) {
        trace.end(String(decoding: name, as: UTF8.self))
    }
}

/// Records what FoundationXML's XMLParser reports.
final class FoundationRecorder: NSObject, XMLParserDelegate {
    var trace: ElementTrace

    init(keepsLines: Bool) { trace = ElementTrace(keepsLines: keepsLines) }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        trace.start(elementName, attributeDict.map { ($0.key, $0.value) })
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        trace.end(elementName)
    }
}

/// Bytes in memory handed out in chunks of the given sizes (cycled).
final class MemoryChunks: ByteChunkSource {
    let displayName = "memory"
    private let bytes: [UInt8]
    private let sizes: [Int]
    private var position = 0
    private var turn = 0
    private var chunk: UnsafeMutableBufferPointer<UInt8>?

    init(_ bytes: [UInt8], chunkSizes: [Int] = [1 << 20]) {
        self.bytes = bytes
        self.sizes = chunkSizes
    }

    deinit { chunk?.deallocate() }

    func nextChunk() throws -> UnsafeBufferPointer<UInt8>? {
        chunk?.deallocate()
        chunk = nil
        guard position < bytes.count else { return nil }
        let size = min(sizes[turn % sizes.count], bytes.count - position)
        turn += 1
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size)
        _ = copy.initialize(from: bytes[position..<(position + size)])
        position += size
        chunk = copy
        return UnsafeBufferPointer(copy)
    }
}

enum Differential {
    /// FoundationXML installs libxml2's error handler process-wide: two parsers on two threads
    /// crash it, so parses take turns.
    static let foundationLock = NSLock()

    /// XMLParser's verdict and elements.
    static func foundation(_ bytes: [UInt8], keepsLines: Bool) -> (ok: Bool, trace: ElementTrace) {
        foundationLock.lock()
        defer { foundationLock.unlock() }
        let recorder = FoundationRecorder(keepsLines: keepsLines)
        // Through a stream, as XMLParser reads files: given one chunk over 10 MB, libxml2's
        // push parser reports a "huge input lookup" error at the end.
        let parser = XMLParser(stream: InputStream(data: Data(bytes)))
        parser.delegate = recorder
        let ok = parser.parse()
        return (ok, recorder.trace)
    }

    /// The scanner's elements, or the error it reports.
    static func docket<S: ByteChunkSource>(_ source: S, keepsLines: Bool) -> Result<ElementTrace, Error> {
        var handler = RecordingHandler(trace: ElementTrace(keepsLines: keepsLines))
        do {
            try XMLDocumentStream.parse(source, handler: &handler) { _ in }
            return .success(handler.trace)
        } catch {
            return .failure(error)
        }
    }
}

/// A small deterministic random number generator (SplitMix64), so fuzzing is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A small XES log using the XML features real exports use.
let featureRichXES = """
    <?xml version="1.0" encoding="UTF-8" ?>
    <!-- exported by a test -->
    <!DOCTYPE log>
    <log xes.version="1.0" xmlns="http://www.xes-standard.org/" xmlns:x="urn:example">
    \t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
    \t<global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
    \t<classifier name="Activity" keys="concept:name lifecycle:transition"/>
    \t<?pm4py hint?>
    \t<trace>
    \t\t<event>
    \t\t\t<string value='Prüfung &amp; Freigabe' key='concept:name'/>
    \t\t\t<date key="time:timestamp" value="2020-02-09T19:00:00.123+08:00"/>
    \t\t\t<string key="org:resource" value="A &lt;B&gt; &#x4E2D;&#25991; &quot;q&quot; &apos;s&apos;"/>
    \t\t\t<string key="note" value="line one
    line two\tand a tab &#10; kept"/>
    \t\t\t<list key="items"><values><string key="item" value="1"/><int key="n" value="2"/></values></list>
    \t\t\t<string key="nested" value="outer"><string key="concept:name" value="inner"/></string>
    \t\t\t<x:extra x:flag="true"/>
    \t\t</event>
    \t\t<string key="concept:name" value="case &#49;"/>
    \t\t<event><![CDATA[ignored <text> & such]]><string key="concept:name" value="Decide"/><date key="time:timestamp" value="2020-02-10T08:00:00Z"/></event>
    \t</trace>
    </log>
    <!-- done -->

    """

@Suite("The XML scanner agrees with FoundationXML", .serialized)
struct XMLDifferentialTests {
    @Test(
        "every shared log yields the same elements and attributes",
        .requires(.sharedData),
        arguments: SharedData.logNames.filter { !$0.hasSuffix(".csv") })
    func everySharedLogYieldsTheSameElements(log: String) throws {
        let path = SharedData.log(log)
        let bytes = try FileBytes.readAll(path: path, displayName: log)
        let reference = Differential.foundation(bytes, keepsLines: false)
        #expect(reference.ok, "XMLParser rejects \(log)")
        // Read through the file pipeline itself (gzip inflated on the second thread).
        let ours = try Differential.docket(FileBytes(path: path, displayName: log), keepsLines: false).get()
        #expect(ours.count == reference.trace.count)
        #expect(ours.digest == reference.trace.digest, "\(log): elements or attributes differ")
    }

    @Test("a document with entities, CDATA, comments, PIs, namespaces and nesting yields the same elements")
    func featureRichDocumentYieldsTheSameElements() throws {
        let bytes = Array(featureRichXES.utf8)
        let reference = Differential.foundation(bytes, keepsLines: true)
        #expect(reference.ok)
        let ours = try Differential.docket(MemoryChunks(bytes), keepsLines: true).get()
        #expect(ours.lines == reference.trace.lines, "\(ours.firstDifference(from: reference.trace))")
    }

    @Test("chunk boundaries anywhere give the same elements", arguments: [1, 2, 3, 5, 7, 13, 64])
    func chunkBoundariesAnywhereGiveTheSameElements(size: Int) throws {
        let bytes = Array(featureRichXES.utf8)
        let whole = try Differential.docket(MemoryChunks(bytes), keepsLines: true).get()
        let chunked = try Differential.docket(MemoryChunks(bytes, chunkSizes: [size, size + 3, 1]), keepsLines: true).get()
        #expect(chunked.lines == whole.lines)
    }

    @Test("mutated documents never crash the scanner, which agrees with XMLParser or reports an error")
    func mutatedDocumentsAgreeOrFail() throws {
        Self.fuzz(Array(featureRichXES.utf8), seedIndex: 0).expectBoth(atLeast: 0.1, "mutants")
    }

    @Test("mutated real logs never crash the scanner, which agrees with XMLParser or reports an error", .requires(.sharedData))
    func mutatedLogsAgreeOrFail() throws {
        let seed = try FileBytes.readAll(path: SharedData.log("running-example.xes"), displayName: "running-example.xes")
        Self.fuzz(seed, seedIndex: 1).expectBoth(atLeast: 0.1, "mutants")
    }

    /// Mutates `seed` 400 times; every mutant Docket accepts must be accepted by XMLParser with the
    /// same elements, every one it refuses must be refused with a ``LogReadError``.
    static func fuzz(_ seed: [UInt8], seedIndex: Int) -> FuzzOutcomes {
        var random = SplitMix64(state: 0xD0C4E7 + UInt64(seedIndex))
        var outcomes = FuzzOutcomes()
        for _ in 0..<400 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...3, using: &random) { mutate(&bytes, using: &random) }
            let sizes = [Int.random(in: 1...512, using: &random), Int.random(in: 1...4096, using: &random)]
            // Only documents Docket accepts go to XMLParser: it must accept them too and report
            // the same elements. (FoundationXML cannot be given the rejected ones: libxml2 runs in
            // recovery mode under it, and on malformed input it crashes, e.g. force-unwrapping a
            // name that is not UTF-8 or reading a stale attribute pointer.)
            let verdict = Differential.docket(MemoryChunks(bytes, chunkSizes: sizes), keepsLines: true)
            if let dump = ProcessInfo.processInfo.environment["DOCKET_FUZZ_DUMP"] {
                // For measuring strictness offline against libxml2 without recovery (lxml).
                let name = "\(dump)/\(seedIndex)-\(outcomes.total)-\((try? verdict.get()) == nil ? "rejected" : "accepted").xml"
                FileManager.default.createFile(atPath: name, contents: Data(bytes))
            }
            switch verdict {
            case .success(let ours):
                let reference = Differential.foundation(bytes, keepsLines: true)
                #expect(reference.ok, "accepted a document XMLParser rejects:\n\(String(decoding: bytes, as: UTF8.self).prefix(3000))")
                #expect(ours.lines == reference.trace.lines, "\(ours.firstDifference(from: reference.trace))\n\(String(decoding: bytes, as: UTF8.self).prefix(3000))")
                outcomes.accepted += 1
            case .failure(let error):
                #expect(error is LogReadError)
                outcomes.refused += 1
            }
        }
        print("fuzz seed \(seedIndex): \(outcomes.accepted) mutants accepted and matched XMLParser, \(outcomes.refused) refused with an error")
        return outcomes
    }
}

/// One random edit of the kind that breaks real files: a flipped byte, an inserted XML token,
/// a deleted, duplicated or truncated stretch.
func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
    guard !bytes.isEmpty else { return }
    let tokens = [
        "<", ">", "&", "&amp;", "&#x41;", "&#0;", "&bogus;", "\"", "'", "<!--", "-->", "--", "]]>",
        "<![CDATA[x]]>", "<?pi x?>", "<?xml?>", "\u{0}", "é", "中", " xmlns:a='u'", " a:b='1'", "</event>",
        "<event>", " key=\"x\"", "<trace>", "</trace>", "/>", "=", ":", " ", "\n", "\r\n", "\t", "<!DOCTYPE x>",
    ]
    let position = Int.random(in: 0..<bytes.count, using: &random)
    // Edits that keep the document well-formed, so that many mutants reach XMLParser.
    let afterTag = bytes[position...].firstIndex(of: UInt8(ascii: ">")).map { $0 + 1 }
    let inValue = bytes[position...].firstIndex(of: UInt8(ascii: "\"")).map { $0 + 1 }
    let benign = [
        "<!-- note -->", "<?pi data?>", "\n\t", "<![CDATA[]]>",
        "&amp;", "&#x4E2D;", "&lt;", "&#9;", " ", "é",
    ]
    switch Int.random(in: 0..<10, using: &random) {
    case 6:
        if let afterTag { bytes.insert(contentsOf: Array(benign[Int.random(in: 0..<4, using: &random)].utf8), at: min(afterTag, bytes.count)) }
        return
    case 7:
        if let inValue { bytes.insert(contentsOf: Array(benign[Int.random(in: 4..<10, using: &random)].utf8), at: min(inValue, bytes.count)) }
        return
    case 8, 9:
        // Swap two attributes' positions or quote style: find a `key="` and rewrite its quotes.
        if let q = inValue, q - 1 < bytes.count, let close = bytes[q...].firstIndex(of: UInt8(ascii: "\"")),
            !bytes[q..<close].contains(UInt8(ascii: "'"))
        {
            bytes[q - 1] = UInt8(ascii: "'")
            bytes[close] = UInt8(ascii: "'")
        }
        return
    default:
        break
    }
    switch Int.random(in: 0..<6, using: &random) {
    case 0:
        bytes[position] = UInt8.random(in: 0...255, using: &random)
    case 1:
        bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8), at: position)
    case 2:
        let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
        bytes.removeSubrange(position..<end)
    case 3:
        let end = min(bytes.count, position + Int.random(in: 1...80, using: &random))
        let stretch = Array(bytes[position..<end])
        bytes.insert(contentsOf: stretch, at: Int.random(in: 0...bytes.count, using: &random))
    case 4:
        bytes.removeSubrange(position...)
    default:
        bytes[position] = [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "&"), UInt8(ascii: "/")].randomElement(using: &random)!
    }
}
