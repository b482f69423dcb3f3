import Crypto
import DocketCore
import Foundation

/// The local P-256 key `docket token issue` signs development JWTs with (ES256), and whose
/// public half `docket token dev-jwks` prints as a JWKS for `docket serve --jwks` to trust: a
/// stand-in for the identity provider on a developer's machine, never for production.
///
/// The key file is the private key in PEM (PKCS #8), created with mode 0600 when missing and
/// refused when others may read it, as ssh refuses a readable private key.
package struct DevelopmentSigningKey: Sendable {
    /// Where the key is kept.
    package let path: String
    private let privateKey: P256.Signing.PrivateKey

    /// The key's id: its RFC 7638 thumbprint, so the same key always has the same id.
    package let keyID: String

    private init(path: String, privateKey: P256.Signing.PrivateKey) {
        self.path = path
        self.privateKey = privateKey
        let point = Self.coordinates(privateKey.publicKey)
        let members = #"{"crv":"P-256","kty":"EC","x":"\#(point.x)","y":"\#(point.y)"}"#
        keyID = Base64URL.encode(SHA256.hash(data: Array(members.utf8)))
    }

    /// The key at `path`.
    ///
    /// - Throws: ``AuthError/Code/keyFile`` when it is missing, readable by others, or not a
    ///   P-256 private key in PEM.
    package static func load(path: String) throws -> DevelopmentSigningKey {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AuthError(.keyFile, "no signing key at \(path): docket token issue --key \(path) creates one.")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw AuthError(.keyFile, "the signing key \(path) may be read by others (mode \(String(mode, radix: 8))); chmod 600 \(path).")
        }
        do {
            let pem = try String(contentsOfFile: path, encoding: .utf8)
            return DevelopmentSigningKey(path: path, privateKey: try P256.Signing.PrivateKey(pemRepresentation: pem))
        } catch {
            throw AuthError(.keyFile, "\(path) is not a P-256 private key in PEM (docket token issue creates one at a path that does not exist).")
        }
    }

    /// The key at `path`, created first when there is none; `created` says which.
    package static func loadOrCreate(path: String) throws -> (key: DevelopmentSigningKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try load(path: path), false) }
        let key = P256.Signing.PrivateKey()
        // O_EXCL: never overwrite a key another process created meanwhile; 0600 from the start,
        // so the private key is never readable by others, not even for an instant.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return (try load(path: path), false) }
            throw AuthError(.keyFile, "cannot create the signing key \(path): \(String(cString: strerror(errno))).")
        }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try file.write(contentsOf: Data((key.pemRepresentation + "\n").utf8))
            try file.close()
        } catch {
            throw AuthError(.keyFile, "cannot write the signing key \(path): \(error.localizedDescription).")
        }
        return (DevelopmentSigningKey(path: path, privateKey: key), true)
    }

    /// The JWKS holding the public half (pretty-printed JSON).
    package var jwks: String {
        let point = Self.coordinates(privateKey.publicKey)
        let key: [String: String] = ["kty": "EC", "crv": "P-256", "x": point.x, "y": point.y, "kid": keyID, "alg": "ES256", "use": "sig"]
        return Self.json(["keys": [key]], pretty: true)
    }

    /// A JWT for `person` (in `sub`, and in `claim` too when it is another), from `issuer` for
    /// `audience`, valid from `now` for `lifetimeSeconds`.
    package func issue(
        for person: String, claim: String = "sub", issuer: String, audience: String, lifetimeSeconds: Int64, now: Timestamp
    ) throws -> String {
        let issued = now.microseconds / 1_000_000
        var claims: [String: ClaimValue] = [
            "sub": .string(person), "iss": .string(issuer), "aud": .string(audience),
            "iat": .integer(issued), "nbf": .integer(issued), "exp": .integer(issued + lifetimeSeconds),
        ]
        claims[claim] = .string(person)
        let header = Self.json(["alg": "ES256", "typ": "JWT", "kid": keyID], pretty: false)
        let payload = Self.json(ClaimSet(claims), pretty: false)
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try privateKey.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// The base64url x and y of a public key (its X9.63 form is 0x04, x, y).
    private static func coordinates(_ key: P256.Signing.PublicKey) -> (x: String, y: String) {
        let point = Array(key.x963Representation)
        return (Base64URL.encode(point[1...32]), Base64URL.encode(point[33...64]))
    }

    private static func json(_ value: some Encodable, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // The values are strings and integers: encoding cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
