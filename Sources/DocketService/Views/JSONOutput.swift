import DocketCore
import DocketStore
import Foundation
import Synchronization

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
        let (encoded, lists) = try encodedWithPlaceholders(value)
        // Most answers have no list to write in: JSONEncoder's bytes are the answer.
        guard lists.hasLists else { return encoded }
        var data = Data()
        try write(encoded, lists) { data.append(contentsOf: $0) }
        return data
    }

    /// `value` as JSONEncoder alone writes it, ``JSONTextList``s included: the text
    /// ``write(_:to:)`` is held to (tests compare the two).
    package static func dataFromJSONEncoder<T: Encodable>(_ value: T) throws -> Data {
        try encoder.encode(value)
    }

    /// `value` as pretty-printed JSON bytes, handed to `sink` piece by piece (pieces of about a
    /// megabyte), so an answer with a long list (a report's open cases) need not be held whole.
    ///
    /// JSONEncoder writes everything but the lists marked ``JSONTextList``: in their place it
    /// writes a placeholder string, and each list is written there by its elements' own writer
    /// (``JSONTextWriting``), which writes what JSONEncoder would, byte for byte
    /// (`JSONTextWritingTests` holds both to the same text). JSONEncoder took half of a report with
    /// 216,727 open cases, its key conversion alone a fifth (`Docs/performance.md`).
    package static func write<T: Encodable>(_ value: T, to sink: (ArraySlice<UInt8>) throws -> Void) throws {
        let (encoded, lists) = try encodedWithPlaceholders(value)
        try write(encoded, lists, to: sink)
    }

    /// JSONEncoder's text of `value`, with a placeholder for each ``JSONTextList``.
    private static func encodedWithPlaceholders<T: Encodable>(_ value: T) throws -> (Data, TextLists) {
        let lists = TextLists()
        let encoder = self.encoder
        encoder.userInfo[TextLists.key] = lists
        return (try encoder.encode(value), lists)
    }

    /// `encoded`, each of `lists` written in its placeholder's place.
    private static func write(_ encoded: Data, _ lists: TextLists, to sink: (ArraySlice<UInt8>) throws -> Void) throws {
        let text = [UInt8](encoded)
        var written = text.startIndex
        for placeholder in lists.placeholders(in: text) {
            try sink(text[written..<placeholder.range.lowerBound])
            written = placeholder.range.upperBound
            var list = JSONText(indent: placeholder.indent)
            try placeholder.list.write(to: &list) { chunk in
                try sink(chunk.bytes[...])
                chunk.bytes.removeAll(keepingCapacity: true)
            }
            try sink(list.bytes[...])
        }
        try sink(text[written...])
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

        /// Writes the next element with its own writer (``JSONTextWriting``): the same text,
        /// without JSONEncoder.
        package mutating func append<T: JSONTextWriting>(_ value: T) {
            var text = JSONText(indent: 2, capacity: 1_024)
            text.bytes.append(contentsOf: (count == 0 ? "[\n  " : ",\n  ").utf8)
            value.write(to: &text)
            write(String(decoding: text.bytes, as: UTF8.self))
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

// MARK: - Lists written without JSONEncoder

/// A view that writes its own JSON text, byte for byte as ``JSONOutput``'s encoder writes it
/// (keys in snake_case and sorted, absent optionals left out, pretty-printed): the element type
/// of a long list marked ``JSONTextList``. `JSONTextWritingTests` holds the two to the same
/// text, so a field added to the view and not to its writer fails there.
package protocol JSONTextWriting: Encodable, Sendable {
    /// Appends this value's JSON to `text`, at `text`'s indentation.
    func write(to text: inout JSONText)
}

/// A list ``JSONOutput`` writes with its elements' own writer (``JSONTextWriting``) instead of
/// JSONEncoder; any other encoder encodes it as the array it is.
@propertyWrapper
package struct JSONTextList<Element: JSONTextWriting>: Encodable, Sendable {
    package var wrappedValue: [Element]

    package init(wrappedValue: [Element]) {
        self.wrappedValue = wrappedValue
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        // An empty list is JSONEncoder's to write (it has its own shape for one).
        if !wrappedValue.isEmpty, let lists = encoder.userInfo[JSONOutput.TextLists.key] as? JSONOutput.TextLists {
            try container.encode(lists.placeholder(for: wrappedValue))
        } else {
            try container.encode(wrappedValue)
        }
    }
}

/// Pretty-printed JSON text as ``JSONOutput``'s encoder writes it: two spaces per level, `" : "`
/// between a key and its value, strings escaped as JSONEncoder escapes them (`/` as is),
/// numbers as JSONEncoder writes them.
package struct JSONText {
    package var bytes: [UInt8] = []
    /// The indentation of the current line, in spaces.
    private var indent: Int
    /// Whether the open object or array has no member yet.
    private var empty = true

    /// Text starting at a line indented `indent` spaces (a value's first line is not indented:
    /// it follows its key), with room for `capacity` bytes.
    package init(indent: Int, capacity: Int = 1 << 16) {
        self.indent = indent
        bytes.reserveCapacity(capacity)
    }

    package mutating func beginObject() { open(UInt8(ascii: "{")) }

    package mutating func endObject() { close(UInt8(ascii: "}")) }

    /// The next member's key; `name` must be the key JSONEncoder writes (snake_case), and keys
    /// must come in its sorted order.
    package mutating func key(_ name: StaticString) {
        nextMember()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), 0x20, UInt8(ascii: ":"), 0x20])
    }

    /// The member `name: value`, left out when `value` is nil (as JSONEncoder leaves out an
    /// absent optional).
    package mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        EventJSONWriter.appendString(value, to: &bytes)
    }

    package mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        EventJSONWriter.appendInt(Int64(value), to: &bytes)
    }

    package mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? Self.true : Self.false)
    }

    /// A number as JSONEncoder writes a `Double`: its shortest form without a trailing `.0`;
    /// a figure that is not a number as the strings ``JSONOutput`` names.
    package mutating func field(_ name: StaticString, _ value: Double) {
        key(name)
        guard value.isFinite else {
            EventJSONWriter.appendString(value.isNaN ? "nan" : value < 0 ? "-inf" : "inf", to: &bytes)
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// Writes `elements` as an array, handing the text to `flush` whenever a megabyte is written.
    mutating func array<Element: JSONTextWriting>(_ elements: [Element], flush: (inout JSONText) throws -> Void) rethrows {
        open(UInt8(ascii: "["))
        for element in elements {
            nextMember()
            element.write(to: &self)
            if bytes.count >= 1 << 20 { try flush(&self) }
        }
        close(UInt8(ascii: "]"))
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        indent += 2
        empty = true
    }

    private mutating func close(_ bracket: UInt8) {
        indent -= 2
        newLine()
        bytes.append(bracket)
        empty = false
    }

    private mutating func nextMember() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        newLine()
    }

    private mutating func newLine() {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: indent))
    }

    private static let `true` = Array("true".utf8)
    private static let `false` = Array("false".utf8)
}

