import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// `tick` reads only the cases the projection says have a breach due and not yet recorded
/// (`next_breach_at`): it records exactly what ticking every open case records.
@Suite struct TickDueCasesTests {
    /// A simulated log of the authority's workflows in a new file; returns its service and path.
    static func simulatedLog() throws -> (cases: CaseService, path: String) {
        let path = temporaryDatabase()
        let cases = try authorityService(path: path)
        var plan = SimulationPlan(workflows: ReliabilityTests.workflows, cases: 240, seed: 23)
        plan.batchSize = 40
        _ = try PopulationSimulator(catalog: cases.catalog).run(plan)
        return (cases, path)
    }

    @Test func tickingTheDueCasesRecordsWhatTickingEveryOpenCaseRecords() throws {
        let (everyCase, everyPath) = try Self.simulatedLog()
        let (dueCases, duePath) = try Self.simulatedLog()
        let everyStore = try SQLiteEventStore(path: everyPath)
        let dueStore = try SQLiteEventStore(path: duePath)
        var lastEvent = Timestamp(microseconds: 0)
        _ = try everyStore.scan { lastEvent = max(lastEvent, $0.occurredAt) }
        let day: Int64 = 86_400_000_000
        var recorded = 0
        var narrowed = false
        // From the log's end on, later and later: each tick records what became due since the last.
        for days in [0, 1, 2, 5, 12, 40] as [Int64] {
            let now = Timestamp(microseconds: lastEvent.microseconds + days * day)
            let open = try ProjectionUpdater.openCaseIDs(in: everyStore)
            let due = try ProjectionUpdater.casesDueForBreach(in: dueStore, by: now)
            #expect(Set(due).isSubset(of: Set(open)))
            if due.count < open.count { narrowed = true }
            let byEvery = try everyCase.tick(caseIDs: open, now: now)
            let byDue = try dueCases.tick(caseIDs: due, now: now)
            #expect(byDue.map(\.caseID) == byEvery.map(\.caseID))
            #expect(byDue.flatMap { $0.recorded.map(\.event) } == byEvery.flatMap { $0.recorded.map(\.event) })
            recorded += byDue.reduce(0) { $0 + $1.recorded.count }
            // Nothing is left due at that time once it is ticked.
            #expect(try ProjectionUpdater.casesDueForBreach(in: dueStore, by: now).isEmpty)
        }
        #expect(recorded > 0)
        #expect(narrowed)
        #expect(try dueStore.verify().isOK)
    }
}
