import DocketTestSupport
import ArgumentParser
import Foundation
import Testing
@testable import docket

/// How much command-line fuzzing a run does.
enum ArgumentFuzzBudget {
    static var iterations: Int { ProcessInfo.processInfo.environment["DOCKET_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 120 }
    static var runs: Int { ProcessInfo.processInfo.environment["DOCKET_FUZZ_RUNS"].flatMap(Int.init) ?? 12 }
    /// A hang guard that grows with the work asked for.
    static var minutesAllowed: Int { max(3, iterations / 2_000 + runs / 50 + 1) }
}

/// Hostile command lines: seeded mutants of real ones (dropped, doubled, swapped and garbled
/// arguments, hostile values) never crash `docket`. Each is parsed in process; those that parse
/// are run by the real binary on a temporary log: it exits with a documented code, a refused or
/// failed command says why and appends nothing, and the log still verifies.
///
/// `DOCKET_FUZZ_ITERATIONS` sets how many mutants are parsed (default 120) and
/// `DOCKET_FUZZ_RUNS` how many of those that parse are run (default 12).
@Suite("Reliability: hostile command lines", .requires(.sqlite3), .timeLimit(.minutes(ArgumentFuzzBudget.minutesAllowed)))
struct ReliabilityArgumentFuzzTests {
    static var iterations: Int { ArgumentFuzzBudget.iterations }
    static var runs: Int { ArgumentFuzzBudget.runs }

    /// Real command lines, run from a folder holding (a link to) `Workflows/`, on a log where
    /// `P1` (permit-check) is in review and `Q-1` (expert-review) is in panel review.
    static let corpus: [[String]] = [
        ["validate", "Workflows/permit-check.yaml", "Workflows/calendars/cn-2020.yaml"],
        ["deploy", "Workflows/expert-review.yaml"],
        ["start", "permit-check", "--case", "P2", "--by", "alice", "--as", "applicant", "--data", "channel=online", "--at", "2020-02-09T19:00:00+08:00"],
        ["start", "expert-review", "--by", "clerk-wang", "--as", "clerk", "--on-behalf-of", "applicant-7", "--key", "k1", "--json"],
        ["fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos", "--retry", "3"],
        ["fire", "P1", "reject", "--by", "carol", "--as", "approver", "--reason", "no photos", "--at", "2020-02-10T11:05:00+08:00"],
        ["fire", "Q-1", "issue_certificate", "--by", "approver-chen", "--as", "approver", "--doc", "expert_opinion", "--branch", "b"],
        ["vote", "Q-1", "approve", "--by", "expert-li", "--as", "expert", "--at", "2020-02-10T15:00:00+08:00", "--key", "v1"],
        ["vote", "Q-1", "reject", "--by", "secretary-zhou", "--as", "secretary", "--on-behalf-of", "expert-qian", "--reason", "risk"],
        ["tick", "--now", "2020-02-20T09:00:00+08:00", "--json"],
        ["show", "P1", "--json"],
        ["history", "Q-1"],
        ["cases", "--workflow", "expert-review", "--state", "panel_review", "--open", "--overdue", "--now", "2020-03-01T00:00:00Z"],
        ["graph", "expert-review", "--format", "dot"],
        ["verify", "--json"],
        ["simulate", "permit-check", "--cases", "3", "--seed", "9", "--prefix", "sim-", "--batch-size", "2"],
    ]

    static let tokens: [String] = [
        "--as", "--by", "--key", "--retry", "--at", "--doc", "--on-behalf-of", "--json", "--branch", "--reason", "--case",
        "--version", "--data", "--cases", "--batch-size", "--seed", "--format", "--now", "--db", "--", "-", "-h", "--help",
        "", " ", "0", "-1", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "nan", "inf", "1e400",
        "2020-02-30T25:61:00+08:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2020-02-10", "P1", "Q-1", "X", "approve",
        "reject", "accept", "vote", "clerk", "expert", "secretary", "applicant", "system", "=", "a=b", "=b", "a=", "审批",
        "🙂", "\u{202E}", "'; DROP TABLE events; --", "%s%n%x", "\\", "\"", String(repeating: "x", count: 10_000),
    ]

    /// A mutant of `arguments`: one to three mutations.
    static func mutate(_ arguments: [String], random: inout SeededGenerator) -> [String] {
        var args = arguments
        for _ in 0...Int.random(in: 0...2, using: &random) {
            let i = args.isEmpty ? 0 : Int.random(in: 0..<args.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !args.isEmpty: args.remove(at: i)
            case 1 where !args.isEmpty: args.insert(args[i], at: i)
            case 2 where !args.isEmpty: args.swapAt(i, Int.random(in: 0..<args.count, using: &random))
            case 3 where !args.isEmpty: args[i] = tokens.randomElement(using: &random)!
            case 4 where !args.isEmpty && !args[i].isEmpty && !args[i].contains("/"):
                // Garble a value: flip a bit, cut it short, or double it.
                var bytes = Array(args[i].utf8)
                let j = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[j] ^= UInt8(1 << Int.random(in: 0..<7, using: &random))
                case 1: bytes.removeLast(bytes.count - j)
                default: bytes += bytes
                }
                args[i] = String(decoding: bytes, as: UTF8.self)
            default: args.insert(tokens.randomElement(using: &random)!, at: Int.random(in: 0...args.count, using: &random))
            }
        }
        // A process argument cannot hold a NUL byte; nothing may name a path outside the folder.
        return args.map { $0.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "/", with: $0.hasPrefix("Workflows/") ? "/" : "_") }
    }

