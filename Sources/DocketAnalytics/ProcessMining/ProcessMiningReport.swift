import DocketCore

/// The figures process miners quote about an event log, with pm4py 2.7's semantics
/// (see `../shared/data/README.md`). All durations are in seconds.
public struct ProcessMiningReport: Sendable {
    /// The pm4py version whose semantics these figures reproduce.
    public static let referenceVersion = "2.7.23.11"

    /// Distinct case ids that have at least one event.
    public var caseCount: Int
    /// Rows of the log (events of every lifecycle transition).
    public var eventCount: Int
    /// Distinct activity names (`concept:name` alone, lifecycle not included).
    public var activityCount: Int
    /// Whether some event's lifecycle transition is `start` (case-insensitive).
    public var hasLifecycleStart: Bool
    /// Whether events carry their own `start_timestamp`.
    public var hasStartTimestampAttribute: Bool
    /// The earliest and latest event timestamps.
    public var firstTimestamp: Timestamp?
    public var lastTimestamp: Timestamp?
    /// Case durations: last minus first event of each case, in pm4py's row order.
    public var caseDuration: DistributionSummary?
    /// The case of the first row and its duration (pm4py's `get_case_duration` on it).
    public var firstCase: CaseDuration?
    /// The performance directly-follows graph over all events.
    public var performanceDFG: PerformanceDFG
    /// The same over complete events only; present when some event is a lifecycle `start`.
    public var performanceDFGCompleteOnly: PerformanceDFG?
    /// Service, waiting and sojourn times; `nil` on complete-only logs, where they cannot be computed.
    public var serviceTimes: ServiceTimes?
    /// Mean gap between consecutive case starts (`nil` with fewer than two cases).
    public var caseArrivalAverage: Double?
    /// Mean gap between consecutive case ends (`nil` with fewer than two cases).
    public var caseDispersionAverage: Double?
    /// pm4py's cycle time of a log without intervals (always 0 by its definition).
    public var cycleTimeCompleteOnly: Double?
    /// For each activity occurring twice or more in some case, the number of such cases,
    /// most first, ties by name.
    public var rework: [ActivityCount]
    /// The same over complete events only; present when some event is a lifecycle `start`.
    public var reworkCompleteOnly: [ActivityCount]?
    /// Distinct activity sequences, counted as pm4py counts them.
    public var variantCount: Int
    /// The most frequent variants (at most ``variantsListed``), most cases first, ties by their
    /// activities.
    public var variants: [Variant]
    /// Case durations (first to last event) in bins of a round number of hours or days.
    public var caseDurationHistogram: DurationHistogram

    /// How many variants the report lists.
    public static let variantsListed = 50

    /// One variant: an activity sequence and how many cases follow it.
    public struct Variant: Sendable, Equatable {
        /// The activities, in the order the cases did them.
        public var activities: [String]
        /// Cases following exactly this sequence.
        public var cases: Int

        /// A sequence and its cases.
        public init(activities: [String], cases: Int) {
            self.activities = activities
            self.cases = cases
        }
    }

    /// A case id and its duration in seconds.
    public struct CaseDuration: Sendable, Equatable {
        /// The case.
        public var caseID: String
        /// Its duration in seconds.
        public var seconds: Double

        /// A case and its duration.
        public init(caseID: String, seconds: Double) {
            self.caseID = caseID
            self.seconds = seconds
        }
    }

    /// An activity and a number of cases.
    public struct ActivityCount: Sendable, Equatable {
        /// The activity.
        public var activity: String
        /// The number of cases.
        public var cases: Int

        /// An activity and a number of cases.
        public init(activity: String, cases: Int) {
            self.activity = activity
            self.cases = cases
        }
    }
}

/// Count, extremes, quartiles, 90th percentile and mean of a set of durations, with
/// percentiles interpolated linearly between closest ranks (numpy's default).
public struct DistributionSummary: Sendable, Equatable {
    /// How many values; the other fields are in the values' unit (seconds).
    public var count: Int
    public var min: Double
    public var p25: Double
    public var median: Double
    public var mean: Double
    public var p75: Double
    public var p90: Double
    public var max: Double

    /// Summarises `values` as the reference script's `summarize` does; `nil` when empty.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        count = v.count
        min = v[0]
        max = v[v.count - 1]
        p25 = ReferenceArithmetic.percentile(sorted: v, 0.25)!
        median = ReferenceArithmetic.median(sorted: v)!
        mean = ReferenceArithmetic.fsum(v) / Double(v.count)
        p75 = ReferenceArithmetic.percentile(sorted: v, 0.75)!
        p90 = ReferenceArithmetic.percentile(sorted: v, 0.90)!
    }
}

