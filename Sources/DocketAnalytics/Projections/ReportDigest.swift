/// What a report gathers from one cohort's finished facts (its decided cases, stays, transitions
/// and breaches), on one clock, kept as bytes so that the next report merges it instead of
/// reading the facts again.
///
/// A cohort is the cases of one workflow version opened on one day. A report of whole workflows
/// reads each cohort's digest, builds the digests of cohorts whose facts changed since, and adds
/// the open cases, which are measured to the report's moment and so are never digested. A digest
/// keeps every duration (sorted, as differences of a few bytes each), so percentiles stay exact,
/// and how many cases each group of breaches hit (each case's first breach of the group counts
/// it, ``BreachFact/firstInCase``). It says up to which log position it holds the facts
/// (``position``): the facts after it are added to it as they come, by position, since new facts
/// only ever come at later positions (a correction's refold, which replaces earlier ones, drops
/// the digest instead).
///
/// Merging digests gives the report that adding their facts one by one gives (the order facts
/// come in changes no figure: sums are integers, percentiles sort).
package struct ReportDigest: Sendable {
    /// The clock its durations are on (``ReportScope/measure``).
    package let measure: TimeMeasure
    /// It holds the cohort's facts at log positions up to this one, and none after.
    package let position: Int64
    let section: Section

    init(measure: TimeMeasure, position: Int64, section: Section) {
        precondition(section.open.isEmpty, "open cases are measured to a report's moment: never digested")
        self.measure = measure
        self.position = position
        self.section = section
    }

    /// Why bytes are not a digest.
    package struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The format's version, the first byte: a digest of another version is not read.
    static let formatVersion: UInt8 = 1

    /// The digest's bytes.
    package var bytes: [UInt8] {
        var out = DigestWriter()
        out.byte(Self.formatVersion)
        out.byte(UInt8(TimeMeasure.allCases.firstIndex(of: measure)!))
        out.signed(position)
        section.write(to: &out)
        return out.bytes
    }

    /// The digest `bytes` hold.
    ///
    /// - Throws: ``DecodingError`` when they are not a digest of this format.
    package init(bytes: [UInt8]) throws {
        var input = DigestReader(bytes)
        let version = try input.byte()
        guard version == Self.formatVersion else {
            throw DecodingError(description: "a report digest of format \(version), not \(Self.formatVersion)")
        }
        let measure = Int(try input.byte())
        guard measure < TimeMeasure.allCases.count else { throw DecodingError(description: "a report digest on no known clock") }
        self.measure = TimeMeasure.allCases[measure]
        position = try input.signed()
        section = try Section(from: &input)
        guard input.atEnd else { throw DecodingError(description: "a report digest with bytes after its end") }
    }
}

extension ReportBuilder {
    /// The digest of what was added for `workflow` (empty when nothing was), which holds the facts
    /// up to log position `position`. For a builder fed one cohort's finished facts (and digests):
    /// it must not have been given open cases.
    package func digest(of workflow: WorkflowKey, upTo position: Int64) -> ReportDigest {
        ReportDigest(measure: scope.measure, position: position, section: section(of: workflow) ?? Section())
    }

    /// Adds the facts `digest` summarises, of cases of `workflow`, as if added one by one.
    ///
    /// - Throws: ``ReportDigest/DecodingError`` when the digest is on another clock than the scope's.
    package mutating func add(_ digest: ReportDigest, of workflow: WorkflowKey) throws {
        guard digest.measure == scope.measure else {
            throw ReportDigest.DecodingError(description: "a report digest on the \(digest.measure) clock, for a report on \(scope.measure)")
        }
        // A digest of no fact (a department with no stay in the cohort) adds no section, as no
        // fact would.
        guard !digest.section.holdsNoFact else { return }
        merge(digest.section, into: workflow)
    }
}

// MARK: - Encoding

