import DocketCore

/// A fold from the events of a log to the process-mining figures pm4py computes on it.
///
/// Feed every event with ``add(caseID:activity:timestamp:lifecycle:instance:startTimestamp:)``
/// in file order, then call ``finish()``. Events of a case need not be contiguous. The fold keeps
/// about 30 bytes per event (interned ids and integer timestamps, no strings), because the
/// figures themselves need every event: medians, variants and directly-follows pairs.
///
/// Row order matters to pm4py and therefore here: it reads XES rows as they come
/// (a case's first and last *rows* bound its duration), but `format_dataframe` sorts CSV rows
/// by case id, timestamp and file position. Say which with ``RowOrder``.
public struct ProcessMiningFigures {
    /// The order in which pm4py would hold the rows of the log.
    public enum RowOrder: Sendable {
        /// As read (pm4py's XES import).
        case asRead
        /// Sorted by case id (by code point), then timestamp, then file position (pm4py's
        /// `format_dataframe`, applied to CSV logs).
        case sortedByCaseAndTimestamp
    }

    /// Lifecycle transitions as the figures distinguish them.
    @usableFromInline
    enum Lifecycle: UInt8 {
        case absent = 0, start, complete, other
    }

    /// The row order pm4py would use for this log.
    public let rowOrder: RowOrder

    private var caseIndexByID: [String: Int32] = [:]
    private var caseIDs: [String] = []
    private var lastCaseID = ""
    private var lastCaseIndex: Int32 = -1
    private var activityIndexByName: [String: Int32] = [:]
    private var activityNames: [String] = []
    private var instanceIndexByName: [String: Int32] = [:]
    private var lifecycleByText: [String: Lifecycle] = [:]
    private var lastLifecycleText: String?
    private var lastLifecycleCode = Lifecycle.absent

    // One entry per event, in file order.
    private var rowCase: [Int32] = []
    private var rowActivity: [Int32] = []
    private var rowTimestamp: [Int64] = []
    private var rowStart: [Int64] = []
    private var rowLifecycle: [Lifecycle] = []
    private var rowInstance: [Int32] = []
    private var anyStartTimestamp = false

    private static let noStart = Int64.min

    /// Creates an empty fold for rows held in `rowOrder`.
    public init(rowOrder: RowOrder = .asRead) {
        self.rowOrder = rowOrder
    }

    /// The number of events added so far.
    public var eventCount: Int { rowCase.count }

    /// Adds one event.
    ///
    /// - Parameters:
    ///   - caseID: the case (`case:concept:name`).
    ///   - activity: the activity (`concept:name`).
    ///   - timestamp: when the event happened (`time:timestamp`).
    ///   - lifecycle: the lifecycle transition (`lifecycle:transition`), compared case-insensitively.
    ///   - instance: the activity instance (`concept:instance`) used to pair start and complete.
    ///   - startTimestamp: the event's own start (`start_timestamp`), for logs that carry one.
    public mutating func add(
        caseID: String, activity: String, timestamp: Timestamp,
        lifecycle: String? = nil, instance: String? = nil, startTimestamp: Timestamp? = nil
    ) {
        let caseIndex: Int32
        if lastCaseIndex >= 0 && caseID == lastCaseID {
            caseIndex = lastCaseIndex
        } else if let known = caseIndexByID[caseID] {
            caseIndex = known
        } else {
            caseIndex = Int32(caseIDs.count)
            caseIDs.append(caseID)
            caseIndexByID[caseID] = caseIndex
        }
        lastCaseID = caseID
        lastCaseIndex = caseIndex

        let activityIndex: Int32
        if let known = activityIndexByName[activity] {
            activityIndex = known
        } else {
            activityIndex = Int32(activityNames.count)
            activityNames.append(activity)
            activityIndexByName[activity] = activityIndex
        }

        var lifecycleCode = Lifecycle.absent
        if let lifecycle {
            // Most logs use two or three spellings; readers hand out shared strings, which
            // compare in constant time.
            if lifecycle == lastLifecycleText {
                lifecycleCode = lastLifecycleCode
            } else if let known = lifecycleByText[lifecycle] {
                lifecycleCode = known
            } else {
                switch lifecycle.lowercased() {
                case "start": lifecycleCode = .start
                case "complete": lifecycleCode = .complete
                default: lifecycleCode = .other
                }
                lifecycleByText[lifecycle] = lifecycleCode
            }
            lastLifecycleText = lifecycle
            lastLifecycleCode = lifecycleCode
        }

        var instanceIndex: Int32 = -1
        if let instance {
            if let known = instanceIndexByName[instance] {
                instanceIndex = known
            } else {
                instanceIndex = Int32(instanceIndexByName.count)
                instanceIndexByName[instance] = instanceIndex
            }
        }

        rowCase.append(caseIndex)
        rowActivity.append(activityIndex)
        rowTimestamp.append(timestamp.microseconds)
        rowStart.append(startTimestamp?.microseconds ?? Self.noStart)
        if startTimestamp != nil { anyStartTimestamp = true }
        rowLifecycle.append(lifecycleCode)
        rowInstance.append(instanceIndex)
    }

