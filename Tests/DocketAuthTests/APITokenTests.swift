import Crypto
import DocketAuth
import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// API tokens of service accounts: created once, only a hash stored, refused when expired,
/// revoked or wrong.
@Suite struct APITokenTests {
    static let operatorPrincipal = Principal(method: .operatingSystem, id: "root")

    let clock = ManualWallClock(Keys.now)
    let store = InMemoryAPITokenStore()
    var tokens: APITokens { APITokens(store: store, clock: clock) }
    var verifier: APITokenVerifier { APITokenVerifier(store: store, clock: clock) }

    func expectRefused(_ token: String, _ code: AuthError.Code, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: AuthError.self, sourceLocation: sourceLocation) { try verifier.verify(token) }
        #expect(error?.code == code, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        #expect(error?.kind == .unauthenticated, sourceLocation: sourceLocation)
        // (A token as short as `dkt_` is in every explanation of the format.)
        #expect(token.count < 12 || error?.message.contains(token) == false, sourceLocation: sourceLocation)
        if let secret = APITokenText(token)?.secret {
            #expect(error?.message.contains(secret) == false, sourceLocation: sourceLocation)
        }
    }

    @Test func aCreatedTokenProvesItsServiceAccount() async throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: 90 * 86_400), by: Self.operatorPrincipal)
        #expect(created.token.hasPrefix("dkt_\(created.record.tokenID)_"))
        #expect(created.token.count == 64)  // dkt_, 16 hex digits, _, 43 characters
        #expect(try await verifier.principal(forBearer: created.token) == Principal(method: .apiToken, id: "portal"))
        #expect(created.record.createdBy == "os:root")
        #expect(created.record.createdAt == Keys.now)
        #expect(created.record.expiresAt == Keys.now.adding(seconds: 90 * 86_400))
    }

    @Test func onlyTheSHA256OfTheSecretIsStored() throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: nil), by: Self.operatorPrincipal)
        let secret = try #require(APITokenText(created.token)).secret
        let stored = try #require(try store.token(id: created.record.tokenID))
        let expected = SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(stored.secretHash == expected)
        #expect(!"\(stored)".contains(secret))
        #expect(stored.expiresAt == nil)
    }

    @Test func theSQLiteFileNeverHoldsTheSecret() throws {
        let directory = TemporaryDirectory("tokens")
        let path = directory.path("docket.sqlite")
        let sqlite = SQLiteAPITokenStore(log: try SQLiteEventStore(path: path))
        let created = try APITokens(store: sqlite, clock: clock)
            .create(for: "portal", lifetime: TokenLifetime(seconds: 3_600), by: Self.operatorPrincipal)
        let text = try #require(APITokenText(created.token))
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()
        }
        #expect(bytes.range(of: Data(text.secret.utf8)) == nil)
        #expect(bytes.range(of: Data(text.secretHash.utf8)) != nil)  // the check can see what is there
        #expect(try APITokenVerifier(store: sqlite, clock: clock).verify(created.token).id == "portal")
    }

    @Test func twoTokensDiffer() throws {
        let one = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: 60), by: Self.operatorPrincipal)
        let two = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: 60), by: Self.operatorPrincipal)
        #expect(one.record.tokenID != two.record.tokenID)
        #expect(APITokenText(one.token)?.secret != APITokenText(two.token)?.secret)
    }

    @Test func anExpiredTokenIsRefused() throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: 3_600), by: Self.operatorPrincipal)
        clock.set(Keys.now.adding(seconds: 3_599))
        #expect(try verifier.verify(created.token).id == "portal")
        clock.set(Keys.now.adding(seconds: 3_600))
        expectRefused(created.token, .expired)
    }

    @Test func aRevokedTokenIsRefused() throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: nil), by: Self.operatorPrincipal)
        let revoked = try tokens.revoke(id: created.record.tokenID, by: Principal(method: .operatingSystem, id: "alice"))
        #expect(revoked.revokedBy == "os:alice")
        #expect(revoked.revokedAt == Keys.now)
        expectRefused(created.token, .revoked)
    }

    @Test func aWrongSecretIsRefused() throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: nil), by: Self.operatorPrincipal)
        let other = "dkt_\(created.record.tokenID)_" + String(repeating: "A", count: 43)
        expectRefused(other, .wrongSecret)
        // Revoked or not, a wrong secret learns nothing more.
        _ = try tokens.revoke(id: created.record.tokenID, by: Self.operatorPrincipal)
        expectRefused(other, .wrongSecret)
    }

    @Test func anUnknownOrMalformedTokenIsRefused() {
        expectRefused("dkt_0123456789abcdef_" + String(repeating: "A", count: 43), .unknownToken)
        for malformed in ["dkt_", "dkt_0123_abc", "dkt_0123456789ABCDEF_" + String(repeating: "A", count: 43),
                          "dkt_0123456789abcdef_" + String(repeating: "A", count: 42) + "=", "portal"] {
            expectRefused(malformed, .malformedToken)
        }
    }

    @Test func revokingAnUnknownIdIsNotFound() {
        let error = #expect(throws: AuthError.self) { try tokens.revoke(id: "0123456789abcdef", by: Self.operatorPrincipal) }
        #expect(error?.code == .tokenNotFound)
        #expect(error?.kind == .notFound)
    }

    @Test func aPersonWithSpacesIsRefused() {
        let error = #expect(throws: AuthError.self) {
            try tokens.create(for: "the portal", lifetime: TokenLifetime(seconds: 60), by: Self.operatorPrincipal)
        }
        #expect(error?.kind == .invalidInput)
    }

    // MARK: Picking the verifier

    @Test func theCompositeVerifierPicksByTheTokensShape() async throws {
        let created = try tokens.create(for: "portal", lifetime: TokenLifetime(seconds: 60), by: Self.operatorPrincipal)
        let composite = CompositeBearerVerifier(apiTokens: verifier, jwt: try Keys.verifier())
        #expect(try await composite.principal(forBearer: created.token) == Principal(method: .apiToken, id: "portal"))
        #expect(try await composite.principal(forBearer: try await Keys.token()) == Principal(method: .jwt, id: "li.wei"))
    }

    @Test func withoutAnIdentityProviderAJWTIsRefused() async throws {
        let composite = CompositeBearerVerifier(apiTokens: verifier, jwt: nil)
        let token = try await Keys.token()
        do {
            let principal = try await composite.principal(forBearer: token)
            Issue.record("accepted as \(principal.recorded)")
        } catch let error as AuthError {
            #expect(error.code == .notAccepted)
            #expect(error.kind == .unauthenticated)
        }
    }

    // MARK: Lifetimes

    @Test(arguments: [("30m", Int64(1_800)), ("1h", 3_600), ("90d", 7_776_000), ("2w", 1_209_600), ("45s", 45)])
    func lifetimesAreAWholeNumberAndAUnit(_ text: String, _ seconds: Int64) throws {
        let lifetime = try TokenLifetime(parsing: text, allowsNever: false)
        #expect(lifetime.seconds == seconds)
        #expect(lifetime.description == text || text == "45s")
    }

    @Test(arguments: ["", "h", "0d", "-1d", "1y", "1.5h", "3651d", "never"])
    func otherLifetimesAreRefused(_ text: String) {
        #expect(throws: AuthError.self) { try TokenLifetime(parsing: text, allowsNever: false) }
    }

    @Test func neverIsALifetimeWhereAllowed() throws {
        #expect(try TokenLifetime(parsing: "never", allowsNever: true).seconds == nil)
    }
}
