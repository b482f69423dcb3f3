import Crypto
import DocketCore
import DocketStore
import Foundation

/// The key that signs the log's heads: Ed25519, held by the server process (or the operator
/// signing on demand), never by the people and programs that may write the log file.
///
/// The key file is one line, `docket-head-key ed25519 BASE64` (the 32-byte private key), written
/// with mode 0600. The public key travels as `ed25519:BASE64`; that text is what a verifier is
/// told to trust. The algorithm is part of both texts so that SM2 can be added beside it.
public struct HeadSigningKey: Sendable {
    /// The raw 32-byte private key (swift-crypto's key types are not `Sendable`).
    private let raw: Data
    private var privateKey: Curve25519.Signing.PrivateKey {
        // Checked when the key was read or made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    init(privateKey: Curve25519.Signing.PrivateKey) { raw = privateKey.rawRepresentation }

    /// The public half, to give to whoever verifies.
    public var publicKey: HeadPublicKey { HeadPublicKey(privateKey.publicKey) }

    /// Reads the key at `path`.
    public static func load(path: String) throws -> HeadSigningKey {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ServiceError(.fileNotFound, "no head signing key at \(path): create one with `docket head keygen --key \(path)`")
        }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 3, fields[0] == "docket-head-key", fields[1] == "ed25519",
              let raw = Data(base64Encoded: String(fields[2])),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw ServiceError(.invalidArgument, "\(path) is not a head signing key (expected one line `docket-head-key ed25519 BASE64`)")
        }
        return HeadSigningKey(privateKey: key)
    }

    /// Creates a new key at `path` (mode 0600); refuses to overwrite an existing file.
    public static func create(path: String) throws -> HeadSigningKey {
        let key = Curve25519.Signing.PrivateKey()
        let text = "docket-head-key ed25519 \(key.rawRepresentation.base64EncodedString())\n"
        try DurableFile.save(text, to: path, flags: O_CREAT | O_EXCL, mode: 0o600, what: "the head signing key",
                              exists: "it already exists (a key is never overwritten)")
        return HeadSigningKey(privateKey: key)
    }

    /// Signs the head `position`/`hash` at `time`.
    public func sign(position: Int64, hash: String, at time: Timestamp) throws -> SignedHead {
        var head = SignedHead(position: position, hash: hash, signedAt: time, keyID: publicKey.keyID,
                              algorithm: HeadPublicKey.algorithm, signature: "")
        head.signature = try privateKey.signature(for: head.signedBytes).base64EncodedString()
        return head
    }
}

/// A public key heads are verified with, as text: `ed25519:BASE64`.
public struct HeadPublicKey: Hashable, Sendable, CustomStringConvertible {
    static let algorithm = "ed25519"
    /// The raw 32-byte public key.
    private let raw: Data
    private var key: Curve25519.Signing.PublicKey {
        // Checked when the key was read.
        try! Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    init(_ key: Curve25519.Signing.PublicKey) { raw = key.rawRepresentation }

    /// The key a text names.
    public init(text: String) throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("\(Self.algorithm):"), let raw = Data(base64Encoded: String(text.dropFirst(Self.algorithm.count + 1))),
              (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw ServiceError(.invalidArgument, "'\(text.prefix(80))' is not a head public key (expected ed25519:BASE64, as `docket head keygen` prints)")
        }
        self.raw = raw
    }

    public var description: String { "\(Self.algorithm):\(raw.base64EncodedString())" }

    /// The first 16 hex digits of the SHA-256 of the raw public key.
    public var keyID: String {
        String(SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined().prefix(16))
    }


    func isValidSignature(of head: SignedHead) -> Bool {
        guard head.algorithm == Self.algorithm, head.keyID == keyID, let signature = Data(base64Encoded: head.signature) else { return false }
        return key.isValidSignature(signature, for: head.signedBytes)
    }
}

/// Signs the head of a log and exports it.
public struct HeadSigner: Sendable {
    public let key: HeadSigningKey
    private let clock: any WallClock

    public init(key: HeadSigningKey, clock: any WallClock = SystemWallClock()) {
        self.key = key
        self.clock = clock
    }

