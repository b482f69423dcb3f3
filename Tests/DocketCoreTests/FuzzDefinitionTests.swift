import DocketTestSupport
import Foundation
import Testing
@testable import DocketCore

/// Mutated definitions, from the real files of `Workflows/`, never crash or hang the loader: each
/// either loads, and then drives a case through the engine without a crash, or is refused with
/// diagnostics a person can act on, each at a place in the file.
@Suite("Fuzzing: definitions", .timeLimit(.minutes(Mutator.minutesAllowed)))
struct FuzzDefinitionTests {
    @Test func mutatedDefinitionsLoadOrFailWithPositionedDiagnostics() {
        let corpus = FuzzCorpus.definitions
        #expect(corpus.count >= 5)
        var mutator = Mutator(seed: Mutator.seed)
        // Mutants loaded or refused; the commands the loaded ones were driven with, decided or refused.
        var loading = FuzzOutcomes(), commands = FuzzOutcomes()
        for iteration in 0..<Mutator.iterations {
            let source = mutator.pick(corpus)
            let text = mutator.mutate(source.text)
            let name = "definition-\(Mutator.seed)-\(iteration).yaml"
            var context: String { "seed \(Mutator.seed) iteration \(iteration) from \(source.name), \(Mutator.keep(text, as: name))" }
            switch DefinitionLoader.load(text: text, file: "fuzzed.yaml") {
            case let .success(definition):
                loading.accepted += 1
                drive(definition, mutator: &mutator, commands: &commands, context: context)
            case let .failure(errors):
                loading.refused += 1
                let lines = yamlLineCount(text)
                #expect(!errors.diagnostics.isEmpty, "\(context)")
                for diagnostic in errors.diagnostics {
                    #expect(diagnostic.file == "fuzzed.yaml", "\(context)")
                    #expect(diagnostic.position.line >= 1 && diagnostic.position.line <= lines, "\(context): \(diagnostic)")
                    #expect(diagnostic.position.column >= 1, "\(context): \(diagnostic)")
                    #expect(isClear(diagnostic.message), "\(context): \(diagnostic)")
                }
            }
        }
        // Most mutants must break something, or the mutator is not exercising the loader's
        // diagnostics; enough must load, or the engine is never driven by a strange definition.
        loading.expectRefused(atLeast: 0.5, "mutated definitions")
        loading.expectAccepted(atLeast: 0.05, "mutated definitions")
        commands.expectAccepted(atLeast: 0.5, "commands on loaded mutants")
        print("fuzzed definitions: \(loading); commands on them: \(commands)")
    }

    /// Found by the fuzzer: libyaml marks the end of a file that lacks its final line break one
    /// line past the end.
    @Test func aSyntaxErrorAtTheEndOfAnUnterminatedFileIsOnItsLastLine() throws {
        let text = "workflow: cut\nversion: 1\ntransitions:\n  - { event: go, roles:"
        guard case let .failure(errors) = DefinitionLoader.load(text: text, file: "cut.yaml") else {
            Issue.record("the cut definition loaded")
            return
        }
        #expect(errors.diagnostics.map(\.position) == [SourcePosition(line: 4, column: 24)])
    }

    @Test func aDefinitionOfOnlyCommentsIsRefusedOnItsLastLine() throws {
        guard case let .failure(errors) = DefinitionLoader.load(text: "# a comment\n# and anoth", file: "c.yaml") else {
            Issue.record("the comment loaded")
            return
        }
        #expect(errors.diagnostics.allSatisfy { $0.position.line <= 2 })
    }

