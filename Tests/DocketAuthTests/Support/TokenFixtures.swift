import Crypto
import CryptoExtras
import DocketAuth
import DocketCore
import DocketStore
import Foundation
import JWTKit

/// The claims tests put in tokens: any of them may be left out.
struct TestClaims: JWTPayload {
    var iss: String? = Keys.issuer
    var aud: AudienceValue? = .one(Keys.audience)
    var sub: String? = "li.wei"
    var exp: Int64? = Keys.now.microseconds / 1_000_000 + 3_600
    var nbf: Int64? = Keys.now.microseconds / 1_000_000 - 60
    var preferredUsername: String?

    enum AudienceValue: Encodable, Decodable, Sendable {
        case one(String)
        case many([String])

        func encode(to encoder: any Encoder) throws {
            var value = encoder.singleValueContainer()
            switch self {
            case let .one(text): try value.encode(text)
            case let .many(texts): try value.encode(texts)
            }
        }

        init(from decoder: any Decoder) throws {
            self = .one(try decoder.singleValueContainer().decode(String.self))
        }
    }

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, nbf
        case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Keys the tests sign with, and the JWKS that trusts the first two.
enum Keys {
    static let issuer = "https://id.example.gov/realms/permits"
    static let audience = "docket"
    static let now = Timestamp(seconds: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// The EC key, also as swift-crypto's, to sign hand-made headers and claims.
    static let ecRaw = P256.Signing.PrivateKey()
    static let ec = try! ES256PrivateKey(backing: ecRaw)
    static let otherEC = ES256PrivateKey()
    /// RSA key generation takes a moment: one key for every test.
    static let rsa: JWTKit.Insecure.RSA.PrivateKey = try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))

    /// The JWKS of `ec` (kid `ec-1`) and `rsa` (kid `rsa-1`).
    static let jwks: String = {
        let point = ec.publicKey.parameters!
        let (n, e) = try! rsa.publicKey.getKeyPrimitives()
        return """
            {"keys": [
              {"kty": "EC", "crv": "P-256", "kid": "ec-1", "use": "sig", "alg": "ES256", "x": "\(point.x)", "y": "\(point.y)"},
              {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "n": "\(base64URL(n))", "e": "\(base64URL(e))"},
              {"kty": "oct", "kid": "hmac-1", "k": "c2VjcmV0"}
            ]}
            """
    }()

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A verifier trusting `jwks`, at `now`.
    static func verifier(personClaim: String = "sub", clock: ManualWallClock = ManualWallClock(now)) throws -> JWTBearerVerifier {
        try JWTBearerVerifier(
            jwks: jwks, source: "test JWKS",
            configuration: .init(issuer: issuer, audience: audience, personClaim: personClaim), clock: clock)
    }

    enum Signer {
        case ec, otherEC, rsa, hmac(String)
    }

    /// `claims` signed by `signer`, naming `kid` in the header.
    static func token(_ claims: TestClaims = TestClaims(), signer: Signer = .ec, kid: String? = "ec-1") async throws -> String {
        let keys = JWTKeyCollection()
        let id = kid.map { JWKIdentifier(string: $0) }
        switch signer {
        case .ec: _ = await keys.add(ecdsa: ec, kid: id)
        case .otherEC: _ = await keys.add(ecdsa: otherEC, kid: id)
        case .rsa: _ = await keys.add(rsa: rsa, digestAlgorithm: .sha256, kid: id)
        case let .hmac(secret): _ = await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: id)
        }
        return try await keys.sign(claims, kid: id)
    }

    /// `header` and `payload` (JSON texts, taken as they are) signed by the EC key.
    static func signedRaw(header: String = #"{"alg":"ES256","kid":"ec-1"}"#, payload: String) throws -> String {
        let input = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        return input + "." + base64URL(try ecRaw.signature(for: Data(input.utf8)).rawRepresentation)
    }

    /// An unsigned token (`alg: none`) with `claims`.
    static func unsigned(_ claims: TestClaims = TestClaims(), kid: String = "ec-1") throws -> String {
        let header = base64URL(Data(#"{"alg":"none","kid":"\#(kid)","typ":"JWT"}"#.utf8))
        let payload = base64URL(try JSONEncoder().encode(claims))
        return header + "." + payload + "."
    }
}
