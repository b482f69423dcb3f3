// DocketBenchmarks: the in-process half of `Benchmarks/run`. Each subcommand times one path of
// Docket's own code and prints one JSON line; the script runs the raw baselines
// (Benchmarks/raw_sqlite.c, sqlite3) on the same data and puts both in one table.
//
//   DocketBenchmarks bulk-append SRC DST [--batch-cases N]
//       Reads SRC's events (a `docket simulate` log; not timed), then appends them to a new
//       store at DST with `append(batch:)`, N cases per transaction (default 1000), as
//       `simulate` and import do. Timed: the appends only.
//   DocketBenchmarks durable DB --workflows DIR --count N [--spare M]
//       Deploys DIR into a new store at DB, opens N + M permit-check cases in one batch (not
//       timed), then fires `accept` on the first N through CaseService, one durable
//       transaction each (synchronous=FULL). The M spare cases are left in `submitted` for the
//       whole-process `docket fire` loop of the script.
//   DocketBenchmarks scan DB
//       Reads the whole log with the store's scan(after:), decoding every event: the store's
//       share of any replay.
//   DocketBenchmarks replay DB
//       Scans the whole log with the store's scan(after:) and folds every event into its
//       case's CaseState with Engine.evolve: what any projection rebuild at least does.
//   DocketBenchmarks validation [--states 100,1000,10000] [--repeat R]
//       For each size N, generates a workflow of N states (Tests/DocketSynthetic: a chain with
//       send-backs, votes, parallel branches) and times DefinitionLoader.load (parse and
//       validate, what `docket validate` and `deploy` do; median of R) and the parse alone
//       (DefinitionLoader.load(deployed:), what a command pays), then deploys it into an
//       in-memory store, opens a case (not timed), and times one CaseService.fire with a fresh
//       catalog, as a new `docket fire` process has (loading the deployed text included), and
//       one more on the warm catalog. One JSON line per size.
//   DocketBenchmarks synthetic N
//       Prints the generated workflow of N states (for `docket validate`, `deploy`, `fire`).
//
// DST of bulk-append, DB of durable and DB of scan and replay may be a postgres:// URL (of an empty
// database for bulk-append and durable): the same code on the PostgreSQL store.
//
// Not part of `swift test`.

import DocketCore
import DocketPostgres
import DocketService
import DocketStore
import DocketSynthetic
import Foundation

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

/// Wall-clock and CPU time of `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double, cpuSeconds: Double) {
    let cpuStart = cpuTime()
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (result, seconds, cpuTime() - cpuStart)
}

func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Peak resident set size of this process so far, in bytes.
func peakRSS() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

