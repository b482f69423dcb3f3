import DocketCore
import Foundation

/// Writes and reads an ``EventPayload``'s stored JSON without Foundation's coders on the common
/// path: JSONEncoder was about half the cost of an append, JSONDecoder three quarters of a scan.
///
/// The stored text is a format (the hash covers it, byte for byte), so the fast writer produces
/// exactly what `CanonicalJSON`'s JSONEncoder produces (sorted keys, no whitespace, `/`
/// unescaped, absent fields omitted, JSONEncoder's string escapes) and hands anything it cannot
/// be sure of to that encoder: `data` keys other than plain lowercase letters (key order is
/// platform-dependent beyond those), and nothing else. The fast reader accepts only that
/// canonical shape and hands anything else (whitespace, unknown keys, `null`, duplicates,
/// numbers that are not plain integers) to JSONDecoder, so both paths give the same payload.
/// `PayloadJSONTests` compares both paths with Foundation's on every field and on odd strings.
package struct PayloadCoder {
    private var buffer: [UInt8] = []
    private var encoder: JSONEncoder?
    private var decoder: JSONDecoder?

    package init() {
        buffer.reserveCapacity(512)
    }

    /// The payload's canonical JSON text.
    package mutating func encode(_ payload: EventPayload) throws -> String {
        buffer.removeAll(keepingCapacity: true)
        if PayloadJSON.knowsEveryField, PayloadJSON.write(payload, to: &buffer) {
            return String(decoding: buffer, as: UTF8.self)
        }
        if encoder == nil { encoder = CanonicalJSON.makeEncoder() }
        return String(decoding: try encoder!.encode(payload), as: UTF8.self)
    }

    /// The payload stored as `text`.
    package mutating func decode(_ text: String) throws -> EventPayload {
        var text = text
        return try text.withUTF8 { try decode(utf8: $0) }
    }

    /// The payload stored as these UTF-8 bytes.
    mutating func decode(utf8 bytes: UnsafeBufferPointer<UInt8>) throws -> EventPayload {
        var payload = EventPayload()
        try decode(utf8: bytes, into: &payload)
        return payload
    }

    /// Decodes the payload stored as these UTF-8 bytes into `payload`, which must be empty
    /// (decoding in place spares copying the payload's twenty fields around).
    mutating func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, into payload: inout EventPayload) throws {
        if PayloadJSON.knowsEveryField, PayloadJSON.read(bytes, into: &payload) { return }
        if decoder == nil { decoder = JSONDecoder() }
        payload = try decoder!.decode(EventPayload.self, from: Data(buffer: bytes))
    }
}

/// The fast paths of ``PayloadCoder``.
enum PayloadJSON {
    /// The payload's fields as JSONEncoder names them, in the order its `sortedKeys` writes them.
    /// `PayloadJSONTests` fails when EventPayload gains a field that is not listed here.
    static let fieldNames = [
        "actorUnknown", "approvals", "attachments", "attributes", "branch", "calendar", "correctedAt", "corrects",
        "data", "deadline", "department",
        "documents", "dueAt", "from", "futureAllowed", "instance", "lifecycle", "limit", "outcome", "person", "reason", "region",
        "rejections", "role", "round", "scope", "source", "startedAt", "state", "to", "transition", "trigger",
        "validFrom", "validUntil", "vote",
    ]

    /// Whether ``fieldNames`` lists exactly EventPayload's fields. A field added to EventPayload
    /// and not here would be dropped by the fast writer, so until it is added both fast paths
    /// stand aside and Foundation's coders do all the work (slower, never wrong).
    static let knowsEveryField: Bool = {
        let labels = Mirror(reflecting: EventPayload()).children.compactMap(\.label)
        return labels.count == fieldNames.count && Set(labels) == Set(fieldNames)
    }()

    // MARK: Writing

