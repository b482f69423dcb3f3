import CZlib
import DocketCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes in order, in chunks, each valid until the next call.
protocol ByteChunkSource {
    /// How errors name the input.
    var displayName: String { get }
    /// The next chunk, or `nil` at the end.
    func nextChunk() throws -> UnsafeBufferPointer<UInt8>?
}

/// The bytes of a file in order, in chunks, inflated on a second thread when the file is gzip.
///
/// Inflating and parsing are the two costs of reading a compressed log; running them on two
/// cores hides most of the first behind the second. Compression is recognised by the gzip magic
/// bytes, not by the file name. Each chunk stays valid until the next call to ``nextChunk()``.
final class FileBytes: ByteChunkSource {
    let displayName: String
    /// Whether the file is gzip-compressed.
    let isCompressed: Bool
    private let fd: Int32
    private var plainBuffer: UnsafeMutableRawBufferPointer?
    private var pipeline: InflatePipeline?
    private var peeked: [UInt8]

    static let chunkSize = 512 * 1024

    /// Opens `path`; `displayName` is how errors name it.
    init(path: String, displayName: String) throws {
        self.displayName = displayName
        let fd = open(path, O_RDONLY)
        self.fd = fd
        guard fd >= 0 else {
            throw LogReadError(.unreadableFile, file: displayName, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var head = [UInt8](repeating: 0, count: 2)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 2) }
        guard n >= 0 else {
            close(fd)
            throw LogReadError(.unreadableFile, file: displayName, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        peeked = Array(head.prefix(n))
        isCompressed = n == 2 && head[0] == 0x1F && head[1] == 0x8B
        if isCompressed {
            pipeline = InflatePipeline(fd: fd, prefix: peeked, displayName: displayName, chunkSize: Self.chunkSize)
            peeked = []
        } else {
            plainBuffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
        }
    }

    deinit {
        pipeline?.cancel()
        plainBuffer?.deallocate()
        close(fd)
    }

    /// The next chunk of (decompressed) bytes, or `nil` at the end of the data.
    func nextChunk() throws -> UnsafeBufferPointer<UInt8>? {
        if let pipeline { return try pipeline.next() }
        guard let buffer = plainBuffer else { return nil }
        var filled = 0
        if !peeked.isEmpty {
            for (i, b) in peeked.enumerated() { buffer[i] = b }
            filled = peeked.count
            peeked = []
        }
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw LogReadError(.unreadableFile, file: displayName, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        if filled == 0 { return nil }
        return UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
    }

    /// Reads a whole file, inflated if gzip (for small inputs and tests).
    static func readAll(path: String, displayName: String) throws -> [UInt8] {
        let source = try FileBytes(path: path, displayName: displayName)
        var all: [UInt8] = []
        while let chunk = try source.nextChunk() { all.append(contentsOf: chunk) }
        return all
    }
}

/// A chunk of inflated bytes, handed from the inflating thread to the reading one; freed when
/// the reader moves on to the next.
private final class InflatedChunk: @unchecked Sendable {
    // @unchecked: written by the inflating thread only before it is handed over.
    let storage: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    init(capacity: Int) { storage = .allocate(capacity: capacity) }
    deinit { storage.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage.baseAddress, count: count) }
}

/// A gzip file inflated on its own thread, its chunks handed to the reading thread through the
/// one bounded `DocketCore/Handoff` (three chunks ahead at most).
private final class InflatePipeline {
    private let handoff: Handoff<InflatedChunk>
    /// The chunk the reader holds: valid until the next call.
    private var current: InflatedChunk?
    private var ended = false

    init(fd: Int32, prefix: [UInt8], displayName: String, chunkSize: Int) {
        handoff = Handoff.start(capacity: 3, name: "docket-inflate") { emit in
            let inflater = try GzipInflater(fd: fd, prefix: prefix, displayName: displayName)
            defer { inflater.close() }
            var streamEnded = false
            while !streamEnded {
                let chunk = InflatedChunk(capacity: chunkSize)
                streamEnded = try inflater.inflate(into: chunk)
                if chunk.count > 0, !emit(chunk) { return }
            }
        }
    }

    /// Stops the inflating thread and waits for it.
    func cancel() {
        handoff.cancel()
    }

    func next() throws -> UnsafeBufferPointer<UInt8>? {
        current = nil
        guard !ended else { return nil }
        switch handoff.take() {
        case let .item(chunk):
            current = chunk
            return chunk.bytes
        case .done:
            ended = true
            return nil
        case let .failed(error):
            ended = true
            throw error
        }
    }
}

/// zlib's inflate over a file descriptor, concatenated gzip members and trailing zero padding
/// included; errors name the compressed byte offset.
private final class GzipInflater {
    private var stream = z_stream()
    private let inputSize = 256 * 1024
    private let input: UnsafeMutablePointer<UInt8>
    private let fd: Int32
    private let displayName: String
    /// Compressed bytes handed to zlib so far, for error offsets.
    private var consumedInput: Int64 = 0
    private var pendingPrefix: [UInt8]
    private var inputAtEOF = false

    init(fd: Int32, prefix: [UInt8], displayName: String) throws {
        self.fd = fd
        self.displayName = displayName
        pendingPrefix = prefix
        input = .allocate(capacity: inputSize)
        let status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if status != Z_OK {
            input.deallocate()
            throw LogReadError(.corruptCompressedData, file: displayName, message: "cannot start zlib (\(status))")
        }
    }

    func close() {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// Moves unread input to the front, then reads more.
    private func refill() throws {
        var have = Int(stream.avail_in)
        if have > 0, let next = stream.next_in, next != input { input.update(from: next, count: have) }
        if !pendingPrefix.isEmpty {
            for b in pendingPrefix {
                input[have] = b
                have += 1
            }
            pendingPrefix = []
        }
        while have < inputSize && !inputAtEOF {
            let n = read(fd, input + have, inputSize - have)
            if n < 0 {
                if errno == EINTR { continue }
                throw LogReadError(.unreadableFile, file: displayName, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { inputAtEOF = true }
            have += n
            if n > 0 { break }
        }
        stream.next_in = input
        stream.avail_in = UInt32(have)
    }

    /// Fills `chunk` with inflated bytes; true when the compressed data has ended.
    func inflate(into chunk: InflatedChunk) throws -> Bool {
        stream.next_out = chunk.storage.baseAddress
        stream.avail_out = UInt32(chunk.storage.count)
        defer { chunk.count = chunk.storage.count - Int(stream.avail_out) }
        while stream.avail_out > 0 {
            if stream.avail_in == 0 {
                if inputAtEOF && pendingPrefix.isEmpty {
                    throw LogReadError(
                        .truncatedCompressedData, file: displayName, byteOffset: consumedInput,
                        message: "truncated gzip data: the compressed stream ends before its end marker")
                }
                try refill()
                continue
            }
            let before = stream.avail_in
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            consumedInput += Int64(before - stream.avail_in)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if status == Z_BUF_ERROR && stream.avail_in > 0 && stream.avail_out > 0 {
                    throw LogReadError(.corruptCompressedData, file: displayName, byteOffset: consumedInput, message: "damaged gzip data")
                }
            case Z_STREAM_END:
                if try !nextMemberFollows() { return true }
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw LogReadError(.corruptCompressedData, file: displayName, byteOffset: consumedInput, message: "damaged gzip data (\(detail))")
            }
        }
        return false
    }

    /// After a member's end: whether another gzip member follows (concatenated .gz files);
    /// zero padding after the last one is ignored, anything else is an error.
    private func nextMemberFollows() throws -> Bool {
        while true {
            if stream.avail_in == 0 {
                if inputAtEOF { return false }
                try refill()
                continue
            }
            let next = stream.next_in!
            if next[0] == 0 {
                stream.next_in = next + 1
                stream.avail_in -= 1
                consumedInput += 1
                continue
            }
            if next[0] == 0x1F {
                if stream.avail_in < 2 && !inputAtEOF {
                    try refill()
                    continue
                }
                if stream.avail_in >= 2 && next[1] == 0x8B {
                    inflateReset(&stream)
                    return true
                }
            }
            throw LogReadError(
                .corruptCompressedData, file: displayName, byteOffset: consumedInput,
                message: "unexpected bytes after the end of the gzip data")
        }
    }
}
