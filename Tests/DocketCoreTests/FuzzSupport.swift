import DocketTestSupport
import Foundation

/// A seeded, bounded mutator for hostile-input tests: the same seed gives the same mutants, so a
/// failure is reproduced by its seed and iteration, which every failing expectation prints.
///
/// The number of mutants per test comes from `DOCKET_FUZZ_ITERATIONS` (default ``defaultIterations``,
/// a bound that keeps `swift test` fast); `Scripts/reliability` raises it for long runs, and
/// `DOCKET_FUZZ_SEED` replays another seed.
struct Mutator {
    /// Mutants per test in a plain `swift test`.
    static let defaultIterations = 300
    /// No mutant grows beyond this many bytes: hostile input is bounded, so the tests are too.
    static let maximumBytes = 64 * 1024

    static var iterations: Int {
        ProcessInfo.processInfo.environment["DOCKET_FUZZ_ITERATIONS"].flatMap(Int.init) ?? defaultIterations
    }

    /// The time limit of a fuzz suite: a hang guard that grows with the iterations asked for.
    static var minutesAllowed: Int { max(2, iterations / 2_000 + 1) }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DOCKET_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x0D0C_4E7F_2020
    }

    /// Fragments of YAML syntax and values a hostile or careless author might write.
    static let tokens: [String] = [
        ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "&a ", "*a", "*undefined", "!!binary ", "!!int ", "!custom ",
        "? ", "|", ">-", "---\n", "...\n", "%YAML 1.2\n", "\t", "# ", "'", "\"", "\\", "<<: *a", "~", "null",
        "true", "no", "0", "-1", "1e999", "-9223372036854775809", "9223372036854775807", "0x7fffffffffffffff",
        "2020-02-30", "2020-13-01", "0000-00-00", "24:00", "99:99-00:00", "17:00-09:00", "09:00-17:00, 09:30-10:00",
        "P1D", "999999999 working days", "-3 working days", "0 working days", "1 fortnight", "7h", "99999999h",
        "Mars/Olympus_Mons", "Asia/Shanghai", "\u{0}", "\u{FEFF}", "\u{202E}", "é", "审批", "🙂", "\r", "\n", "  ",
        "initial: true", "final: true", "outcome: approved", "roles: []", "roles: [nobody]", "requires: [x]",
        "vote: { role: expert, seats: 0, approve_at: 9 }", "seats: -5", "approve_at: 99999999999",
        "from: [a, b, c]", "to: nowhere", "event: ''", "calendar: cn-2020", "base: weekdays", "base_version: 99",
        "within: 1 working days", "on_breach: escalate", "stops_clock: true", "sends_back: true",
        "assisted_handling: { clerk: [applicant] }", "statutory_limit: { within: 5 working days, starts_on: x }",
        "&anchor [1, 2, 3]", "*anchor", "[[[[[[[[[[[[[[[[", "{{{{{{{{{{{{{{{{", "]]]]]]]]", "}}}}}}}}",
    ]

    /// Saves a mutant that broke an expectation, so it can be replayed with `docket validate`;
    /// returns where it is. Called only from failing expectations' messages.
    static func keep(_ text: String, as name: String) -> String {
        "mutant kept at \(FuzzFailures.keep(Array(text.utf8), as: name))"
    }

    private var state: UInt64

    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    /// xorshift64*: small, fast, and the same on every platform.
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A number in `0..<bound` (`bound` > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// `text` with one to four mutations applied: byte flips, truncation, duplicated or dropped
    /// lines, inserted tokens, swapped lines; never longer than ``maximumBytes``.
    mutating func mutate(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for _ in 0...below(4) {
            bytes = mutateOnce(bytes)
            if bytes.count > Self.maximumBytes { bytes.removeLast(bytes.count - Self.maximumBytes) }
        }
        // Invalid UTF-8 is replaced, as `String(contentsOf:)` would refuse it before the loader.
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func mutateOnce(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return Array(pick(Self.tokens).utf8) }
        switch below(9) {
        case 0:  // flip one bit
            let i = below(bytes.count)
            bytes[i] ^= UInt8(1 << below(8))
        case 1:  // replace a byte with an ASCII punctuation or control byte
            bytes[below(bytes.count)] = pick(Array(":-{}[],&*!|>#'\"\t\n\r \0".utf8))
        case 2:  // truncate
            bytes.removeLast(bytes.count - below(bytes.count))
        case 3:  // duplicate a line (or a run of lines)
            var lines = split(bytes)
            let i = below(lines.count)
            let n = 1 + below(min(4, lines.count - i))
            lines.insert(contentsOf: lines[i..<(i + n)], at: i + n)
            bytes = join(lines)
        case 4:  // drop a line
            var lines = split(bytes)
            lines.remove(at: below(lines.count))
            bytes = join(lines)
        case 5:  // swap two lines
            var lines = split(bytes)
            lines.swapAt(below(lines.count), below(lines.count))
            bytes = join(lines)
        case 6:  // insert a token at a random byte
            bytes.insert(contentsOf: Array(pick(Self.tokens).utf8), at: below(bytes.count + 1))
        case 7:  // replace a line's value (after its first ": ") with a token
            var lines = split(bytes)
            let i = below(lines.count)
            let line = lines[i]
            if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                lines[i] = Array(line[...colon]) + Array(" \(pick(Self.tokens))".utf8)
            } else {
                lines[i] = Array(pick(Self.tokens).utf8)
            }
            bytes = join(lines)
        default:  // re-indent a line
            var lines = split(bytes)
            let i = below(lines.count)
            let indent = lines[i].prefix { $0 == UInt8(ascii: " ") }.count
            lines[i] = Array(repeating: UInt8(ascii: " "), count: below(9)) + lines[i].dropFirst(indent)
            bytes = join(lines)
        }
        return bytes
    }

    private func split(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    private func join(_ lines: [[UInt8]]) -> [UInt8] {
        Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }
}

/// How many lines a YAML reader sees in `text`: CR LF, a lone CR, LF, NEL, LS and PS each end
/// one (YAML 1.1 line breaks), so diagnostics may point that far.
func yamlLineCount(_ text: String) -> Int {
    var lines = 1
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": if previous != "\r" { lines += 1 }
        case "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
        default: break
        }
        previous = scalar
    }
    return lines
}

/// The real files of `Workflows/` (definitions) and `Workflows/calendars/`: the fuzzing corpus.
enum FuzzCorpus {
    static var definitions: [(name: String, text: String)] { Repository.yamlFiles(in: Repository.workflows) }
    static var calendars: [(name: String, text: String)] { Repository.yamlFiles(in: Repository.calendars) }
}
