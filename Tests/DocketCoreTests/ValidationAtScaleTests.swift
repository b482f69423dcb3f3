import DocketSynthetic
import Testing
@testable import DocketCore

/// Validation that scales (issue 16): generated definitions of thousands of states load, a problem
/// planted among them is reported alone and at its place, and the graph checks agree with a plain
/// search on random machines. No timings here: they are in Docs/performance.md.
@Suite struct ValidationAtScaleTests {
    func problems(_ text: String) -> [Diagnostic] {
        switch DefinitionLoader.load(text: text, file: "synthetic.yaml") {
        case .success: return []
        case let .failure(errors): return errors.diagnostics
        }
    }

    @Test func aGeneratedWorkflowOfTenThousandStatesLoads() throws {
        let text = SyntheticWorkflow.yaml(states: 10_000)
        let definition = try DefinitionLoader.load(text: text, file: "synthetic.yaml").get()
        #expect(definition.states.count == 10_003)
        #expect(definition.initialState?.name == "s00000")
        #expect(definition.states.filter { $0.vote != nil }.count == 199)
        #expect(definition.branches.count == 200)
        #expect(definition.transitions.filter(\.sendsBack).count == 999)
        #expect(definition.summary.hasPrefix("synthetic v1 \"Generated workflow of 10000 states\": 10003 states"))
    }

    @Test(arguments: [2, 3, 11, 49, 50, 71, 101, 1_000])
    func generatedWorkflowsOfEverySizeLoad(states: Int) throws {
        let definition = try DefinitionLoader.load(text: SyntheticWorkflow.yaml(states: states), file: "synthetic.yaml").get()
        #expect(definition.states.count == states + 3)
    }

    @Test func anUnreachableStateAmongTenThousandIsReportedAtItsName() throws {
        let text = SyntheticWorkflow.yaml(states: 10_000, plant: .unreachableState(after: 6_543))
        let found = problems(text)
        let at = try #require(SyntheticWorkflow.position(of: "orphan: {}", in: text))
        #expect(found.map(\.message) == ["no transition reaches state 'orphan' from the initial state 's00000'"])
        #expect(found.map(\.position) == [SourcePosition(line: at.line, column: at.column)])
    }

