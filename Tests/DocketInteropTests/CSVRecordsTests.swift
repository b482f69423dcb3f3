@testable import DocketInterop
import DocketTestSupport
import Foundation
import Testing

/// The records `CSVRecords` splits `bytes` into, handed over in chunks of `chunkSizes`.
func splitCSV(_ bytes: [UInt8], delimiter: UInt8? = UInt8(ascii: ","), chunkSizes: [Int] = [1 << 20]) throws -> [[String]] {
    let records = CSVRecords(source: MemoryChunks(bytes, chunkSizes: chunkSizes), explicitDelimiter: delimiter)
    var rows: [[String]] = []
    try records.forEach { record in rows.append((0..<record.count).map { record.string($0) }) }
    return rows
}

func splitCSV(_ text: String, delimiter: UInt8? = UInt8(ascii: ","), chunkSizes: [Int] = [1 << 20]) throws -> [[String]] {
    try splitCSV(Array(text.utf8), delimiter: delimiter, chunkSizes: chunkSizes)
}

/// The same rules written the plain way, on the whole input at once, to check the chunked,
/// restartable splitter against. `nil` when a quoted field is still open at the end.
enum ReferenceCSV {
    static func split(_ bytes: [UInt8], delimiter: UInt8) -> [[String]]? {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let n = bytes.count
        var rows: [[String]] = []
        while i < n {
            var row: [[UInt8]] = []
            fields: while true {
                var field: [UInt8] = []
                if i < n && bytes[i] == quote {
                    i += 1
                    while true {
                        guard i < n else { return nil }
                        let c = bytes[i]
                        i += 1
                        if c != quote {
                            field.append(c)
                            continue
                        }
                        if i == n {
                            row.append(field)
                            break fields
                        }
                        let d = bytes[i]
                        i += 1
                        if d == delimiter {
                            row.append(field)
                            continue fields
                        }
                        if d == lf || d == cr {
                            if d == cr && i < n && bytes[i] == lf { i += 1 }
                            row.append(field)
                            break fields
                        }
                        field.append(quote)
                        if d >= 0xC0 { i = min(n, i + (d >= 0xF0 ? 3 : d >= 0xE0 ? 2 : 1)) }
                    }
                } else {
                    while i < n && bytes[i] != delimiter && bytes[i] != lf && bytes[i] != cr {
                        field.append(bytes[i])
                        i += 1
                    }
                    row.append(field)
                    if i == n { break fields }
                    let c = bytes[i]
                    i += 1
                    if c == delimiter { continue fields }
                    if c == cr && i < n && bytes[i] == lf { i += 1 }
                    break fields
                }
            }
            rows.append(row.map { String(decoding: $0, as: UTF8.self) })
        }
        return rows
    }
}

/// A small deterministic generator (a PCG-style LCG), so failures can be replayed.
struct SeededBytes {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(truncatingIfNeeded: state >> 33) % bound
    }
}

@Suite("Splitting CSV into records")
struct CSVRecordsTests {
    @Test func aQuotedFieldHoldsDelimitersAndLineBreaks() throws {
        #expect(try splitCSV("a,\"b,c\",\"d\r\ne\nf\"\n") == [["a", "b,c", "d\r\ne\nf"]])
    }

    @Test func aDoubledQuoteInAQuotedFieldIsOneQuote() throws {
        #expect(try splitCSV("\"say \"\"hi\"\"\",x\n\"\"\"\"\n") == [["say \"hi\"", "x"], ["\""]])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsAnOrdinaryCharacter() throws {
        #expect(try splitCSV("ab\"c,d\"\n") == [["ab\"c", "d\""]])
    }

    @Test func aLoneQuoteInAQuotedFieldKeepsTheFieldOpenAndDropsTheNextCharacter() throws {
        // CSV.swift's reading, kept so that files read the same as before.
        #expect(try splitCSV("\"ab\"cd,e\",x\n\"q\"中r\"\n") == [["ab\"d,e", "x"], ["q\"r"]])
    }

    @Test func recordsEndAtLFOrCRLFOrALoneCR() throws {
        #expect(try splitCSV("a\nb\r\nc\rd\r") == [["a"], ["b"], ["c"], ["d"]])
    }

