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

    /// FNV-1a, 64-bit, with a final mix so low bits spread.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }
}
