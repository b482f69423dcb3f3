import DocketCore
import Foundation

#if canImport(Glibc)
import Glibc
private let writeBytes = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let writeBytes = Darwin.write
#endif

/// Attachments as files beside the log: `LOG.attachments/sha256/ab/abcd...` (the first two hex
/// digits name a folder, so that no folder holds more than a 256th of them).
///
/// A file is written under a temporary name in its folder, synced, made read-only and linked to
/// its final name (a link never replaces a file: two writers of the same bytes both succeed, and
/// nothing is ever rewritten), then the folder is synced, so that the file is on disk before the
/// event naming it is appended.
public struct FileAttachmentStore: AttachmentStore {
    /// The store's root folder.
    public let root: String
    public let maximumSize: Int64

    /// The store beside the log at `logPath` (`LOG.attachments`).
    public init(besideLog logPath: String, maximumSize: Int64 = AttachmentLimits.defaultMaximumSize) {
        self.init(root: logPath + ".attachments", maximumSize: maximumSize)
    }

    public init(root: String, maximumSize: Int64 = AttachmentLimits.defaultMaximumSize) {
        // Absolute, so that the folders above a new file can be synced (`--db docket.sqlite`).
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.maximumSize = maximumSize
    }

    /// Where the file of `sha256` is kept.
    public func path(of sha256: String) -> String {
        "\(root)/sha256/\(sha256.prefix(2))/\(sha256)"
    }

    public func put(_ bytes: Data) throws -> StoredAttachment {
        try AttachmentLimits.checkSize(Int64(bytes.count), maximum: maximumSize)
        let hash = AttachmentLimits.sha256(bytes)
        let stored = StoredAttachment(sha256: hash, size: Int64(bytes.count))
        let final = path(of: hash)
        if FileManager.default.fileExists(atPath: final) {
            _ = try get(hash)  // held already: only check it still matches
            return stored
        }
        let folder = (final as NSString).deletingLastPathComponent
        try makeFolders(folder)
        let temporary = "\(folder)/.incoming-\(UUID().uuidString)"
        do {
            try write(bytes, to: temporary)
            if link(temporary, final) != 0 {
                let error = errno
                guard error == EEXIST else { throw unwritable("could not name \(final)", error) }
            }
            unlink(temporary)
            try sync(folder: folder)
        } catch {
            unlink(temporary)
            throw error
        }
        _ = try get(hash)  // a file already there under this name (a race) must match too
        return stored
    }

    public func get(_ sha256: String) throws -> Data {
        try AttachmentLimits.checkHash(sha256)
        let file = path(of: sha256)
        guard FileManager.default.fileExists(atPath: file) else {
            throw AttachmentError(.notFound, "no attachment \(sha256) in \(root): the file \(file) is missing; restore it from a backup of the attachment store")
        }
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw AttachmentError(.damaged, "attachment \(sha256) could not be read from \(file)")
        }
        guard AttachmentLimits.sha256(bytes) == sha256 else {
            throw AttachmentError(.damaged, "attachment \(sha256) at \(file) no longer matches its hash (it was changed on disk); restore it from a backup")
        }
        return bytes
    }

    public func problem(_ sha256: String, size: Int64) -> AttachmentError? {
        AttachmentProblem.of(sha256, size: size) { try get($0) }
    }

    // MARK: Files

    private func unwritable(_ what: String, _ error: Int32) -> AttachmentError {
        AttachmentError(.unwritable, "\(what): \(String(cString: strerror(error))); nothing was recorded")
    }

    /// Creates `folder` and the folders above it up to the store's root, syncing each parent
    /// whose listing changed.
    private func makeFolders(_ folder: String) throws {
        var missing: [String] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current), current != "/", !current.isEmpty {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for created in missing.reversed() {
            if mkdir(created, 0o755) != 0, errno != EEXIST { throw unwritable("could not create \(created)", errno) }
            try sync(folder: (created as NSString).deletingLastPathComponent)
        }
    }

    private func write(_ bytes: Data, to file: String) throws {
        let descriptor = open(file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else { throw unwritable("could not create \(file)", errno) }
        defer { close(descriptor) }
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = writeBytes(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw unwritable("could not write \(file)", errno)
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw unwritable("could not sync \(file) to disk", errno) }
    }

    private func sync(folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unwritable("could not open \(folder)", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw unwritable("could not sync \(folder) to disk", errno) }
    }
}
