import DocketCore
import DocketService
import DocketStore
import Testing

@Suite struct SimulationTests {
    private func simulate(seed: UInt64) throws -> [CaseEvent] {
        let cases = try authorityService()
        let plan = SimulationPlan(workflows: ["remote-video-inspection", "tolerant-acceptance", "joint-verification", "expert-review"], cases: 60, seed: seed)
        _ = try PopulationSimulator(catalog: cases.catalog).run(plan)
        return try cases.store.events(after: 0, limit: 100_000).map(\.event)
    }

    @Test func theSameSeedGivesTheSameLog() throws {
        #expect(try simulate(seed: 7) == simulate(seed: 7))
    }

    @Test func anotherSeedGivesAnotherLog() throws {
        #expect(try simulate(seed: 7) != simulate(seed: 8))
    }

    @Test func aSimulatedMonthShowsEveryFeatureOfTheFlows() throws {
        let events = try simulate(seed: 2020)
        let types = Set(events.map(\.type))
        #expect(types.isSuperset(of: [.caseOpened, .transitionFired, .voteCast, .deadlineBreached, .clockStopped, .clockResumed, .branchStarted]))
        #expect(events.contains { $0.payload.reason != nil })            // send-backs and rejections
        #expect(events.contains { $0.onBehalfOf != nil })                // assisted handling
        #expect(Set(events.compactMap { $0.payload.data?["channel"] }).count >= 2)
    }

    @Test func everySimulatedCaseReplaysToAValidState() throws {
        let events = try simulate(seed: 3)
        let byCase = Dictionary(grouping: events, by: \.caseID)
        #expect(byCase.count == 60)
        #expect(byCase.values.allSatisfy { CaseState.replay($0) != nil })
    }
}
