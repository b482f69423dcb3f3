import Foundation
import JWTKit

/// The public keys a ``JWTBearerVerifier`` trusts, read from a JWKS (RFC 7517): the ES256 keys
/// (EC, P-256) and RS256 keys (RSA, 2048 bits or more) meant for signatures. Keys of other
/// types or algorithms are left out; a private key in the set is refused (a JWKS to trust is
/// published, so it must hold public keys only).
struct TrustedKeys: Sendable {
    /// The signature algorithms Docket accepts. Only asymmetric ones: with a shared secret
    /// (HS256) anyone who can verify can sign, and `none` signs nothing.
    enum Algorithm: String, Sendable, CaseIterable {
        case es256 = "ES256"
        case rs256 = "RS256"
    }

    enum Material: Sendable {
        case ec(ES256PublicKey)
        case rsa(Insecure.RSA.PublicKey)
    }

    struct Key: Sendable {
        /// `nil` for the one key of a set that gives it none.
        var id: String?
        var algorithm: Algorithm
        var material: Material
    }

    let keys: [Key]

    /// The keys of `json`, a JWKS read from `source` (a file name or URL, for messages).
    init(jwks json: String, source: String) throws {
        struct Document: Decodable {
            struct Entry: Decodable {
                var kty: String?
                var kid: String?
                var alg: String?
                var use: String?
                var crv: String?
                var x: String?
                var y: String?
                var n: String?
                var e: String?
                var d: String?
            }
            var keys: [Entry]
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
        } catch {
            throw AuthError(.invalidKeySet, "\(source) is not a JWKS: a JSON object with a \"keys\" array of keys (RFC 7517).")
        }
        var keys: [Key] = []
        for (index, entry) in document.keys.enumerated() {
            let name = entry.kid.map { "key \(quoted($0))" } ?? "key \(index + 1)"
            guard entry.d == nil else {
                throw AuthError(.invalidKeySet, "\(source): \(name) is a private key; a JWKS to trust holds public keys only. Publish the public half.")
            }
            if let use = entry.use, use != "sig" { continue }
            let material: Material
            let algorithm: Algorithm
            do {
                switch (entry.kty, entry.alg) {
                case ("EC", nil), ("EC", "ES256"):
                    guard entry.crv == "P-256", let x = entry.x, let y = entry.y else { continue }
                    material = .ec(try ES256PublicKey(parameters: (x, y)))
                    algorithm = .es256
                case ("RSA", nil), ("RSA", "RS256"):
                    guard let n = entry.n, let e = entry.e else {
                        throw AuthError(.invalidKeySet, "\(source): \(name) lacks its modulus (n) or exponent (e).")
                    }
                    material = .rsa(try Insecure.RSA.PublicKey(modulus: n, exponent: e))
                    algorithm = .rs256
                default:
                    continue  // another type or algorithm: not one Docket accepts
                }
            } catch let error as AuthError {
                throw error
            } catch {
                throw AuthError(.invalidKeySet, "\(source): \(name) is not a usable \(entry.kty ?? "") public key (an RSA key needs 2048 bits or more).")
            }
            if let id = entry.kid, keys.contains(where: { $0.id == id }) {
                throw AuthError(.invalidKeySet, "\(source): two keys have the id \(quoted(id)).")
            }
            keys.append(Key(id: entry.kid, algorithm: algorithm, material: material))
        }
        guard !keys.isEmpty else {
            throw AuthError(.invalidKeySet, "\(source) holds no ES256 (EC P-256) or RS256 (RSA) signing key.")
        }
        if keys.count > 1, keys.contains(where: { $0.id == nil }) {
            throw AuthError(.invalidKeySet, "\(source): every key needs an id (kid) when the set holds more than one.")
        }
        self.keys = keys
    }

    /// The key a token's header names: by its `kid`, or the only key when it names none.
    func key(id: String?) throws -> Key {
        if let id {
            guard let key = keys.first(where: { $0.id == id }) else {
                throw AuthError(.unknownKey, "the token was signed with an unknown key id \(quoted(id)); the trusted keys are \(names).")
            }
            return key
        }
        guard keys.count == 1 else {
            throw AuthError(.unknownKey, "the token names no key id (kid), and \(keys.count) keys are trusted.")
        }
        return keys[0]
    }

    private var names: String {
        keys.map { $0.id.map(quoted) ?? "(no id)" }.joined(separator: ", ")
    }
}
