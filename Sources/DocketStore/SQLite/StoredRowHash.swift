import Crypto

/// Checks each row a reader steps to against its stored hash, from the statement's columns as
/// SQLite holds them: the canonical encoding (``CanonicalEncoding``) is written from the columns'
/// bytes into one buffer reused from row to row, with no string made and no row copied.
///
/// `EventRow` encodes a row it holds as strings (appending, `verify`); this one still in SQLite's
/// buffer (every read that checks hashes). `StoredRowHashTests` holds the two to the same bytes on
/// rows of both encodings, with absent fields, non-ASCII text and principals.
struct StoredRowHash {
    /// Room for the encoding, grown when a row needs more; only its first bytes are the row's.
    private var buffer: [UInt8] = []

    /// Whether the row `rows` is on (with ``SQLiteEventStore/eventColumns``) matches its stored hash.
    mutating func matches(_ rows: RawStatement) -> Bool {
        let encoding = rows.int(14)
        // The columns `EventRow` holds as strings read as text (a NULL as empty text), its optionals
        // as nil for NULL.
        func optional(_ column: Int32) -> UnsafeBufferPointer<UInt8>? { rows.isNull(column) ? nil : rows.bytes(column) }
        let fields = CanonicalEncoding(
            encoding: encoding, position: rows.int64(0), prevHash: rows.bytes(12), caseID: rows.bytes(1), version: rows.int64(2),
            type: rows.bytes(3), workflowID: rows.bytes(4), workflowVersion: rows.int64(5), actor: rows.bytes(7),
            role: optional(8), onBehalfOf: optional(9), occurredAt: rows.int64(10), recordedAt: rows.int64(11),
            payload: rows.bytes(6), principal: encoding >= 2 ? optional(15) : nil)
        let size = fields.count
        if buffer.count < size { buffer = [UInt8](repeating: 0, count: max(size, 2 * buffer.count, 4096)) }
        let digest = buffer.withUnsafeMutableBytes { raw in
            SHA256.hash(data: UnsafeRawBufferPointer(rebasing: raw[..<fields.write(into: raw)]))
        }
        return ContentHash.digest(digest, isHex: rows.bytes(13))
    }
}
