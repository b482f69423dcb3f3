import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records held back until the end of a write, in the order they were added: in memory up to
/// ``memoryLimit`` bytes, beyond that in a temporary file, so memory stays bounded however large
/// the log. The CSV writer keeps its rows here because its header, which comes first, names
/// every column any row fills.
///
/// The file is unlinked as soon as it is created: nothing is left behind when the process ends,
/// however it ends.
final class RecordSpill {
    /// Bytes kept in memory before they go to the file.
    let memoryLimit: Int
    /// The records not yet in the file, each a 4-byte little-endian length and its bytes.
    private var memory: [UInt8] = []
    private var fd: Int32 = -1
    private var directory: String

    /// A spill that keeps up to `memoryLimit` bytes in memory and the rest in a temporary file in
    /// `directory` (by default `TMPDIR`, else `/tmp`).
    init(memoryLimit: Int = 16 << 20, directory: String? = nil) {
        self.memoryLimit = memoryLimit
        self.directory = directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether records went to the temporary file (beyond ``memoryLimit``).
    var usesFile: Bool { fd >= 0 }

    /// Adds one record.
    func append(_ record: [UInt8]) throws {
        if memory.count + record.count + 4 > memoryLimit, !memory.isEmpty { try moveToFile() }
        let count = UInt32(record.count)
        memory.append(UInt8(truncatingIfNeeded: count))
        memory.append(UInt8(truncatingIfNeeded: count >> 8))
        memory.append(UInt8(truncatingIfNeeded: count >> 16))
        memory.append(UInt8(truncatingIfNeeded: count >> 24))
        memory.append(contentsOf: record)
    }

    /// Calls `body` with every record, in the order added (each slice valid only during its call).
    func forEach(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        if fd >= 0 {
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure("cannot read it back") }
            var buffer = [UInt8](repeating: 0, count: max(1 << 20, memoryLimit / 4))
            var start = 0
            var end = 0
            while true {
                // Every whole record in the buffer.
                while end - start >= 4 {
                    let count = Self.length(buffer, at: start)
                    guard end - start - 4 >= count else { break }
                    try body(buffer[(start + 4)..<(start + 4 + count)])
                    start += 4 + count
                }
                // Keep the partial record, make room for it whole, read on.
                if start > 0 {
                    buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                    end -= start
                    start = 0
                }
                if end >= 4 {
                    let needed = 4 + Self.length(buffer, at: 0)
                    if needed > buffer.count { buffer += [UInt8](repeating: 0, count: needed - buffer.count) }
                }
                let read = buffer.withUnsafeMutableBytes { raw in
                    systemRead(fd, raw.baseAddress! + end, raw.count - end)
                }
                if read < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot read it back")
                }
                if read == 0 {
                    guard end == 0 else { throw failure("it ended inside a record") }
                    break
                }
                end += read
            }
        }
        var start = 0
        while start < memory.count {
            let count = Self.length(memory, at: start)
            try body(memory[(start + 4)..<(start + 4 + count)])
            start += 4 + count
        }
    }

    private static func length(_ bytes: [UInt8], at i: Int) -> Int {
        Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }

    private func moveToFile() throws {
        if fd < 0 {
            let path = directory + "/docket-spill-\(getpid())-\(UUID().uuidString)"
            fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw failure("cannot create a temporary file") }
            unlink(path)
        }
        var offset = 0
        while offset < memory.count {
            let written = memory.withUnsafeBytes { raw in systemWrite(fd, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write to its temporary file")
            }
            offset += written
        }
        memory.removeAll(keepingCapacity: true)
    }

    private func failure(_ what: String) -> LogWriteError {
        LogWriteError(
            .writeFailed, file: directory,
            message: "\(what) for the rows held back until the header is known: \(String(cString: strerror(errno))) "
                + "(set TMPDIR to a directory with room for about the size of the output)")
    }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
