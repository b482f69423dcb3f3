#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the scanner over a file's bytes chunk by chunk, checking the encoding ahead of it,
/// carrying over items cut by a chunk boundary, and turning positions into lines.
enum XMLDocumentStream {
    /// Scans the whole document in `source` into `handler`, calling `afterChunk` after each
    /// chunk so the caller can hand on what the handler has completed.
    static func parse<H: XMLElementHandler, Source: ByteChunkSource>(
        _ source: Source, limits: LogReadLimits = .init(), handler: inout H, afterChunk: (inout H) throws -> Void
    ) throws {
        var scanner = XMLScanner()
        scanner.maxDepth = limits.maxDepth
        var capacity = FileBytes.chunkSize * 2
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var start = 0, end = 0, validated = 0
        var base: Int64 = 0  // absolute offset of buffer[0]
        var carried = 0
        var encoding: XMLEncoding?
        var transcoded: [UInt8] = []

        func failure(_ code: LogReadError.Code, _ message: String, at offset: Int, line: Int?) -> LogReadError {
            LogReadError(code, file: source.displayName, line: line, byteOffset: base + Int64(offset), message: message)
        }

        while true {
            // Read at least as much new data as was carried, so an item spanning many chunks
            // is rescanned a logarithmic number of times, not once per chunk.
            var appended = 0
            var atEnd = false
            repeat {
                guard let raw = try source.nextChunk() else {
                    atEnd = true
                    break
                }
                if encoding == nil { encoding = XMLEncoding.sniff(raw) }
                func append(_ chunk: UnsafeBufferPointer<UInt8>) {
                    if start > 0 {
                        (buffer + 0).update(from: buffer + start, count: end - start)
                        base += Int64(start)
                        end -= start
                        validated -= start
                        start = 0
                    }
                    if end + chunk.count > capacity {
                        var bigger = capacity
                        while end + chunk.count > bigger { bigger *= 2 }
                        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
                        grown.update(from: buffer, count: end)
                        buffer.deallocate()
                        buffer = grown
                        capacity = bigger
                    }
                    (buffer + end).update(from: chunk.baseAddress!, count: chunk.count)
                    end += chunk.count
                    appended += chunk.count
                }
                if encoding == .latin1 {
                    // Byte offsets in errors then count UTF-8 bytes, not the file's.
                    transcoded.removeAll(keepingCapacity: true)
                    appendLatin1AsUTF8(raw, to: &transcoded)
                    transcoded.withUnsafeBufferPointer { append($0) }
                } else {
                    append(raw)
                }
            } while appended < carried

            let whole = UnsafeBufferPointer(start: buffer, count: end)
            let (invalid, validUpTo) = XMLCharacterCheck.check(whole, from: validated)
            validated = invalid ?? validUpTo
            let isFinal = atEnd && invalid == nil && validated == end
            let windowStart = start
            let window = UnsafeBufferPointer(start: buffer + start, count: validated - start)
            do {
                let consumed = try scanner.scan(window, isFinal: isFinal, handler: &handler)
                start += consumed
            } catch {
                throw failure(error.code, error.message, at: windowStart + error.offset, line: scanner.line(of: error.offset, in: window))
            }
            try afterChunk(&handler)
            if let invalid {
                throw failure(.malformedXML, "bytes that are not a UTF-8 encoded XML character", at: invalid,
                              line: scanner.line(of: invalid - windowStart, in: window))
            }
            if atEnd {
                if validated < end {
                    throw failure(.malformedXML, "the document ends inside a UTF-8 sequence", at: validated, line: scanner.line(of: window.count, in: window))
                }
                do {
                    try scanner.finish(at: end - start)
                } catch {
                    throw failure(error.code, error.message, at: end, line: scanner.line(of: window.count, in: window))
                }
                return
            }
            carried = end - start
            if carried > limits.maxItemBytes {
                // One tag, text or comment this long is not an event log's: refuse rather than hold it.
                throw failure(
                    .limitExceeded,
                    "an XML item (a tag, text, comment or CDATA section) longer than \(LogReadLimits.describe(bytes: limits.maxItemBytes)), the longest the reader takes: this is not an XES log",
                    at: start, line: scanner.line(of: start - windowStart, in: window))
            }
        }
    }
}
