import DocketCore
import Foundation

/// The log's head at one moment (its last position and that event's hash), signed with a key
/// the file's writers do not hold.
///
/// The hash chain alone cannot catch someone who can write the file: they can edit a row and
/// recompute every hash after it, or cut off the last events, and the chain is intact again. A
/// head exported off the machine pins the chain up to its position: `verify --heads` then finds
/// a log whose event at that position has another hash (rewritten) or that ends before it
/// (truncated).
public struct SignedHead: Hashable, Sendable, Codable {
    /// The last position when the head was signed.
    public var position: Int64
    /// The hash of the event at ``position`` (64 zeros for an empty log).
    public var hash: String
    /// When it was signed (the signer's clock).
    public var signedAt: Timestamp
    /// Which key signed it: the first 16 hex digits of the SHA-256 of the public key.
    public var keyID: String
    /// The signature algorithm (`ed25519`).
    public var algorithm: String
    /// The signature over ``signedBytes``, base64.
    public var signature: String

    public init(position: Int64, hash: String, signedAt: Timestamp, keyID: String, algorithm: String, signature: String) {
        self.position = position
        self.hash = hash
        self.signedAt = signedAt
        self.keyID = keyID
        self.algorithm = algorithm
        self.signature = signature
    }

    /// The bytes the signature covers: the tag `docket.head.v1`, a zero byte, then position,
    /// hash, signing time and key id in the event encoding's field format (Docs/store.md), so
    /// that no field can be forged from its neighbours.
    public var signedBytes: [UInt8] {
        var bytes = Array("docket.head.v1".utf8)
        bytes.append(0)
        func int(_ value: Int64) {
            bytes.append(UInt8(ascii: "i"))
            withUnsafeBytes(of: UInt64(bitPattern: value).bigEndian) { bytes.append(contentsOf: $0) }
        }
        func text(_ value: String) {
            bytes.append(UInt8(ascii: "s"))
            withUnsafeBytes(of: UInt64(value.utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: value.utf8)
        }
        int(position)
        text(hash)
        int(signedAt.microseconds)
        text(keyID)
        return bytes
    }

    enum CodingKeys: String, CodingKey {
        case position, hash, algorithm, signature
        case signedAt = "signed_at"
        case keyID = "key_id"
    }
}
