import DocketAnalytics
import DocketInterop
import DocketTestSupport
import Foundation
import Testing

/// Reads a log with the reader for its format and folds it into pm4py's figures, as `docket analyze` does.
func analyze(_ path: String, options: EventLogFile.ReadOptions = .init(csvColumns: .init(startTimestampCandidates: ["start_timestamp"]))) throws -> ProcessMiningReport {
    let file = try EventLogFile(path: path)
    var figures = ProcessMiningFigures(rowOrder: file.format == .csv ? .sortedByCaseAndTimestamp : .asRead)
    try file.forEachBatch(options: options) { batch in
        for e in batch {
            figures.add(
                caseID: e.caseID, activity: e.activity, timestamp: e.timestamp,
                lifecycle: e.lifecycle, instance: e.instance, startTimestamp: e.startTimestamp)
        }
    }
    return figures.finish()
}

/// The keys of `reference` (recursively) whose value in `ours` differs: numbers by more than a
/// relative 1e-9, strings, booleans and list lengths exactly.
func differences(reference: Any, ours: JSONValue, path: String = "") -> [String] {
    func describe(_ v: Any) -> String { String(describing: v).prefix(120).description }
    switch reference {
    case let object as [String: Any]:
        guard case .object = ours else { return ["\(path): expected an object, found \(String(describing: ours).prefix(120))"] }
        var found: [String] = []
        for (key, value) in object.sorted(by: { $0.key < $1.key }) where key != "log" && key != "timings_s" {
            guard let mine = ours[key] else {
                found.append("\(path)/\(key): missing")
                continue
            }
            found += differences(reference: value, ours: mine, path: "\(path)/\(key)")
        }
        return found
    case let array as [Any]:
        guard case .array(let items) = ours else { return ["\(path): expected a list, found \(String(describing: ours).prefix(120))"] }
        guard items.count == array.count else { return ["\(path): \(array.count) items expected, \(items.count) found"] }
        return zip(array, items).enumerated().flatMap { differences(reference: $0.element.0, ours: $0.element.1, path: "\(path)/\($0.offset)") }
    case is NSNull:
        return ours == .null ? [] : ["\(path): null expected, found \(String(describing: ours))"]
    case let text as String:
        return ours == .string(text) ? [] : ["\(path): \"\(text)\" expected, found \(String(describing: ours))"]
    default:
        if case .bool(let mine) = ours {
            return (reference as? Bool) == mine ? [] : ["\(path): \(describe(reference)) expected, found \(mine)"]
        }
        guard let number = (reference as? NSNumber)?.doubleValue else { return ["\(path): unexpected reference value \(describe(reference))"] }
        let mine: Double
        switch ours {
        case .int(let i): mine = Double(i)
        case .double(let d): mine = d
        default: return ["\(path): \(number) expected, found \(String(describing: ours))"]
        }
        if number == mine { return [] }
        let relative = abs(number - mine) / max(abs(number), abs(mine))
        return relative < 1e-9 ? [] : ["\(path): \(number) expected, found \(mine) (relative difference \(relative))"]
    }
}

@Suite("Figures equal pm4py's on the shared real logs")
struct ReferenceFiguresTests {
    @Test(
        "every reference figure is reproduced",
        .requires(.sharedData),
        arguments: SharedData.logNames)
    func everyReferenceFigureIsReproduced(log: String) throws {
        let report = try analyze(SharedData.log(log))
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.reference(log)))
        let found = differences(reference: reference, ours: report.json(log: log))
        #expect(found.isEmpty, "\(log) differs from pm4py at:\n\(found.joined(separator: "\n"))")
    }
}