    @Test func aTransitionToAnUnknownStateIsReportedAtItsTarget() throws {
        let text = SyntheticWorkflow.yaml(states: 10_000, plant: .unknownTarget(from: 8_001))
        let found = problems(text)
        let at = try #require(SyntheticWorkflow.position(of: "s_missing", in: text))
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("unknown state 's_missing' in the workflow; states: s00000, s00001, ") == true)
        #expect(found.first?.position == SourcePosition(line: at.line, column: at.column))
    }

    @Test func aSendBackToALaterStateIsReportedAtItsTarget() throws {
        let text = SyntheticWorkflow.yaml(states: 10_000, plant: .forwardSendBack(from: 4_321))
        let found = problems(text)
        let line = try #require(SyntheticWorkflow.position(of: "event: skip_back", in: text)).line
        let column = try #require(SyntheticWorkflow.position(of: "to: s04323", in: text)).column + 4
        #expect(found.map(\.message) == [
            "'skip_back' sends back from 's04321' to 's04323', but 's04323' is not an earlier state: no path leads from 's04323' back to 's04321'",
        ])
        #expect(found.map(\.position) == [SourcePosition(line: line, column: column)])
    }

    /// The graph checks (reachability, a way to a final state, send-backs to earlier states) give
    /// the same diagnostics, in the same order, as a plain search over the transitions does, on
    /// random machines with unknown names, self-loops, several `from`s and `starts_work` (with an
    /// unknown name, none: the unknown state is reported alone, as the cause).
    @Test func graphChecksAgreeWithAPlainSearch() throws {
        var random = SplitMix64(seed: 0x16_2026)
        for round in 0..<300 {
            let count = Int.random(in: 2...9, using: &random)
            let names = (0..<count).map { "q\($0)" }
            let finals = Set(names.filter { _ in Int.random(in: 0..<4, using: &random) == 0 })
            var transitions: [(event: String, from: [String], to: String?, sendsBack: Bool)] = []
            for index in 0..<Int.random(in: 0...(count * 2), using: &random) {
                let pick = { (random: inout SplitMix64) -> String in
                    Int.random(in: 0..<12, using: &random) == 0 ? "ghost" : names[Int.random(in: 0..<count, using: &random)]
                }
                var from = [pick(&random)]
                if Int.random(in: 0..<4, using: &random) == 0 { from.append(pick(&random)) }
                from = from.filter { !finals.contains($0) }
                if Set(from).count != from.count { from = [from[0]] }
                guard !from.isEmpty else { continue }
                let startsWork = Int.random(in: 0..<10, using: &random) == 0
                transitions.append((event: "e\(index)", from: from, to: startsWork ? nil : pick(&random),
                                    sendsBack: !startsWork && Int.random(in: 0..<3, using: &random) == 0))
            }
            var lines = ["workflow: random", "version: 1", "roles: [clerk]", "states:"]
            for (index, name) in names.enumerated() {
                var keys: [String] = []
                if index == 0 { keys.append("initial: true") }
                if finals.contains(name), index != 0 { keys += ["final: true", "outcome: approved"] }
                lines.append("  \(name): { \(keys.joined(separator: ", ")) }")
            }
            lines.append("transitions:")
            for t in transitions {
                var keys = ["event: \(t.event)", "from: [\(t.from.joined(separator: ", "))]", "roles: [clerk]"]
                if let to = t.to { keys.append("to: \(to)") } else { keys.append("starts_work: true") }
                if t.sendsBack { keys.append("sends_back: true") }
                lines.append("  - { \(keys.joined(separator: ", ")) }")
            }
            let text = lines.joined(separator: "\n") + "\n"

            // The plain search: from a state, every transition whose `from` holds it.
            func reachable(_ start: [String]) -> Set<String> {
                var seen = Set(start), queue = start
                while let state = queue.popLast() {
                    for t in transitions where t.from.contains(state) {
                        if let to = t.to, seen.insert(to).inserted { queue.append(to) }
                    }
                }
                return seen
            }
            let declaredFinals = Set(names.dropFirst().filter { finals.contains($0) })
            var canFinish = declaredFinals
            var changed = true
            while changed {
                changed = false
                for t in transitions {
                    guard let to = t.to, canFinish.contains(to) else { continue }
                    for from in t.from where canFinish.insert(from).inserted { changed = true }
                }
            }
            let forward = reachable(["q0"])
            var expected: [String] = []
            // A transition naming an unknown state is the cause: the graph checks wait for it.
            let namesResolve = transitions.allSatisfy { t in t.from.allSatisfy(names.contains) && (t.to.map(names.contains) ?? true) }
            for t in transitions where t.sendsBack && namesResolve {
                guard let to = t.to, names.contains(to) else { continue }
                let ahead = reachable([to])
                for from in t.from where names.contains(from) && !ahead.contains(from) {
                    expected.append("'\(t.event)' sends back from '\(from)' to '\(to)', but '\(to)' is not an earlier state: no path leads from '\(to)' back to '\(from)'")
                }
            }
            for name in names where namesResolve && !forward.contains(name) {
                expected.append("no transition reaches state '\(name)' from the initial state 'q0'")
            }
            if !declaredFinals.isEmpty, namesResolve {
                for name in names where !declaredFinals.contains(name) && !canFinish.contains(name) && forward.contains(name) {
                    expected.append("state '\(name)' has no path to a final state: cases entering it could never end")
                }
            }
            let graphMessages = ["sends back from", "no transition reaches", "has no path to a final state"]
            let found = problems(text).map(\.message).filter { message in graphMessages.contains { message.contains($0) } }
            // The loader sorts by position; compare as sets of lines, and each kind in order.
            #expect(Set(found) == Set(expected), "round \(round):\n\(text)")
            for kind in graphMessages {
                #expect(found.filter { $0.contains(kind) } == expected.filter { $0.contains(kind) }, "round \(round) \(kind):\n\(text)")
            }
        }
    }
}
