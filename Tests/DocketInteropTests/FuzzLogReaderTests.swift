import DocketTestSupport
import Foundation
import Testing
@testable import DocketInterop

/// How much log fuzzing a run does.
enum LogFuzzBudget {
    static var iterations: Int { ProcessInfo.processInfo.environment["DOCKET_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 60 }
    /// A hang guard that grows with the iterations asked for.
    static var minutesAllowed: Int { max(3, iterations / 1_000 + 1) }
}

/// Mutated event logs, from the real files of `../shared/data/logs` (the textbook XES log, the
/// head of the sepsis CSV, a gzip-compressed XES log), never crash or hang the readers: each is
/// read to the end or refused with a ``LogReadError`` that names the file and says what is wrong.
///
/// Each test counts the mutants read and refused, and expects enough of each (a mutator that
/// drifts so that every mutant lands on one side tests only that side).
///
/// `DOCKET_FUZZ_ITERATIONS` sets the mutants per format (default 60), `DOCKET_FUZZ_SEED` the seed.
@Suite("Fuzzing: XES and CSV logs", .requires(.sharedData), .timeLimit(.minutes(LogFuzzBudget.minutesAllowed)))
struct FuzzLogReaderTests {
    static var logs: URL { SharedData.logs }
    static var iterations: Int { LogFuzzBudget.iterations }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["DOCKET_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x0D0C_4E7F_2020 }
    static let maximumBytes = 64 * 1024

    static let tokens: [String] = [
        "<", ">", "/>", "</trace>", "<trace>", "</event>", "<event>", "</log>", "<log>", "<string key=\"concept:name\" value=\"",
        "<date key=\"time:timestamp\" value=\"2020-13-45T99:99:99\"/>", "<date key=\"time:timestamp\" value=\"\"/>",
        "<string key=\"lifecycle:transition\" value=\"start\"/>", "<int key=\"x\" value=\"99999999999999999999\"/>",
        "&amp;", "&#0;", "&#x110000;", "&#xD800;", "&unknown;", "&", "<!DOCTYPE log [<!ENTITY a \"aaaa\">]>", "<![CDATA[", "]]>",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "<!-- ", " -->", "\"", "'", ";", ",", "\n", "\r", "\r\n", "\u{FEFF}", "\u{0}",
        "NA", "", "2020-02-10T09:30:00+08:00", "2020-02-10 09:30:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        String(repeating: "x", count: 4_000), String(repeating: "<a>", count: 2_000),
    ]

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// One to four mutations of a text log: bit flips, truncation, duplicated, dropped or swapped
    /// lines, inserted tokens.
    static func mutate(text bytes: [UInt8], _ g: inout Generator) -> [UInt8] {
        var bytes = bytes
        for _ in 0...g.below(4) {
            guard !bytes.isEmpty else { return Array(g.pick(tokens).utf8) }
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            switch g.below(7) {
            case 0: bytes[g.below(bytes.count)] ^= UInt8(1 << g.below(8))
            case 1: bytes.removeLast(bytes.count - g.below(bytes.count))
            case 2:
                let i = g.below(lines.count)
                lines.insert(lines[i], at: i)
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            case 3:
                lines.remove(at: g.below(lines.count))
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            case 4:
                lines.swapAt(g.below(lines.count), g.below(lines.count))
                bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
            default: bytes.insert(contentsOf: Array(g.pick(tokens).utf8), at: g.below(bytes.count + 1))
            }
            if bytes.count > maximumBytes { bytes.removeLast(bytes.count - maximumBytes) }
        }
        return bytes
    }

    /// A flipped, zeroed or cut byte of compressed data.
    static func mutate(binary bytes: [UInt8], _ g: inout Generator) -> [UInt8] {
        var bytes = bytes
        for _ in 0...g.below(3) {
            switch g.below(3) {
            case 0: bytes[g.below(bytes.count)] ^= UInt8(1 << g.below(8))
            case 1: bytes[g.below(bytes.count)] = 0
            default: bytes.removeLast(bytes.count - max(1, g.below(bytes.count)))
            }
        }
        return bytes
    }

    /// Where the mutants are written, one at a time; removed with the test suite.
    let directory = TemporaryDirectory("fuzz-logs")

    /// Reads `bytes` as a log file; returns the number of events, or nil when the reader refused it
    /// (recording an issue unless it refused it with a clear ``LogReadError``).
    func read(_ bytes: [UInt8], name: String, context: @autoclosure () -> String) throws -> Int? {
        let file = directory.url.appendingPathComponent(UUID().uuidString + "-" + name)
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            var events = 0
            try EventLogFile(path: file.path, displayName: name).forEachBatch { events += $0.count }
            return events
        } catch let error as LogReadError {
            #expect(error.file == name, "\(context())")
            #expect(!error.message.trimmingCharacters(in: .whitespaces).isEmpty, "\(context())")
            #expect(error.description.hasPrefix(name), "\(context()): \(error)")
            return nil
        } catch {
            Issue.record("\(context()): not a LogReadError: \(type(of: error)): \(error); mutant kept at \(Self.keep(bytes, name))")
            return nil
        }
    }

    static func keep(_ bytes: [UInt8], _ name: String) -> String {
        FuzzFailures.keep(bytes, as: UUID().uuidString.prefix(8) + "-" + name)
    }

    /// The first `count` lines of a corpus file.
    static func head(_ name: String, lines count: Int) throws -> [UInt8] {
        let data = try Data(contentsOf: logs.appendingPathComponent(name))
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(count)
        return Array(lines.joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")]
    }

    @Test func mutatedXESLogsAreReadOrRefusedClearly() throws {
        let seed = try Array(Data(contentsOf: Self.logs.appendingPathComponent("running-example.xes")))
        #expect(try read(seed, name: "running-example.xes", context: "the seed") == 42)
        var g = Generator(state: Self.seed)
        var outcomes = FuzzOutcomes()
        for iteration in 0..<Self.iterations {
            let mutant = Self.mutate(text: seed, &g)
            let events = try read(mutant, name: "fuzzed.xes", context: "XES iteration \(iteration) (seed \(Self.seed)), kept at \(Self.keep(mutant, "fuzzed.xes"))")
            outcomes.record(accepted: events != nil)
        }
        // Most XES mutants break the XML (about one in ten is still read): at least 5% read.
        outcomes.expectAccepted(atLeast: 0.05, "XES mutants")
        outcomes.expectRefused(atLeast: 0.1, "XES mutants")
        print("fuzzed XES logs: \(outcomes)")
    }

    @Test func mutatedCSVLogsAreReadOrRefusedClearly() throws {
        let seed = try Self.head("sepsis.csv", lines: 100)
        #expect(try read(seed, name: "sepsis-head.csv", context: "the seed") == 99)
        var g = Generator(state: Self.seed &+ 1)
        var outcomes = FuzzOutcomes()
        for iteration in 0..<Self.iterations {
            let mutant = Self.mutate(text: seed, &g)
            let events = try read(mutant, name: "fuzzed.csv", context: "CSV iteration \(iteration) (seed \(Self.seed &+ 1)), kept at \(Self.keep(mutant, "fuzzed.csv"))")
            outcomes.record(accepted: events != nil)
        }
        outcomes.expectBoth(atLeast: 0.1, "CSV mutants")
        print("fuzzed CSV logs: \(outcomes)")
    }

    /// Damaged compressed data is refused: a mutant may still be read when only a header field the
    /// format does not check (the modification time, the OS byte) was hit, but most must be refused.
    @Test func damagedCompressedLogsAreRefusedClearly() throws {
        let seed = try Array(Data(contentsOf: Self.logs.appendingPathComponent("receipt.xes.gz")))
        #expect(try read(seed, name: "receipt.xes.gz", context: "the seed") == 8_577)
        var g = Generator(state: Self.seed &+ 2)
        var outcomes = FuzzOutcomes()
        // Each mutant is inflated to the end (or to the damage): fewer of them, the file is 200 KB.
        for iteration in 0..<max(10, Self.iterations / 30) {
            let mutant = Self.mutate(binary: seed, &g)
            let events = try read(mutant, name: "fuzzed.xes.gz", context: "gzip iteration \(iteration) (seed \(Self.seed &+ 2)), kept at \(Self.keep(mutant, "fuzzed.xes.gz"))")
            outcomes.record(accepted: events != nil)
        }
        outcomes.expectRefused(atLeast: 0.8, "damaged gzip files")
        print("damaged gzip logs: \(outcomes)")
    }
}
