import DocketCore
import DocketHTTP
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Issue 13 through a real server on a loopback port, with the example directory
/// (Directories/shandong.yaml) deployed: every command a principal may not give is 403 naming
/// why, with nothing appended; every allowed one is recorded with its principal; reads show each
/// principal only what it may read, and are recorded in the access log.
@Suite struct DirectoryAuthorizationTests {
    /// One token per person of the directory the tests sign in as (the token is the person's id).
    static let verifier = MemoryTokenVerifier(principals: Dictionary(uniqueKeysWithValues:
        ["ma.lin", "huang.tao", "li.wei", "wang.fang", "chen.jing", "zhao.lei", "zhang.min", "liu.yang"].map { ($0, Principal(method: .jwt, id: $0)) })
        .merging(["portal": Principal(method: .apiToken, id: "portal")]) { a, _ in a })

    /// A server with permit-check and the Shandong directory deployed, on 2 March 2026.
    func server() throws -> TestServer {
        let server = try TestServer(verifier: Self.verifier)
        try server.deployPermitCheck()
        let text = try String(contentsOf: Repository.directories.appendingPathComponent("shandong.yaml"), encoding: .utf8)
        try Deployer(catalog: server.server.services.catalog).deploy([ArtifactFile(path: "shandong.yaml", text: text)])
        return server
    }

    /// A directory change through the log, by its administrator.
    func change(_ server: TestServer, _ change: DirectoryChange) throws {
        try DirectoryService(catalog: server.server.services.catalog, clock: server.clock).change(change, principal: nil, by: "zhang.min")
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(parsing: text)! }

    // MARK: Commands

    @Test func everyCommandNotAllowedIsRefusedWith403NamingWhyAndNothingAppended() async throws {
        let server = try server()
        // wang.fang is also a clerk (to breach separation of duties); liu.yang an approver for three days.
        try change(server, .grant(person: "wang.fang", role: "clerk", scope: "rizhao", from: Self.date("2026-03-01"), until: nil))
        try change(server, .grant(person: "liu.yang", role: "approver", scope: "rizhao", from: Self.date("2026-02-01"), until: Self.date("2026-03-02")))
        try await server.test { api in
            // Allowed: ma.lin applies at the Rizhao window; li.wei (clerk of rizhao) accepts; wang.fang accepts another.
            #expect(try await api.openCase("R-1", token: "ma.lin").status.code == 201)
            #expect(try await api.openCase("R-2", token: "ma.lin").status.code == 201)
            #expect(try await api.fire("R-1", "accept", as: "clerk", token: "li.wei").status.code == 200)
            #expect(try await api.fire("R-2", "accept", as: "clerk", token: "wang.fang").status.code == 200)
            server.clock.set(Timestamp.parse(iso8601: "2026-03-05T09:00:00Z")!)  // liu.yang's grant has expired
            let before = try server.log.lastPosition()

            let refusals: [(label: String, answer: TestResponse, code: String, words: String)] = [
                ("a role not held", try await api.fire("R-1", "reject", as: "approver", token: "li.wei"),
                 "role_not_held", "li.wei holds no approver role in scope rizhao"),
                ("held in another scope", try await api.fire("R-1", "approve", as: "approver", token: "zhao.lei"),
                 "role_not_held", "held: approver in qingdao"),
                ("held but expired", try await api.fire("R-1", "approve", as: "approver", token: "liu.yang"),
                 "role_not_held", "liu.yang holds no approver role in scope rizhao on 2026-03-05"),
                ("separation of duties", try await api.fire("R-2", "reject", as: "approver", token: "wang.fang"),
                 "separation_of_duties", "wang.fang may not fire 'reject' on case R-2: rule accepter-may-not-decide; wang.fang fired 'accept' (event 2 of the case)"),
                ("acting for someone not allowed", try await api.fire("R-1", "reject", as: "approver", onBehalfOf: "ma.lin", token: "wang.fang"),
                 "proxy_not_allowed", "may not act for ma.lin"),
                ("a JWT person naming another", try await api.fire("R-1", "approve", as: "approver", by: "wang.fang", token: "li.wei"),
                 "actor_mismatch", "signed in as li.wei, who may act only as themselves, not as wang.fang"),
                ("the portal in a window case", try await api.fire("R-1", "reject", as: "applicant", by: "ma.lin", token: "portal"),
                 "service_not_allowed", "online channel only"),
                ("an applicant as staff", try await api.fire("R-1", "approve", as: "approver", token: "ma.lin"),
                 "role_not_held", "ma.lin holds no approver role"),
                ("an applicant on another's case", try await api.fire("R-1", "accept", as: "applicant", token: "huang.tao"),
                 "not_the_applicant", "huang.tao is not the applicant of case R-1"),
            ]
            for refusal in refusals {
                #expect(refusal.answer.status.code == 403, "\(refusal.label): \(refusal.answer.text)")
                #expect(refusal.answer.headers[.contentType] == "application/problem+json", "\(refusal.label)")
                #expect(refusal.answer.object["code"] as? String == refusal.code, "\(refusal.label): \(refusal.answer.text)")
                #expect((refusal.answer.object["detail"] as? String ?? "").contains(refusal.words), "\(refusal.label): \(refusal.answer.text)")
            }
            // Whose case it is stays untold to a signed-in stranger.
            let stranger = try #require(refusals.last).answer.text
            #expect(stranger.range(of: "ma.lin") == nil, "\(stranger)")
            #expect(try server.log.lastPosition() == before, "a refused command appended")

            // The allowed commands, recorded with the principal beside the actor.
            let history = try await api.get("/v1/cases/R-1/history", token: "li.wei").array
            #expect(history.map { $0["principal"] as? String } == ["jwt:ma.lin", "jwt:li.wei"])
            #expect(history.map { $0["actor"] as? String } == ["ma.lin", "li.wei"])

            // Every refusal counted, by status and code.
            let metrics = try await api.get("/metrics", token: nil).text
            #expect(metrics.contains(#"docket_refusals_total{status="403",code="role_not_held"} 4"#), "\(metrics)")
            #expect(metrics.contains(#"docket_refusals_total{status="403",code="separation_of_duties"} 1"#))
        }
    }