    @Test func theFinalLineBreakIsOptional() throws {
        #expect(try splitCSV("a,b\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try splitCSV("a,b\n1,\"2\"") == [["a", "b"], ["1", "2"]])
        #expect(try splitCSV("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
    }

    @Test func emptyFieldsAndBlankLinesAreKept() throws {
        #expect(try splitCSV("a,,\n\n,b\n\"\",\n,") == [["a", "", ""], [""], ["", "b"], ["", ""], ["", ""]])
    }

    @Test func anEmptyFileHasNoRecords() throws {
        #expect(try splitCSV("") == [])
    }

    @Test func aQuotedFieldOpenAtTheEndOfTheFileIsAnErrorAtItsLine() throws {
        let error = try #require(throws: LogReadError.self) { try splitCSV("h\nx\n\"open,\nmore\n") }
        #expect(error.code == .malformedCSV)
        #expect(error.line == 3)
        #expect(error.message.contains("never closed"))
    }

    @Test func aByteOrderMarkIsDroppedEvenBeforeAQuote() throws {
        #expect(try splitCSV("\u{FEFF}\"Case ID\",b\n1,2\n") == [["Case ID", "b"], ["1", "2"]])
        #expect(try splitCSV("\u{FEFF}") == [])
    }

    @Test func bytesThatAreNotUTF8AreReportedAtTheirRecord() throws {
        let error = try #require(throws: LogReadError.self) { try splitCSV(Array("a\n\"b\nc\"\nd".utf8) + [0xFF] + Array("\n".utf8)) }
        #expect(error.code == .malformedCSV)
        #expect(error.line == 3)
    }

    @Test func theDelimiterIsTheMostFrequentCandidateOutsideQuotesInTheFirstLine() throws {
        let records = CSVRecords(source: MemoryChunks(Array("\"a,b,c\";d;e\n1;2;3\n".utf8)), explicitDelimiter: nil)
        var rows: [[String]] = []
        try records.forEach { r in rows.append((0..<r.count).map { r.string($0) }) }
        #expect(records.delimiter == UInt8(ascii: ";"))
        #expect(rows == [["a,b,c", "d", "e"], ["1", "2", "3"]])
    }

    @Test func everyChunkBoundaryGivesTheSameRecords() throws {
        let text = "\u{FEFF}id,\"note\",x\r\n1,\"a \"\"q\"\" b\r\nc\",é\r2,,\"\"\n\n3,\"中\"x\",\"end\""
        let whole = try splitCSV(text)
        #expect(whole == ReferenceCSV.split(Array(text.utf8), delimiter: UInt8(ascii: ",")))
        for size in 1...text.utf8.count {
            #expect(try splitCSV(text, chunkSizes: [size]) == whole, "chunks of \(size)")
        }
    }

    @Test func aFieldLongerThanManyChunksIsReadWhole() throws {
        let long = String(repeating: "x,\"\r\n", count: 40_000)  // 200 KB of delimiters, quotes, line breaks
        let quoted = "\"" + long.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let rows = try splitCSV("h\n" + quoted + ",z\n", chunkSizes: [997])
        let readWhole = rows == [["h"], [long, "z"]]  // not in the expectation: the value is 200 KB
        #expect(readWhole)
    }

