import DocketCore
import DocketService
import DocketStore
import Foundation
import JWTKit

/// Proves the principal of a JWT signed by the identity provider the server trusts: ES256 or
/// RS256 with a key of its JWKS, from the trusted issuer, for Docket's audience, within its
/// validity (give or take ``Configuration/leeway``), naming the person in the configured claim.
///
/// Every refusal is an ``AuthError`` of kind `unauthenticated` whose message says what was wrong
/// (expired at T, issuer X not trusted, unknown key id K ...) and never contains the token.
///
/// The header is checked here before jwt-kit sees the token: jwt-kit would verify with its
/// default key when the `kid` is unknown, and does not compare the header's `alg` with the key's,
/// which is what an algorithm-confusion attack (HS256 keyed with the RSA public key) relies on.
package struct JWTBearerVerifier: BearerTokenVerifier {
    package struct Configuration: Sendable {
        /// The `iss` a token must carry: the identity provider's issuer URL or name.
        package var issuer: String
        /// The `aud` a token must carry (one of its audiences).
        package var audience: String
        /// The claim naming the directory's person: `sub` by default, `preferred_username` for
        /// providers whose subject is an opaque id.
        package var personClaim: String
        /// How far `exp` and `nbf` may be off, for clocks that disagree a little.
        package var leewaySeconds: Int64

        package init(issuer: String, audience: String, personClaim: String = "sub", leewaySeconds: Int64 = 60) {
            self.issuer = issuer
            self.audience = audience
            self.personClaim = personClaim
            self.leewaySeconds = leewaySeconds
        }
    }

    /// Tokens longer than this are refused unread: no identity token comes near it, and a
    /// server must not parse megabytes for a stranger.
    package static let maximumLength = 16 * 1024

    package let configuration: Configuration
    let keys: TrustedKeys
    let clock: any WallClock

    /// A verifier trusting the keys of `jwks` (JSON text; `source` names where it came from, a
    /// file or the URL the caller fetched it from, for messages).
    ///
    /// - Throws: ``AuthError/Code/invalidKeySet`` when the JWKS holds no usable key.
    package init(jwks: String, source: String = "the JWKS", configuration: Configuration, clock: any WallClock = SystemWallClock()) throws {
        guard configuration.leewaySeconds >= 0, configuration.leewaySeconds <= 600 else {
            throw AuthError(.invalidArgument, "a leeway of \(configuration.leewaySeconds) s is out of range (0-600 s)")
        }
        self.configuration = configuration
        keys = try TrustedKeys(jwks: jwks, source: source)
        self.clock = clock
    }

    /// A verifier trusting the keys of the JWKS file at `path`.
    ///
    /// - Throws: ``AuthError/Code/keyFile`` when the file cannot be read;
    ///   ``AuthError/Code/invalidKeySet`` when it holds no usable key.
    package init(jwksFile path: String, configuration: Configuration, clock: any WallClock = SystemWallClock()) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AuthError(.keyFile, "cannot read the JWKS file \(path): \(error.localizedDescription)")
        }
        try self.init(jwks: text, source: path, configuration: configuration, clock: clock)
    }

    package func principal(forBearer token: String) async throws -> Principal {
        let key = try keyNamed(in: token)
        // A collection of the one key the header named: jwt-kit's own lookup would fall back to
        // a default key for an unknown kid. (Building it costs little beside the signature check.)
        let collection = JWTKeyCollection()
        switch key.material {
        case let .ec(publicKey): await collection.add(ecdsa: publicKey)
        case let .rsa(publicKey): await collection.add(rsa: publicKey, digestAlgorithm: .sha256)
        }
        let claims: ClaimSet
        do {
            claims = try await collection.verify(token, as: ClaimSet.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw AuthError(.badSignature, "bad signature: the token is not signed by the key it names (\(key.id.map(quoted) ?? "the only trusted key"), \(key.algorithm.rawValue)).")
        } catch {
            // jwt-kit's message may quote the token's parts: say only what kind of thing failed.
            throw AuthError(.malformedToken, "the token is malformed: its signature or claims do not decode.")
        }
        return try principal(from: claims, now: clock.now())
    }

    /// The trusted key `token`'s header names, once its shape and algorithm are acceptable.
    func keyNamed(in token: String) throws -> TrustedKeys.Key {
        struct Header: Decodable {
            var alg: String?
            var kid: String?
            var crit: [String]?
        }
        let malformed = AuthError(.malformedToken, "the token is malformed: a JWT is three base64url parts separated by dots, the first a JSON header.")
        guard token.utf8.count <= Self.maximumLength else {
            throw AuthError(.malformedToken, "the token is malformed: longer than \(Self.maximumLength) bytes.")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              let headerBytes = Base64URL.decode(parts[0]), Base64URL.decode(parts[1]) != nil, Base64URL.decode(parts[2]) != nil,
              let header = try? JSONDecoder().decode(Header.self, from: headerBytes)
        else { throw malformed }
        guard let alg = header.alg else {
            throw AuthError(.algorithmRefused, "the token names no algorithm (alg); only ES256 and RS256 are accepted.")
        }
        if alg.lowercased() == "none" {
            throw AuthError(.algorithmRefused, "algorithm 'none' is refused: a token must be signed (ES256 or RS256).")
        }
        guard let algorithm = TrustedKeys.Algorithm(rawValue: alg) else {
            throw AuthError(.algorithmRefused, "algorithm \(quoted(alg)) is refused; only ES256 and RS256 are accepted.")
        }
        if let critical = header.crit, !critical.isEmpty {
            throw AuthError(.malformedToken, "the token requires header extensions Docket does not know (crit).")
        }
        guard !parts[2].isEmpty else {
            throw AuthError(.badSignature, "bad signature: the token carries none.")
        }
        let key = try keys.key(id: header.kid)
        guard key.algorithm == algorithm else {
            throw AuthError(
                .algorithmRefused,
                "algorithm \(algorithm.rawValue) does not match the key \(key.id.map(quoted) ?? "trusted"), which is \(key.algorithm.rawValue).")
        }
        return key
    }

    /// The principal verified `claims` name, at `now`.
    func principal(from claims: ClaimSet, now: Timestamp) throws -> Principal {
        let expected = configuration
        guard let issuer = claims["iss"]?.string else {
            throw AuthError(.issuerNotTrusted, "the token names no issuer (iss); only \(quoted(expected.issuer)) is trusted.")
        }
        guard issuer == expected.issuer else {
            throw AuthError(.issuerNotTrusted, "issuer \(quoted(issuer)) is not trusted; only \(quoted(expected.issuer)) is.")
        }
        let audiences: [String] = switch claims["aud"] {
        case let .string(one)?: [one]
        case let .strings(many)?: many
        default: []
        }
        guard audiences.contains(expected.audience) else {
            let named = audiences.isEmpty ? "no audience (aud)" : "audience " + audiences.prefix(3).map(quoted).joined(separator: ", ")
            throw AuthError(.wrongAudience, "the token is for \(named), not for \(quoted(expected.audience)).")
        }
        let seconds = now.secondsSinceEpoch, leeway = Double(expected.leewaySeconds)
        guard let expires = claims["exp"]?.seconds else {
            throw AuthError(.missingClaim, "the token has no expiry (exp); Docket accepts only tokens that expire.")
        }
        guard seconds < expires + leeway else {
            throw AuthError(.expired, "the token expired at \(Self.text(expires)) (it is now \(now)).")
        }
        if let notBefore = claims["nbf"]?.seconds, seconds + leeway < notBefore {
            throw AuthError(.notYetValid, "the token is not valid before \(Self.text(notBefore)) (it is now \(now)).")
        }
        guard let person = claims[expected.personClaim]?.string, !person.isEmpty else {
            throw AuthError(.missingClaim, "the token has no \(quoted(expected.personClaim)) claim naming the person.")
        }
        // The id goes into the log (`jwt:<id>`) and into every table that shows it.
        guard (try? APITokens.checkPerson(person)) != nil else {
            throw AuthError(.missingClaim, "the token's \(quoted(expected.personClaim)) claim is not a person id (spaces, control characters, or over 200 characters).")
        }
        return Principal(method: .jwt, id: person)
    }

    /// A NumericDate as ISO 8601 UTC, when it is a date of years 1-9999.
    static func text(_ seconds: Double) -> String {
        guard seconds >= -62_135_596_800, seconds < 253_402_300_800 else { return "\(seconds) seconds since 1970" }
        return Timestamp(microseconds: Int64(seconds * 1_000_000)).description
    }
}
