import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Testing

/// The code of the DocC article "Getting started" (`DocketService.docc/GettingStarted.md`), step
/// by step: if this test needs a change, so does the article.
@Suite struct GettingStartedTests {
    @Test func theArticlesCodeDeploysDrivesAndMeasuresACase() throws {
        let directory = TemporaryDirectory("getting-started")
        let store = try SQLiteEventStore(path: directory.path("permits.sqlite"))
        let catalog = WorkflowCatalog(store: store)
        try Deployer(catalog: catalog).deploy([ArtifactFile(path: "permit-check.yaml", text: """
            workflow: permit-check
            version: 1
            roles: [applicant, clerk, approver]
            states:
              submitted: { initial: true }
              review:    { department: licensing }
              approved:  { final: true, outcome: approved }
              rejected:  { final: true, outcome: rejected }
            transitions:
              - { event: accept,  from: submitted, to: review,   roles: [clerk] }
              - { event: approve, from: review,    to: approved, roles: [approver], requires: [site_photos] }
              - { event: reject,  from: review,    to: rejected, roles: [approver] }
            """)])

        let cases = CaseService(catalog: catalog)
        let sunday = try #require(Timestamp.parse(iso8601: "2020-02-09T19:00:00+08:00"))
        try cases.open(workflowID: "permit-check", caseID: "P-001", actor: "alice", role: "applicant", at: sunday)
        try cases.fire(caseID: "P-001", event: "accept", actor: "bob", role: "clerk", at: sunday.adding(seconds: 14 * 3600))

        let refusal = #expect(throws: Refusal.self) {
            try cases.fire(caseID: "P-001", event: "approve", actor: "carol", role: "approver")
        }
        #expect(refusal?.errorCode == "documents_missing")
        #expect(refusal?.description == "'approve' requires document not yet supplied: site_photos")

        let approved = try cases.fire(caseID: "P-001", event: "approve", actor: "carol", role: "approver",
                                      documents: ["site_photos"], at: sunday.adding(seconds: 16 * 3600))
        #expect(approved.state.outcome == "approved")

        let projection = AnalyticsProjection.sqlite(store)
        let calendars = try ProjectionCalendars.deployed(in: store)
        try ProjectionUpdater(projection, calendars: calendars).catchUp()
        let report = try ProjectionReporter(projection, calendars: calendars)
            .report(ReportScope(workflowID: "permit-check", measure: .wall, asOf: sunday.adding(seconds: 86_400)))
        let figures = try #require(report.workflows.first)
        #expect(figures.cases.approved == 1)
        #expect(figures.timeToApproval.wall.p50 == 57_600)
    }
}