/// Writes unsigned integers as LEB128 varints, signed ones zigzagged first, strings as their
/// length and UTF-8 bytes.
struct DigestWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int) { signed(Int64(value)) }

    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func string(_ value: String) {
        let utf8 = value.utf8
        unsigned(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// 0 for `nil`, else 1 and the string.
    mutating func string(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }

    /// Durations in ascending order: the first, then each one's difference from the one before
    /// (a few bytes each for the durations of one state).
    mutating func durations(_ values: [Int64]) {
        unsigned(UInt64(values.count))
        guard !values.isEmpty else { return }
        let sorted = MicrosecondSort.sorted(values)
        signed(sorted[0])
        for i in sorted.indices.dropFirst() { unsigned(UInt64(bitPattern: sorted[i] &- sorted[i - 1])) }
    }

    mutating func sum(_ value: MicrosecondSum) {
        let (exact, inexact) = value.parts
        if let inexact {
            byte(1)
            unsigned(inexact.bitPattern)
        } else {
            byte(0)
        }
        signed(exact)
    }

    mutating func count<C: Collection>(_ collection: C) { unsigned(UInt64(collection.count)) }
}

/// Reads what ``DigestWriter`` wrote; any shortfall or impossible value is a ``ReportDigest/DecodingError``.
struct DigestReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset == bytes.count }

    private func truncated() -> ReportDigest.DecodingError { ReportDigest.DecodingError(description: "a report digest cut short") }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw truncated() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func unsigned() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw truncated() }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signed() throws -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func int() throws -> Int {
        let value = try signed()
        guard let result = Int(exactly: value) else { throw truncated() }
        return result
    }

    /// A count of things that each take at least one byte, so no larger than the bytes left.
    mutating func count() throws -> Int {
        let value = try unsigned()
        guard value <= UInt64(bytes.count - offset) else { throw ReportDigest.DecodingError(description: "a report digest with an impossible count") }
        return Int(value)
    }

    mutating func string() throws -> String {
        let length = try count()
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    mutating func optionalString() throws -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        default: throw ReportDigest.DecodingError(description: "a report digest with a malformed name")
        }
    }

    mutating func durations() throws -> [Int64] {
        let count = try count()
        guard count > 0 else { return [] }
        var values = [Int64]()
        values.reserveCapacity(count)
        var value = try signed()
        values.append(value)
        for _ in 1..<count {
            value = value &+ Int64(bitPattern: try unsigned())
            values.append(value)
        }
        return values
    }

    mutating func sum() throws -> MicrosecondSum {
        let flag = try byte()
        guard flag <= 1 else { throw ReportDigest.DecodingError(description: "a report digest with a malformed sum") }
        let inexact = flag == 1 ? Double(bitPattern: try unsigned()) : nil
        return MicrosecondSum(exact: try signed(), inexact: inexact)
    }
}

extension Section {
    /// Every field but the open cases (never digested), in declaration order.
    func write(to out: inout DigestWriter) {
        cases.write(to: &out)
        for values in approval { out.durations(values) }
        for values in decision { out.durations(values) }
        out.count(stays)
        for (key, group) in inKeyOrder(stays, { [$0.state, $0.region, $0.branch] }) {
            out.string(key.state)
            out.string(key.region)
            out.string(key.branch)
            out.durations(group.dwell.values)
            out.sum(group.dwell.waiting)
            out.sum(group.dwell.work)
            out.int(group.dwell.split)
            if let ranked = group.ranked {
                out.byte(1)
                ranked.write(to: &out)
            } else {
                out.byte(0)
            }
        }
        for groups in [departments, roles] {
            out.count(groups)
            for (name, ranked) in inKeyOrder(groups, { [$0] }) {
                out.string(name)
                ranked.write(to: &out)
            }
        }
        out.count(transitions)
        for (key, values) in inKeyOrder(transitions, { [$0.from, $0.to, $0.region, $0.branch] }) {
            out.string(key.from)
            out.string(key.to)
            out.string(key.region)
            out.string(key.branch)
            out.durations(values)
        }
        out.count(rounds)
        for (rounds, cases) in rounds.sorted(by: { $0.key < $1.key }) {
            out.int(rounds)
            out.int(cases)
        }
        out.count(breaches)
        for (key, group) in inKeyOrder(breaches, { [$0.deadline, $0.state, $0.region, $0.branch] }) {
            out.string(key.deadline)
            out.string(key.state)
            out.string(key.region)
            out.string(key.branch)
            out.int(group.count)
            out.int(group.cases)
        }
        out.int(decidedCases)
        out.durations(approvalStatutoryWall)
        out.int(approvedClockNotStarted)
        out.int(stops)
        out.durations(stoppedWall)
        out.durations(stoppedWorking)
        out.count(provisionalCases)
        for caseID in provisionalCases { out.string(caseID) }
        out.count(channels)
        for (channel, accumulator) in inKeyOrder(channels, { [$0] }) {
            out.string(channel)
            accumulator.write(to: &out)
        }
        out.count(weeks)
        for (monday, counts) in weeks.sorted(by: { $0.key < $1.key }) {
            out.int(monday)
            out.int(counts.opened)
            out.int(counts.decided)
            out.int(counts.breaches)
        }
        for day in arrivals {
            for count in day { out.int(count) }
        }
    }

