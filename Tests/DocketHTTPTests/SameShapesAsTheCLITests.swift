import DocketTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The API answers with the CLI's `--format json` documents, byte for byte: one set of view
/// types, one encoder.
@Suite struct SameShapesAsTheCLITests {
    @Test func showHistoryAndVerifyAnswerWhatTheCLIPrints() async throws {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        try #require(docket.docket("start", "permit-check", "--case", "J1", "--by", "a", "--as", "applicant",
                                   "--at", "2026-03-02T08:00:00Z").status == 0)
        try #require(docket.docket("fire", "J1", "accept", "--by", "b", "--as", "clerk", "--at", "2026-03-02T08:30:00Z").status == 0)
        let server = try TestServer(path: docket.database)
        let cli = [
            "/v1/cases/J1": try docket.docket("show", "J1", "--format", "json").stdout,
            "/v1/cases/J1/history": try docket.docket("history", "J1", "--format", "json").stdout,
        ]
        let verify = try docket.docket("verify", "--format", "json").stdout
        try await server.test(.router) { api in
            for (path, printed) in cli {
                let served = try await api.get(path).text
                #expect(served == printed.trimmingCharacters(in: .newlines), "\(path)")
            }
            #expect(try await api.post("/v1/verify", json: "").text == verify.trimmingCharacters(in: .newlines))
        }
    }
}
