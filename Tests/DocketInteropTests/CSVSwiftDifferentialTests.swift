// TEMPORARY: compares CSVRecords with yaslab/CSV.swift before the dependency is removed.
import CSV
@testable import DocketInterop
import Foundation
import Testing

@Suite("CSVRecords against CSV.swift (temporary)")
struct CSVSwiftDifferentialTests {
    static func csvSwift(_ text: String, delimiter: UInt8) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false, delimiter: Unicode.Scalar(delimiter))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    static func ours(_ bytes: [UInt8], delimiter: UInt8, chunkSizes: [Int] = [1 << 20]) throws -> [[String]] {
        let records = CSVRecords(source: MemoryChunks(bytes, chunkSizes: chunkSizes), explicitDelimiter: delimiter)
        var rows: [[String]] = []
        try records.forEach { r in rows.append((0..<r.count).map { r.string($0) }) }
        return rows
    }

    @Test func sharedLogsSplitAsCSVSwiftSplitsThem() throws {
        let dir = URL(fileURLWithPath: "/work/shared/data/logs")
        for name in ["sepsis.csv", "running-example.xes", "reviewing.xes", "interval_event_log.xes"] {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let bytes = Array(data)
            let text = try #require(String(validating: bytes, as: UTF8.self))
            for delimiter in [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: " ")] {
                let expected = try Self.csvSwift(text, delimiter: delimiter)
                let got = try Self.ours(bytes, delimiter: delimiter, chunkSizes: [4093, 65536, 7])
                #expect(got == expected, "\(name) delimiter \(delimiter): \(got.count) vs \(expected.count) rows")
                print("checked \(name) delimiter \(delimiter): \(got.count) rows, \(got.reduce(0) { $0 + $1.count }) fields")
            }
        }
    }

    @Test func generatedTrickyInputsSplitAsCSVSwiftSplitsThem() throws {
        let pieces: [String] = ["a", "bc", "é", "中", ",", ",", ";", "\"", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\t", "x\"y"]
        var state: UInt64 = 0x1234_5678
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var compared = 0, unterminated = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<(next() % 30) { text += pieces[next() % pieces.count] }
            let bytes = Array(text.utf8)
            let expected = try Self.csvSwift(text, delimiter: UInt8(ascii: ","))
            let sizes = [1 + next() % 5, 1 + next() % 3]
            do {
                let got = try Self.ours(bytes, delimiter: UInt8(ascii: ","), chunkSizes: sizes)
                #expect(got == expected, "\(text.debugDescription)")
                compared += 1
            } catch let error as LogReadError {
                // CSV.swift takes an unclosed quoted field to the end of the file; we refuse it.
                #expect(error.message.contains("never closed"), "\(text.debugDescription): \(error)")
                unterminated += 1
            }
        }
        print("compared \(compared), unterminated \(unterminated)")
        #expect(compared > 10_000)
    }
}
