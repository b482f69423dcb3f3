import DocketAnalytics
import DocketCore
import DocketInterop
@testable import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// A directory's change events live in the same log as the cases, in a reserved stream: every
/// reader of cases must give the same answers with them as without them.
@Suite struct DirectoryStreamTests {
    /// A directory change event, appended straight to the log's reserved stream.
    static func change(_ version: Int, _ type: CaseEventType = .roleGranted, at text: String) -> CaseEvent {
        CaseEvent(caseID: DirectoryStream.caseID(of: "shandong"), type: type, workflowID: DirectoryStream.workflowID,
                  workflowVersion: DirectoryStream.workflowVersion, actor: "zhang.min", occurredAt: at(text),
                  payload: EventPayload(person: "li.wei", role: "approver", scope: "rizhao", validFrom: "2020-03-0\(version)"))
    }

    /// The tolerant cases of `ProjectionReporterTests`, with directory events before, between and
    /// after them when `withDirectory`.
    func fixture(_ kind: ProjectionKind, withDirectory: Bool) throws -> ProjectionFixture {
        let fixture = try ProjectionFixture(kind)
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        var changes = 0
        func directoryChange(_ time: String) throws {
            guard withDirectory else { return }
            changes += 1
            try fixture.store.append([Self.change(changes, at: time)], to: DirectoryStream.caseID(of: "shandong"), expectedVersion: changes - 1)
        }
        try directoryChange("2020-03-01T09:00:00Z")
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T09:00:00Z")
        try directoryChange("2020-03-02T09:30:00Z")
        try driver.fire("A", "approve", by: "dan", as: "approver", at: "2020-03-02T10:00:00Z")
        try driver.open("B", "tolerant", channel: "window", at: "2020-03-03T09:00:00Z")
        try driver.fire("B", "ask_materials", as: "clerk", at: "2020-03-03T09:30:00Z")
        try directoryChange("2020-03-03T09:45:00Z")
        try driver.fire("B", "supply", by: "carl", as: "clerk", onBehalfOf: "beth", documents: ["materials"], at: "2020-03-03T10:00:00Z")
        try driver.fire("B", "approve", by: "dan", as: "approver", at: "2020-03-03T11:00:00Z")
        try driver.open("D", "tolerant", channel: "mail", at: "2020-03-05T09:00:00Z")
        try directoryChange("2020-03-05T10:00:00Z")
        try fixture.updater().catchUp()
        return fixture
    }

    func report(_ fixture: ProjectionFixture) throws -> ProcessReport {
        try ProjectionReporter(fixture.projections, calendars: testCalendars).report(ReportScope(measure: .working, asOf: at("2020-03-05T12:00:00Z")))
    }

    @Test(arguments: ProjectionKind.allCases)
    func reportsAreTheSameWithDirectoryEventsInTheLog(_ kind: ProjectionKind) throws {
        let plain = try fixture(kind, withDirectory: false)
        let mixed = try fixture(kind, withDirectory: true)
        #expect(try mixed.store.lastPosition() == (try plain.store.lastPosition()) + 4)
        #expect(try report(mixed) == (try report(plain)))
        #expect(try report(mixed).workflows.first?.cases == CaseCounts(opened: 3, approved: 2, open: 1))
        #expect(try mixed.checkpoint() == (try mixed.store.lastPosition()))
    }

    @Test(arguments: ProjectionKind.allCases)
    func casesExportAndVerifyLeaveTheReservedStreamOut(_ kind: ProjectionKind) throws {
        let plain = try fixture(kind, withDirectory: false)
        let mixed = try fixture(kind, withDirectory: true)
        #expect(try mixed.store.cases(workflowID: nil).map(\.caseID) == ["A", "B", "D"])
        #expect(try mixed.store.cases(workflowID: DirectoryStream.workflowID).isEmpty)
        #expect(try mixed.store.header(of: DirectoryStream.caseID(of: "shandong"))?.version == 4)  // the stream itself reads as ever
        func traces(_ store: any EventStore) throws -> [LogTrace] {
            var traces: [LogTrace] = []
            try LogExporter(store: store).forEachTrace(through: try store.lastPosition()) { traces.append($0) }
            return traces
        }
        #expect(try traces(mixed.store) == (try traces(plain.store)))
        let sink = MemoryLogSink()
        let summary = try LogExporter(store: mixed.store).export(format: .jsonl, to: sink)
        #expect(summary.events == 9 && !sink.text.contains("@directory"))
        let verified = try mixed.store.verify()
        #expect(verified.isOK)
        #expect(verified.caseCount == 3)
    }

    @Test func aCaseNeverFoldsADirectoryEvent() {
        var state: CaseState?
        Engine.evolve(&state, Self.change(1, at: "2020-03-01T09:00:00Z"))
        #expect(state == nil)
    }
}
