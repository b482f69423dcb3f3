/// The canonical encoding of an event row, which its hash is taken over (Docs/store.md
/// specifies it byte for byte):
///
///     tag    = UTF-8 "docket.event.v1" (or ".v2"), then 0x00
///     int    = 'i' (0x69), then 8 bytes big-endian two's complement
///     text   = 's' (0x73), then the UTF-8 length as 8 bytes big-endian, then the UTF-8 bytes
///     null   = 'n' (0x6E)
///     fields = position, prev_hash, case_id, version, type, workflow_id, workflow_version,
///              actor, role, on_behalf_of, occurred_at, recorded_at, payload
///              and, from encoding 2, principal
///
/// Written once here for both kinds of text a row comes as: strings (``EventRow``: appending,
/// `verify`) and bytes still in SQLite's buffer (``StoredRowHash``: every read that checks hashes).
struct CanonicalEncoding<Text: CanonicalText> {
    var encoding: Int
    var position: Int64
    var prevHash: Text
    var caseID: Text
    var version: Int64
    var type: Text
    var workflowID: Text
    var workflowVersion: Int64
    var actor: Text
    var role: Text?
    var onBehalfOf: Text?
    var occurredAt: Int64
    var recordedAt: Int64
    var payload: Text
    /// Encoded from encoding 2 on.
    var principal: Text?

    private var tag: [UInt8] { encoding == 1 ? canonicalTagV1 : canonicalTagV2 }

    /// The encoding's length in bytes.
    var count: Int {
        var size = tag.count + 1 + 5 * 9 + 6 * 9
        size += prevHash.utf8Count + caseID.utf8Count + type.utf8Count + workflowID.utf8Count + actor.utf8Count + payload.utf8Count
        size += (role.map { 9 + $0.utf8Count } ?? 1) + (onBehalfOf.map { 9 + $0.utf8Count } ?? 1)
        if encoding >= 2 { size += principal.map { 9 + $0.utf8Count } ?? 1 }
        return size
    }

    /// Writes the encoding at the start of `raw`, which has room for ``count`` bytes; returns ``count``.
    func write(into raw: UnsafeMutableRawBufferPointer) -> Int {
        var out = CanonicalWriter(raw: raw)
        tag.withUnsafeBufferPointer { out.copy($0) }
        out.byte(0)
        out.int(position)
        out.text(prevHash)
        out.text(caseID)
        out.int(version)
        out.text(type)
        out.text(workflowID)
        out.int(workflowVersion)
        out.text(actor)
        out.text(role)
        out.text(onBehalfOf)
        out.int(occurredAt)
        out.int(recordedAt)
        out.text(payload)
        if encoding >= 2 { out.text(principal) }
        return out.at
    }
}

private let canonicalTagV1 = Array(EventRow.encodingTag(1).utf8)
private let canonicalTagV2 = Array(EventRow.encodingTag(2).utf8)

/// Text as the canonical encoding takes it: a string, or UTF-8 bytes.
protocol CanonicalText {
    var utf8Count: Int { get }
    func copy(into out: inout CanonicalWriter)
}

extension String: CanonicalText {
    var utf8Count: Int { utf8.count }

    func copy(into out: inout CanonicalWriter) {
        var text = self
        text.withUTF8 { out.copy($0) }
    }
}

extension UnsafeBufferPointer: CanonicalText where Element == UInt8 {
    var utf8Count: Int { count }

    func copy(into out: inout CanonicalWriter) { out.copy(self) }
}

/// Writes fields at increasing offsets of a buffer with room for them all. A struct rather than
/// local functions over the offset: Swift checks those for exclusive access at every write,
/// which cost a third of checking a row's hash.
struct CanonicalWriter {
    let raw: UnsafeMutableRawBufferPointer
    private(set) var at = 0

    init(raw: UnsafeMutableRawBufferPointer) {
        self.raw = raw
    }

    mutating func byte(_ value: UInt8) {
        raw[at] = value
        at += 1
    }

    mutating func int(_ value: Int64) {
        byte(UInt8(ascii: "i"))
        bigEndian(UInt64(bitPattern: value))
    }

    mutating func text(_ value: (some CanonicalText)?) {
        guard let value else { return byte(UInt8(ascii: "n")) }
        byte(UInt8(ascii: "s"))
        bigEndian(UInt64(value.utf8Count))
        value.copy(into: &self)
    }

    mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > 0 { UnsafeMutableRawBufferPointer(rebasing: raw[at..<(at + bytes.count)]).copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        at += bytes.count
    }

    private mutating func bigEndian(_ bits: UInt64) {
        raw.storeBytes(of: bits.bigEndian, toByteOffset: at, as: UInt64.self)
        at += 8
    }
}
