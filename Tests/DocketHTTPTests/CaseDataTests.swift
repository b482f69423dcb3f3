import DocketCore
import DocketService
import DocketTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The API checks case data against the workflow's declaration as `docket start` and `fire` do
/// (the same service and engine), and shows the titles beside the ids.
@Suite struct CaseDataTests {
    /// Deploys the food licence change flow and the calendar it names.
    static func deployFoodLicenceChange(_ server: TestServer) throws {
        let files = try ["food-licence-change.yaml", "calendars/cn-2020.yaml"].map { name in
            ArtifactFile(path: name, text: try String(contentsOfFile: Repository.workflow(name), encoding: .utf8))
        }
        try Deployer(catalog: server.server.services.catalog).deploy(files)
    }

    @Test func badDataIsA422ProblemAndAppendsNothingGoodDataRoutesTheCase() async throws {
        let server = try TestServer()
        try Self.deployFoodLicenceChange(server)
        try await server.test { api in
            let before = try server.log.lastPosition()
            let refused = try await api.post("/v1/cases", json: """
                {"workflow": "food-licence-change", "case_id": "F1", "as": "applicant", "data": {"centre": "rizhao", "change": "adress"}}
                """, token: Tokens.applicant)
            #expect(refused.status.code == 422)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(refused.object["code"] as? String == "invalid_data")
            #expect(refused.object["detail"] as? String == "data field 'change' must be one of name, address, category (did you mean 'address'?), not 'adress'")
            #expect(try server.log.lastPosition() == before)

            let opened = try await api.post("/v1/cases", json: """
                {"workflow": "food-licence-change", "case_id": "F1", "as": "applicant", "data": {"centre": "rizhao", "change": "address"}}
                """, token: Tokens.applicant)
            #expect(opened.status.code == 201, "\(opened.text)")
            let accepted = try await api.post("/v1/cases/F1/events", json: #"{"event": "accept", "as": "clerk", "documents": ["application_form"]}"#)
            #expect(accepted.status.code == 200, "\(accepted.text)")
            let undeclared = try await api.post("/v1/cases/F1/events", json: #"{"event": "assess", "as": "assessor", "data": {"risk": "high", "rsk": "x"}}"#)
            #expect(undeclared.status.code == 422)
            #expect(undeclared.object["detail"] as? String == "data field 'rsk' is not declared by workflow 'food-licence-change'; did you mean 'risk'?")
            let notText = try await api.post("/v1/cases/F1/events", json: #"{"event": "assess", "as": "assessor", "data": {"risk": 3}}"#)
            #expect(notText.status.code == 400)
            let routed = try await api.post("/v1/cases/F1/events", json: #"{"event": "assess", "as": "assessor", "data": {"risk": "high"}}"#)
            #expect(routed.status.code == 200, "\(routed.text)")
            let shown = try await api.get("/v1/cases/F1")
            #expect(shown.object["state"] as? String == "site_inspection")
            #expect(shown.object["state_title"] as? String == "现场核查")
            #expect(shown.object["workflow_title"] as? String == "食品经营许可变更")
            #expect((shown.object["data"] as? [String: String]) == ["centre": "rizhao", "change": "address", "risk": "high"])
            let page = try await api.get("/v1/cases")
            let row = (page.object["cases"] as? [[String: Any]])?.first { $0["case_id"] as? String == "F1" }
            #expect(row?["state_title"] as? String == "现场核查")
        }
    }
}