/// A performance directly-follows graph: for each pair of activities that directly follow
/// each other in some case, statistics of the time between them.
public struct PerformanceDFG: Sendable, Equatable {
    /// Every edge, ordered by source then target activity.
    public var edges: [Edge]
    /// Activities that start a case, with the number of cases they start.
    public var startActivities: [ActivityCount]
    /// Activities that end a case, with the number of cases they end.
    public var endActivities: [ActivityCount]

    /// An activity and a number of cases.
    public typealias ActivityCount = ProcessMiningReport.ActivityCount

    /// One edge `source → target`: the time from the source event's completion to the target
    /// event's start (its timestamp, unless it carries a `start_timestamp`).
    public struct Edge: Sendable, Equatable {
        /// The activity that completes first.
        public var source: String
        /// The activity that follows it directly.
        public var target: String
        /// How many times it does; the other fields are seconds.
        public var count: Int
        public var mean: Double
        public var median: Double
        public var max: Double
        public var min: Double
        public var sum: Double
        /// Sample standard deviation (n − 1); `nil` for a single observation.
        public var standardDeviation: Double?
    }

    /// Edges by decreasing mean, ties by (source, target): the slowest transitions.
    public var edgesByMean: [Edge] {
        edges.sorted { a, b in
            a.mean != b.mean ? a.mean > b.mean : Edge.namesPrecede(a, b)
        }
    }

    /// Edges by decreasing total time, ties by (source, target): the bottlenecks.
    public var edgesByTotalTime: [Edge] {
        edges.sorted { a, b in
            a.sum != b.sum ? a.sum > b.sum : Edge.namesPrecede(a, b)
        }
    }
}

extension PerformanceDFG.Edge {
    static func namesPrecede(_ a: Self, _ b: Self) -> Bool {
        if a.source != b.source { return codePointPrecedes(a.source, b.source) }
        return codePointPrecedes(a.target, b.target)
    }
}

/// Service (busy), waiting and sojourn times, from start/complete pairs or `start_timestamp`.
public struct ServiceTimes: Sendable, Equatable {
    /// Where the start of each activity instance comes from.
    public enum Source: String, Sendable {
        case startTimestampAttribute = "start_timestamp attribute"
        case lifecyclePairs = "lifecycle start/complete paired by interval_lifecycle.to_interval"
    }

    /// Where the start of each activity instance comes from.
    public var source: Source
    /// Mean and median service time per activity, by decreasing mean, ties by name.
    public var perActivity: [ActivityServiceTime]
    /// Per case: the sum of its activity instances' service times.
    public var caseService: DistributionSummary?
    /// Per case: sojourn minus service.
    public var caseWaiting: DistributionSummary?
    /// Per case: from the earliest start to the latest completion.
    public var caseSojourn: DistributionSummary?
    /// pm4py's cycle time: summed busy periods (all but the last) over the number of cases.
    public var cycleTime: Double?

    /// Mean and median service time (seconds) of one activity's instances.
    public struct ActivityServiceTime: Sendable, Equatable {
        /// The activity.
        public var activity: String
        /// Mean service time, seconds.
        public var mean: Double
        /// Median service time, seconds.
        public var median: Double

        /// An activity's service time figures.
        public init(activity: String, mean: Double, median: Double) {
            self.activity = activity
            self.mean = mean
            self.median = median
        }
    }
}

/// Whether `a` sorts before `b` by Unicode code points, as Python compares strings.
@inline(__always)
func codePointPrecedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

// MARK: - JSON