    init(from input: inout DigestReader) throws {
        self.init()
        cases = try CaseAccumulator(from: &input)
        for i in approval.indices { approval[i] = try input.durations() }
        for i in decision.indices { decision[i] = try input.durations() }
        let stayCount = try input.count()
        for _ in 0..<stayCount {
            let key = StayKey(state: try input.string(), region: try input.optionalString(), branch: try input.optionalString())
            var group = StayGroup()
            group.dwell.values = try input.durations()
            group.dwell.waiting = try input.sum()
            group.dwell.work = try input.sum()
            group.dwell.split = try input.int()
            switch try input.byte() {
            case 0: break
            case 1: group.ranked = try Ranked(from: &input)
            default: throw ReportDigest.DecodingError(description: "a report digest with a malformed state")
            }
            stays[key] = group
        }
        let departmentCount = try input.count()
        for _ in 0..<departmentCount {
            let name = try input.optionalString()
            departments[name] = try Ranked(from: &input)
        }
        let roleCount = try input.count()
        for _ in 0..<roleCount {
            let name = try input.optionalString()
            roles[name] = try Ranked(from: &input)
        }
        let transitionCount = try input.count()
        for _ in 0..<transitionCount {
            let key = TransitionKey(from: try input.string(), to: try input.string(), region: try input.optionalString(),
                                    branch: try input.optionalString())
            transitions[key] = try input.durations()
        }
        let roundCount = try input.count()
        for _ in 0..<roundCount {
            let sentBack = try input.int()
            rounds[sentBack] = try input.int()
        }
        let breachCount = try input.count()
        for _ in 0..<breachCount {
            let key = BreachKey(deadline: try input.string(), state: try input.string(), region: try input.optionalString(),
                                branch: try input.optionalString())
            breaches[key] = BreachGroup(count: try input.int(), cases: try input.int())
        }
        decidedCases = try input.int()
        approvalStatutoryWall = try input.durations()
        approvedClockNotStarted = try input.int()
        stops = try input.int()
        stoppedWall = try input.durations()
        stoppedWorking = try input.durations()
        let provisionalCount = try input.count()
        for _ in 0..<provisionalCount { provisionalCases.append(try input.string()) }
        let channelCount = try input.count()
        for _ in 0..<channelCount {
            let channel = try input.optionalString()
            channels[channel] = try CaseAccumulator(from: &input)
        }
        let weekCount = try input.count()
        for _ in 0..<weekCount {
            let monday = try input.int()
            weeks[monday] = WeekCounts(opened: try input.int(), decided: try input.int(), breaches: try input.int())
        }
        for day in arrivals.indices {
            for hour in arrivals[day].indices { arrivals[day][hour] = try input.int() }
        }
    }
}

extension CaseAccumulator {
    func write(to out: inout DigestWriter) {
        out.int(counts.opened)
        out.int(counts.approved)
        out.int(counts.rejected)
        out.count(counts.otherOutcomes)
        for (outcome, cases) in inKeyOrder(counts.otherOutcomes, { [$0] }) {
            out.string(outcome)
            out.int(cases)
        }
        out.int(counts.open)
        out.durations(decision)
    }

    init(from input: inout DigestReader) throws {
        self.init()
        counts.opened = try input.int()
        counts.approved = try input.int()
        counts.rejected = try input.int()
        let outcomeCount = try input.count()
        for _ in 0..<outcomeCount {
            let outcome = try input.string()
            counts.otherOutcomes[outcome] = try input.int()
        }
        counts.open = try input.int()
        decision = try input.durations()
    }
}

extension Ranked {
    func write(to out: inout DigestWriter) {
        out.sum(total)
        out.int(stays)
    }

    init(from input: inout DigestReader) throws {
        self.init()
        total = try input.sum()
        stays = try input.int()
    }
}

/// A dictionary's entries in the order of their keys' names (`nil` first), for writing a digest:
/// the same figures are then the same bytes in every process, where a dictionary's own order
/// follows a hash seed drawn per process.
private func inKeyOrder<Key, Value>(_ entries: [Key: Value], _ names: (Key) -> [String?]) -> [(key: Key, value: Value)] {
    let named: [(names: [String?], entry: (key: Key, value: Value))] = entries.map { (names($0.key), $0) }
    return named.sorted { $0.names.lexicographicallyPrecedes($1.names, by: namePrecedes) }.map(\.entry)
}

/// `nil` before any name, names in byte order (a total order: `String`'s own treats canonically
/// equivalent spellings as equal, and two such keys would then come in either order).
private func namePrecedes(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case let (a?, b?): codePointPrecedes(a, b)
    case (nil, _?): true
    default: false
    }
}
