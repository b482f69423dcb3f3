import DocketCore
import Prometheus
import Synchronization

/// The server's Prometheus metrics, on a registry of its own (two servers in one test process
/// never share counts). Every metric is made once, here, and named by Prometheus's conventions.
package final class ServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()

    /// What a command's outcome counts as in `docket_commands_total`.
    package enum Outcome: String, Sendable {
        case ok, refused, conflict, unavailable

        package init(_ kind: FailureKind) {
            switch kind {
            case .conflict: self = .conflict
            case .unavailable: self = .unavailable
            case .invalidInput, .notFound, .unauthenticated, .forbidden, .refused: self = .refused
            }
        }
    }

    private let breaches: Counter
    private let projectionLag: Gauge
    private let openCases: Gauge
    private let commitTransactions: Counter
    private let committedCommands: Counter
    /// The group commit's counts at the last scrape (the counters grow by the difference).
    private let lastCommitCounts = Mutex<(transactions: Int, commands: Int)>((0, 0))

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "docket", metricName: metric, unitName: unit, helpText: help)
    }

    private static var commands: MetricNameDescriptor { name("commands", unit: "total", help: "Commands run through the API, by workflow, event and outcome.") }
    private static var refusals: MetricNameDescriptor { name("refusals", unit: "total", help: "Requests refused: 401 (no or a bad token), 403 (not allowed), 404 (a case the principal may not read, answered as unknown), 422 (a command the rules refuse), by status and error code.") }
    private static var latency: MetricNameDescriptor { name("http_request_duration", unit: "seconds", help: "Request latency, from the first middleware to the response head.") }
    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    package init() {
        breaches = registry.makeCounter(descriptor: Self.name("breaches_recorded", unit: "total", help: "Deadline breaches this server's ticks recorded."))
        projectionLag = registry.makeGauge(descriptor: Self.name("projection_lag", unit: "events", help: "Events of the log the analytics projection has not folded yet."))
        openCases = registry.makeGauge(descriptor: Self.name("open_cases", unit: "", help: "Open cases, as of the analytics projection."))
        commitTransactions = registry.makeCounter(descriptor: Self.name(
            "commit_transactions", unit: "total", help: "Write transactions of the group commit (one sync to disk each)."))
        committedCommands = registry.makeCounter(descriptor: Self.name(
            "committed_commands", unit: "total", help: "Commands carried by the group commit's transactions."))
    }

    /// One command (open, fire, vote) and how it ended.
    package func command(workflow: String, event: String, outcome: Outcome) {
        registry.makeCounter(descriptor: Self.commands,
                             labels: [("workflow", workflow), ("event", event), ("outcome", outcome.rawValue)]).increment()
    }

    /// A request refused, by the status answered and its error code (or the hidden reason of a
    /// 404 that stands for a refusal: `case_not_readable`). Codes are Docket's own: bounded.
    package func refusal(code: String, status: Int) {
        registry.makeCounter(descriptor: Self.refusals, labels: [("status", String(status)), ("code", code)]).increment()
    }

    /// One request served, with its route (the template, never the raw path: bounded labels).
    package func request(method: String, route: String, status: Int, seconds: Double) {
        registry.makeDurationHistogram(
            descriptor: Self.latency, labels: [("method", method), ("route", route), ("status", String(status))],
            buckets: Self.latencyBuckets
        ).recordNanoseconds(Int64(seconds * 1_000_000_000))
    }

    package func breachesRecorded(_ count: Int) {
        if count > 0 { breaches.increment(by: Int64(count)) }
    }

    /// The group commit's counts now (read at a scrape): the counters catch up with them.
    package func groupCommits(transactions: Int, commands: Int) {
        let (dt, dc) = lastCommitCounts.withLock { last in
            defer { last = (transactions, commands) }
            return (transactions - last.transactions, commands - last.commands)
        }
        if dt > 0 { commitTransactions.increment(by: Int64(dt)) }
        if dc > 0 { committedCommands.increment(by: Int64(dc)) }
    }

    package func setProjectionLag(_ events: Int64) { projectionLag.set(to: Double(events)) }
    package func setOpenCases(_ count: Int) { openCases.set(to: Double(count)) }

    /// The exposition text of every metric.
    package func text() -> String { registry.emitToString() }
}