    /// Whether running `command` is bounded: the demo and large simulations are left to their own tests.
    static func isBounded(_ command: any ParsableCommand, _ arguments: [String]) -> Bool {
        if command is Demo { return false }
        if let simulate = command as? Simulate { return simulate.cases <= 20 && simulate.batchSize > 0 }
        return !arguments.contains { $0 == ".." || $0.hasPrefix("..") }
    }

    @Test func mutatedCommandLinesNeverCrashAndRefusalsAppendNothing() throws {
        let bench = try DocketBench.panelInSession.get().copy()
        try FileManager.default.createSymbolicLink(atPath: bench.directory.appendingPathComponent("Workflows").path, withDestinationPath: DocketBench.workflows)
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", "2020-02-09T19:00:00+08:00")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--at", "2020-02-10T09:30:00+08:00")

        var random = SeededGenerator(seed: SeededGenerator.seed &+ 2)
        // Command lines the parser accepted or refused; runs that succeeded or were refused.
        var parsing = FuzzOutcomes(), running = FuzzOutcomes()

        for iteration in 0..<Self.iterations {
            let arguments = Self.mutate(Self.corpus.randomElement(using: &random)!, random: &random)
            let context = "iteration \(iteration): docket \(arguments.map { "'\($0.prefix(60))'" }.joined(separator: " "))"
            if let trace = ProcessInfo.processInfo.environment["DOCKET_FUZZ_TRACE"] {
                try? (arguments.joined(separator: "\u{1F}")).write(toFile: trace, atomically: false, encoding: .utf8)
            }
            let command: any ParsableCommand
            do {
                command = try Docket.parseAsRoot(arguments)
            } catch {
                // A usage error: a message, and a non-zero exit code unless it asked for help.
                #expect(!Docket.fullMessage(for: error).isEmpty, "\(context)")
                parsing.refused += 1
                continue
            }
            parsing.accepted += 1
            guard running.total < Self.runs, Self.isBounded(command, arguments) else { continue }
            let before = try bench.eventCount()
            let result = try bench.docket(arguments)
            #expect(result.exited, "\(context): killed by a signal: \(result.stderr)")
            #expect([0, 1, 3, 4, 64].contains(result.status), "\(context): exit \(result.status): \(result.stderr)")
            running.record(accepted: result.status == 0)
            if result.status != 0 {
                #expect(result.stderr.lowercased().hasPrefix("error: "), "\(context): \(result.stderr)")
                #expect(try bench.eventCount() == before, "\(context): exit \(result.status) appended events")
            }
        }
        let verify = try bench.docket("verify")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // The mutants must exercise the parser's refusals and acceptances, and runs that succeed
        // and runs that are refused: each at least a tenth of its kind.
        parsing.expectBoth(atLeast: 0.1, "command lines")
        #expect(running.total == min(Self.runs, parsing.accepted), "runs: \(running)")
        running.expectBoth(atLeast: 0.1, "runs")
        print("hostile command lines: \(parsing.total) parsed in process (\(parsing.accepted) accepted), \(running.total) run, \(running.accepted) succeeded, crashes 0")
    }

    @Test func helpIsPrintedAndExitsZero() throws {
        let bench = DocketBench()
        for arguments in [["--help"], ["help"], ["help", "fire"], ["fire", "--help"]] {
            let result = try bench.docket(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.hasPrefix("OVERVIEW: "), "\(arguments): \(result.stdout.prefix(200))")
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }
}
