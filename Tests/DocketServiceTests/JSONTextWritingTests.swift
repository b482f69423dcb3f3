import DocketAnalytics
import DocketCore
@testable import DocketService
import DocketStore
import Foundation
import Testing

/// Lists marked `JSONTextList` (a report's open cases) are written by their elements' own writer
/// instead of JSONEncoder: the text must be JSONEncoder's, byte for byte, wherever the list sits,
/// whatever its strings and numbers, and however the text is cut into pieces.
@Suite struct JSONTextWritingTests {
    typealias Row = ReportView.OpenCaseView

    struct Holder: Encodable {
        var name: String
        @JSONTextList var rows: [Row]
        var after: [String: Int]
    }

    struct Nested: Encodable {
        var holders: [Holder]
        @JSONTextList var top: [Row]
    }

    /// Strings JSON escapes, and some it must not (`/`, non-ASCII, DEL).
    static let strings = [
        "C-1", "", "案件-二〇二〇", "a/b", "quote \" back \\ slash", "line\nbreak\ttab\r\u{8}\u{c}",
        "\u{0}\u{1}\u{1f}\u{7f}", "emoji 👩‍⚕️", "\u{2028}\u{2029}", "placeholder-like \u{1}x:0",
    ]

    static func randomRows(_ count: Int, seed: UInt64) -> [Row] {
        var random = SeededRandom(seed: seed)
        func string() -> String { strings[Int(random.next() % UInt64(strings.count))] }
        func optional() -> String? { random.next() % 3 == 0 ? nil : string() }
        func double() -> Double {
            switch random.next() % 6 {
            case 0: Double(random.next() % 10_000_000)
            case 1: Double(bitPattern: random.next())
            case 2: Double(Int64(bitPattern: random.next()) % 1_000_000_000) / 1_000
            case 3: [Double.nan, .infinity, -.infinity, -0.0, 0, 1e21, 1e-7, .greatestFiniteMagnitude][Int(random.next() % 8)]
            default: Double(random.next() % 100_000_000) / 7
            }
        }
        return (0..<count).map { _ in
            Row(caseID: string(), version: Int(random.next() % 5) - 1, state: string(), department: optional(),
                openedAt: string(), since: string(), age: double(), overdue: random.next() % 2 == 0,
                overdueSince: optional(), clockStopped: random.next() % 2 == 0, channel: optional(),
                provisional: random.next() % 2 == 0)
        }
    }

    static func written<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONOutput.data(value), as: UTF8.self)
    }

    static func byJSONEncoder<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONOutput.dataFromJSONEncoder(value), as: UTF8.self)
    }

    @Test(arguments: [1, 2, 17, 500])
    func aListIsWrittenAsJSONEncoderWritesIt(_ count: Int) throws {
        for seed in UInt64(1)...5 {
            let holder = Holder(name: "x", rows: Self.randomRows(count, seed: seed), after: ["a": 1])
            #expect(try Self.written(holder) == (try Self.byJSONEncoder(holder)))
        }
    }

    @Test func listsAtEveryDepthAndEmptyOnesAreWrittenInPlace() throws {
        let nested = Nested(
            holders: [
                Holder(name: "first", rows: Self.randomRows(3, seed: 7), after: [:]),
                Holder(name: "empty", rows: [], after: ["b": 2]),
                Holder(name: "\u{1}", rows: Self.randomRows(1, seed: 8), after: ["c": 3]),
            ],
            top: Self.randomRows(4, seed: 9))
        let text = try Self.written(nested)
        #expect(text == (try Self.byJSONEncoder(nested)))
        // The text is JSON a reader takes back.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect((parsed?["top"] as? [Any])?.count == 4)
    }

    @Test func aLongListComesInPiecesThatMakeTheWholeText() throws {
        // About 300 bytes a row: several megabyte pieces.
        let holder = Holder(name: "long", rows: Self.randomRows(12_000, seed: 3), after: [:])
        var pieces: [[UInt8]] = []
        try JSONOutput.write(holder) { pieces.append(Array($0)) }
        #expect(pieces.count > 3)
        #expect(pieces.allSatisfy { $0.count <= (1 << 20) + 4_096 })
        #expect(String(decoding: pieces.joined(), as: UTF8.self) == (try Self.byJSONEncoder(holder)))
    }

    @Test func aWriterThatFailsStopsTheWriting() throws {
        struct Full: Error {}
        let holder = Holder(name: "x", rows: Self.randomRows(10_000, seed: 4), after: [:])
        var written = 0
        #expect(throws: Full.self) {
            try JSONOutput.write(holder) { piece in
                written += piece.count
                if written > 1 << 20 { throw Full() }
            }
        }
        #expect(written < 3 << 20)
    }

    static func randomSummaries(_ count: Int, seed: UInt64) -> [CaseSummaryView] {
        var random = SeededRandom(seed: seed)
        func string() -> String { strings[Int(random.next() % UInt64(strings.count))] }
        func optional() -> String? { random.next() % 3 == 0 ? nil : string() }
        let desk = DeskCase(caseID: "C", position: 1, workflow: WorkflowKey(id: "w", version: 1), openedAt: Timestamp(seconds: 0),
                            openedBy: "ann", applicant: nil, channel: nil, state: "s", whereabouts: "s", outcome: nil,
                            nextDueAt: nil, holder: nil)
        return (0..<count).map { _ in
            var row = CaseSummaryView(desk: desk, time: TimeText(calendar: nil), overdueSince: nil)
            row.caseID = string()
            row.workflow = string()
            row.workflowVersion = Int(random.next() % 4)
            row.state = string()
            row.stateTitle = optional()
            row.outcome = optional()
            row.openedAt = string()
            row.overdue = random.next() % 2 == 0
            row.overdueSince = optional()
            row.provisional = random.next() % 2 == 0
            return row
        }
    }

    /// `cases --format json` streams its rows through their own writer: the array's text is
    /// JSONEncoder's of the whole array.
    @Test(arguments: [0, 1, 2, 300])
    func aStreamOfCaseSummariesIsTheWholeArraysText(_ count: Int) throws {
        let rows = Self.randomSummaries(count, seed: UInt64(count) + 11)
        var text = ""
        var stream = JSONOutput.ArrayStream { text += $0 }
        for row in rows { stream.append(row) }
        #expect(try stream.finish() == count)
        #expect(text == String(decoding: try JSONOutput.dataFromJSONEncoder(rows), as: UTF8.self))
    }
}