extension ProcessMiningReport {
    /// The report as one JSON object with the reference file's keys, names and units, in its
    /// order, followed by the full graphs. `log` is the path as given; `timings` (seconds by
    /// phase) are reported under `timings_s`.
    public func json(log: String, timings: [(String, Double)] = []) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("log", .string(log)),
            ("pm4py_version", .string(Self.referenceVersion)),
            ("stage", .string("all")),
            ("n_cases", .int(caseCount)),
            ("n_events", .int(eventCount)),
            ("n_activities", .int(activityCount)),
            ("has_lifecycle_start", .bool(hasLifecycleStart)),
            ("has_start_timestamp_attribute", .bool(hasStartTimestampAttribute)),
            ("first_ts", firstTimestamp.map { .string(Self.pandasText($0)) } ?? .null),
            ("last_ts", lastTimestamp.map { .string(Self.pandasText($0)) } ?? .null),
            ("case_duration_s", caseDuration.json),
            ("get_case_duration_first_case", firstCase.map {
                .object([("case_id", .string($0.caseID)), ("duration_s", .double($0.seconds))])
            } ?? .null),
            ("performance_dfg", performanceDFG.json),
        ]
        if let complete = performanceDFGCompleteOnly {
            o.append(("performance_dfg_complete_only", complete.json))
        }
        if let s = serviceTimes {
            o.append(("service_time_source", .string(s.source.rawValue)))
            o.append(("service_time_n_activities", .int(s.perActivity.count)))
            o.append(("service_time_top5_by_mean", .array(s.perActivity.prefix(5).map(\.json))))
            o.append(("case_service_time_s", s.caseService.json))
            o.append(("case_waiting_time_s", s.caseWaiting.json))
            o.append(("case_sojourn_time_s", s.caseSojourn.json))
            o.append(("cycle_time_s", s.cycleTime.map { .double($0) } ?? .null))
            o.append(("service_time_per_activity", .array(s.perActivity.map(\.json))))
        } else {
            o.append(("service_time_per_activity", .null))
            o.append(("service_time_note", .string("no lifecycle start events and no start_timestamp: not computable")))
        }
        o.append(("case_arrival_avg_s", caseArrivalAverage.map { .double($0) } ?? .null))
        o.append(("case_dispersion_avg_s", caseDispersionAverage.map { .double($0) } ?? .null))
        if let cycle = cycleTimeCompleteOnly {
            o.append(("cycle_time_s_complete_only", .double(cycle)))
        }
        o.append(("rework_cases_top5", .array(rework.prefix(5).map(\.pair))))
        if let complete = reworkCompleteOnly {
            o.append(("rework_cases_top5_complete_only", .array(complete.prefix(5).map(\.pair))))
        }
        o.append(("n_variants", .int(variantCount)))
        o.append(("rework_cases", .array(rework.map(\.pair))))
        o.append(("variants_top", .array(variants.map {
            .object([("activities", .array($0.activities.map { .string($0) })), ("cases", .int($0.cases))])
        })))
        o.append(("case_duration_histogram", .object([
            ("bin_s", .double(caseDurationHistogram.binSeconds)),
            ("counts", .array(caseDurationHistogram.counts.map { .int($0) })),
        ])))
        if !timings.isEmpty {
            o.append(("timings_s", .object(timings.map { ($0.0, .double($0.1)) })))
        }
        return .object(o)
    }

    /// An instant as `str(pandas.Timestamp)` writes it in UTC: `2011-09-30 22:38:44.546000+00:00`.
    public static func pandasText(_ t: Timestamp) -> String {
        let iso = t.iso8601(offsetSeconds: 0)  // 2011-09-30T22:38:44.546Z
        var body = String(iso.dropLast())  // drop "Z"
        body = body.replacingFirst("T", with: " ")
        if let dot = body.firstIndex(of: ".") {
            let fraction = body[body.index(after: dot)...]
            body = String(body[...dot]) + fraction + String(repeating: "0", count: 6 - fraction.count)
        }
        return body + "+00:00"
    }
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let i = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(i...i, with: String(replacement))
        return copy
    }
}

extension Optional where Wrapped == DistributionSummary {
    fileprivate var json: JSONValue {
        guard let s = self else { return .null }
        return .object([
            ("n", .int(s.count)), ("min", .double(s.min)), ("p25", .double(s.p25)),
            ("median", .double(s.median)), ("mean", .double(s.mean)), ("p75", .double(s.p75)),
            ("p90", .double(s.p90)), ("max", .double(s.max)),
        ])
    }
}

extension PerformanceDFG {
    fileprivate var json: JSONValue {
        .object([
            ("n_edges", .int(edges.count)),
            ("n_start_activities", .int(startActivities.count)),
            ("n_end_activities", .int(endActivities.count)),
            ("top5_by_mean", .array(edgesByMean.prefix(5).map(\.json))),
            ("top5_by_total_time", .array(edgesByTotalTime.prefix(5).map(\.json))),
            ("edges", .array(edges.map(\.json))),
            ("start_activities", .object(startActivities.map { ($0.activity, .int($0.cases)) })),
            ("end_activities", .object(endActivities.map { ($0.activity, .int($0.cases)) })),
        ])
    }
}

extension PerformanceDFG.Edge {
    fileprivate var json: JSONValue {
        .object([
            ("edge", .array([.string(source), .string(target)])),
            ("count", .int(count)),
            ("mean_s", .double(mean)),
            ("median_s", .double(median)),
            ("max_s", .double(max)),
            ("min_s", .double(min)),
            ("sum_s", .double(sum)),
            ("stdev_s", standardDeviation.map { .double($0) } ?? .null),
        ])
    }
}

extension ServiceTimes.ActivityServiceTime {
    fileprivate var json: JSONValue {
        .object([("activity", .string(activity)), ("mean_s", .double(mean)), ("median_s", .double(median))])
    }
}

extension ProcessMiningReport.ActivityCount {
    fileprivate var pair: JSONValue { .array([.string(activity), .int(cases)]) }
}