    /// Appends the canonical JSON of `payload` to `out`; false (with `out` in an unspecified
    /// state) when JSONEncoder must do it.
    static func write(_ p: EventPayload, to out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            writeString(value, to: &out)
        }
        func int(_ name: StaticString, _ value: Int64?) {
            guard let value else { return }
            key(name)
            writeInt(value, to: &out)
        }
        // Attachments (rare, nested objects) are JSONEncoder's to write.
        if p.attachments != nil { return false }
        // In fieldNames order.
        if let value = p.actorUnknown {
            key("actorUnknown")
            out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        }
        int("approvals", p.approvals.map(Int64.init))
        if let attributes = p.attributes {
            key("attributes")
            guard writeDictionary(attributes, to: &out) else { return false }
        }
        string("branch", p.branch)
        string("calendar", p.calendar)
        int("correctedAt", p.correctedAt?.microseconds)
        int("corrects", p.corrects.map(Int64.init))
        if let data = p.data {
            key("data")
            guard writeDictionary(data, to: &out) else { return false }
        }
        string("deadline", p.deadline)
        string("department", p.department)
        if let documents = p.documents {
            key("documents")
            out.append(UInt8(ascii: "["))
            for (index, document) in documents.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(document, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        int("dueAt", p.dueAt?.microseconds)
        string("from", p.from)
        if let value = p.futureAllowed {
            key("futureAllowed")
            out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        }
        string("instance", p.instance)
        string("lifecycle", p.lifecycle)
        string("limit", p.limit)
        string("outcome", p.outcome)
        string("person", p.person)
        string("reason", p.reason)
        string("region", p.region)
        int("rejections", p.rejections.map(Int64.init))
        string("role", p.role)
        int("round", p.round.map(Int64.init))
        string("scope", p.scope)
        string("source", p.source)
        int("startedAt", p.startedAt?.microseconds)
        string("state", p.state)
        string("to", p.to)
        string("transition", p.transition)
        string("trigger", p.trigger)
        string("validFrom", p.validFrom)
        string("validUntil", p.validUntil)
        string("vote", p.vote)
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// A string dictionary (`data`, `attributes`) with its keys sorted as JSONEncoder sorts them;
    /// false when that order is not certain. On Linux JSONEncoder sorts keys with String's `<`,
    /// which is byte order for ASCII; Apple's Foundation compares numerically and ignoring case,
    /// which agrees with byte order only for keys of lowercase letters. Other keys go to
    /// JSONEncoder.
    private static func writeDictionary(_ data: [String: String], to out: inout [UInt8]) -> Bool {
        #if canImport(Darwin)
        let plain: (UInt8) -> Bool = { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        #else
        let plain: (UInt8) -> Bool = { $0 < 0x80 }
        #endif
        for key in data.keys where !key.utf8.allSatisfy(plain) {
            return false
        }
        out.append(UInt8(ascii: "{"))
        if data.count == 1, let (key, value) = data.first {
            writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            writeString(value, to: &out)
        } else {
            for (index, key) in data.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                writeString(data[key]!, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// A JSON string as JSONEncoder writes it: `"` and `\` escaped, control characters as
    /// `\b \f \n \r \t` or `\u00xx` (lowercase hex), everything else (`/`, DEL, non-ASCII) as is.
    static func writeString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var clean = true
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                clean = false
                break
            }
            if clean {
                out.append(contentsOf: bytes)
                return
            }
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func writeInt(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 20 digits, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(scratch[index]) }
        }
    }

    // MARK: Reading

    /// The payload of canonical JSON `bytes`, or nil when they are not in the canonical shape
    /// (JSONDecoder then decides).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> EventPayload? {
        var payload = EventPayload()
        return read(bytes, into: &payload) ? payload : nil
    }

    /// Reads canonical JSON `bytes` into the empty `payload`; false (leaving `payload` in an
    /// unspecified state) when they are not in the canonical shape.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, into payload: inout EventPayload) -> Bool {
        var reader = Reader(bytes: bytes)
        return reader.payload(into: &payload)
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func payload(into p: inout EventPayload) -> Bool {
            var seen: UInt64 = 0
            guard take(UInt8(ascii: "{")) else { return false }
            if take(UInt8(ascii: "}")) { return index == bytes.count }
            repeat {
                guard let field = fieldIndex(), seen & (1 << field) == 0, take(UInt8(ascii: ":")) else { return false }
                seen |= 1 << field
                switch field {
                case 0: guard let v = bool() else { return false }; p.actorUnknown = v
                case 1: guard let v = int() else { return false }; p.approvals = v
                case 2: return false  // attachments: JSONDecoder reads them
                case 3: guard let v = dictionary() else { return false }; p.attributes = v
                case 4: guard let v = string() else { return false }; p.branch = v
                case 5: guard let v = string() else { return false }; p.calendar = v
                case 6: guard let v = int64() else { return false }; p.correctedAt = Timestamp(microseconds: v)
                case 7: guard let v = int() else { return false }; p.corrects = v
                case 8: guard let v = dictionary() else { return false }; p.data = v
                case 9: guard let v = string() else { return false }; p.deadline = v
                case 10: guard let v = string() else { return false }; p.department = v
                case 11: guard let v = array() else { return false }; p.documents = v
                case 12: guard let v = int64() else { return false }; p.dueAt = Timestamp(microseconds: v)
                case 13: guard let v = string() else { return false }; p.from = v
                case 14: guard let v = bool() else { return false }; p.futureAllowed = v
                case 15: guard let v = string() else { return false }; p.instance = v
                case 16: guard let v = string() else { return false }; p.lifecycle = v
                case 17: guard let v = string() else { return false }; p.limit = v
                case 18: guard let v = string() else { return false }; p.outcome = v
                case 19: guard let v = string() else { return false }; p.person = v
                case 20: guard let v = string() else { return false }; p.reason = v
                case 21: guard let v = string() else { return false }; p.region = v
                case 22: guard let v = int() else { return false }; p.rejections = v
                case 23: guard let v = string() else { return false }; p.role = v
                case 24: guard let v = int() else { return false }; p.round = v
                case 25: guard let v = string() else { return false }; p.scope = v
                case 26: guard let v = string() else { return false }; p.source = v
                case 27: guard let v = int64() else { return false }; p.startedAt = Timestamp(microseconds: v)
                case 28: guard let v = string() else { return false }; p.state = v
                case 29: guard let v = string() else { return false }; p.to = v
                case 30: guard let v = string() else { return false }; p.transition = v
                case 31: guard let v = string() else { return false }; p.trigger = v
                case 32: guard let v = string() else { return false }; p.validFrom = v
                case 33: guard let v = string() else { return false }; p.validUntil = v
                case 34: guard let v = string() else { return false }; p.vote = v
                default: return false
                }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) && index == bytes.count
        }

        /// The index in `fieldNames` of the quoted key at the cursor.
        mutating func fieldIndex() -> Int? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            guard var field = PayloadJSON.candidate(first: key.first ?? 0, count: key.count) else { return nil }
            if field == 20, key[2] == UInt8(ascii: "g") { field = 21 }  // region, not reason
            if field == 25, key[1] == UInt8(ascii: "t") { field = 28 }  // state, not scope
            if field == 5, key[1] == UInt8(ascii: "o") { field = 7 }  // corrects, not calendar
            let name = PayloadJSON.fieldNameBytes[field]
            let same = name.withUnsafeBufferPointer { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
            return same ? field : nil
        }

        /// A string without escapes, or with the escapes JSONEncoder writes.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return escapedString(from: start) }
                index += 1
            }
            return nil
        }

