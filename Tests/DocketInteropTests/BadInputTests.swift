import DocketInterop
import Foundation
import Testing
import DocketTestSupport

/// The error reading `bytes` (as a file named `name`) raises.
func readError(_ bytes: [UInt8], name: String, options: EventLogFile.ReadOptions = .init()) -> LogReadError? {
    let dir = TemporaryDirectory()
    let path = dir.file(name, bytes)
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

let wellFormed = xes(
    "<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-01-01T00:00:00Z"),
    "<string key=\"concept:name\" value=\"d\"/>" + event("b", "2020-01-01T00:00:00Z"))

@Suite("Bad input is an error naming the file and the place")
struct BadInputTests {
    @Test func aTruncatedGzipFileIsReportedWithItsByteOffset() throws {
        let full = try gzipped(Array(wellFormed.utf8))
        let error = try #require(readError(Array(full.dropLast(12)), name: "log.xes.gz"))
        #expect(error.code == .truncatedCompressedData)
        #expect(error.byteOffset == Int64(full.count - 12))
        #expect(error.description.hasPrefix("log.xes.gz: byte \(full.count - 12): truncated gzip data"))
    }

    @Test func damagedGzipDataIsReported() throws {
        var bytes = try gzipped(Array(wellFormed.utf8))
        for i in 20..<40 { bytes[i] ^= 0x5A }
        let error = try #require(readError(bytes, name: "log.xes.gz"))
        #expect(error.code == .corruptCompressedData || error.code == .truncatedCompressedData)
    }

    @Test func malformedXMLIsReportedAtItsLine() throws {
        let text = "<?xml version=\"1.0\"?>\n<log>\n<trace>\n<event>\n</trace>\n</log>\n"
        let error = try #require(readError(Array(text.utf8), name: "bad.xes"))
        #expect(error.code == .malformedXML)
        #expect(error.line == 5)
        #expect(error.description == "bad.xes:5: end tag </trace> does not match <event>")
    }

    @Test func anUnparsableTimestampIsReportedAtItsLine() throws {
        let text = wellFormed.replacingOccurrences(of: "value=\"2020-01-01T00:00:00Z\"/></event>\n</trace>\n<trace>", with: "value=\"01.01.2020 00:00\"/></event>\n</trace>\n<trace>")
        let error = try #require(readError(Array(text.utf8), name: "bad.xes"))
        #expect(error.code == .unparsableTimestamp)
        #expect(error.line == 4)
        #expect(error.message.contains("01.01.2020 00:00"))
    }

    @Test func anEventWithoutATimestampIsReported() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/><event><string key=\"concept:name\" value=\"a\"/></event>")
        #expect(readError(Array(text.utf8), name: "bad.xes")?.code == .invalidLog)
    }

    @Test func bytesThatAreNotUTF8AreReported() throws {
        var bytes = Array(wellFormed.utf8)
        bytes.insert(0xFF, at: bytes.count - 10)
        #expect(readError(bytes, name: "bad.xes")?.code == .malformedXML)
    }

    @Test func controlCharactersXMLForbidsAreReportedAtTheirLine() throws {
        let text = wellFormed.replacingOccurrences(of: "value=\"d\"", with: "value=\"d\u{1}\"")
        let error = try #require(readError(Array(text.utf8), name: "bad.xes"))
        #expect(error.code == .malformedXML)
        #expect(error.line == 7)
    }

    @Test func anUnknownCSVColumnIsReported() throws {
        let options = EventLogFile.ReadOptions(csvColumns: .init(caseID: "Ticket"))
        let error = try #require(readError(Array("Case ID,Activity,Complete Timestamp\n1,a,2020-01-01 08:00\n".utf8), name: "log.csv", options: options))
        #expect(error.code == .unknownColumn)
        #expect(error.description.hasPrefix("log.csv:1: no column \"Ticket\""))
    }

    @Test func aMissingCSVColumnIsReported() throws {
        let error = try #require(readError(Array("Case ID,Step,Complete Timestamp\n1,a,2020-01-01 08:00\n".utf8), name: "log.csv"))
        #expect(error.code == .missingColumn)
    }

    @Test func anUnparsableCSVTimestampIsReportedAtItsLine() throws {
        let text = "Case ID,Activity,Complete Timestamp\n1,a,2020-01-01 08:00\n1,b,yesterday\n"
        let error = try #require(readError(Array(text.utf8), name: "log.csv"))
        #expect(error.code == .unparsableTimestamp)
        #expect(error.line == 3)
    }

    @Test func aMissingFileIsReported() {
        #expect(throws: LogReadError.self) { try EventLogFile(path: "/nonexistent/log.xes") }
    }
}
