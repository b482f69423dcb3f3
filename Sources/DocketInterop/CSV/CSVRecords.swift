#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one field's bytes are: in the file's text, or (when quotes had to be undone) in the
/// record's scratch bytes.
struct CSVFieldSpan {
    var start: Int
    var count: Int
    var isUnescaped: Bool
}

/// One record (row) of a CSV file as byte slices. The bytes are only valid during the call
/// that hands the record over; make `String`s of what must outlive it.
struct CSVRecord {
    /// The 0-based position of the record in the file (the header is 0), counting blank lines.
    let index: Int
    fileprivate let text: UnsafePointer<UInt8>
    fileprivate let scratch: UnsafePointer<UInt8>
    fileprivate let spans: UnsafeBufferPointer<CSVFieldSpan>

    /// How many fields the record has (a blank line has one, empty).
    var count: Int { spans.count }

    /// The bytes of field `i` (`0 ..< count`), quotes removed and `""` undone; valid UTF-8.
    subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        let span = spans[i]
        return UnsafeBufferPointer(start: (span.isUnescaped ? scratch : text) + span.start, count: span.count)
    }

    /// Field `i` as a new string.
    func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
}

/// Splits CSV bytes into records of fields, reading a chunk at a time, at byte level.
///
/// The rules are RFC 4180's as yaslab/CSV.swift (the parser this replaced) reads them, so that
/// files read before read the same: a field is quoted only when a quote is its first byte; in a
/// quoted field `""` is one quote, and a quote closes the field when followed by the delimiter,
/// a line break or the end of the file; any other character after a lone quote is dropped and
/// the field stays open (CSV.swift's rule; a stray quote in a quoted field is malformed CSV).
/// A quote inside an unquoted field is an ordinary character. Records end at LF, CR LF or a lone
/// CR outside quotes; a final line break is optional. A UTF-8 byte order mark at the start of the
/// file is dropped. Unlike CSV.swift, a quoted field still open at the end of the file is an
/// error (CSV.swift silently took the rest of the file as the field).
///
/// Memory stays at about a chunk plus the longest record: the bytes not yet split are kept, the
/// rest reused. A record that does not fit in what has been read is split again from its start
/// once at least twice as many bytes are there, so even a huge quoted field costs linear time.
final class CSVRecords<Source: ByteChunkSource> {
    private let source: Source
    private let limits: LogReadLimits
    /// The field delimiter: given, or detected from the first line.
    private(set) var delimiter: UInt8
    private var delimiterKnown: Bool
    private var firstLineRead = false

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The first byte not yet handed over as part of a record, and the end of the bytes read.
    private var start = 0
    private var end = 0
    private var atEnd = false

    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 256
    private var scratchCount = 0
    private var spans: UnsafeMutablePointer<CSVFieldSpan>
    private var spanCapacity = 64
    private var spanCount = 0
    /// 1 for the bytes that end an unquoted field (delimiter, CR, LF), 0 for the others.
    private let ends: UnsafeMutablePointer<UInt8>
    private var recordIndex = 0

    private static var quote: UInt8 { 0x22 }
    private static var lf: UInt8 { 0x0A }
    private static var cr: UInt8 { 0x0D }

    /// Splits the bytes of `source` with `explicitDelimiter`, or with the delimiter the first
    /// line suggests (see ``detectDelimiter(_:)``). The delimiter must not be a quote or a line break.
    init(source: Source, explicitDelimiter: UInt8?, limits: LogReadLimits = .init()) {
        self.limits = limits
        self.source = source
        delimiter = explicitDelimiter ?? UInt8(ascii: ",")
        delimiterKnown = explicitDelimiter != nil
        capacity = 1 << 20
        buffer = .allocate(capacity: capacity)
        scratch = .allocate(capacity: scratchCapacity)
        spans = .allocate(capacity: spanCapacity)
        ends = .allocate(capacity: 256)
        ends.initialize(repeating: 0, count: 256)
    }

    deinit {
        buffer.deallocate()
        scratch.deallocate()
        spans.deallocate()
        ends.deallocate()
    }

    /// Calls `body` with each record in file order, then returns. Throws a ``LogReadError``
    /// (`malformedCSV`, at the record's line) for bytes that are not UTF-8 and for a quoted field
    /// the file ends in, and rethrows what `body` and the source throw.
    func forEach(_ body: (CSVRecord) throws -> Void) throws {
        while try next(body) != nil {}
    }