    /// Computes every figure from the events added so far.
    public func finish() -> ProcessMiningReport {
        Computation(self).report()
    }

    // MARK: - Computation

    /// The finishing pass: groups rows by case once, then derives each figure.
    private struct Computation {
        let f: ProcessMiningFigures
        let rowCount: Int
        let caseCount: Int
        /// Row indices grouped by case (`caseOffsets[c]..<caseOffsets[c+1]`), each case's rows in pm4py's row order.
        var caseRows: [Int32]
        var caseOffsets: [Int]
        /// Cases in the order pm4py's rows first mention them.
        var casesInRowOrder: [Int32]
        /// Cases sorted by id, the order of pandas' grouped aggregations over a sorted frame.
        var casesByID: [Int32]
        /// All rows in pm4py's row order.
        var rowSequence: [Int32]
        /// Position in `rowSequence` of each case's first row.
        var firstPosition: [Int]

        init(_ f: ProcessMiningFigures) {
            self.f = f
            rowCount = f.rowCase.count
            caseCount = f.caseIDs.count
            // Counting sort by case keeps file order within each case.
            var offsets = [Int](repeating: 0, count: caseCount + 1)
            for c in f.rowCase { offsets[Int(c) + 1] += 1 }
            for c in 0..<caseCount { offsets[c + 1] += offsets[c] }
            var cursor = offsets
            var rows = [Int32](repeating: 0, count: rowCount)
            for r in 0..<rowCount {
                let c = Int(f.rowCase[r])
                rows[cursor[c]] = Int32(r)
                cursor[c] += 1
            }
            caseOffsets = offsets
            let ids = f.caseIDs.map { Array($0.utf8) }
            casesByID = (0..<Int32(caseCount)).sorted { ids[Int($0)].lexicographicallyPrecedes(ids[Int($1)]) }

            switch f.rowOrder {
            case .asRead:
                caseRows = rows
                casesInRowOrder = Array(0..<Int32(caseCount))
                rowSequence = Array(0..<Int32(rowCount))
                firstPosition = (0..<caseCount).map { Int(rows[offsets[$0]]) }
            case .sortedByCaseAndTimestamp:
                let ts = f.rowTimestamp
                for c in 0..<caseCount {
                    rows[offsets[c]..<offsets[c + 1]].sort { a, b in
                        ts[Int(a)] != ts[Int(b)] ? ts[Int(a)] < ts[Int(b)] : a < b
                    }
                }
                caseRows = rows
                casesInRowOrder = casesByID
                var sequence: [Int32] = []
                sequence.reserveCapacity(rowCount)
                var first = [Int](repeating: 0, count: caseCount)
                for c in casesByID {
                    first[Int(c)] = sequence.count
                    sequence.append(contentsOf: rows[offsets[Int(c)]..<offsets[Int(c) + 1]])
                }
                rowSequence = sequence
                firstPosition = first
            }
        }

