import Crypto
import DocketCore
import Foundation

/// Where the files of a log's documents are kept: content-addressed by their SHA-256, beside the
/// log (``FileAttachmentStore``) or in memory (``InMemoryAttachmentStore``). Both pass the same
/// contract suite (`AttachmentStoreContractTests`).
///
/// A file is written (and synced to disk) before the event that names it is appended, and never
/// rewritten: an event names its file by hash, and `verify` checks every file an event names is
/// there and still has that hash. A file kept for a command that was then refused stays, unnamed
/// and harmless (the same bytes attached again find it there).
public protocol AttachmentStore: Sendable {
    /// The largest file accepted, in bytes.
    var maximumSize: Int64 { get }

    /// Keeps `bytes` and returns their hash and size; keeping bytes already held is a no-op.
    ///
    /// - Throws: ``AttachmentError`` `attachment_too_large` beyond ``maximumSize``;
    ///   `attachment_damaged` when a file under that hash is held but no longer matches it;
    ///   `attachment_unwritable` when the disk refuses (full, read-only): nothing is kept.
    func put(_ bytes: Data) throws -> StoredAttachment

    /// The bytes kept under `sha256`, checked against it.
    ///
    /// - Throws: ``AttachmentError`` `attachment_not_found`, `attachment_damaged`, `invalid_attachment_hash`.
    func get(_ sha256: String) throws -> Data

    /// What is wrong with the file an event names as `sha256` of `size` bytes (`attachment_not_found`
    /// or `attachment_damaged`), or nil when it is there and matches.
    func problem(_ sha256: String, size: Int64) -> AttachmentError?
}

/// A file as the store keeps it.
public struct StoredAttachment: Hashable, Sendable {
    /// The SHA-256 of its bytes, 64 lowercase hexadecimal digits.
    public var sha256: String
    /// Its size in bytes.
    public var size: Int64
}

/// Attachments' sizes and hashes.
public enum AttachmentLimits {
    /// The default largest attachment: 64 MiB (an inspection video at the desk's resolution, a
    /// scanned opinion of a few hundred pages).
    public static let defaultMaximumSize: Int64 = 64 << 20

    /// Whether `text` is a SHA-256 as Docket writes it (64 lowercase hexadecimal digits).
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// SHA-256 of `bytes`, as Docket writes it.
    public static func sha256(_ bytes: Data) -> String {
        ContentHash.sha256Hex(bytes)
    }

    static func checkHash(_ sha256: String) throws {
        guard isHash(sha256) else {
            throw AttachmentError(.invalidHash, "'\(sha256.prefix(80))' is not an attachment hash (64 lowercase hexadecimal digits, as `docket history --json` shows them)")
        }
    }

    static func checkSize(_ size: Int64, maximum: Int64) throws {
        guard size <= maximum else {
            throw AttachmentError(.tooLarge, "the file is \(size) bytes; attachments are at most \(maximum) bytes (raise it with --max-attachment-size)")
        }
    }
}

/// Why an attachment could not be kept or given back; nothing was appended.
public struct AttachmentError: DocketError, CodedError, Hashable, Sendable {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        case tooLarge = "attachment_too_large"
        case notFound = "attachment_not_found"
        case damaged = "attachment_damaged"
        case unwritable = "attachment_unwritable"
        case invalidHash = "invalid_attachment_hash"
        case unreadableFile = "attachment_file_unreadable"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public var kind: FailureKind {
        switch code {
        case .tooLarge, .invalidHash, .unreadableFile: .invalidInput
        case .notFound: .notFound
        case .damaged, .unwritable: .unavailable
        }
    }
}

/// Attachments in memory, for tests and in-process use.
public final class InMemoryAttachmentStore: AttachmentStore, @unchecked Sendable {
    // @unchecked: `files` is only touched while holding `lock`.
    private let lock = NSLock()
    private var files: [String: Data] = [:]
    public let maximumSize: Int64

    public init(maximumSize: Int64 = AttachmentLimits.defaultMaximumSize) {
        self.maximumSize = maximumSize
    }

    public func put(_ bytes: Data) throws -> StoredAttachment {
        try AttachmentLimits.checkSize(Int64(bytes.count), maximum: maximumSize)
        let hash = AttachmentLimits.sha256(bytes)
        lock.lock()
        defer { lock.unlock() }
        if let held = files[hash], AttachmentLimits.sha256(held) != hash {
            throw AttachmentError(.damaged, "attachment \(hash) is held but no longer matches its hash; restore it from a backup")
        }
        if files[hash] == nil { files[hash] = bytes }
        return StoredAttachment(sha256: hash, size: Int64(bytes.count))
    }

    public func get(_ sha256: String) throws -> Data {
        try AttachmentLimits.checkHash(sha256)
        lock.lock()
        defer { lock.unlock() }
        guard let bytes = files[sha256] else { throw AttachmentError(.notFound, "no attachment \(sha256) in this log's attachment store") }
        guard AttachmentLimits.sha256(bytes) == sha256 else {
            throw AttachmentError(.damaged, "attachment \(sha256) no longer matches its hash; restore it from a backup")
        }
        return bytes
    }

    public func problem(_ sha256: String, size: Int64) -> AttachmentError? {
        AttachmentProblem.of(sha256, size: size) { try get($0) }
    }

    /// Replaces the bytes held under `sha256` (a test's stand-in for a damaged disk).
    package func damage(_ sha256: String, with bytes: Data) {
        lock.lock()
        defer { lock.unlock() }
        files[sha256] = bytes
    }
}

enum AttachmentProblem {
    static func of(_ sha256: String, size: Int64, get: (String) throws -> Data) -> AttachmentError? {
        do {
            let bytes = try get(sha256)
            return Int64(bytes.count) == size ? nil : AttachmentError(.damaged, "attachment \(sha256) is \(bytes.count) bytes, the event says \(size)")
        } catch let error as AttachmentError {
            return error
        } catch {
            return AttachmentError(.damaged, "attachment \(sha256): \(error)")
        }
    }
}
