import DocketInterop
import DocketTestSupport
import Foundation
import Testing

/// Writes a gzip file of `head`, then `count` times `repeated` (a chunk of at most a few MiB,
/// reused), then `tail`, streaming: the inflated size never exists in memory.
func gzipBomb(at path: String, head: String = "", repeated: [UInt8], count: Int, tail: String = "") throws {
    let sink = try FileLogSink(path: path, compress: true)
    try Array(head.utf8).withUnsafeBytes { try sink.write($0) }
    try repeated.withUnsafeBytes { chunk in
        for _ in 0..<count { try sink.write(chunk) }
    }
    try Array(tail.utf8).withUnsafeBytes { try sink.write($0) }
    try sink.finish()
}

/// A gzip bomb (issue 19: 8.7 MB inflating to 2 GB of zeros took 3.9 GB and was then read as
/// CSV) is refused by what it is, and one endless record, element or nesting is refused at the
/// reader's limit (``LogReadLimits``) instead of being held whole: memory stays bounded by the
/// limits whatever the input.
@Suite("Gzip bombs and endless records")
struct GzipBombTests {
    static let mebibyte = [UInt8](repeating: 0, count: 1 << 20)

    func refusal(_ path: String, name: String, options: EventLogFile.ReadOptions = .init()) -> LogReadError? {
        do {
            try EventLogFile(path: path, displayName: name).forEachBatch(options: options) { _ in }
            return nil
        } catch let error as LogReadError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func zerosNamedXESAreRefusedAsWhatTheyAreWithoutInflatingThemAll() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("bomb.xes.gz")
        try gzipBomb(at: path, repeated: Self.mebibyte, count: 256)  // 256 MiB inflated
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 1 << 20)
        let error = try #require(refusal(path, name: "bomb.xes.gz"))
        #expect(error.code == .unsupportedFormat)
        #expect(error.description == "bomb.xes.gz: gzip data inflates to something that is not XES: starts with more than 1048576 zero bytes")

        // A shorter run is counted exactly; an uncompressed file and other names say so.
        let small = dir.path("small.csv")
        try gzipBomb(at: small, repeated: [UInt8](repeating: 0, count: 65_536), count: 1, tail: "case,activity\n")
        #expect(self.refusal(small, name: "small.csv")?.description
            == "small.csv: gzip data inflates to something that is not CSV: starts with 65536 zero bytes")
        let control = dir.file("data.bin", [0x20, 0x01, 0x02])
        #expect(self.refusal(control, name: "data.bin")?.description
            == "data.bin: the file is not an event log (XES or CSV): byte 1 is the control character 0x1, not text")
    }

    @Test func anEndlessXMLTextStopsAtTheItemLimit() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("text.xes.gz")
        try gzipBomb(at: path, head: "<?xml version=\"1.0\"?>\n<log>\n<trace>", repeated: [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20), count: 40)
        let error = try #require(refusal(path, name: "text.xes.gz"))
        #expect(error.code == .limitExceeded)
        #expect(error.description.hasPrefix("text.xes.gz:3: an XML item (a tag, text, comment or CDATA section) longer than 16 MiB"))

        // The limit is the reader's: a smaller one stops it sooner.
        var options = EventLogFile.ReadOptions()
        options.limits.maxItemBytes = 1 << 20
        #expect(self.refusal(path, name: "text.xes.gz", options: options)?.message.contains("longer than 1 MiB") == true)
    }

    @Test func deepNestingStopsAtTheDepthLimit() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("deep.xes.gz")
        try gzipBomb(at: path, head: "<log><trace>", repeated: Array(String(repeating: "<a>", count: 1000).utf8), count: 1000)
        let error = try #require(refusal(path, name: "deep.xes.gz"))
        #expect(error.code == .limitExceeded)
        #expect(error.message == "elements nested more than 256 deep (the deepest the reader takes): this is not an XES log")
    }

    @Test func anEndlessCSVRecordStopsAtTheRecordLimit() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("long.csv.gz")
        try gzipBomb(at: path, head: "case:concept:name,concept:name,time:timestamp\n1,a,", repeated: [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20), count: 40)
        let error = try #require(refusal(path, name: "long.csv.gz"))
        #expect(error.code == .limitExceeded)
        #expect(error.description.hasPrefix("long.csv.gz:2: a record longer than 16 MiB"))

        // A header of endless columns too, and a record of too many fields.
        let header = dir.path("header.csv.gz")
        try gzipBomb(at: header, repeated: Array(String(repeating: "column,", count: 1 << 17).utf8), count: 1)
        let fields = try #require(self.refusal(header, name: "header.csv.gz"))
        #expect(fields.code == .limitExceeded)
        #expect(fields.description == "header.csv.gz:1: a record of more than 100000 fields (the most the reader takes): this is not a CSV event log")
    }
}
