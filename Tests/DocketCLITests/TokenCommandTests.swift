import DocketTestSupport
import Foundation
import Testing

/// `docket token`: API tokens created once and stored as a hash, listed without secrets,
/// revoked; development JWTs signed with a local key and trusted through its JWKS.
@Suite("token commands", .requires(.sqlite3))
struct TokenCommandTests {
    /// The operating-system user the commands record.
    static func operatorName() throws -> String {
        try Processes.run(tool: "id", ["-un"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `docket token verify` with `token` on stdin.
    func verify(_ docket: DocketBench, _ token: String, _ arguments: [String] = []) throws -> DocketBench.Result {
        try docket.docket(["token", "verify"] + arguments, stdin: Data((token + "\n").utf8))
    }

    @Test func createPrintsTheTokenOnceAndStoresOnlyItsHash() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let created = try docket.ok("token", "create", "--for", "portal", "--expires", "90d")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: "_", maxSplits: 2).map(String.init)
        try #require(parts.count == 3 && parts[0] == "dkt", "\(created.stdout)")
        let (id, secret) = (parts[1], parts[2])
        #expect(secret.count == 43)
        #expect(created.stderr.contains("API token \(id) for portal") && created.stderr.contains("cannot show it again"))
        #expect(!created.stderr.contains(secret))

        let row = try docket.sqlite("SELECT * FROM api_tokens")
        #expect(!row.contains(secret))
        #expect(try docket.sqlite("SELECT length(secret_hash), person, created_by, revoked_at IS NULL FROM api_tokens")
            == "64|portal|os:\(try Self.operatorName())|1")
        #expect(try docket.sqlite("SELECT (expires_at - created_at) / 1000000 FROM api_tokens") == "\(90 * 86_400)")

        for format in ["table", "json"] {
            let list = try docket.ok("token", "list", "--format", format)
            #expect(list.stdout.contains(id) && list.stdout.contains("portal") && list.stdout.contains("active"))
            #expect(!list.stdout.contains(secret))
        }
        #expect(try verify(docket, token).stdout == "api_token:portal\n")
    }

    @Test func createAsJSONGivesTheTokenAndWhatItIs() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let result = try docket.ok("token", "create", "--for", "batch", "--expires", "never", "--format", "json")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let token = try #require(view["token"] as? String)
        #expect(token.hasPrefix("dkt_\(view["token_id"] as? String ?? "?")_"))
        #expect(view["person"] as? String == "batch")
        #expect(view["expires_at"] == nil)
        #expect(try verify(docket, token, ["--format", "json"]).stdout.contains(#""recorded" : "api_token:batch""#))
    }

    @Test func aRevokedTokenIsRefusedAndStaysListed() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let token = try docket.ok("token", "create", "--for", "portal").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = String(token.split(separator: "_")[1])
        let revoked = try docket.ok("token", "revoke", id)
        #expect(revoked.stdout.contains("API token \(id) of portal revoked at") && revoked.stdout.contains("by os:"))
        let refused = try verify(docket, token)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error: API token \(id) was revoked at"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(token))
        let list = try docket.ok("token", "list", "--format", "json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["status"] as? String == "revoked")
        #expect(rows.first?["revoked_by"] as? String == "os:\(try Self.operatorName())")
    }

    @Test func revokingAnUnknownIdFails() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        try docket.ok("token", "create", "--for", "portal")
        let result = try docket.docket("token", "revoke", "0123456789abcdef")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no API token has id '0123456789abcdef'"), "\(result.stderr)")
    }

    @Test func aBadLifetimeOrPersonIsAUsageError() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let lifetime = try docket.docket("token", "create", "--for", "portal", "--expires", "soon")
        #expect(lifetime.status == 1 && lifetime.stderr.contains("--expires 'soon' is not a lifetime"), "\(lifetime.stderr)")
        let person = try docket.docket("token", "create", "--for", "the portal")
        #expect(person.status == 1, "\(person.stderr)")
        #expect(try docket.sqlite("SELECT count(*) FROM api_tokens") == "0")
    }

    @Test func anIssuedJWTIsTrustedThroughTheDevelopmentJWKS() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let issued = try docket.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem", "--expires", "10m")
        let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3)
        #expect(issued.stderr.contains("created signing key dev.pem"))
        let key = docket.directory.appendingPathComponent("dev.pem").path
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let jwks = try docket.ok("token", "dev-jwks", "--key", "dev.pem").stdout
        let set = try #require(try JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: [[String: String]]])
        let published = try #require(set["keys"]?.first)
        #expect(published["kty"] == "EC" && published["crv"] == "P-256" && published["alg"] == "ES256")
        #expect(published["d"] == nil)
        docket.file("jwks.json", jwks)

        #expect(try verify(docket, token, ["--jwks", "jwks.json"]).stdout == "jwt:li.wei\n")
        let other = try verify(docket, token, ["--jwks", "jwks.json", "--audience", "payroll"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("not for 'payroll'"), "\(other.stderr)")
        #expect(!other.stderr.contains(token))

        // The same key signs again without being created anew, with the issuer asked for.
        let second = try docket.ok("token", "issue", "--for", "zhang.min", "--key", "dev.pem", "--issuer", "test-idp")
        #expect(!second.stderr.contains("created"))
        let token2 = second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try verify(docket, token2, ["--jwks", "jwks.json", "--issuer", "test-idp"]).stdout == "jwt:zhang.min\n")
        let untrusted = try verify(docket, token2, ["--jwks", "jwks.json"])
        #expect(untrusted.status == 1 && untrusted.stderr.contains("issuer 'test-idp' is not trusted"), "\(untrusted.stderr)")
    }

    @Test func aKeyFileOthersMayReadIsRefused() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        try docket.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem")
        let key = docket.directory.appendingPathComponent("dev.pem").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let result = try docket.docket("token", "issue", "--for", "li.wei", "--key", "dev.pem")
        #expect(result.status == 1)
        #expect(result.stderr.contains("chmod 600"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func devJWKSWithoutAKeyFails() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let result = try docket.docket("token", "dev-jwks", "--key", "missing.pem")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no signing key at missing.pem"), "\(result.stderr)")
    }

    @Test func issueAsJSONNamesTheKeyAndTheClaims() throws {
        let docket = DocketBench()
        try docket.ok("init")  // token create writes to a log; only deploy and init create one
        let result = try docket.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem", "--format", "json")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(view["issuer"] as? String == "docket-dev")
        #expect(view["audience"] as? String == "docket")
        #expect((view["key_id"] as? String)?.count == 43)
        #expect((view["token"] as? String)?.split(separator: ".").count == 3)
    }
}
