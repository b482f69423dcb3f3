import DocketCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The desk over HTTP, on a live server: worklists and claims through the same services as the CLI.
@Suite struct DeskRoutesTests {
    @Test func aClerkFindsTheWorkClaimsItAndAnotherClerkIsRefusedUntilASupervisorReassignsIt() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            try await api.open("P1", at: "2026-03-02T09:00:00+08:00")
            try await api.open("P2", at: "2026-03-02T10:00:00+08:00")
            let list = try await api.get("/v1/worklist?role=clerk&sort=oldest")
            #expect(list.status.code == 200)
            #expect(list.object["total"] as? Int == 2)
            #expect((list.object["items"] as? [[String: Any]])?.compactMap { $0["case_id"] as? String } == ["P1", "P2"])

            let claimed = try await api.post("/v1/cases/P1/claim", json: #"{"as": "clerk"}"#)
            #expect(claimed.status.code == 200)
            #expect((claimed.object["events"] as? [[String: Any]])?.first?["type"] as? String == "case_claimed")
            #expect(claimed.headers[.eTag] == "\"v2\"")
            let mine = try await api.get("/v1/worklist?mine=true")
            #expect((mine.object["items"] as? [[String: Any]])?.compactMap { $0["case_id"] as? String } == ["P1"])
            #expect((mine.object["items"] as? [[String: Any]])?.first?["holder"] as? String == "li.wei")

            // Another member of staff is refused, with nothing appended.
            let before = try server.log.lastPosition()
            let refused = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#, token: Tokens.approver)
            #expect(refused.status.code == 422)
            #expect(refused.object["code"] as? String == "held_by_other")
            #expect((refused.object["detail"] as? String)?.contains("held by li.wei") == true)
            #expect(try server.log.lastPosition() == before)
            let notSupervisor = try await api.post("/v1/cases/P1/reassign", json: #"{"as": "clerk", "to": "zhao.min"}"#, token: Tokens.approver)
            #expect(notSupervisor.status.code == 422)
            let noTarget = try await api.post("/v1/cases/P1/reassign", json: "{}", token: Tokens.approver)
            #expect(noTarget.status.code == 400)

            let reassigned = try await api.post("/v1/cases/P1/reassign", json: #"{"to": "zhao.min", "reason": "li.wei is at the window"}"#,
                                                token: Tokens.approver)
            #expect(reassigned.status.code == 200)
            let accepted = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#, token: Tokens.approver)
            #expect(accepted.status.code == 200)
            let shown = try await api.get("/v1/cases/P2")
            #expect((shown.object["desk"] as? [String: Any])?["applicant"] as? String == "wang.fang")
        }
    }

    @Test func caseListsFilterByDepartmentDataChannelAndOpeningTimeAPageAtATime() async throws {
        // The clock after the three openings, so none of them is dated in the future.
        let server = try TestServer(now: "2026-03-05T09:00:00Z")
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            for (id, channel, centre, at) in [("P1", "online", "rizhao", "2026-03-02T09:00:00Z"), ("P2", "window", "rizhao", "2026-03-03T09:00:00Z"),
                                              ("P3", "online", "qingdao", "2026-03-04T09:00:00Z")] {
                let body = #"{"workflow": "permit-check", "case_id": "\#(id)", "as": "applicant", "at": "\#(at)", "data": {"channel": "\#(channel)", "centre": "\#(centre)"}}"#
                #expect(try await api.post("/v1/cases", json: body, token: Tokens.applicant).status.code == 201)
            }
            try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk"}"#)
            func ids(_ query: String) async throws -> [String] {
                let page = try await api.get("/v1/cases?" + query)
                #expect(page.status.code == 200, "\(page.text)")
                return (page.object["cases"] as? [[String: Any]])?.compactMap { $0["case_id"] as? String } ?? []
            }
            #expect(try await ids("department=licensing") == ["P1"])
            #expect(try await ids("data=centre:rizhao") == ["P1", "P2"])
            #expect(try await ids("data=centre:rizhao,channel:online") == ["P1"])
            #expect(try await ids("channel=online&opened_from=2026-03-03T00:00:00Z") == ["P3"])
            #expect(try await ids("applicant=wang.fang&opened_before=2026-03-03T12:00:00Z") == ["P1", "P2"])
            let first = try await api.get("/v1/cases?limit=2")
            let next = try #require(first.object["next"] as? String)
            #expect(try await ids("limit=2&after=" + next) == ["P3"])
            #expect(try await api.get("/v1/cases?department=licencing").status.code == 400)
            #expect(try await api.get("/v1/cases?data=centre").status.code == 400)
        }
    }

    @Test func unknownWorklistFiltersAreRefusedListingTheKnownOnes() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test(.live) { api in
            let department = try await api.get("/v1/worklist?department=licencing")
            #expect(department.status.code == 400)
            #expect((department.object["detail"] as? String)?.contains("departments: licensing") == true)
            let due = try await api.get("/v1/worklist?due_within=soon")
            #expect(due.status.code == 400)
        }
    }
}