    /// Signs `store`'s current head, records it in the log's `signed_heads` and, when `export`
    /// is given, appends it to that file (one JSON line, flushed to disk before returning).
    @discardableResult
    public func signHead(of store: any EventStore, exportTo export: String? = nil) throws -> SignedHead {
        let position = try store.lastPosition()
        let hash = position == 0 ? String(repeating: "0", count: 64) : try store.events(after: position - 1, limit: 1).first?.hash
        guard let hash else { throw ServiceError(.unwritableFile, "the log's head at position \(position) could not be read") }
        let head = try key.sign(position: position, hash: hash, at: clock.now())
        if let export { try SignedHeadFile.append(head, to: export) }
        try store.recordSignedHead(head)
        return head
    }
}

/// The file signed heads are exported to: one JSON object a line, appended, never rewritten.
public enum SignedHeadFile {
    /// Appends `head` and flushes it to disk.
    public static func append(_ head: SignedHead, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = String(decoding: try encoder.encode(head), as: UTF8.self) + "\n"
        try DurableFile.save(line, to: path, flags: O_CREAT | O_APPEND, mode: 0o644, what: "the heads file")
    }

    /// The heads in the file at `path`, in order; a line that is not a signed head is an error
    /// naming it.
    public static func read(path: String) throws -> [SignedHead] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceError(.fileNotFound, "no heads file at \(path)")
        }
        let decoder = JSONDecoder()
        var heads: [SignedHead] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            do {
                heads.append(try decoder.decode(SignedHead.self, from: Data(line.utf8)))
            } catch {
                throw ServiceError(.invalidArgument, "\(path):\(number + 1): error: not a signed head (a JSON object with position, hash, signed_at, key_id, algorithm, signature)")
            }
        }
        return heads
    }
}

/// Checks a log against heads signed earlier: each signature with the trusted keys, then that the
/// log still holds each head's event with the same hash. With `verify`'s chain check, that proves
/// nothing up to the last head was cut off or rewritten.
public enum SignedHeadCheck {
    /// The problems found; empty when every head holds.
    public static func problems(in store: any EventStore, heads: [SignedHead], trusting keys: [HeadPublicKey],
                                expectHead: String? = nil) throws -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        let last = try store.lastPosition()
        for head in heads {
            guard let key = keys.first(where: { $0.keyID == head.keyID }), key.isValidSignature(of: head) else {
                problems.append(VerifyProblem(
                    kind: .headSignatureInvalid, position: nil, caseID: nil,
                    message: "the head signed for position \(head.position) (key \(head.keyID)) does not verify with the trusted key\(keys.count == 1 ? "" : "s"): the heads file was forged or damaged, or the key is not trusted."))
                continue
            }
            if head.position > last {
                problems.append(VerifyProblem(
                    kind: .logTruncated, position: last + 1, caseID: nil,
                    message: "a head was signed at position \(head.position) on \(head.signedAt.iso8601(offsetSeconds: 0)), but the log ends at position \(last): events were cut off its end."))
            } else if head.position > 0, let stored = try store.events(after: head.position - 1, limit: 1).first?.hash, stored != head.hash {
                problems.append(VerifyProblem(
                    kind: .headRewritten, position: head.position, caseID: nil,
                    message: "the event at position \(head.position) has hash \(stored.prefix(16))..., but the head signed there on \(head.signedAt.iso8601(offsetSeconds: 0)) says \(head.hash.prefix(16))...: the log was rewritten up to there (hashes recomputed) or replaced."))
            }
        }
        if let expectHead {
            let expected = expectHead.lowercased()
            var found = false
            try store.scan { event in if event.hash == expected { found = true } }
            if !found {
                problems.append(VerifyProblem(
                    kind: .headRewritten, position: nil, caseID: nil,
                    message: "no event of the log has hash \(expected.prefix(16))... (--expect-head): the log was rewritten or cut off before it."))
            }
        }
        return problems
    }
}

/// Writing a small file (a key, a heads line) all at once and to disk before returning.
enum DurableFile {
    /// Opens `path` write-only with `flags`, writes `text`, syncs, closes. `exists` is the reason
    /// given when `O_EXCL` finds the file there.
    static func save(_ text: String, to path: String, flags: Int32, mode: mode_t, what: String,
                      exists: String? = nil) throws {
        let fd = open(path, O_WRONLY | flags, mode)
        guard fd >= 0 else {
            if errno == EEXIST, let exists { throw ServiceError(.invalidArgument, "cannot create \(what) \(path): \(exists)") }
            throw ServiceError(.unwritableFile, "cannot open \(what) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(fd) == 0 else {
            throw ServiceError(.unwritableFile, "cannot write \(what) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