        func rows(of c: Int32) -> ArraySlice<Int32> {
            caseRows[caseOffsets[Int(c)]..<caseOffsets[Int(c) + 1]]
        }

        func report() -> ProcessMiningReport {
            let hasStart = f.rowLifecycle.contains(.start)
            let ts = f.rowTimestamp

            var caseDurations: [Double] = []
            caseDurations.reserveCapacity(caseCount)
            for c in 0..<Int32(caseCount) {
                let r = rows(of: c)
                caseDurations.append(ReferenceArithmetic.totalSeconds(
                    microseconds: ts[Int(r.last!)] - ts[Int(r.first!)]))
            }
            var firstCase: ProcessMiningReport.CaseDuration?
            if let firstRow = rowSequence.first {
                let c = f.rowCase[Int(firstRow)]
                firstCase = .init(caseID: f.caseIDs[Int(c)], seconds: caseDurations[Int(c)])
            }

            let isComplete: (Int32) -> Bool = { [rowLifecycle = f.rowLifecycle] in rowLifecycle[Int($0)] == .complete }
            let everyRow: (Int32) -> Bool = { _ in true }

            let variants = self.variants()
            // Most frequent first; ties by the activity names, so the order does not depend on hashing.
            let named = variants.map { sequence, cases in
                let activities = sequence.map { f.activityNames[Int($0)] }
                return (activities: activities, key: activities.joined(separator: "\u{1}"), cases: cases)
            }
            let topVariants = named.sorted { ($1.cases, $0.key) < ($0.cases, $1.key) }
                .prefix(ProcessMiningReport.variantsListed)
                .map { ProcessMiningReport.Variant(activities: $0.activities, cases: $0.cases) }

            var cycleTimeCompleteOnly: Double?
            let service: ServiceTimes?
            if f.anyStartTimestamp || hasStart {
                service = serviceTimes(fromStartAttribute: f.anyStartTimestamp)
            } else {
                service = nil
                cycleTimeCompleteOnly = cycleTime(of: rowSequence.map { (ts[Int($0)], ts[Int($0)]) }, cases: caseCount)
            }

            return ProcessMiningReport(
                caseCount: caseCount,
                eventCount: rowCount,
                activityCount: f.activityNames.count,
                hasLifecycleStart: hasStart,
                hasStartTimestampAttribute: f.anyStartTimestamp,
                firstTimestamp: ts.min().map(Timestamp.init(microseconds:)),
                lastTimestamp: ts.max().map(Timestamp.init(microseconds:)),
                caseDuration: DistributionSummary(caseDurations),
                firstCase: firstCase,
                performanceDFG: performanceDFG(including: everyRow),
                performanceDFGCompleteOnly: hasStart ? performanceDFG(including: isComplete) : nil,
                serviceTimes: service,
                caseArrivalAverage: meanGap(between: casesInRowOrder.map { ts[Int(rows(of: $0).first!)] }),
                caseDispersionAverage: meanGap(between: casesInRowOrder.map { ts[Int(rows(of: $0).last!)] }),
                cycleTimeCompleteOnly: cycleTimeCompleteOnly,
                rework: rework(including: everyRow),
                reworkCompleteOnly: hasStart ? rework(including: isComplete) : nil,
                variantCount: variants.count,
                variants: topVariants,
                caseDurationHistogram: DurationHistogram(
                    microseconds: caseDurations.map { Int64(($0 * 1_000_000).rounded()) }, unit: 86_400))
        }

        // MARK: Directly-follows graph

