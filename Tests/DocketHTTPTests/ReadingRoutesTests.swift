import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct ReadingRoutesTests {
    @Test func deployingTextsThroughTheAPIListsTheWorkflow() async throws {
        let server = try TestServer()
        let text = try String(contentsOfFile: Repository.workflow("permit-check.yaml"), encoding: .utf8)
        let body = String(data: try JSONSerialization.data(withJSONObject: ["files": [["name": "permit-check.yaml", "text": text]]]), encoding: .utf8)!
        try await server.test { api in
            let deployed = try await api.post("/v1/deployments", json: body)
            #expect(deployed.status.code == 201)
            #expect(deployed.array.first?["id"] as? String == "permit-check")
            #expect(deployed.array.first?["status"] as? String == "deployed")
            #expect(try await api.post("/v1/deployments", json: body).status.code == 200)
            let workflows = try await api.get("/v1/workflows")
            #expect(workflows.array.map { $0["id"] as? String } == ["permit-check"])
            let graph = try await api.get("/v1/workflows/permit-check/graph?format=dot")
            #expect(graph.status.code == 200)
            #expect(graph.text.hasPrefix("digraph"))
        }
    }

    @Test func anInvalidDefinitionIsRefusedWithItsFileLineAndColumn() async throws {
        let server = try TestServer()
        try await server.test { api in
            let response = try await api.post("/v1/deployments", json: #"{"files": [{"name": "broken.yaml", "text": "workflow: broken\nversion: one\n"}]}"#)
            #expect(response.status.code == 400)
            #expect((response.object["detail"] as? String ?? "").contains("broken.yaml:"))
        }
    }

    @Test func casesComeAPageAtATimeWithoutRepeatsOrGaps() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            for i in 1...5 { try await api.open("C\(i)", by: i % 2 == 0 ? "chen.jie" : nil) }
            var seen: [String] = []
            var uri = "/v1/cases?limit=2"
            var pages = 0
            while true {
                let page = try await api.get(uri)
                #expect(page.status.code == 200)
                let cases = page.object["cases"] as? [[String: Any]] ?? []
                seen += cases.compactMap { $0["case_id"] as? String }
                pages += 1
                guard let next = page.object["next"] as? String else { break }
                // A case opened between pages comes after the ones already listed.
                if pages == 1 { try await api.open("C6") }
                uri = "/v1/cases?limit=2&after=\(next)"
            }
            #expect(seen == ["C1", "C2", "C3", "C4", "C5", "C6"])
            let assisted = try await api.get("/v1/cases?applicant=chen.jie")
            #expect((assisted.object["cases"] as? [[String: Any]])?.compactMap { $0["case_id"] as? String } == ["C2", "C4"])
            let unknown = try await api.get("/v1/cases?state=nowhere")
            #expect(unknown.status.code == 400)
            #expect(try await api.get("/v1/cases?after=garbage").status.code == 400)
        }
    }

    @Test func theReportIsJSONOrCSVAndVerifyReportsTheChain() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P1", at: "2026-03-02T08:00:00Z")
            let json = try await api.get("/v1/reports/process")
            #expect(json.status.code == 200)
            #expect(json.headers[.contentType] == "application/json")
            var accept = HTTPFields()
            accept[.accept] = "text/csv"
            let csv = try await api.get("/v1/reports/process", headers: accept)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("workflow,version,calendar"))
            #expect(try await api.get("/v1/reports/process?format=csv&by=state").text.hasPrefix("workflow,version,time,region"))
            let verify = try await api.post("/v1/verify", json: "")
            #expect(verify.status.code == 200)
            #expect(verify.object["ok"] as? Bool == true)
            #expect(verify.object["event_count"] as? Int == 1)
        }
    }

    @Test func aBrowserAskingForHTMLGetsTheReportPageWithItsFigures() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P<1>&", at: "2026-03-02T08:00:00Z")
            var accept = HTTPFields()
            accept[.accept] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            let page = try await api.get("/v1/reports/process?now=2026-03-03T08:00:00Z", headers: accept)
            #expect(page.status.code == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.text.hasPrefix("<!DOCTYPE html>"))
            #expect(page.text.contains(#"data-field="cases.opened" data-value="1""#))
            // The case id is the user's text: escaped, never markup.
            #expect(page.text.contains("P&lt;1&gt;&amp;"))
            #expect(!page.text.contains("P<1>&"))
            #expect(try await api.get("/v1/reports/process?format=html").text.hasPrefix("<!DOCTYPE html>"))
            #expect(try await api.get("/v1/reports/process?format=pdf").status.code == 400)
        }
    }

    @Test func metricsCountCommandsByWorkflowEventAndOutcome() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            try await api.open("P1")
            _ = try await api.post("/v1/cases/P1/events", json: #"{"event": "approve", "as": "approver"}"#)
            _ = try await api.post("/v1/cases/P1/events", json: #"{"event": "made-up-\#(UUIDLike.next)", "as": "clerk"}"#)
            let text = try await api.get("/metrics", token: nil).text
            #expect(text.contains(#"docket_commands_total{workflow="permit-check",event="open",outcome="ok"} 1"#))
            #expect(text.contains(#"docket_commands_total{workflow="permit-check",event="approve",outcome="refused"} 1"#))
            #expect(text.contains("docket_refusals_total"))
            // A made-up event is counted without its name: labels stay bounded.
            #expect(text.contains(#"docket_commands_total{workflow="permit-check",event="",outcome="refused"} 1"#))
            #expect(!text.contains("made-up"))
            #expect(text.contains("docket_http_request_duration_seconds_bucket"))
            #expect(text.contains("docket_projection_lag_events"))
            #expect(text.contains("docket_open_cases"))
            #expect(text.contains("docket_breaches_recorded_total"))
        }
    }

    @Test func readinessReadsAndTakesTheWriteLock() async throws {
        let server = try TestServer()
        try server.deployPermitCheck()
        try await server.test { api in
            let ready = try await api.get("/readyz", token: nil)
            #expect(ready.status.code == 200)
            #expect(ready.object["status"] as? String == "ready")
            #expect(try server.log.lastPosition() == 0)
        }
    }

    /// While another connection holds the write lock past the busy timeout, the server is not
    /// ready: 503 with the store's `locked` problem.
    @Test func readinessIs503WhileTheLogCannotBeWritten() async throws {
        let server = try TestServer(busyTimeout: 0.05)
        let holder = try SQLiteEventStore(path: server.path)
        let holding = Locked(false)
        let release = Locked(false)
        let thread = Thread {
            try? holder.write { _ in
                holding.set(true)
                while !release.value { usleep(2_000) }
            }
        }
        thread.start()
        while !holding.value { usleep(1_000) }
        try await server.test { api in
            let response = try await api.get("/readyz", token: nil)
            #expect(response.status.code == 503)
            #expect(response.object["code"] as? String == "locked")
            #expect(try await api.get("/healthz", token: nil).status.code == 200)
        }
        release.set(true)
        while !thread.isFinished { usleep(1_000) }
    }
}

/// A fresh name each time.
enum UUIDLike {
    static var next: String { UUID().uuidString }
}
