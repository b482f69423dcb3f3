import DocketAuth
import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Hostile bearer tokens: seeded mutants of valid ones (characters replaced, inserted, deleted,
/// parts swapped or cut, hostile headers) and validly signed hostile claims never crash a
/// verifier, and every one is either accepted as the principal it names or refused as
/// unauthenticated by a message that does not quote it.
///
/// `DOCKET_FUZZ_ITERATIONS` sets how many mutants of each kind are tried (default 200).
@Suite("Fuzz: bearer token verifiers", .timeLimit(.minutes(2)))
struct VerifierFuzzTests {
    static var iterations: Int { ProcessInfo.processInfo.environment["DOCKET_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 200 }
    static let seed: UInt64 = 20_260_101

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u{0}é🙂")
    static let headers = [
        #"{"alg":"none"}"#, #"{"alg":"HS256","kid":"rsa-1"}"#, #"{"alg":"ES384","kid":"ec-1"}"#, #"{"alg":"RS256","kid":"ec-1"}"#,
        #"{"alg":"ES256"}"#, #"{"alg":"ES256","kid":7}"#, #"{"alg":["ES256"]}"#, #"{"alg":"ES256","kid":"ec-1","crit":["b64"]}"#,
        #"{"alg":"ES256","kid":"\u0000"}"#, "[]", "null", "", "{", #"{"alg":"es256","kid":"ec-1"}"#,
    ]

    /// A mutant of `token`: one to three mutations.
    static func mutate(_ token: String, random: inout SeededRandom) -> String {
        var characters = Array(token)
        for _ in 0...Int.random(in: 0...2, using: &random) {
            let at = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !characters.isEmpty: characters[at] = alphabet.randomElement(using: &random)!
            case 1: characters.insert(alphabet.randomElement(using: &random)!, at: at)
            case 2 where !characters.isEmpty: characters.removeSubrange(at..<min(characters.count, at + Int.random(in: 1...8, using: &random)))
            case 3: characters = Array(characters.prefix(at))
            case 4:
                var parts = String(characters).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts.count > 1 { parts.swapAt(0, Int.random(in: 1..<parts.count, using: &random)) } else { parts.append(parts[0]) }
                characters = Array(parts.joined(separator: "."))
            case 5:
                var parts = String(characters).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                parts[0] = Keys.base64URL(Data(headers.randomElement(using: &random)!.utf8))
                characters = Array(parts.joined(separator: "."))
            default:
                characters += characters.prefix(Int.random(in: 0...characters.count, using: &random))
            }
        }
        return String(characters)
    }

    /// Claims with hostile values, validly signed: they reach the claim checks.
    /// Returns the claims' JSON and the person they name, if `sub` is a string.
    static func hostileClaims(random: inout SeededRandom) -> (json: String, person: String?) {
        let now = Keys.now.microseconds / 1_000_000
        let values = [
            "\(now + 3_600)", "\(now - 3_600)", "1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
            "0.5", "\"soon\"", "null", "true", "[]", "{}", "\(now)", "[\(now)]",
        ]
        var members: [String] = []
        var person: String?
        for (name, good) in [("iss", "\"\(Keys.issuer)\""), ("aud", "\"\(Keys.audience)\""), ("sub", "\"li.wei\""),
                             ("exp", "\(now + 3_600)"), ("nbf", "\(now)")] {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: continue
            case 1:
                let value = values.randomElement(using: &random)!
                members.append("\"\(name)\":\(value)")
                if name == "sub", value == "\"soon\"" { person = "soon" }
            default:
                members.append("\"\(name)\":\(good)")
                if name == "sub" { person = "li.wei" }
            }
        }
        return ("{" + members.joined(separator: ",") + "}", person)
    }

    /// Checks one verification: accepted as `expected`, or refused as unauthenticated without
    /// quoting the token.
    static func check(_ token: String, expected: Principal?, outcomes: inout FuzzOutcomes,
                      _ verify: (String) async throws -> Principal) async {
        do {
            let principal = try await verify(token)
            #expect(expected != nil && principal == expected, "accepted \(token.debugDescription) as \(principal.recorded)")
            outcomes.record(accepted: true)
        } catch let error as AuthError {
            #expect(error.kind == .unauthenticated, "\(error.code): \(error.message)")
            #expect(token.count < 12 || !error.message.contains(token), "\(error.message) quotes \(token.debugDescription)")
            outcomes.record(accepted: false)
        } catch {
            Issue.record("\(token.debugDescription) failed with \(type(of: error)): \(error)")
        }
    }

    @Test func mutatedJWTsAreRefusedAsUnauthenticated() async throws {
        var random = SeededRandom(seed: Self.seed)
        let verifier = try Keys.verifier()
        let originals = [try await Keys.token(), try await Keys.token(signer: .rsa, kid: "rsa-1")]
        var outcomes = FuzzOutcomes()
        for index in 0..<Self.iterations {
            let token = Self.mutate(originals[index % 2], random: &random)
            await Self.check(token, expected: Principal(method: .jwt, id: "li.wei"), outcomes: &outcomes) {
                try await verifier.principal(forBearer: $0)
            }
        }
        #expect(outcomes.total == Self.iterations)
        outcomes.expectRefused(atLeast: 0.8, "mutated JWTs")
    }

    @Test func signedHostileClaimsAreAcceptedOnlyWhenValid() async throws {
        var random = SeededRandom(seed: Self.seed + 1)
        let verifier = try Keys.verifier()
        var outcomes = FuzzOutcomes()
        for _ in 0..<Self.iterations {
            let claims = Self.hostileClaims(random: &random)
            let token = try Keys.signedRaw(payload: claims.json)
            await Self.check(token, expected: claims.person.map { Principal(method: .jwt, id: $0) }, outcomes: &outcomes) {
                try await verifier.principal(forBearer: $0)
            }
        }
        #expect(outcomes.total == Self.iterations)
        outcomes.expectBoth(atLeast: 0.05, "signed claim sets")
    }

    @Test func mutatedAPITokensAreRefusedAsUnauthenticated() async throws {
        var random = SeededRandom(seed: Self.seed + 2)
        let store = InMemoryAPITokenStore()
        let created = try APITokens(store: store, clock: ManualWallClock(Keys.now))
            .create(for: "portal", lifetime: TokenLifetime(seconds: 3_600), by: Principal(method: .operatingSystem, id: "root"))
        let composite = CompositeBearerVerifier(
            apiTokens: APITokenVerifier(store: store, clock: ManualWallClock(Keys.now)), jwt: try Keys.verifier())
        var outcomes = FuzzOutcomes()
        for _ in 0..<Self.iterations {
            let token = Self.mutate(created.token, random: &random)
            await Self.check(token, expected: Principal(method: .apiToken, id: "portal"), outcomes: &outcomes) {
                try await composite.principal(forBearer: $0)
            }
        }
        #expect(outcomes.total == Self.iterations)
        outcomes.expectRefused(atLeast: 0.8, "mutated API tokens")
    }
}