        /// pm4py's `discover_performance_dfg`: rows sorted by (case, start, timestamp), stable;
        /// each consecutive pair in a case gives start(b) − timestamp(a).
        func performanceDFG(including include: (Int32) -> Bool) -> PerformanceDFG {
            let ts = f.rowTimestamp
            let start = f.rowStart
            let useStart = f.anyStartTimestamp
            let act = f.rowActivity
            var edgeIndex: [UInt64: Int] = [:]
            var sources: [Int32] = [], targets: [Int32] = []
            var sums: [KahanSum] = [], variances: [WelfordVariance] = []
            var minima: [Double] = [], maxima: [Double] = [], values: [[Double]] = []
            var startCounts = [Int](repeating: 0, count: f.activityNames.count)
            var endCounts = [Int](repeating: 0, count: f.activityNames.count)
            var buffer: [(key: Int64, ts: Int64, row: Int32)] = []

            for c in casesByID {
                buffer.removeAll(keepingCapacity: true)
                for r in rows(of: c) where include(r) {
                    let s = start[Int(r)]
                    let key = useStart && s != noStart ? s : ts[Int(r)]
                    buffer.append((key, ts[Int(r)], r))
                }
                guard let first = buffer.first, let last = buffer.last else { continue }
                startCounts[Int(act[Int(first.row)])] += 1
                endCounts[Int(act[Int(last.row)])] += 1
                if buffer.count < 2 { continue }
                var sorted = true
                for i in 1..<buffer.count where (buffer[i].key, buffer[i].ts) < (buffer[i - 1].key, buffer[i - 1].ts) {
                    sorted = false
                    break
                }
                if !sorted {
                    // Sort by (key, ts), keeping pm4py's row order on ties.
                    let indexed = buffer.enumerated().sorted { a, b in
                        (a.element.key, a.element.ts, a.offset) < (b.element.key, b.element.ts, b.offset)
                    }
                    buffer = indexed.map(\.element)
                }
                for i in 1..<buffer.count {
                    let a = buffer[i - 1], b = buffer[i]
                    let flow = ReferenceArithmetic.totalSeconds(microseconds: b.key - a.ts)
                    let edge = UInt64(UInt32(act[Int(a.row)])) << 32 | UInt64(UInt32(act[Int(b.row)]))
                    let e: Int
                    if let known = edgeIndex[edge] {
                        e = known
                    } else {
                        e = sources.count
                        edgeIndex[edge] = e
                        sources.append(act[Int(a.row)])
                        targets.append(act[Int(b.row)])
                        sums.append(KahanSum())
                        variances.append(WelfordVariance())
                        minima.append(flow)
                        maxima.append(flow)
                        values.append([])
                    }
                    sums[e].add(flow)
                    variances[e].add(flow)
                    minima[e] = Swift.min(minima[e], flow)
                    maxima[e] = Swift.max(maxima[e], flow)
                    values[e].append(flow)
                }
            }

            let names = f.activityNames
            var edges: [PerformanceDFG.Edge] = []
            edges.reserveCapacity(sources.count)
            for e in 0..<sources.count {
                edges.append(PerformanceDFG.Edge(
                    source: names[Int(sources[e])], target: names[Int(targets[e])],
                    count: sums[e].count, mean: sums[e].mean!,
                    median: ReferenceArithmetic.median(selectingIn: &values[e])!,
                    max: maxima[e], min: minima[e], sum: sums[e].sum,
                    standardDeviation: variances[e].sampleStandardDeviation))
            }
            edges.sort { PerformanceDFG.Edge.namesPrecede($0, $1) }
            return PerformanceDFG(
                edges: edges,
                startActivities: activityCounts(startCounts),
                endActivities: activityCounts(endCounts))
        }

        func activityCounts(_ counts: [Int]) -> [ProcessMiningReport.ActivityCount] {
            counts.enumerated()
                .filter { $0.element > 0 }
                .map { ProcessMiningReport.ActivityCount(activity: f.activityNames[$0.offset], cases: $0.element) }
                .sorted { $0.cases != $1.cases ? $0.cases > $1.cases : codePointPrecedes($0.activity, $1.activity) }
        }

        // MARK: Service, waiting and sojourn times

