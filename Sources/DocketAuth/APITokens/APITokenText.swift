import Crypto

/// An API token as its holder sends it: `dkt_<id>_<secret>`.
///
/// The id is public (16 lowercase hex digits: listed, revoked and quoted in messages by it); the
/// secret is 32 random bytes in base64url (43 characters), shown once when the token is created
/// and never stored: the store keeps ``secretHash``, the SHA-256 of the secret's text.
package struct APITokenText: Sendable {
    /// What every API token starts with, so that a verifier tells it from a JWT at a glance (and
    /// a secret scanner finds one in a leaked file).
    package static let prefix = "dkt_"

    package var id: String
    package var secret: String

    /// A new token: a random id and a random secret.
    static func random() -> APITokenText {
        APITokenText(id: hex(randomBytes(8)), secret: Base64URL.encode(randomBytes(32)))
    }

    private init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The token `text` is, or `nil` when it does not have the shape of one.
    package init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let rest = text.utf8.dropFirst(Self.prefix.utf8.count)
        // The id has no `_`; the secret (base64url) may.
        guard let separator = rest.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let id = rest[..<separator], secret = rest[rest.index(after: separator)...]
        guard id.count == 16, id.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
              secret.count == 43, secret.allSatisfy(Base64URL.isAlphabet)
        else { return nil }
        self.id = String(decoding: id, as: UTF8.self)
        self.secret = String(decoding: secret, as: UTF8.self)
    }

    /// The text the holder sends.
    package var text: String { Self.prefix + id + "_" + secret }

    /// What the store keeps instead of the secret: SHA-256 of its UTF-8 text, in lowercase hex.
    package var secretHash: String { Self.hash(secret) }

    static func hash(_ secret: String) -> String { hex(SHA256.hash(data: Array(secret.utf8))) }
}

/// Whether `a` and `b` are equal, in a time that depends only on their lengths: comparing a
/// presented secret's hash must not tell an attacker how many leading characters were right.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in x.indices { difference |= x[i] ^ y[i] }
    return difference == 0
}
