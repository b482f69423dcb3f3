import DocketCore
import DocketInterop
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Separation of duties through the services: a refused command appends nothing, and a replay of
/// another system's log checks control flow only.
@Suite struct SeparationOfDutiesServiceTests {
    static func permitCheckWithRules() throws -> WorkflowDefinition {
        let text = try String(contentsOfFile: workflowsFolder + "/permit-check.yaml", encoding: .utf8)
        return try DefinitionLoader.load(text: text, file: "permit-check.yaml").get()
    }

    @Test func aRefusedSelfApprovalIsForbiddenAndAppendsNothing() throws {
        let cases = try authorityService(clock: backFillingClock())
        try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", at: at("2020-02-10T09:00:00+08:00"))
        try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk", at: at("2020-02-10T09:30:00+08:00"))
        let refusal = #expect(throws: Refusal.self) {
            try cases.fire(caseID: "P1", event: "approve", actor: "bob", role: "approver", documents: ["site_photos"], at: at("2020-02-10T10:00:00+08:00"))
        }
        #expect(refusal?.code == .separationOfDuties)
        #expect(refusal?.kind == .forbidden)
        #expect(try cases.store.events(of: "P1").count == 2)
        try cases.fire(caseID: "P1", event: "approve", actor: "carol", role: "approver", documents: ["site_photos"], at: at("2020-02-10T10:00:00+08:00"))
    }

    @Test func aConformanceReplayChecksControlFlowNotWhoActed() throws {
        // The log's one resource accepts and approves: a rule would refuse it, a replay does not.
        let log = ImportFixtures.xes([("same-hands", [
            .init(activity: "accept", at: "2020-03-02T10:00:00Z"),
            .init(activity: "approve", at: "2020-03-02T11:00:00Z"),
        ])])
        let loaded = try LoadedLog.read(path: ImportFixtures.file(log))
        let report = ConformanceChecker(context: EngineContext(definition: try Self.permitCheckWithRules())).check(loaded)
        #expect(report.fittingTraces == 1, "\(report.entries.map(\.deviation.description))")
    }
}
