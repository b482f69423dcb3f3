import DocketCore
import Foundation
import HummingbirdTesting
import Testing

/// Issue 15's desk input through the API, on the same services as the CLI: a business time far
/// ahead of the clock needs `allow_future` (recorded on the events), a missing `as` names the
/// roles that could act, and text that would act on a terminal is refused.
@Suite struct DeskInputAPITests {
    @Test func theAPIRefusesAFarFutureTimeUnlessAllowedAndRecordsTheAllowance() async throws {
        // The server's clock: 2026-03-02T09:00:00Z.
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            let refused = try await api.post("/v1/cases", json: #"{"workflow": "permit-check", "case_id": "P1", "as": "applicant", "at": "2036-03-02T09:00"}"#)
            #expect(refused.status.code == 400, "\(refused.text)")
            #expect(refused.text.contains("allow_future"), "\(refused.text)")
            #expect(try server.log.lastPosition() == 0)
            let allowed = try await api.post("/v1/cases",
                                             json: #"{"workflow": "permit-check", "case_id": "P1", "as": "applicant", "at": "2036-03-02T09:00", "allow_future": true}"#)
            #expect(allowed.status.code == 201, "\(allowed.text)")
            let history = try await api.get("/v1/cases/P1/history")
            // permit-check names no calendar: a wall-clock time is UTC.
            #expect(history.array.first?["occurred_at"] as? String == "2036-03-02T09:00:00Z")
            #expect(history.array.allSatisfy { $0["future_allowed"] as? Bool == true })
        }
    }

    @Test func aMissingAsAndHostileTextAreRefusedAsTheCLIRefusesThem() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            let noRole = try await api.post("/v1/cases", json: #"{"workflow": "permit-check", "case_id": "P1"}"#)
            #expect(noRole.status.code == 400)
            #expect(noRole.text.contains("applicant, clerk, approver"), "\(noRole.text)")
            try await api.open("P1")
            let fire = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept"}"#)
            #expect(fire.status.code == 400)
            #expect(fire.text.contains("roles that could: clerk"), "\(fire.text)")
            let hostile = try await api.post("/v1/cases", json: #"{"workflow": "permit-check", "case_id": "\u001b[2J", "as": "applicant"}"#)
            #expect(hostile.status.code == 400, "\(hostile.text)")
            let bidi = try await api.post("/v1/cases/P1/events", json: #"{"event": "accept", "as": "clerk", "reason": "\u202etxt.exe"}"#)
            #expect(bidi.status.code == 400, "\(bidi.text)")
            #expect(try server.log.lastPosition() == 1)
            // A query time without an offset is refused, not read as UTC.
            let listing = try await api.get("/v1/cases?now=2020-03-02T09:00")
            #expect(listing.status.code == 400, "\(listing.text)")
        }
    }
}
