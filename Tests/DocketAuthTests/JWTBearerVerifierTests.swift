import DocketAuth
import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import JWTKit
import Testing

/// JWTs from the identity provider: which are accepted, and why each other one is refused.
@Suite struct JWTBearerVerifierTests {
    /// Expects `token` refused with `code`, as unauthenticated, by a message that does not quote it.
    @discardableResult
    func expectRefused(
        _ token: String, _ code: AuthError.Code, verifier: JWTBearerVerifier? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let verifier = try verifier ?? Keys.verifier()
        do {
            let principal = try await verifier.principal(forBearer: token)
            Issue.record("accepted as \(principal.recorded), expected \(code)", sourceLocation: sourceLocation)
            return ""
        } catch let error as AuthError {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.kind == .unauthenticated, sourceLocation: sourceLocation)
            #expect(!error.message.contains(token), sourceLocation: sourceLocation)
            // Not even the signature or the claims part of it.
            for part in token.split(separator: ".") where part.count > 16 {
                #expect(!error.message.contains(part), "\(error.message)", sourceLocation: sourceLocation)
            }
            return error.message
        }
    }

    // MARK: Accepted

    @Test func anES256TokenNamesItsSubject() async throws {
        let principal = try await Keys.verifier().principal(forBearer: try await Keys.token())
        #expect(principal == Principal(method: .jwt, id: "li.wei"))
        #expect(principal.recorded == "jwt:li.wei")
    }

    @Test func anRS256TokenIsAccepted() async throws {
        let token = try await Keys.token(signer: .rsa, kid: "rsa-1")
        #expect(try await Keys.verifier().principal(forBearer: token) == Principal(method: .jwt, id: "li.wei"))
    }

    @Test func theConfiguredClaimNamesThePerson() async throws {
        var claims = TestClaims()
        claims.sub = "f3b1c9e0-opaque"
        claims.preferredUsername = "zhang.min"
        let verifier = try Keys.verifier(personClaim: "preferred_username")
        #expect(try await verifier.principal(forBearer: try await Keys.token(claims)).id == "zhang.min")
    }

    @Test func oneOfSeveralAudiencesIsEnough() async throws {
        var claims = TestClaims()
        claims.aud = .many(["portal", "docket"])
        #expect(try await Keys.verifier().principal(forBearer: try await Keys.token(claims)).id == "li.wei")
    }

    @Test func clocksMayDisagreeByTheLeeway() async throws {
        var claims = TestClaims()
        claims.exp = Keys.now.microseconds / 1_000_000 - 30
        claims.nbf = Keys.now.microseconds / 1_000_000 + 30
        #expect(try await Keys.verifier().principal(forBearer: try await Keys.token(claims)).id == "li.wei")
    }

    // MARK: Refused

    @Test func anExpiredTokenIsRefusedSayingWhen() async throws {
        var claims = TestClaims()
        claims.exp = Keys.now.microseconds / 1_000_000 - 120
        let message = try await expectRefused(try await Keys.token(claims), .expired)
        #expect(message.contains("expired at 2025-12-31T23:58:00Z"), "\(message)")
    }

    @Test func aTokenNotYetValidIsRefusedSayingWhen() async throws {
        var claims = TestClaims()
        claims.nbf = Keys.now.microseconds / 1_000_000 + 300
        let message = try await expectRefused(try await Keys.token(claims), .notYetValid)
        #expect(message.contains("not valid before 2026-01-01T00:05:00Z"), "\(message)")
    }

    @Test func anotherIssuerIsNotTrusted() async throws {
        var claims = TestClaims()
        claims.iss = "https://evil.example.com"
        let message = try await expectRefused(try await Keys.token(claims), .issuerNotTrusted)
        #expect(message.contains("'https://evil.example.com' is not trusted"), "\(message)")
        claims.iss = nil
        try await expectRefused(try await Keys.token(claims), .issuerNotTrusted)
    }

    @Test func aTokenForAnotherAudienceIsRefused() async throws {
        var claims = TestClaims()
        claims.aud = .one("payroll")
        let message = try await expectRefused(try await Keys.token(claims), .wrongAudience)
        #expect(message.contains("'payroll'") && message.contains("'docket'"), "\(message)")
        claims.aud = nil
        try await expectRefused(try await Keys.token(claims), .wrongAudience)
    }

    @Test func aTokenSignedWithAnotherKeyIsRefused() async throws {
        let message = try await expectRefused(try await Keys.token(signer: .otherEC, kid: "ec-1"), .badSignature)
        #expect(message.contains("'ec-1'"), "\(message)")
    }

    @Test func anUnknownKeyIdIsRefused() async throws {
        let message = try await expectRefused(try await Keys.token(signer: .otherEC, kid: "rotated-2031"), .unknownKey)
        #expect(message.contains("'rotated-2031'"), "\(message)")
        // Without a kid, among several trusted keys, no key is guessed.
        try await expectRefused(try await Keys.token(kid: nil), .unknownKey)
    }

    @Test func algorithmNoneIsRefused() async throws {
        let message = try await expectRefused(try Keys.unsigned(), .algorithmRefused)
        #expect(message.contains("'none'"), "\(message)")
    }

    /// Algorithm confusion: HS256 keyed with the RSA public key's PEM, which anyone can read,
    /// would verify if the RSA key were used as an HMAC secret.
    @Test func hs256KeyedWithThePublicKeyIsRefused() async throws {
        let pem = Keys.rsa.publicKey.pemRepresentation
        let token = try await Keys.token(signer: .hmac(pem), kid: "rsa-1")
        let message = try await expectRefused(token, .algorithmRefused)
        #expect(message.contains("'HS256'"), "\(message)")
    }

    @Test func anAlgorithmOtherThanTheKeysIsRefused() async throws {
        // Signed by the EC key, but naming the RSA key: ES256 is not that key's algorithm.
        try await expectRefused(try await Keys.token(signer: .ec, kid: "rsa-1"), .algorithmRefused)
    }

    @Test(arguments: [
        "", "garbage", "a.b", "a.b.c.d", "....", "Bearer x.y.z", "eyJhbGciOiJFUzI1NiJ9", "e30.e30", "!!!.???.###",
        "eyJhbGciOiJFUzI1NiJ9.not base64.c2ln", String(repeating: "A", count: 20_000),
    ])
    func garbageIsMalformed(_ token: String) async throws {
        try await expectRefused(token, .malformedToken)
    }

    @Test func aTokenWithoutTheClaimNamingThePersonIsRefused() async throws {
        var claims = TestClaims()
        claims.sub = nil
        let message = try await expectRefused(try await Keys.token(claims), .missingClaim)
        #expect(message.contains("'sub'"), "\(message)")
        let verifier = try Keys.verifier(personClaim: "preferred_username")
        try await expectRefused(try await Keys.token(TestClaims()), .missingClaim, verifier: verifier)
    }

    @Test(arguments: ["li wei", "li.wei\nos:root", "\u{7}", String(repeating: "x", count: 201)])
    func aPersonClaimThatIsNotAnIdIsRefused(_ person: String) async throws {
        var claims = TestClaims()
        claims.sub = person
        try await expectRefused(try await Keys.token(claims), .missingClaim)
    }

    @Test func aTokenThatNeverExpiresIsRefused() async throws {
        var claims = TestClaims()
        claims.exp = nil
        try await expectRefused(try await Keys.token(claims), .missingClaim)
    }

    @Test func aTamperedClaimBreaksTheSignature() async throws {
        let token = try await Keys.token()
        let parts = token.split(separator: ".").map(String.init)
        var claims = TestClaims()
        claims.sub = "admin"
        let forged = parts[0] + "." + Keys.base64URL(try JSONEncoder().encode(claims)) + "." + parts[2]
        try await expectRefused(forged, .badSignature)
    }

    // MARK: The key set

    @Test func theKeySetIsReadFromAFile() async throws {
        let directory = TemporaryDirectory("jwks")
        let path = directory.file("jwks.json", Keys.jwks)
        let verifier = try JWTBearerVerifier(
            jwksFile: path, configuration: .init(issuer: Keys.issuer, audience: Keys.audience), clock: ManualWallClock(Keys.now))
        #expect(try await verifier.principal(forBearer: try await Keys.token()).id == "li.wei")
        let missing = #expect(throws: AuthError.self) {
            try JWTBearerVerifier(jwksFile: directory.path("nothing.json"), configuration: .init(issuer: "i", audience: "a"))
        }
        #expect(missing?.code == .keyFile)
        #expect(missing?.message.contains("nothing.json") == true)
    }

    @Test(arguments: [Int64(-1), 601])
    func aLeewayOutOfRangeIsRefused(_ seconds: Int64) {
        #expect(throws: AuthError.self) {
            try JWTBearerVerifier(jwks: Keys.jwks, configuration: .init(issuer: "i", audience: "a", leewaySeconds: seconds))
        }
    }

    @Test func aLeewayOfNoneRefusesALateToken() async throws {
        var claims = TestClaims()
        claims.exp = Keys.now.microseconds / 1_000_000 - 1
        let strict = try JWTBearerVerifier(
            jwks: Keys.jwks, configuration: .init(issuer: Keys.issuer, audience: Keys.audience, leewaySeconds: 0),
            clock: ManualWallClock(Keys.now))
        try await expectRefused(try await Keys.token(claims), .expired, verifier: strict)
    }

    @Test func aKeySetWithAPrivateKeyIsRefused() throws {
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"AA","y":"AA","d":"AA"}]}"#
        let error = #expect(throws: AuthError.self) {
            try JWTBearerVerifier(jwks: jwks, source: "keys.json", configuration: .init(issuer: "i", audience: "a"))
        }
        #expect(error?.code == .invalidKeySet)
        #expect(error?.message.contains("private key") == true)
    }

    @Test(arguments: [
        #"{"keys":[]}"#, #"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}"#, "not json", #"{"kid":"x"}"#,
        #"{"keys":[{"kty":"RSA","kid":"r","alg":"RS512","n":"AQAB","e":"AQAB"}]}"#,
    ])
    func aKeySetWithoutAnES256OrRS256KeyIsRefused(_ jwks: String) throws {
        let error = #expect(throws: AuthError.self) {
            try JWTBearerVerifier(jwks: jwks, source: "keys.json", configuration: .init(issuer: "i", audience: "a"))
        }
        #expect(error?.code == .invalidKeySet)
        #expect(error?.kind == .invalidInput)
    }
}
