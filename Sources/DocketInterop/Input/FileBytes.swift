import CZlib
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

/// A zlib inflater on its own thread, handing full buffers to the reading thread through a
/// small bounded queue of recycled buffers.
private final class InflatePipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [UnsafeMutableBufferPointer<UInt8>] = []
    private var filled: [(UnsafeMutableBufferPointer<UInt8>, Int)] = []
    private var inUse: UnsafeMutableBufferPointer<UInt8>?
    private var finished = false
    private var failure: LogReadError?
    private var cancelled = false
    private var producerDone = false
    private var allBuffers: [UnsafeMutableBufferPointer<UInt8>] = []

    private let fd: Int32
    private let prefix: [UInt8]
    private let displayName: String

    init(fd: Int32, prefix: [UInt8], displayName: String, chunkSize: Int) {
        self.fd = fd
        self.prefix = prefix
        self.displayName = displayName
        for _ in 0..<4 {
            let b = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize)
            free.append(b)
            allBuffers.append(b)
        }
        let thread = Thread { [self] in self.produce() }
        thread.name = "docket-inflate"
        thread.start()
    }

    deinit {
        for b in allBuffers { b.deallocate() }
    }

    /// Stops the producer and waits for it to let go of the buffers.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !producerDone { condition.wait() }
        condition.unlock()
    }

    func next() throws -> UnsafeBufferPointer<UInt8>? {
        condition.lock()
        defer { condition.unlock() }
        if let previous = inUse {
            free.append(previous)
            inUse = nil
            condition.broadcast()
        }
        while filled.isEmpty && !finished && failure == nil { condition.wait() }
        if !filled.isEmpty {
            let (buffer, count) = filled.removeFirst()
            inUse = buffer
            return UnsafeBufferPointer(start: buffer.baseAddress, count: count)
        }
        if let failure { throw failure }
        return nil
    }

    private func produce() {
        var stream = z_stream()
        let inputSize = 256 * 1024
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputSize)
        var consumedInput: Int64 = 0  // compressed bytes handed to zlib so far, for error offsets
        var pendingPrefix = prefix
        var inputAtEOF = false
        var streamEnded = false
        var error: LogReadError?

        var status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if status != Z_OK {
            error = LogReadError(.corruptCompressedData, file: displayName, message: "cannot start zlib (\(status))")
        }

        func refill() -> Bool {
            // Move unread input to the front, then read more.
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
                    error = LogReadError(.unreadableFile, file: displayName, message: "cannot read: \(String(cString: strerror(errno)))")
                    return false
                }
                if n == 0 { inputAtEOF = true }
                have += n
                if n > 0 { break }
            }
            stream.next_in = input
            stream.avail_in = UInt32(have)
            return true
        }

        outer: while error == nil {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled {
                condition.unlock()
                break
            }
            let buffer = free.removeLast()
            condition.unlock()

            stream.next_out = buffer.baseAddress
            stream.avail_out = UInt32(buffer.count)
            while stream.avail_out > 0 && !streamEnded && error == nil {
                if stream.avail_in == 0 {
                    if inputAtEOF && pendingPrefix.isEmpty {
                        error = LogReadError(
                            .truncatedCompressedData, file: displayName, byteOffset: consumedInput,
                            message: "truncated gzip data: the compressed stream ends before its end marker")
                        break
                    }
                    guard refill() else { break }
                    continue
                }
                let before = stream.avail_in
                status = inflate(&stream, Z_NO_FLUSH)
                consumedInput += Int64(before - stream.avail_in)
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    if status == Z_BUF_ERROR && stream.avail_in > 0 && stream.avail_out > 0 {
                        error = LogReadError(.corruptCompressedData, file: displayName, byteOffset: consumedInput, message: "damaged gzip data")
                    }
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated .gz files); zero padding
                    // after the last one is ignored, anything else is an error.
                    memberSearch: while true {
                        if stream.avail_in == 0 {
                            if inputAtEOF {
                                streamEnded = true
                                break memberSearch
                            }
                            guard refill() else { break memberSearch }
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
                                guard refill() else { break memberSearch }
                                continue
                            }
                            if stream.avail_in >= 2 && next[1] == 0x8B {
                                inflateReset(&stream)
                                break memberSearch
                            }
                        }
                        error = LogReadError(
                            .corruptCompressedData, file: displayName, byteOffset: consumedInput,
                            message: "unexpected bytes after the end of the gzip data")
                        break memberSearch
                    }
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    error = LogReadError(.corruptCompressedData, file: displayName, byteOffset: consumedInput, message: "damaged gzip data (\(detail))")
                }
            }
            let produced = buffer.count - Int(stream.avail_out)
            condition.lock()
            if produced > 0 { filled.append((buffer, produced)) } else { free.append(buffer) }
            if let error { failure = error }
            if streamEnded { finished = true }
            condition.broadcast()
            condition.unlock()
            if streamEnded { break outer }
        }
        inflateEnd(&stream)
        input.deallocate()
        condition.lock()
        if error != nil && failure == nil { failure = error }
        if !streamEnded && failure == nil && !cancelled { finished = true }
        producerDone = true
        condition.broadcast()
        condition.unlock()
    }
}
