import DocketCore
import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a log could not be written.
public struct LogWriteError: DocketError, CodedError, Sendable, Equatable {
    /// What kind of problem it is; stable, for programs to branch on.
    public enum Code: String, Sendable {
        /// The output file (or its temporary sibling) cannot be created.
        case cannotCreate = "cannot_create"
        /// Writing, compressing or renaming into place failed (disk full, closed pipe, ...).
        case writeFailed = "write_failed"
    }

    public var code: Code
    /// The output as the user named it (`-` for standard output).
    public var file: String
    /// What went wrong, in words a person can act on.
    public var message: String

    public init(_ code: Code, file: String, message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var kind: FailureKind { .invalidInput }

    public var description: String { "\(file): \(message)" }
}

/// Where a writer's bytes go. Writers buffer and hand over large slices; ``finish()`` makes the
/// output complete (flushes, and for a file, moves it into place).
public protocol LogSink: AnyObject {
    /// Appends `bytes` to the output.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Completes the output. Nothing may be written after it.
    func finish() throws
}

/// Collects the output in memory: for tests and small exports.
public final class MemoryLogSink: LogSink {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether ``finish()`` was called.
    public private(set) var isFinished = false

    public init() {}

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }

    public func finish() throws { isFinished = true }

    /// The output as UTF-8 text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Writes to a file or to standard output, optionally gzip-compressed with the system zlib.
///
/// A file is written under a temporary name beside it and renamed into place by ``finish()``,
/// so an export that fails half-way never leaves a truncated file under the name asked for (the
/// temporary file is removed when the sink is dropped unfinished).
public final class FileLogSink: LogSink {
    /// The output as the user named it (`-` for standard output).
    public let displayName: String
    private let path: String?
    private let temporaryPath: String?
    private var fd: Int32
    private var deflater: UnsafeMutablePointer<z_stream>?
    private var compressed: [UInt8] = []
    private var finished = false

    /// Opens `path` for writing (`nil` or `-`: standard output). With `compress` (default: the
    /// path ends in `.gz`) the bytes are gzip-compressed.
    public init(path: String?, compress: Bool? = nil) throws {
        let target = path == "-" ? nil : path
        self.path = target
        displayName = target ?? "-"
        let gzip = compress ?? (target?.hasSuffix(".gz") ?? false)
        if let target {
            let temporary = target + ".partial-\(getpid())"
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                throw LogWriteError(.cannotCreate, file: target, message: "cannot create: \(String(cString: strerror(errno)))")
            }
            temporaryPath = temporary
        } else {
            fd = STDOUT_FILENO
            temporaryPath = nil
        }
        if gzip {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip header and trailer rather than a raw zlib stream.
            let status = deflateInit2_(stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw LogWriteError(.cannotCreate, file: displayName, message: "cannot start gzip compression (zlib status \(status))")
            }
            deflater = stream
            compressed = [UInt8](repeating: 0, count: 256 * 1024)
        }
    }

    deinit {
        if let deflater {
            deflateEnd(deflater)
            deflater.deallocate()
        }
        if let temporaryPath {
            if fd >= 0 { close(fd) }
            if !finished { unlink(temporaryPath) }
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if deflater != nil {
            try deflate(bytes, flush: Z_NO_FLUSH)
        } else {
            try writeAll(bytes)
        }
    }

    public func finish() throws {
        guard !finished else { return }
        if deflater != nil {
            try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        }
        if let path, let temporaryPath {
            if fsync(fd) != 0 && errno != EINVAL {
                throw LogWriteError(.writeFailed, file: displayName, message: "cannot flush to disk: \(String(cString: strerror(errno)))")
            }
            close(fd)
            fd = -1
            guard rename(temporaryPath, path) == 0 else {
                throw LogWriteError(.writeFailed, file: displayName, message: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            }
        }
        finished = true
    }

    private func deflate(_ input: UnsafeRawBufferPointer, flush: Int32) throws {
        guard let stream = deflater else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let capacity = compressed.count
        while true {
            let (status, produced): (Int32, Int) = compressed.withUnsafeMutableBytes { out in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(capacity)
                let status = CZlib.deflate(stream, flush)
                return (status, capacity - Int(stream.pointee.avail_out))
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw LogWriteError(.writeFailed, file: displayName, message: "gzip compression failed (zlib status \(status))")
            }
            if produced > 0 {
                try compressed.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && produced < capacity {
                return
            }
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw LogWriteError(.writeFailed, file: displayName, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}

func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
