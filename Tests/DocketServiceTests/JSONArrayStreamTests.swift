import DocketService
import Foundation
import Testing

/// `JSONOutput.ArrayStream` (`cases --format json` streamed) writes what `JSONOutput.text` writes
/// for the whole array, byte for byte.
@Suite struct JSONArrayStreamTests {
    struct Row: Encodable {
        var caseID: String
        var overdueSince: String?
        var provisional: Bool
        var data: [String: String]
        var steps: [Int]
        var nested: Nested?

        struct Nested: Encodable {
            var name: String
            var values: [String]
        }
    }

    static let rows: [Row] = [
        Row(caseID: "C-1", overdueSince: "2020-03-02T10:00:00+08:00", provisional: false, data: ["channel": "online"], steps: [1, 2],
            nested: Row.Nested(name: "line\nbreak \"quoted\"", values: ["a", "b/c"])),
        Row(caseID: "案件-2", overdueSince: nil, provisional: true, data: [:], steps: [], nested: nil),
        Row(caseID: "C-3\u{1b}", overdueSince: nil, provisional: false, data: ["z": "1", "a": "2"], steps: [3], nested: nil),
    ]

    static func streamed(_ rows: some Sequence<Row>) throws -> String {
        var text = ""
        var stream = JSONOutput.ArrayStream { text += $0 }
        for row in rows { try stream.append(row) }
        #expect(try stream.finish() == Array(rows).count)
        return text
    }

    @Test(arguments: [0, 1, 2, 3])
    func aStreamedArrayIsTheWholeArraysText(_ count: Int) throws {
        let rows = Array(Self.rows.prefix(count))
        #expect(try Self.streamed(rows) == (try JSONOutput.text(rows)))
    }
}