    // MARK: Reads

    @Test func eachPrincipalReadsOnlyTheCasesItMayAndEveryReadIsRecorded() async throws {
        let server = try server()
        try await server.test { api in
            #expect(try await api.openCase("R-1", token: "ma.lin").status.code == 201)
            #expect(try await api.openCase("R-2", token: "huang.tao").status.code == 201)
            #expect(try await api.openCase("Q-1", centre: "qingdao", token: "huang.tao").status.code == 201)
            #expect(try await api.openCase("P-1", by: "ma.lin", channel: "online", token: "portal").status.code == 201)

            // The applicant reads their own case; another's is answered as a case that does not exist.
            #expect(try await api.get("/v1/cases/R-1", token: "ma.lin").status.code == 200)
            let other = try await api.get("/v1/cases/R-1", token: "huang.tao")
            let missing = try await api.get("/v1/cases/NO-SUCH-CASE", token: "huang.tao")
            #expect(other.status.code == 404)
            #expect(other.object["code"] as? String == "unknown_case")
            #expect(other.object["code"] as? String == missing.object["code"] as? String)
            #expect(try await api.get("/v1/cases/R-1/history", token: "huang.tao").status.code == 404)

            // Staff read their centre's cases, not another centre's.
            #expect(try await api.get("/v1/cases/R-2/history", token: "li.wei").status.code == 200)
            #expect(try await api.get("/v1/cases/R-2", token: "chen.jing").status.code == 404)
            #expect(try await api.get("/v1/cases/Q-1", token: "chen.jing").status.code == 200)

            // The portal reads the cases it acted on for its applicants, not the others.
            #expect(try await api.get("/v1/cases/P-1", token: "portal").status.code == 200)
            #expect(try await api.get("/v1/cases/R-1", token: "portal").status.code == 404)

            // Listings hold only readable cases.
            func listed(_ token: String) async throws -> [String] {
                try await api.get("/v1/cases", token: token).object["cases"].map { ($0 as? [[String: Any]] ?? []).compactMap { $0["case_id"] as? String } } ?? []
            }
            #expect(try await listed("huang.tao") == ["R-2", "Q-1"])
            #expect(try await listed("ma.lin") == ["R-1", "P-1"])
            #expect(try await listed("li.wei") == ["R-1", "R-2", "P-1"])
            #expect(try await listed("chen.jing") == ["Q-1"])
            #expect(try await listed("zhang.min") == ["R-1", "R-2", "Q-1", "P-1"])

            // Reports need an analyst; verify and the access log an auditor.
            #expect(try await api.get("/v1/reports/process", token: "wang.fang").status.code == 200)
            let report = try await api.get("/v1/reports/process", token: "li.wei")
            #expect(report.status.code == 403)
            #expect(report.object["code"] as? String == "read_not_allowed")
            #expect((report.object["detail"] as? String ?? "").contains("jwt:li.wei holds no analyst"), "\(report.text)")
            #expect(try await api.post("/v1/verify", token: "wang.fang").status.code == 403)
            #expect(try await api.post("/v1/verify", token: "zhang.min").status.code == 200)
            #expect(try await api.get("/v1/access-log", token: "li.wei").status.code == 403)

            // Who read what: the reads of R-1, the refused ones as well (answered 404, not read).
            let reads = try await api.get("/v1/access-log?case=R-1", token: "zhang.min")
            #expect(reads.status.code == 200, "\(reads.text)")
            #expect(reads.array.map { "\($0["principal"] as? String ?? "") \($0["action"] as? String ?? "")" }
                == ["jwt:ma.lin read_case", "jwt:zhang.min read_access_log"], "\(reads.text)")
            #expect(reads.array.first?["request_id"] as? String != nil)

            let metrics = try await api.get("/metrics", token: nil).text
            #expect(metrics.contains(#"docket_refusals_total{status="404",code="case_not_readable"} 4"#), "\(metrics)")
            #expect(metrics.contains(#"docket_refusals_total{status="403",code="read_not_allowed"} 3"#))
        }
    }

    @Test func theEventStreamShowsEachPrincipalTheEventsOfTheCasesItMayRead() async throws {
        let server = try server()
        try await server.test(.live) { api in
            let start = try server.log.lastPosition()
            #expect(try await api.openCase("R-1", token: "ma.lin").status.code == 201)
            #expect(try await api.openCase("R-2", token: "huang.tao").status.code == 201)
            #expect(try await api.fire("R-2", "accept", as: "clerk", token: "li.wei").status.code == 200)
            #expect(try await api.fire("R-1", "accept", as: "clerk", token: "li.wei").status.code == 200)
            let reader = EventStreamReader(port: try #require(api.port))
            let last = start + 4
            let mine = try await reader.ids(after: start, token: "ma.lin", until: { $0.last == last })
            #expect(mine == [start + 1, start + 4])
            let theirs = try await reader.ids(after: start, token: "huang.tao", until: { $0.last == start + 3 })
            #expect(theirs == [start + 2, start + 3])
            let auditor = try await reader.ids(after: 0, token: "zhang.min", until: { $0.last == last })
            #expect(auditor == Array(1...last))
        }
    }

    @Test func withoutADirectoryEveryAuthenticatedPrincipalReadsEverythingAsBefore() async throws {
        let server = try TestServer(verifier: Self.verifier)
        try server.deployPermitCheck()
        try await server.test { (api: APIClient) async throws in
            #expect(try await api.openCase("R-1", token: "ma.lin").status.code == 201)
            #expect(try await api.get("/v1/cases/R-1", token: "huang.tao").status.code == 200)
            #expect(try await api.get("/v1/reports/process", token: "huang.tao").status.code == 200)
            #expect(try await api.post("/v1/verify", token: "huang.tao").status.code == 200)
            // Recorded all the same: the case read, the report, the access log's own read.
            #expect(try await api.get("/v1/access-log", token: "huang.tao").array.map { $0["action"] as? String } == ["read_case", "report", "read_access_log"])
        }
    }
}

extension APIClient {
    /// Opens permit-check case `id` at a centre (default: the Rizhao window), as the applicant.
    func openCase(_ id: String, by: String? = nil, centre: String = "rizhao", channel: String = "window", token: String) async throws -> TestResponse {
        var fields = [#""workflow": "permit-check""#, #""case_id": "\#(id)""#, #""as": "applicant""#,
                      #""data": {"centre": "\#(centre)", "channel": "\#(channel)"}"#]
        if let by { fields.append(#""by": "\#(by)""#) }
        return try await post("/v1/cases", json: "{" + fields.joined(separator: ", ") + "}", token: token)
    }

    /// Fires `event` on case `id` in role `role`.
    func fire(_ id: String, _ event: String, as role: String, by: String? = nil, onBehalfOf: String? = nil, token: String) async throws -> TestResponse {
        var fields = [#""event": "\#(event)""#, #""as": "\#(role)""#]
        if let by { fields.append(#""by": "\#(by)""#) }
        if let onBehalfOf { fields.append(#""on_behalf_of": "\#(onBehalfOf)""#) }
        return try await post("/v1/cases/\(id)/events", json: "{" + fields.joined(separator: ", ") + "}", token: token)
    }
}
