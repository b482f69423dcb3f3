import DocketCore
import Foundation

/// The one JSON style of Docket's output, in the CLI (`--format json`) and the HTTP API alike.
///
/// Every JSON document is a view type of this folder encoded here: keys are the views' Swift
/// property names in snake_case (`caseID` is `case_id`; keys that are data, such as a case's
/// `data` or an activity name, are kept as written), sorted; times are ISO 8601 strings with the
/// offset of the workflow's calendar (``TimeText``); durations are seconds; a figure that is not a
/// number is the string `nan`, `inf` or `-inf`.
package enum JSONOutput {
    /// `value` as pretty-printed JSON text.
    package static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// `value` as pretty-printed JSON bytes.
    package static func data<T: Encodable>(_ value: T) throws -> Data {
        try encoder.encode(value)
    }

    /// A JSON array written element by element, as ``text(_:)`` writes the whole array: each
    /// element is encoded alone and indented one level, so a long answer streams with bounded
    /// memory and the text is byte for byte the same (`JSONArrayStreamTests`).
    package struct ArrayStream {
        private let write: (String) -> Void
        private let encoder = JSONOutput.encoder
        private var count = 0

        /// A stream handing its text to `write`, piece by piece.
        package init(_ write: @escaping (String) -> Void) {
            self.write = write
        }

        /// Writes the next element.
        package mutating func append<T: Encodable>(_ value: T) throws {
            var piece = Array((count == 0 ? "[\n  " : ",\n  ").utf8)
            let element = try encoder.encode(value)
            piece.reserveCapacity(element.count + element.count / 4 + 4)
            // JSON text escapes line feeds inside strings, so every raw one starts a line; the
            // empty line inside an empty container stays empty, as in the whole array's text.
            var lineStart = false
            for byte in element {
                if lineStart, byte != 0x0A { piece += [0x20, 0x20] }
                piece.append(byte)
                lineStart = byte == 0x0A
            }
            write(String(decoding: piece, as: UTF8.self))
            count += 1
        }

        /// Closes the array (an empty one as ``JSONOutput/text(_:)`` writes it). Returns how
        /// many elements were written.
        @discardableResult
        package func finish() throws -> Int {
            if count == 0 {
                write(try JSONOutput.text([String]()))
            } else {
                write("\n]")
            }
            return count
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}

/// How a view writes an instant: ISO 8601 with the offset the workflow's calendar has at that
/// instant (`2020-02-09T19:00:00+08:00`), UTC for a workflow without a calendar.
package struct TimeText: Sendable {
    private let calendar: (any WorkingTimeCalendar)?

    /// Times in the zone of `calendar` (UTC when `nil`).
    package init(calendar: (any WorkingTimeCalendar)?) {
        self.calendar = calendar
    }

    /// `t` as ISO 8601 in this zone.
    package func callAsFunction(_ t: Timestamp) -> String {
        t.iso8601(offsetSeconds: calendar?.utcOffsetSeconds(at: t) ?? 0)
    }
}
