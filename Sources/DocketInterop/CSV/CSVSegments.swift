/// Cuts a CSV byte stream into segments of whole rows, so each can be handed to the CSV parser
/// as one string while memory stays at a chunk or two.
///
/// Rows end at a line break outside quotes, with the quoting rules of yaslab/CSV.swift: a quote
/// opens a quoted field only at the start of a field, and closes it only when followed by the
/// delimiter, a line break or the end; `""` inside is a literal quote.
struct CSVSegments {
    private let source: FileBytes
    private var pending: [UInt8] = []
    private var atEnd = false
    private var emitted: [UInt8] = []
    /// The field delimiter: given, or the most frequent candidate in the header row.
    private(set) var delimiter: UInt8
    private var delimiterKnown: Bool

    init(source: FileBytes, explicitDelimiter: UInt8?) {
        self.source = source
        delimiter = explicitDelimiter ?? UInt8(ascii: ",")
        delimiterKnown = explicitDelimiter != nil
    }

    /// The next segment of complete rows, or `nil` after the last.
    mutating func next() throws -> (bytes: [UInt8], isLast: Bool)? {
        while true {
            if !delimiterKnown, let header = headerLine() {
                delimiter = UInt8(truncatingIfNeeded: CSVLogReader.detectDelimiter(header).value)
                delimiterKnown = true
            }
            if delimiterKnown, let cut = lastRowBoundary(), cut > 0 {
                let segment = Array(pending[..<cut])
                pending.removeSubrange(..<cut)
                return (segment, false)
            }
            if atEnd {
                guard !pending.isEmpty else { return nil }
                if !delimiterKnown {
                    delimiter = UInt8(truncatingIfNeeded: CSVLogReader.detectDelimiter(pending).value)
                    delimiterKnown = true
                }
                let segment = pending
                pending = []
                return (segment, true)
            }
            guard let chunk = try source.nextChunk() else {
                atEnd = true
                continue
            }
            pending.append(contentsOf: chunk)
        }
    }

    private func headerLine() -> [UInt8]? {
        guard let end = pending.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return nil }
        return Array(pending[..<end])
    }

    /// The offset just after the last line break that ends a row in `pending`, if any.
    private func lastRowBoundary() -> Int? {
        let quote = UInt8(ascii: "\"")
        var boundary: Int?
        var inQuotes = false
        var atFieldStart = true
        var i = 0
        let n = pending.count
        while i < n {
            let b = pending[i]
            if inQuotes {
                if b == quote {
                    guard i + 1 < n else { return boundary }  // undecided until more bytes come
                    let next = pending[i + 1]
                    if next == quote {
                        i += 2
                        continue
                    }
                    if next == delimiter || next == 0x0A || next == 0x0D { inQuotes = false }
                }
                i += 1
                continue
            }
            if b == 0x0A || b == 0x0D {
                // A CR ending the bytes so far may pair with an LF still to come: wait for it.
                if b == 0x0D && i + 1 == n && !atEnd { return boundary }
                boundary = i + 1
                atFieldStart = true
            } else if b == delimiter {
                atFieldStart = true
            } else {
                if b == quote && atFieldStart { inQuotes = true }
                atFieldStart = false
            }
            i += 1
        }
        return boundary
    }
}