/// The store at `place`: a new SQLite file (any old one removed), or a PostgreSQL database.
func openStore(_ place: String, readOnly: Bool = false) throws -> any EventStore {
    if PostgresLocation.isPostgresURL(place) {
        return try PostgresEventStore(url: place, options: .init(readOnly: readOnly))
    }
    if !readOnly { removeDatabase(place) }
    return try SQLiteEventStore(path: place, options: .init(readOnly: readOnly))
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

func report(_ fields: [(String, Any)]) {
    let parts = fields.map { key, value -> String in
        switch value {
        case let d as Double: "\"\(key)\":\(String(format: "%.6f", d))"
        case let s as String: "\"\(key)\":\"\(s)\""
        default: "\"\(key)\":\(value)"
        }
    }
    print("{" + parts.joined(separator: ",") + "}")
}

func option(_ name: String, in arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    let value = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
    return value
}

// MARK: - bulk-append

func bulkAppend(_ arguments: [String]) throws {
    var arguments = arguments
    let batchCases = Int(option("--batch-cases", in: &arguments) ?? "1000") ?? 1000
    guard arguments.count == 2 else { throw BenchmarkFailure(description: "usage: bulk-append SRC DST [--batch-cases N]") }
    let source = try SQLiteEventStore(path: arguments[0], options: .init(readOnly: true))
    // A case's events are contiguous in a simulated log; group them back into one append each.
    var appends: [CaseAppend] = []
    var events = 0
    try source.scan(after: 0, batchSize: 10_000) { recorded in
        events += 1
        if let last = appends.last, last.caseID == recorded.caseID {
            appends[appends.count - 1].events.append(recorded.event)
        } else {
            appends.append(CaseAppend(caseID: recorded.caseID, expectedVersion: recorded.version - 1, events: [recorded.event]))
        }
    }
    let target = try openStore(arguments[1])
    let timed = try measure {
        var start = 0
        while start < appends.count {
            let end = min(start + batchCases, appends.count)
            try target.append(batch: Array(appends[start..<end]))
            start = end
        }
    }
    report([("events", events), ("cases", appends.count), ("seconds", timed.seconds), ("cpu_seconds", timed.cpuSeconds),
            ("events_per_s", Double(events) / timed.seconds)])
}

// MARK: - durable

func durable(_ arguments: [String]) throws {
    var arguments = arguments
    let spare = Int(option("--spare", in: &arguments) ?? "0") ?? 0
    guard let workflows = option("--workflows", in: &arguments),
          let count = option("--count", in: &arguments).flatMap({ Int($0) }), arguments.count == 1
    else { throw BenchmarkFailure(description: "usage: durable DB --workflows DIR --count N [--spare M]") }
    let store = try openStore(arguments[0])
    let catalog = WorkflowCatalog(store: store)
    _ = try Deployer(catalog: catalog).deploy(try ArtifactFile.expand([workflows]).map { try ArtifactFile(path: $0) })
    let context = try catalog.context(for: try catalog.definition("permit-check"))
    let openedAt = Timestamp.parse(iso8601: "2020-02-03T09:00:00+08:00")!
    let caseIDs = (1...(count + spare)).map { String(format: "D-%07d", $0) }
    let opens = try caseIDs.map { id in
        CaseAppend(caseID: id, expectedVersion: 0, events: try Engine.decide(nil, .open(OpenCase(
            caseID: id, actor: "applicant-\(id)", role: "applicant", data: ["channel": "online"], at: openedAt)), context))
    }
    try store.append(batch: opens)

    let service = CaseService(catalog: catalog)
    let firedAt = openedAt.adding(seconds: 3_600)
    let timed = try measure {
        for id in caseIDs.prefix(count) {
            _ = try service.fire(caseID: id, event: "accept", actor: "clerk-01", role: "clerk", at: firedAt)
        }
    }
    report([("commands", count), ("seconds", timed.seconds), ("cpu_seconds", timed.cpuSeconds),
            ("commands_per_s", Double(count) / timed.seconds), ("preloaded_events", caseIDs.count),
            ("spare_first", caseIDs.count > count ? caseIDs[count] : "")])
}

// MARK: - scan

func scan(_ arguments: [String]) throws {
    guard arguments.count == 1 else { throw BenchmarkFailure(description: "usage: scan DB") }
    let store = try openStore(arguments[0], readOnly: true)
    let timed = try measure {
        var events = 0
        var checksum = 0
        try store.scan(after: 0, batchSize: 10_000) { recorded in
            events += 1
            checksum &+= recorded.version &+ (recorded.event.payload.documents?.count ?? 0)
        }
        return (events, checksum)
    }
    report([("events", timed.result.0), ("seconds", timed.seconds), ("cpu_seconds", timed.cpuSeconds),
            ("events_per_s", Double(timed.result.0) / timed.seconds), ("peak_rss_bytes", peakRSS())])
}

// MARK: - replay

func replay(_ arguments: [String]) throws {
    guard arguments.count == 1 else { throw BenchmarkFailure(description: "usage: replay DB") }
    let store = try openStore(arguments[0], readOnly: true)
    let timed = try measure {
        var states: [String: CaseState] = [:]
        var events = 0
        try store.scan(after: 0, batchSize: 10_000) { recorded in
            events += 1
            // In place: the dictionary lends its value to the fold, nothing is copied.
            Engine.evolve(&states[recorded.caseID], recorded.event)
        }
        return (events, states.count, states.values.reduce(0) { $0 + ($1.isClosed ? 0 : 1) })
    }
    let (events, cases, open) = timed.result
    report([("events", events), ("cases", cases), ("open_cases", open), ("seconds", timed.seconds),
            ("cpu_seconds", timed.cpuSeconds), ("events_per_s", Double(events) / timed.seconds), ("peak_rss_bytes", peakRSS())])
}

// MARK: - validation

func validation(_ arguments: [String]) throws {
    var arguments = arguments
    let sizes = (option("--states", in: &arguments) ?? "100,1000,10000").split(separator: ",").compactMap { Int($0) }
    let repeats = max(1, Int(option("--repeat", in: &arguments) ?? "3") ?? 3)
    guard arguments.isEmpty, !sizes.isEmpty else { throw BenchmarkFailure(description: "usage: validation [--states 100,1000,10000] [--repeat R]") }
    for size in sizes {
        let text = SyntheticWorkflow.yaml(states: size)
        var seconds: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<repeats {
            let timed = measure { DefinitionLoader.load(text: text, file: "synthetic.yaml") }
            if case let .failure(problems) = timed.result { throw BenchmarkFailure(description: "the generated workflow does not load: \(problems)") }
            seconds.append(timed.seconds)
            cpu.append(timed.cpuSeconds)
        }
        // What a command pays for the deployed text: the parse without the whole-definition checks.
        let parse = measure { DefinitionLoader.load(deployed: text, file: "synthetic.yaml") }
        let store = InMemoryEventStore()
        _ = try Deployer(catalog: WorkflowCatalog(store: store)).deploy([ArtifactFile(path: "synthetic.yaml", text: text)])
        let at = Timestamp.parse(iso8601: "2020-02-03T09:00:00+08:00")!
        try CaseService(catalog: WorkflowCatalog(store: store)).open(workflowID: "synthetic", caseID: "V-1", actor: "ann", role: "applicant", at: at)
        // A fresh catalog: what one `docket fire` process does, the deployed text loaded included.
        let service = CaseService(catalog: WorkflowCatalog(store: store))
        let cold = try measure {
            try service.fire(caseID: "V-1", event: "advance", actor: "clerk-01", role: "clerk", at: at.adding(seconds: 60))
        }
        let warm = try measure {
            try service.fire(caseID: "V-1", event: "advance", actor: "clerk-01", role: "clerk", at: at.adding(seconds: 120))
        }
        let loaded = try service.load("V-1")
        guard loaded.state.current.state == SyntheticWorkflow.state(2) else {
            throw BenchmarkFailure(description: "the case is in \(loaded.state.current.state), not \(SyntheticWorkflow.state(2))")
        }
        report([("states", size), ("bytes", text.utf8.count), ("validate_seconds", seconds.sorted()[seconds.count / 2]),
                ("validate_cpu_seconds", cpu.sorted()[cpu.count / 2]), ("parse_seconds", parse.seconds), ("fire_seconds", cold.seconds),
                ("fire_warm_seconds", warm.seconds)])
    }
}

// MARK: - main

var arguments = Array(CommandLine.arguments.dropFirst())
let subcommand = arguments.isEmpty ? "" : arguments.removeFirst()
do {
    switch subcommand {
    case "bulk-append": try bulkAppend(arguments)
    case "durable": try durable(arguments)
    case "replay": try replay(arguments)
    case "scan": try scan(arguments)
    case "validation": try validation(arguments)
    case "synthetic":
        guard arguments.count == 1, let size = Int(arguments[0]), size >= 2 else { throw BenchmarkFailure(description: "usage: synthetic N (N >= 2)") }
        print(SyntheticWorkflow.yaml(states: size), terminator: "")
    default:
        throw BenchmarkFailure(description: "usage: DocketBenchmarks (bulk-append | durable | replay | scan | validation | synthetic) ... (see Benchmarks/DocketBenchmarks/main.swift)")
    }
} catch {
    FileHandle.standardError.write(Data("DocketBenchmarks: \(error)\n".utf8))
    exit(1)
}