        /// One activity instance: from its start to its completion.
        struct Interval {
            var caseIndex: Int32
            var activity: Int32
            var start: Int64
            var complete: Int64
        }

        /// The interval rows pm4py derives: a row per event with `start_timestamp`, or a row
        /// per complete event paired first-in-first-out with a start of the same activity and
        /// instance in its case (`interval_lifecycle.to_interval`), each case's rows sorted by start.
        func intervals(fromStartAttribute: Bool) -> [Interval] {
            let ts = f.rowTimestamp
            let act = f.rowActivity
            var result: [Interval] = []
            result.reserveCapacity(rowCount)
            if fromStartAttribute {
                for r in rowSequence {
                    let s = f.rowStart[Int(r)]
                    result.append(Interval(
                        caseIndex: f.rowCase[Int(r)], activity: act[Int(r)],
                        start: s == noStart ? ts[Int(r)] : s, complete: ts[Int(r)]))
                }
                return result
            }
            var pending: [(activity: Int32, instance: Int32, start: Int64)] = []
            var caseIntervals: [Interval] = []
            for c in casesInRowOrder {
                pending.removeAll(keepingCapacity: true)
                caseIntervals.removeAll(keepingCapacity: true)
                for r in rows(of: c) {
                    let a = act[Int(r)], inst = f.rowInstance[Int(r)]
                    switch f.rowLifecycle[Int(r)] {
                    case .start:
                        pending.append((a, inst, ts[Int(r)]))
                    case .complete, .absent:
                        var start = ts[Int(r)]
                        if let i = pending.firstIndex(where: { $0.activity == a && $0.instance == inst }) {
                            start = pending.remove(at: i).start
                        }
                        caseIntervals.append(Interval(caseIndex: c, activity: a, start: start, complete: ts[Int(r)]))
                    case .other:
                        break
                    }
                }
                // Python's sorted() on the start timestamp: stable.
                let sorted = caseIntervals.enumerated().sorted {
                    ($0.element.start, $0.offset) < ($1.element.start, $1.offset)
                }
                result.append(contentsOf: sorted.map(\.element))
            }
            return result
        }

        func serviceTimes(fromStartAttribute: Bool) -> ServiceTimes {
            let rows = intervals(fromStartAttribute: fromStartAttribute)
            let activityCount = f.activityNames.count

            var activitySums = [KahanSum](repeating: KahanSum(), count: activityCount)
            var activityValues = [[Double]](repeating: [], count: activityCount)
            var caseService = [KahanSum](repeating: KahanSum(), count: caseCount)
            var caseFirstStart = [Int64](repeating: .max, count: caseCount)
            var caseLastComplete = [Int64](repeating: .min, count: caseCount)
            for row in rows {
                let d = ReferenceArithmetic.totalSeconds(microseconds: row.complete - row.start)
                activitySums[Int(row.activity)].add(d)
                activityValues[Int(row.activity)].append(d)
                let c = Int(row.caseIndex)
                caseService[c].add(d)
                caseFirstStart[c] = Swift.min(caseFirstStart[c], row.start)
                caseLastComplete[c] = Swift.max(caseLastComplete[c], row.complete)
            }

            var perActivity: [ServiceTimes.ActivityServiceTime] = []
            for a in 0..<activityCount where activitySums[a].count > 0 {
                perActivity.append(.init(
                    activity: f.activityNames[a], mean: activitySums[a].mean!,
                    median: ReferenceArithmetic.median(selectingIn: &activityValues[a])!))
            }
            perActivity.sort { $0.mean != $1.mean ? $0.mean > $1.mean : codePointPrecedes($0.activity, $1.activity) }

            var service: [Double] = [], waiting: [Double] = [], sojourn: [Double] = []
            for c in 0..<caseCount where caseService[c].count > 0 {
                // pm4py subtracts Timestamp.timestamp() Doubles here, not Timedeltas.
                let s = ReferenceArithmetic.epochSeconds(Timestamp(microseconds: caseLastComplete[c]))
                    - ReferenceArithmetic.epochSeconds(Timestamp(microseconds: caseFirstStart[c]))
                service.append(caseService[c].sum)
                sojourn.append(s)
                waiting.append(s - caseService[c].sum)
            }

            return ServiceTimes(
                source: fromStartAttribute ? .startTimestampAttribute : .lifecyclePairs,
                perActivity: perActivity,
                caseService: DistributionSummary(service),
                caseWaiting: DistributionSummary(waiting),
                caseSojourn: DistributionSummary(sojourn),
                cycleTime: cycleTime(of: rows.map { ($0.start, $0.complete) }, cases: service.count))
        }

