import DocketTestSupport
import Foundation
import Testing
@testable import DocketCore

/// Mutated calendars, from the real files of `Workflows/calendars/`, never crash or hang the
/// loader: each either loads, and then answers working-time questions without a crash, or is
/// refused with ``FileProblems`` that say what is wrong and where.
@Suite("Fuzzing: calendars", .timeLimit(.minutes(Mutator.minutesAllowed)))
struct FuzzCalendarTests {
    @Test func mutatedCalendarsLoadOrFailWithAClearError() throws {
        let corpus = FuzzCorpus.calendars
        #expect(corpus.count >= 3)
        // The overrides name cn-2020 as their base: offer the real one.
        let national = try #require(corpus.first { $0.name == "cn-2020.yaml" })
        let bases = ["cn-2020": try CalendarLoader.load(text: national.text, file: national.name)]
        var mutator = Mutator(seed: Mutator.seed &+ 1)
        var outcomes = FuzzOutcomes()
        for iteration in 0..<Mutator.iterations {
            let source = mutator.pick(corpus)
            let text = mutator.mutate(source.text)
            let name = "calendar-\(Mutator.seed &+ 1)-\(iteration).yaml"
            var context: String { "seed \(Mutator.seed &+ 1) iteration \(iteration) from \(source.name), \(Mutator.keep(text, as: name))" }
            do {
                let calendar = try CalendarLoader.load(text: text, file: "fuzzed.yaml", bases: bases)
                outcomes.accepted += 1
                exercise(calendar, mutator: &mutator, context: context)
            } catch {
                outcomes.refused += 1
                let lines = yamlLineCount(text)
                #expect(!error.errors.isEmpty, "\(context)")
                for diagnostic in error.diagnostics {
                    #expect(diagnostic.file == "fuzzed.yaml", "\(context)")
                    #expect(diagnostic.position.line >= 1 && diagnostic.position.line <= lines, "\(context): \(diagnostic)")
                    #expect(isClear(diagnostic.message), "\(context): \(diagnostic)")
                    #expect(diagnostic.description.hasPrefix("fuzzed.yaml:"), "\(context): \(diagnostic)")
                }
            }
        }
        // A quarter must break something (the loader's errors), one in twenty must load (the
        // arithmetic on strange calendars).
        outcomes.expectRefused(atLeast: 0.25, "mutated calendars")
        outcomes.expectAccepted(atLeast: 0.05, "mutated calendars")
        print("fuzzed calendars: \(outcomes)")
    }

    /// Found by the fuzzer: libyaml marks the end of a file that lacks its final line break one
    /// line past the end.
    @Test func aSyntaxErrorAtTheEndOfAnUnterminatedFileIsOnItsLastLine() {
        let error = #expect(throws: FileProblems.self) {
            try CalendarLoader.load(text: "calendar: cut\nversion: 1\nholidays: [", file: "cut.yaml")
        }
        #expect(error?.diagnostics.map(\.position.line) == [3])
    }

    @Test func aCalendarOfOnlyADocumentMarkerIsRefusedOnItsLine() {
        let error = #expect(throws: FileProblems.self) { try CalendarLoader.load(text: "---", file: "dash.yaml") }
        #expect(error?.diagnostics.map(\.position.line) == [1])
    }

    /// Working time is never negative, adding working time never goes back, and the two agree.
    private func exercise(_ calendar: BusinessCalendar, mutator: inout Mutator, context: @autoclosure () -> String) {
        let origin: Int64 = 1_577_836_800_000_000  // 2020-01-01T00:00:00Z
        for _ in 0..<5 {
            let start = Timestamp(microseconds: origin + Int64(mutator.below(366 * 86_400)) * 1_000_000)
            let amount = Int64(mutator.below(20)) * calendar.workingDayMicroseconds + Int64(mutator.below(86_400)) * 1_000_000
            let end = calendar.adding(workingMicroseconds: amount, to: start)
            #expect(end >= start, "\(context())")
            #expect(calendar.workingMicroseconds(from: start, to: end) == amount, "\(context())")
            _ = calendar.utcOffsetSeconds(at: end)
        }
    }
}