extension JSONOutput {
    /// The ``JSONTextList``s of one ``write(_:to:)``: JSONEncoder writes a placeholder string for
    /// each, `"\u0001<nonce>:<n>"`, which no text of the answer can be (the nonce is new for each
    /// answer), and `write` finds the placeholders and writes the lists in their place.
    final class TextLists: Sendable {
        static let key = CodingUserInfoKey(rawValue: "docket.jsonTextLists")!

        struct Placeholder {
            /// The placeholder's bytes in the encoder's text, quotes included.
            var range: Range<Int>
            /// The indentation of its line.
            var indent: Int
            var list: any TextList
        }

        private let nonce = UUID().uuidString
        private let lists = Mutex<[any TextList]>([])

        /// Whether the encoder wrote a placeholder.
        var hasLists: Bool { lists.withLock { !$0.isEmpty } }

        func placeholder<Element: JSONTextWriting>(for elements: [Element]) -> String {
            let index = lists.withLock { lists in
                lists.append(Elements(elements: elements))
                return lists.count - 1
            }
            return "\u{1}\(nonce):\(index)"
        }

        /// The placeholders in `text`, in order.
        func placeholders(in text: [UInt8]) -> [Placeholder] {
            let lists = self.lists.withLock { $0 }
            guard !lists.isEmpty else { return [] }
            let marker = Array("\"\\u0001\(nonce):".utf8)
            var found: [Placeholder] = []
            var searched = text.startIndex
            while let match = text[searched...].firstRange(of: marker) {
                var end = match.upperBound
                var index = 0
                while text[end] != UInt8(ascii: "\"") {
                    index = index * 10 + Int(text[end] - UInt8(ascii: "0"))
                    end += 1
                }
                var lineStart = match.lowerBound
                while lineStart > text.startIndex, text[lineStart - 1] != 0x0A { lineStart -= 1 }
                let indent = text[lineStart...].prefix { $0 == 0x20 }.count
                found.append(Placeholder(range: match.lowerBound..<(end + 1), indent: indent, list: lists[index]))
                searched = end + 1
            }
            return found
        }
    }

    /// A list of one element type, its type forgotten.
    protocol TextList: Sendable {
        func write(to text: inout JSONText, flush: (inout JSONText) throws -> Void) throws
    }

    struct Elements<Element: JSONTextWriting>: TextList {
        var elements: [Element]

        func write(to text: inout JSONText, flush: (inout JSONText) throws -> Void) throws {
            try text.array(elements, flush: flush)
        }
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