        /// pm4py's cycle time: intervals sorted by (start, end) merged into busy periods; the sum
        /// of every busy period but the last, divided by the number of cases.
        func cycleTime(of intervals: [(Int64, Int64)], cases: Int) -> Double? {
            guard !intervals.isEmpty, cases > 0 else { return nil }
            let sorted = intervals.sorted { $0 < $1 }
            func seconds(_ t: Int64) -> Double { ReferenceArithmetic.epochSeconds(Timestamp(microseconds: t)) }
            var st = seconds(sorted[0].0)
            var et = seconds(sorted[0].1)
            var production = 0.0
            for (s, e) in sorted.dropFirst() {
                let thisStart = seconds(s), thisEnd = seconds(e)
                if thisStart > et {
                    production += et - st
                    st = thisStart
                }
                et = Swift.max(et, thisEnd)
            }
            return production / Double(cases)
        }

        // MARK: Arrival, rework, variants

        /// Mean gap between consecutive instants once sorted (pandas' mean of shifted differences).
        func meanGap(between instants: [Int64]) -> Double? {
            guard instants.count > 1 else { return nil }
            let sorted = instants.sorted()
            var gaps: [Double] = []
            gaps.reserveCapacity(sorted.count - 1)
            for i in 1..<sorted.count {
                gaps.append(ReferenceArithmetic.totalSeconds(microseconds: sorted[i] - sorted[i - 1]))
            }
            return ReferenceArithmetic.numpySum(gaps) / Double(gaps.count)
        }

        /// For each activity, the number of cases in which it occurs at least twice.
        func rework(including include: (Int32) -> Bool) -> [ProcessMiningReport.ActivityCount] {
            var occurrences = [Int32](repeating: 0, count: f.activityNames.count)
            var reworkCases = [Int](repeating: 0, count: f.activityNames.count)
            var touched: [Int32] = []
            for c in 0..<Int32(caseCount) {
                for r in rows(of: c) where include(r) {
                    let a = f.rowActivity[Int(r)]
                    if occurrences[Int(a)] == 0 { touched.append(a) }
                    occurrences[Int(a)] += 1
                    if occurrences[Int(a)] == 2 { reworkCases[Int(a)] += 1 }
                }
                for a in touched { occurrences[Int(a)] = 0 }
                touched.removeAll(keepingCapacity: true)
            }
            return activityCounts(reworkCases)
        }

        /// pm4py's variant count: for each case, the activities of as many consecutive rows as
        /// the case has, starting at its first row (`np.unique(..., return_index=True)`); for
        /// cases whose rows are contiguous, simply the case's activity sequence.
        /// The variants (activity sequences) with how many cases follow each.
        func variants() -> [[Int32]: Int] {
            var variants: [[Int32]: Int] = [:]
            var sequence: [Int32] = []
            for c in 0..<caseCount {
                let count = caseOffsets[c + 1] - caseOffsets[c]
                let first = firstPosition[c]
                sequence.removeAll(keepingCapacity: true)
                for p in first..<Swift.min(first + count, rowCount) {
                    sequence.append(f.rowActivity[Int(rowSequence[p])])
                }
                variants[sequence, default: 0] += 1
            }
            return variants
        }
    }
}