    /// Calls `body` with the next record and returns what it returns, or `nil` at the end of
    /// the file; errors as for ``forEach(_:)``.
    @inline(__always)
    func next<Result>(_ body: (CSVRecord) throws -> Result) throws -> Result? {
        if !firstLineRead { try readFirstLine() }
        while true {
            if start == end {
                if atEnd { return nil }
                try refill()
                continue
            }
            guard let (next, sawNonASCII) = try split(from: start) else {
                try refill()
                continue
            }
            if sawNonASCII && !Self.isValidUTF8(UnsafeBufferPointer(start: buffer + start, count: next - start)) {
                throw LogReadError(.malformedCSV, file: source.displayName, line: recordIndex + 1, message: "the file is not valid UTF-8")
            }
            let result = try body(CSVRecord(
                index: recordIndex, text: UnsafePointer(buffer), scratch: UnsafePointer(scratch),
                spans: UnsafeBufferPointer(start: spans, count: spanCount)))
            start = next
            recordIndex += 1
            return result
        }
    }

    /// Reads until the first line is whole (or the file ends), drops a byte order mark, and
    /// detects the delimiter unless it was given.
    private func readFirstLine() throws {
        firstLineRead = true
        func lineEnd() -> Int? {
            for i in start..<end where buffer[i] == Self.lf || buffer[i] == Self.cr { return i }
            return nil
        }
        while !atEnd && lineEnd() == nil { try refill() }
        if end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
            start += 3
        }
        if !delimiterKnown {
            delimiter = Self.detectDelimiter(UnsafeBufferPointer(start: buffer + start, count: (lineEnd() ?? end) - start))
            delimiterKnown = true
        }
        ends[Int(delimiter)] = 1
        ends[Int(Self.lf)] = 1
        ends[Int(Self.cr)] = 1
    }

    /// Reads more bytes after those not yet handed over: at least one chunk, and until there
    /// are twice as many as before (so a long record is rescanned a logarithmic number of times).
    private func refill() throws {
        let pendingBefore = end - start
        if pendingBefore > limits.maxItemBytes {
            // One record this long is not an event log's row: refuse rather than hold it.
            throw LogReadError(
                .limitExceeded, file: source.displayName, line: recordIndex + 1,
                message: "a record longer than \(LogReadLimits.describe(bytes: limits.maxItemBytes)) (the longest CSV record the reader takes): this is not a CSV event log, or a quote opened on this line is never closed")
        }
        if start > 0 {
            if pendingBefore > 0 { memmove(buffer, buffer + start, pendingBefore) }
            start = 0
            end = pendingBefore
        }
        repeat {
            guard let chunk = try source.nextChunk() else {
                atEnd = true
                return
            }
            guard let base = chunk.baseAddress, !chunk.isEmpty else { continue }
            if end + chunk.count > capacity {
                let newCapacity = max(capacity * 2, end + chunk.count)
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                bigger.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = bigger
                capacity = newCapacity
            }
            (buffer + end).update(from: base, count: chunk.count)
            end += chunk.count
        } while end < 2 * pendingBefore
    }

    /// Doubles the room for spans, keeping the first `count`.
    private func growSpans(keeping count: Int) -> UnsafeMutablePointer<CSVFieldSpan> {
        let bigger = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: spanCapacity * 2)
        bigger.moveInitialize(from: spans, count: count)
        spans.deallocate()
        spans = bigger
        spanCapacity *= 2
        return bigger
    }

    private func addScratch(_ from: UnsafePointer<UInt8>, _ count: Int) {
        if scratchCount + count > scratchCapacity {
            let newCapacity = max(scratchCapacity * 2, scratchCount + count)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: scratch, count: scratchCount)
            scratch.deallocate()
            scratch = bigger
            scratchCapacity = newCapacity
        }
        (scratch + scratchCount).update(from: from, count: count)
        scratchCount += count
    }

    /// Splits the record starting at `p` into `spans`: the offset after it (past its line
    /// break) and whether it has a byte above 0x7F, or `nil` when more bytes are needed to
    /// know where it ends.
    private func split(from p: Int) throws -> (next: Int, sawNonASCII: Bool)? {
        scratchCount = 0
        // Spans are kept in locals while splitting (stored properties would be reloaded at
        // every field).
        var spans = self.spans
        var spanCapacity = self.spanCapacity
        var spanCount = 0
        defer { self.spanCount = spanCount }
        func addSpan(_ span: CSVFieldSpan) throws {
            if spanCount == limits.maxFields {
                throw LogReadError(
                    .limitExceeded, file: source.displayName, line: recordIndex + 1,
                    message: "a record of more than \(limits.maxFields) fields (the most the reader takes): this is not a CSV event log")
            }
            if spanCount == spanCapacity {
                spans = growSpans(keeping: spanCount)
                spanCapacity = self.spanCapacity
            }
            (spans + spanCount).initialize(to: span)
            spanCount += 1
        }
        let b = buffer
        let n = end
        let final = atEnd
        let delimiter = self.delimiter
        let ends = self.ends
        var seen: UInt8 = 0
        var i = p
        while true {
            if i < n && b[i] == Self.quote {
                // A quoted field: copied to scratch only once a quote has to be undone.
                i += 1
                var run = i
                var scratchStart = -1
                while true {
                    while i < n && b[i] != Self.quote {
                        seen |= b[i]
                        i += 1
                    }
                    if i == n {
                        guard final else { return nil }
                        throw LogReadError(
                            .malformedCSV, file: source.displayName, line: recordIndex + 1,
                            message: "a quoted field opened on this line is never closed (the file ends inside quotes)")
                    }
                    let closing = i
                    var next: Int?
                    if i + 1 == n {
                        guard final else { return nil }
                        next = n
                    } else {
                        let c = b[i + 1]
                        if c == delimiter {
                            i += 2
                        } else if c == Self.lf {
                            next = i + 2
                        } else if c == Self.cr {
                            if i + 2 == n && !final { return nil }
                            next = i + 2 < n && b[i + 2] == Self.lf ? i + 3 : i + 2
                        } else {
                            // `""` is one quote; a lone quote is kept and the character after
                            // it (a whole UTF-8 sequence) dropped.
                            seen |= c
                            let dropped = c == Self.quote ? 1 : Self.sequenceLength(c)
                            if i + 1 + dropped > n && !final { return nil }
                            if scratchStart < 0 { scratchStart = scratchCount }
                            addScratch(b + run, i + 1 - run)
                            i = min(i + 1 + dropped, n)
                            run = i
                            continue
                        }
                    }
                    if scratchStart < 0 {
                        try addSpan(CSVFieldSpan(start: run, count: closing - run, isUnescaped: false))
                    } else {
                        addScratch(b + run, closing - run)
                        try addSpan(CSVFieldSpan(start: scratchStart, count: scratchCount - scratchStart, isUnescaped: true))
                    }
                    if let next { return (next, seen >= 0x80) }
                    break
                }
            } else {
                let fieldStart = i
                while i < n && ends[Int(b[i])] == 0 {
                    seen |= b[i]
                    i += 1
                }
                if i == n {
                    guard final else { return nil }
                    try addSpan(CSVFieldSpan(start: fieldStart, count: n - fieldStart, isUnescaped: false))
                    return (n, seen >= 0x80)
                }
                try addSpan(CSVFieldSpan(start: fieldStart, count: i - fieldStart, isUnescaped: false))
                let c = b[i]
                if c == delimiter {
                    i += 1
                } else if c == Self.lf {
                    return (i + 1, seen >= 0x80)
                } else {
                    if i + 1 == n {
                        guard final else { return nil }
                        return (n, seen >= 0x80)
                    }
                    return (b[i + 1] == Self.lf ? i + 2 : i + 1, seen >= 0x80)
                }
            }
        }
    }

    /// The length of the UTF-8 sequence `lead` starts (1 for a byte that starts none).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC0...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF7: return 4
        default: return 1
        }
    }

    /// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values above
    /// U+10FFFF), as `String(validating:as:)` decides, without building a string.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        func continuation(_ k: Int) -> Bool { p[k] & 0xC0 == 0x80 }
        while i < n {
            let lead = p[i]
            if lead < 0x80 {
                i += 1
            } else if lead < 0xC2 {
                return false
            } else if lead < 0xE0 {
                guard i + 1 < n, continuation(i + 1) else { return false }
                i += 2
            } else if lead < 0xF0 {
                guard i + 2 < n, continuation(i + 1), continuation(i + 2) else { return false }
                if lead == 0xE0 && p[i + 1] < 0xA0 { return false }
                if lead == 0xED && p[i + 1] >= 0xA0 { return false }
                i += 3
            } else if lead < 0xF5 {
                guard i + 3 < n, continuation(i + 1), continuation(i + 2), continuation(i + 3) else { return false }
                if lead == 0xF0 && p[i + 1] < 0x90 { return false }
                if lead == 0xF4 && p[i + 1] >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// The most frequent of `,` `;` tab `|` outside quotes in the header line (`,` on ties).
    static func detectDelimiter(_ header: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        for b in header {
            if b == quote { quoted.toggle() }
            if quoted { continue }
            if let i = candidates.firstIndex(of: b) { counts[i] += 1 }
        }
        var best = 0
        for i in 1..<candidates.count where counts[i] > counts[best] { best = i }
        return candidates[best]
    }
}