        /// The rest of a string that has escapes; only the ones JSONEncoder writes are accepted.
        mutating func escapedString(from start: Int) -> String? {
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        // \u00xx for a control character only; anything else goes to JSONDecoder.
                        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] == UInt8(ascii: "0"),
                              let high = hexDigit(bytes[index + 2]), let low = hexDigit(bytes[index + 3]), high < 2
                        else { return nil }
                        out.append(high << 4 | low)
                        index += 4
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        func hexDigit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }

        /// A plain integer (`-?[0-9]+`, no leading zeros, no fraction or exponent) that fits.
        mutating func int64() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            let start = index
            var magnitude: UInt64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                magnitude = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1, magnitude > 0 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        mutating func bool() -> Bool? {
            for (literal, value) in [("true", true), ("false", false)] {
                let utf8 = Array(literal.utf8)
                if index + utf8.count <= bytes.count, bytes[index..<(index + utf8.count)].elementsEqual(utf8) {
                    index += utf8.count
                    return value
                }
            }
            return nil
        }

        mutating func int() -> Int? {
            int64().flatMap { Int(exactly: $0) }
        }

        mutating func array() -> [String]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var values: [String] = []
            if take(UInt8(ascii: "]")) { return values }
            repeat {
                guard let value = string() else { return nil }
                values.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? values : nil
        }

        mutating func dictionary() -> [String: String]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var values: [String: String] = [:]
            if take(UInt8(ascii: "}")) { return values }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), let value = string(),
                      values.updateValue(value, forKey: key) == nil
                else { return nil }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? values : nil
        }
    }

    static let fieldNameBytes: [[UInt8]] = fieldNames.map { Array($0.utf8) }

    /// The only field a key starting with `first` and `count` bytes long can be (no two field
    /// names share both), as its index in `fieldNames`.
    static func candidate(first: UInt8, count: Int) -> Int? {
        switch (first, count) {
        case (UInt8(ascii: "a"), 12): 0  // actorUnknown
        case (UInt8(ascii: "a"), 9): 1  // approvals
        case (UInt8(ascii: "a"), 11): 2  // attachments
        case (UInt8(ascii: "a"), 10): 3  // attributes
        case (UInt8(ascii: "b"), 6): 4  // branch
        case (UInt8(ascii: "c"), 8): 5  // calendar (corrects shares both; the reader tells them apart)
        case (UInt8(ascii: "c"), 11): 6  // correctedAt
        case (UInt8(ascii: "d"), 4): 8  // data
        case (UInt8(ascii: "d"), 8): 9  // deadline
        case (UInt8(ascii: "d"), 10): 10  // department
        case (UInt8(ascii: "d"), 9): 11  // documents
        case (UInt8(ascii: "d"), 5): 12  // dueAt
        case (UInt8(ascii: "f"), 4): 13  // from
        case (UInt8(ascii: "f"), 13): 14  // futureAllowed
        case (UInt8(ascii: "i"), 8): 15  // instance
        case (UInt8(ascii: "l"), 9): 16  // lifecycle
        case (UInt8(ascii: "l"), 5): 17  // limit
        case (UInt8(ascii: "o"), 7): 18  // outcome
        case (UInt8(ascii: "p"), 6): 19  // person
        case (UInt8(ascii: "r"), 6): 20  // reason (region shares both; the reader tells them apart)
        case (UInt8(ascii: "r"), 10): 22  // rejections
        case (UInt8(ascii: "r"), 4): 23  // role
        case (UInt8(ascii: "r"), 5): 24  // round
        case (UInt8(ascii: "s"), 5): 25  // scope (state shares both; the reader tells them apart)
        case (UInt8(ascii: "s"), 6): 26  // source
        case (UInt8(ascii: "s"), 9): 27  // startedAt
        case (UInt8(ascii: "t"), 2): 29  // to
        case (UInt8(ascii: "t"), 10): 30  // transition
        case (UInt8(ascii: "t"), 7): 31  // trigger
        case (UInt8(ascii: "v"), 9): 32  // validFrom
        case (UInt8(ascii: "v"), 10): 33  // validUntil
        case (UInt8(ascii: "v"), 4): 34  // vote
        default: nil
        }
    }
}

/// Canonical JSON for writers of events outside the store (`docket export`'s JSON Lines): strings
/// and integers as JSONEncoder writes them, and a payload as the log stores it, which is what
/// JSONEncoder with sorted keys and unescaped slashes writes (the fast writer, else that encoder).
package struct EventJSONWriter {
    private var encoder: JSONEncoder?

    package init() {}

    /// Appends `value` as a JSON string, escaped as JSONEncoder escapes it.
    package static func appendString(_ value: String, to out: inout [UInt8]) {
        PayloadJSON.writeString(value, to: &out)
    }

    /// Appends `value` as a JSON number.
    package static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        PayloadJSON.writeInt(value, to: &out)
    }

    /// Appends the payload's canonical JSON.
    package mutating func appendPayload(_ payload: EventPayload, to out: inout [UInt8]) throws {
        let start = out.count
        if PayloadJSON.knowsEveryField, PayloadJSON.write(payload, to: &out) { return }
        out.removeSubrange(start...)
        if encoder == nil { encoder = CanonicalJSON.makeEncoder() }
        out.append(contentsOf: try encoder!.encode(payload))
    }
}
