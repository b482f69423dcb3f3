import Crypto

/// Checks each row a reader steps to against its stored hash, from the statement's columns as
/// SQLite holds them: the canonical encoding (``EventRow/computedHash(atPosition:algorithm:)``,
/// specified in Docs/store.md) is written field by field from the columns' bytes into one buffer
/// reused from row to row, with no string made and no row copied.
///
/// `EventRow` encodes a row it holds as strings (appending, `verify`); this encodes one still in
/// SQLite's buffer (every read that checks hashes). The two must agree byte for byte:
/// `StoredRowHashTests` compares them on rows of both encodings, with absent fields, non-ASCII
/// text and principals, and every read of a row appended by `EventRow`'s hash compares them again.
struct StoredRowHash {
    private var buffer: [UInt8] = []

    /// Whether the row `rows` is on (with ``SQLiteEventStore/eventColumns``) matches its stored hash.
    mutating func matches(_ rows: RawStatement) -> Bool {
        let encoding = rows.int(14)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: EventRow.encodingTag(encoding).utf8)
        buffer.append(0)
        int(rows.int64(0))  // position
        text(rows, 12)  // prev_hash
        text(rows, 1)  // case_id
        int(rows.int64(2))  // version
        text(rows, 3)  // type
        text(rows, 4)  // workflow_id
        int(rows.int64(5))  // workflow_version
        text(rows, 7)  // actor
        optionalText(rows, 8)  // role
        optionalText(rows, 9)  // on_behalf_of
        int(rows.int64(10))  // occurred_at
        int(rows.int64(11))  // recorded_at
        text(rows, 6)  // payload
        if encoding >= 2 { optionalText(rows, 15) }  // principal
        let digest = buffer.withUnsafeBytes { SHA256.hash(data: $0) }
        return ContentHash.digest(digest, isHex: rows.bytes(13))
    }

    private mutating func int(_ value: Int64) {
        buffer.append(UInt8(ascii: "i"))
        bigEndian(UInt64(bitPattern: value))
    }

    /// A column `EventRow` holds as a string: an absent value is written as empty text, as
    /// reading it gives.
    private mutating func text(_ rows: RawStatement, _ column: Int32) {
        let bytes = rows.bytes(column)
        buffer.append(UInt8(ascii: "s"))
        bigEndian(UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    /// A column `EventRow` holds as an optional: NULL is written as null.
    private mutating func optionalText(_ rows: RawStatement, _ column: Int32) {
        if rows.isNull(column) {
            buffer.append(UInt8(ascii: "n"))
        } else {
            text(rows, column)
        }
    }

    private mutating func bigEndian(_ bits: UInt64) {
        // Byte by byte: appending a value's bytes as a collection costs more than eight appends.
        var shift: UInt64 = 64
        while shift > 0 {
            shift -= 8
            buffer.append(UInt8(truncatingIfNeeded: bits >> shift))
        }
    }
}
