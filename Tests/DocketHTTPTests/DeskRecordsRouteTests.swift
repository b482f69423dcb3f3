import DocketTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Issue 15 through the API, on a live server: a document's file uploaded, named by hash in a
/// fired event, given back through the case; a correction and a void through the same service
/// as the CLI's.
@Suite struct DeskRecordsRouteTests {
    /// P1 opened by its applicant and accepted by the clerk.
    func accepted() async throws -> TestServer {
        let server = try TestServer()
        try server.deployPermitCheck()
        return server
    }

    @Test func anUploadedFileIsNamedByHashInAFiredEventAndGivenBackThroughTheCase() async throws {
        let server = try await accepted()
        try await server.test { api in
            try await api.open("P1", at: "2026-03-02T08:00:00Z")
            let accept = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk", "at": "2026-03-02T08:10:00Z"}"#)
            #expect(accept.status == .ok, "\(accept.text)")
            let upload = try await api.post("/v1/attachments", json: "site photo bytes", token: Tokens.approver, contentType: "image/png")
            #expect(upload.status == .created, "\(upload.text)")
            let sha = try #require(upload.object["sha256"] as? String)
            #expect(upload.object["size"] as? Int == 16)
            #expect(upload.object["media_type"] as? String == "image/png")

            let unknown = String(repeating: "0", count: 64)
            let refused = try await api.post("/v1/cases/P1/events", json: """
                {"event": "approve", "as": "approver", "attachments": [{"document": "site_photos", "sha256": "\(unknown)"}]}
                """, token: Tokens.approver)
            #expect(refused.status == .notFound, "\(refused.text)")
            #expect(refused.object["code"] as? String == "attachment_not_found")

            let approve = try await api.post("/v1/cases/P1/events", json: """
                {"event": "approve", "as": "approver", "attachments": [{"document": "site_photos", "sha256": "\(sha)", "media_type": "image/png"}]}
                """, token: Tokens.approver)
            #expect(approve.status == .ok, "\(approve.text)")
            let history = try await api.get("/v1/cases/P1/history")
            let approval = try #require(history.array.last)
            let attachments = try #require(approval["attachments"] as? [[String: Any]])
            #expect(attachments.first?["sha256"] as? String == sha)
            #expect(approval["documents"] as? [String] == ["site_photos"])

            let file = try await api.get("/v1/cases/P1/attachments/\(sha)")
            #expect(file.status == .ok)
            #expect(file.text == "site photo bytes")
            #expect(file.headers[.contentType] == "image/png")
            let notNamed = try await api.get("/v1/cases/P1/attachments/\(unknown)")
            #expect(notNamed.status == .notFound)
        }
        #expect(try server.log.events(of: "P1").count == 3)
    }

    @Test func aCorrectionAndAVoidGoThroughTheSameServiceAsTheCLI() async throws {
        let server = try await accepted()
        try await server.test { api in
            try await api.open("P1", at: "2026-03-02T08:00:00Z")
            try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk", "at": "2026-03-02T08:30:00Z"}"#)
            let backwards = try await api.post("/v1/cases/P1/corrections", json: #"{"event": 2, "at": "2026-03-02T07:00:00Z", "reason": "typo"}"#)
            #expect(backwards.status == .unprocessableContent, "\(backwards.text)")
            #expect(backwards.object["code"] as? String == "time_out_of_order")
            let corrected = try await api.post("/v1/cases/P1/corrections", json: #"{"event": 2, "at": "2026-03-02T08:20:00Z", "reason": "typo"}"#)
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(corrected.headers[.eTag] == "\"v3\"")
            let voided = try await api.post("/v1/cases/P1/voids", json: #"{"event": 2, "reason": "accepted the wrong file"}"#,
                                            headers: [.ifMatch: "\"v3\""])
            #expect(voided.status == .ok, "\(voided.text)")
            let show = try await api.get("/v1/cases/P1")
            #expect(show.object["state"] as? String == "submitted")
            #expect(show.object["version"] as? Int == 4)
            let history = try await api.get("/v1/cases/P1/history")
            #expect(history.array[1]["corrected_by"] as? [Int] == [3])
            #expect(history.array[1]["voided_by"] as? Int == 4)
        }
    }
}
