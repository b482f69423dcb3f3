#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns repeated byte strings (activity names, lifecycle transitions, resources) into one
/// shared `String` each, so a log of a million events builds a few hundred strings, not millions.
///
/// Values that keep being new (identifiers, free text) stop being remembered once the table
/// holds `limit` entries; they are then built fresh each time.
struct StringInterner {
    private struct Entry {
        var hash: UInt64
        var bytes: [UInt8]
        var string: String
    }

    private var slots: [Int32]  // index into entries, -1 empty
    private var entries: [Entry] = []
    private let limit: Int

    init(limit: Int = 1 << 16) {
        self.limit = limit
        slots = [Int32](repeating: -1, count: 1024)
    }

    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let h = Self.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[i])
            if e < 0 { break }
            let entry = entries[e]
            if entry.hash == h && entry.bytes.count == bytes.count {
                let same = entry.bytes.withUnsafeBufferPointer { stored in
                    bytes.isEmpty || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
                }
                if same { return entry.string }
            }
            i = (i + 1) & mask
        }
        let s = String(decoding: bytes, as: UTF8.self)
        guard entries.count < limit else { return s }
        slots[i] = Int32(entries.count)
        entries.append(Entry(hash: h, bytes: Array(bytes), string: s))
        if entries.count * 2 > slots.count { grow() }
        return s
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for (index, entry) in entries.enumerated() {
            var i = Int(truncatingIfNeeded: entry.hash) & mask
            while bigger[i] >= 0 { i = (i + 1) & mask }
            bigger[i] = Int32(index)
        }
        slots = bigger
    }

    /// A multiply-mix hash over eight bytes at a time (the strings are short and numerous).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return h }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }
}