    @Test func generatedInputsSplitAsTheReferenceSplitsThem() throws {
        let pieces = ["a", "bc", "é", "中", "😀", ",", ",", ";", "\"", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\u{FEFF}"]
        var g = SeededBytes(state: 0x5EED_C5F0)
        // Inputs the reference splits (compared row by row) and inputs it refuses (malformed quoting).
        var outcomes = FuzzOutcomes()
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<g.next(40) { text += pieces[g.next(pieces.count)] }
            let bytes = Array(text.utf8)
            let sizes = [1 + g.next(7), 1 + g.next(64)]
            if let expected = ReferenceCSV.split(bytes, delimiter: UInt8(ascii: ",")) {
                #expect(try splitCSV(bytes, chunkSizes: sizes) == expected, "\(text.debugDescription)")
                outcomes.accepted += 1
            } else {
                #expect(throws: LogReadError.self, "\(text.debugDescription)") { try splitCSV(bytes, chunkSizes: sizes) }
                outcomes.refused += 1
            }
        }
        outcomes.expectBoth(atLeast: 0.1, "generated CSV texts")
        print("generated CSV texts: \(outcomes)")
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        let interesting: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x8F, 0x90, 0xF4, 0xF5, 0xFF]
        var g = SeededBytes(state: 42)
        var outcomes = FuzzOutcomes()
        for _ in 0..<50_000 {
            let bytes = (0..<(1 + g.next(6))).map { _ in interesting[g.next(interesting.count)] }
            let ours = bytes.withUnsafeBufferPointer { CSVRecords<MemoryChunks>.isValidUTF8($0) }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == valid, "\(bytes)")
            outcomes.record(accepted: valid)
        }
        // Valid UTF-8 is rare among these boundary bytes (about 3%): at least 2%, a thousand strings.
        outcomes.expectAccepted(atLeast: 0.02, "generated byte strings")
        outcomes.expectRefused(atLeast: 0.1, "generated byte strings")
        print("generated byte strings: \(outcomes) as UTF-8")
    }
}

@Suite("Reading CSV: rows and errors")
struct CSVRowTests {
    @Test func aShortRowWithoutTheTimestampIsSkippedAndALongRowIsAnError() throws {
        let (events, summary) = try readCSV("Case ID,Activity,Complete Timestamp\n1,a\n1,b,2020-01-01 08:00\n")
        #expect(events.map(\.activity) == ["b"] && summary.skippedRows == 1)
        let error = try #require(throws: LogReadError.self) {
            try readCSV("Case ID,Activity,Complete Timestamp\n1,b,2020-01-01 08:00,extra\n")
        }
        #expect(error.description == "log.csv:2: 4 fields where the header has 3")
    }

    @Test func blankLinesAreNotRowsButCountAsLines() throws {
        let error = try #require(throws: LogReadError.self) {
            try readCSV("Case ID,Activity,Complete Timestamp\n\n1,a,soon\n")
        }
        #expect(error.code == .unparsableTimestamp && error.line == 3)
    }

    @Test func aQuotedFieldOpenAtTheEndOfTheFileIsReportedAtItsLine() throws {
        let error = try #require(throws: LogReadError.self) {
            try readCSV("Case ID,Activity,Complete Timestamp\n1,a,2020-01-01 08:00\n1,\"b,2020-01-01 09:00\n")
        }
        #expect(error.code == .malformedCSV)
        #expect(error.description.hasPrefix("log.csv:3: a quoted field"))
    }

    @Test func aHeaderAfterAByteOrderMarkIsRead() throws {
        let (events, summary) = try readCSV("\u{FEFF}\"Case ID\",Activity,Complete Timestamp\n1,a,2020-01-01 08:00\n")
        #expect(summary.caseColumn == "Case ID" && events.count == 1)
    }

    @Test func repeatedCaseIdsAndActivitiesAreTheSameText() throws {
        let (events, _) = try readCSV("Case ID,Activity,Complete Timestamp\nNA,a,2020-01-01 08:00\nNA,a,2020-01-01 09:00\nc\"2,\"a\",2020-01-01 10:00\n")
        #expect(events.map(\.caseID) == ["NA", "NA", "c\"2"])
        #expect(events.map(\.activity) == ["a", "a", "a"])
    }

    @Test func otherColumnsBecomeAttributesWhenAsked() throws {
        let (events, _) = try readCSV(
            "Case ID,Activity,Complete Timestamp,Age,Note\n1,a,2020-01-01 08:00,85,\"x, \"\"y\"\"\"\n1,b,2020-01-01 09:00,,\n",
            options: .init(collectsAttributes: true))
        #expect(events.map(\.attributes) == [["Age": "85", "Note": "x, \"y\""], [:]])
    }

    @Test func aDelimiterThatIsNotOneASCIICharacterIsRefused() throws {
        let error = try #require(throws: LogReadError.self) {
            try readCSV("Case ID§Activity\n", options: .init(delimiter: "§"))
        }
        #expect(error.code == .malformedCSV)
        #expect(try readCSV("Case ID|Activity|Complete Timestamp\n1|a|2020-01-01 08:00\n", options: .init(delimiter: "|")).events.count == 1)
    }
}