    /// Found by the fuzzer (seed 2020): a limit of a trillion working days on a workflow without a
    /// calendar made computing its deadline overflow and trap (`docket show` crashed).
    @Test func aHugeLimitWithoutACalendarNeverRunsOut() throws {
        let text = """
            workflow: huge
            version: 1
            roles: [clerk]
            states:
              open: { initial: true, within: 999999999999 working days }
              done: { final: true, outcome: approved }
            transitions:
              - { event: finish, from: open, to: done, roles: [clerk] }
            """
        let context = EngineContext(definition: try DefinitionLoader.load(text: text, file: "huge.yaml").get())
        let opened = try Engine.decide(nil, .open(OpenCase(caseID: "H", actor: "a", role: "clerk", at: Timestamp(microseconds: 0))), context)
        let state = try #require(CaseState.replay(opened))
        #expect(state.deadlines(in: context).map(\.dueAt) == [Timestamp(microseconds: Int64.max)])
        #expect(try Engine.decide(state, .tick(Tick(caseID: "H", now: Timestamp(microseconds: Int64.max - 1))), context).isEmpty)
    }

    @Test func anAliasBombIsRefusedWithoutExpandingIt() {
        // Nine levels of nine aliases: 9^9 roles if expanded. A few hundred bytes must not cost
        // minutes of work, nor millions of diagnostics.
        var text = "workflow: bomb\nversion: 1\nl0: &l0 [r, r, r, r, r, r, r, r, r]\n"
        for level in 1...8 {
            text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        text += "roles: *l8\nstates: { a: { initial: true }, b: { final: true, outcome: approved } }\n"
        text += "transitions: [{ event: go, from: a, to: b, roles: *l8 }]\n"
        guard case let .failure(errors) = DefinitionLoader.load(text: text, file: "bomb.yaml") else {
            Issue.record("the alias bomb loaded")
            return
        }
        #expect(errors.diagnostics.count < 100)
        #expect(errors.diagnostics.contains { $0.message.contains("expected a role name, found a list") })
    }

    @Test func deeplyNestedFlowCollectionsAreRefusedWithoutExhaustingTheStack() {
        let text = "workflow: deep\nversion: 1\nroles: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        guard case let .failure(errors) = DefinitionLoader.load(text: text, file: "deep.yaml") else {
            Issue.record("the nested definition loaded")
            return
        }
        #expect(!errors.diagnostics.isEmpty)
    }

    /// Opens a case and takes up to 30 random available steps (events, votes, ticks): a definition
    /// the validator accepted must never make the engine crash or loop.
    private func drive(_ definition: WorkflowDefinition, mutator: inout Mutator, commands: inout FuzzOutcomes,
                       context: @autoclosure () -> String) {
        let engine = EngineContext(definition: definition)
        var now = Timestamp(microseconds: 1_580_688_000_000_000)  // 2020-02-03T00:00:00Z
        var events: [CaseEvent] = []
        func apply(_ command: Command) {
            do {
                let state = CaseState.replay(events)
                let new = try Engine.decide(state, command, engine)
                events += new
                commands.accepted += 1
                #expect(CaseState.replay(events)?.version == events.count, "\(context())")
            } catch {
                commands.refused += 1
                #expect(isClear(error.message), "\(context()): \(error.message)")
            }
        }
        apply(.open(OpenCase(caseID: "F-1", actor: "a", role: definition.roles.first, at: now)))
        for _ in 0..<30 {
            guard let state = CaseState.replay(events), !state.isClosed else { return }
            now = now.adding(seconds: Int64(mutator.below(200_000)))
            let actions = state.availableActions(in: definition)
            if actions.isEmpty || mutator.below(8) == 0 {
                apply(.tick(Tick(caseID: "F-1", now: now)))
                continue
            }
            let action = mutator.pick(actions)
            let role = action.roles.isEmpty ? (definition.roles.first ?? "nobody") : mutator.pick(action.roles)
            if action.isVote {
                apply(.vote(CastVote(caseID: "F-1", ballot: mutator.below(2) == 0 ? .approve : .reject,
                                     actor: "voter-\(mutator.below(9))", role: role, at: now)))
            } else {
                apply(.fire(FireEvent(caseID: "F-1", event: action.event, actor: "p", role: role, documents: action.requires,
                                      reason: action.needsReason ? "because" : nil, branch: action.branch, at: now)))
            }
        }
    }
}

/// A message a person can act on: not empty, not a Swift value dump.
func isClear(_ message: String) -> Bool {
    !message.trimmingCharacters(in: .whitespaces).isEmpty && !message.contains("Optional(") && !message.contains("Swift.")
}
