import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation
import Testing

/// `docket report`'s figures, read back from the analytics tables with the report's filters.
@Suite struct ProjectionReporterTests {
    /// Four tolerant cases (09:00-17:00 calendar), approved after 1, 2 and 4 hours and one open:
    /// - A online, opened 2 Mar; B window, opened 3 Mar, supplied by a clerk for its applicant;
    /// - C online, opened 4 Mar, sent back once; D mail, opened 5 Mar, still open.
    func fixture(_ kind: ProjectionKind) throws -> ProjectionFixture {
        let fixture = try ProjectionFixture(kind)
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T09:00:00Z")
        try driver.fire("A", "approve", by: "dan", as: "approver", at: "2020-03-02T10:00:00Z")
        try driver.open("B", "tolerant", channel: "window", at: "2020-03-03T09:00:00Z")
        try driver.fire("B", "ask_materials", as: "clerk", at: "2020-03-03T09:30:00Z")
        try driver.fire("B", "supply", by: "carl", as: "clerk", onBehalfOf: "beth", documents: ["materials"], at: "2020-03-03T10:00:00Z")
        try driver.fire("B", "approve", by: "dan", as: "approver", at: "2020-03-03T11:00:00Z")
        try driver.open("C", "tolerant", channel: "online", at: "2020-03-04T09:00:00Z")
        try driver.fire("C", "send_back", as: "clerk", reason: "stamp missing", at: "2020-03-04T10:00:00Z")
        try driver.fire("C", "resubmit", by: "cai", as: "applicant", at: "2020-03-04T11:00:00Z")
        try driver.fire("C", "approve", by: "dan", as: "approver", at: "2020-03-04T13:00:00Z")
        try driver.open("D", "tolerant", channel: "mail", at: "2020-03-05T09:00:00Z")
        try fixture.updater().catchUp()
        return fixture
    }

    func report(_ fixture: ProjectionFixture, _ change: (inout ReportScope) -> Void = { _ in }) throws -> WorkflowReport? {
        var scope = ReportScope(measure: .working, asOf: at("2020-03-05T12:00:00Z"))
        change(&scope)
        return try ProjectionReporter(fixture.projections, calendars: testCalendars).report(scope).workflows.first
    }

    @Test(arguments: ProjectionKind.allCases)
    func reportReadsTheFiguresBackFromTheTables(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind))
        #expect(section?.cases == CaseCounts(opened: 4, approved: 3, open: 1))
        #expect(section?.timeToApproval.wall.p50 == seconds(hours: 2))
        #expect(section?.timeToApproval.statutory.total == seconds(hours: 6.5))  // B's clock stood 30 min
        #expect(section?.openCases.map(\.caseID) == ["D"])
        #expect(section?.openCases.first?.age == seconds(hours: 3))
        #expect(section?.calendar == "nine-to-five v1")
    }

    @Test(arguments: ProjectionKind.allCases)
    func fromAndToSelectCasesByOpeningTime(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind)) {
            $0.from = at("2020-03-03T00:00:00Z")
            $0.to = at("2020-03-05T00:00:00Z")
        }
        #expect(section?.cases.opened == 2)
        #expect(section?.dwell.map(\.state) == ["correcting", "review", "waiting"])
    }

    @Test(arguments: ProjectionKind.allCases)
    func channelSelectsCases(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind)) { $0.channel = "online" }
        #expect(section?.cases.opened == 2)
        #expect(section?.rework.casesSentBack == 1)
    }

    @Test(arguments: ProjectionKind.allCases)
    func roleKeepsCasesItActedOnAndStaysItHeld(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind)) { $0.role = "applicant" }
        #expect(section?.cases.opened == 1)  // only C's applicant acted herself
        #expect(section?.dwell.map(\.state) == ["correcting"])
        #expect(section?.bottlenecks.roles.map(\.name) == ["applicant"])
    }

    @Test(arguments: ProjectionKind.allCases)
    func onBehalfOfKeepsAssistedCases(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind)) { $0.onBehalfOf = "beth" }
        #expect(section?.cases.opened == 1)
        #expect(section?.transitions.map(\.to) == ["review"])
    }

    @Test(arguments: ProjectionKind.allCases)
    func departmentKeepsCasesThatEnteredItAndItsStays(_ kind: ProjectionKind) throws {
        let section = try report(try fixture(kind)) { $0.department = "applicant" }
        #expect(section?.cases.opened == 2)  // B waited for materials, C was sent back
        #expect(section?.dwell.map(\.state) == ["correcting", "waiting"])
    }

    @Test(arguments: ProjectionKind.allCases)
    func workflowAndVersionSelectSections(_ kind: ProjectionKind) throws {
        let fixture = try fixture(kind)
        #expect(try report(fixture) { $0.workflowID = "other" } == nil)
        #expect(try report(fixture) { $0.version = 2 } == nil)
        #expect(try report(fixture) { $0.version = 1 }?.cases.opened == 4)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aReportOnANeverProjectedLogIsEmpty(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        let report = try ProjectionReporter(fixture.projections, calendars: testCalendars)
            .report(ReportScope(asOf: at("2020-03-05T12:00:00Z")))
        #expect(report.workflows.isEmpty)
    }

    // MARK: Deployed calendars

    static let weekdaysCalendar = """
        calendar: weekdays
        version: 1
        time_zone: UTC
        office_hours:
          monday: 09:00-17:00
          tuesday: 09:00-17:00
          wednesday: 09:00-17:00
          thursday: 09:00-17:00
          friday: 09:00-17:00
        """

    @Test(arguments: ProjectionKind.allCases)
    func deployedCalendarsNameTheCalendarAndItsVersion(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        try fixture.store.deploy(.calendar, id: "weekdays", version: 1, content: Self.weekdaysCalendar)
        try fixture.store.deploy(.workflow, id: "tolerant", version: 1,
                                 content: tolerantYAML.replacingOccurrences(of: "version: 1\n", with: "version: 1\ncalendar: weekdays\n"))
        let calendars = try ProjectionCalendars.deployed(in: fixture.store)
        let calendar = calendars(WorkflowKey(id: "tolerant", version: 1))
        #expect(calendar.label == "weekdays v1")
        #expect(calendar.layers == [CalendarVersion(name: "weekdays", version: 1)])
        // Saturday 7 March counts nothing on weekdays.
        #expect(calendar.calendar.workingMicroseconds(from: at("2020-03-07T00:00:00Z"), to: at("2020-03-08T00:00:00Z")) == 0)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aWorkflowNeverDeployedCountsEverySecondAndSaysSo(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        let calendar = try ProjectionCalendars.deployed(in: fixture.store)(WorkflowKey(id: "imported", version: 1))
        #expect(calendar.label == "always working (workflow not deployed)")
        #expect(calendar.calendar.workingMicroseconds(from: at("2020-03-07T00:00:00Z"), to: at("2020-03-08T00:00:00Z")) == 86_400_000_000)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aCalendarThatIsNotDeployedIsNamedInTheLabel(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        try fixture.store.deploy(.workflow, id: "tolerant", version: 1,
                                 content: tolerantYAML.replacingOccurrences(of: "version: 1\n", with: "version: 1\ncalendar: cn-2020\n"))
        let calendar = try ProjectionCalendars.deployed(in: fixture.store)(WorkflowKey(id: "tolerant", version: 1))
        #expect(calendar.label == "always working (calendar 'cn-2020' is not deployed)")
    }
}
