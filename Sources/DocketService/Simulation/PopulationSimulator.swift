import DocketCore
import DocketStore
import Foundation

/// What to simulate: which workflows, how many cases, from when, how fast they arrive.
package struct SimulationPlan: Sendable {
    /// Workflow ids (newest deployed version of each); cases are spread evenly over them.
    package var workflows: [String]
    package var cases: Int
    package var seed: UInt64
    /// The first arrival (default: 2020-02-03 00:00 +08:00, the first working Monday after the
    /// extended Spring Festival holiday).
    package var from: Timestamp
    /// Cases arriving per calendar day, over all workflows (default: `cases` spread over 28 days).
    package var arrivalsPerDay: Double?
    /// Steps are not taken after this instant; cases still running then stay open (default: the
    /// last arrival plus 7 days).
    package var horizon: Timestamp?
    /// Cases per append transaction.
    package var batchSize: Int = 1_000
    /// Prefix of the generated case ids.
    package var caseIDPrefix: String = ""
    /// Who runs the simulation: recorded on every event it appends.
    package var principal: Principal?
    package var profile = SimulationProfile()

    /// Mean time between two arrivals, in microseconds.
    var meanArrivalGap: Double { 86_400_000_000 / (arrivalsPerDay ?? max(Double(cases) / 28, 1)) }

    /// The instant after which no step is taken: ``horizon``, or the expected last arrival plus 7 days.
    package var horizonOrDefault: Timestamp {
        horizon ?? from.adding(microseconds: Int64(meanArrivalGap * Double(max(cases - 1, 0)))).adding(seconds: 7 * 86_400)
    }

    package init(workflows: [String], cases: Int, seed: UInt64 = 1,
                from: Timestamp = Timestamp.parse(iso8601: "2020-02-03T00:00:00+08:00")!, arrivalsPerDay: Double? = nil) {
        self.workflows = workflows
        self.cases = cases
        self.seed = seed
        self.from = from
        self.arrivalsPerDay = arrivalsPerDay
    }
}

/// What a simulation appended.
package struct SimulationSummary: Sendable {
    package var cases: Int
    package var events: Int
    package var firstArrival: Timestamp?
    package var lastArrival: Timestamp?
    /// Cases that an earlier, interrupted run of the same plan had already appended, with the
    /// same events: skipped, so that running a plan again completes it.
    package var alreadyInLog: Int = 0
}

/// Generates a population of cases through the real engine and appends them to the real store in
/// batches (one transaction per batch). The same plan and seed give the same events.
///
/// A run that was interrupted (killed between two batches) left whole batches behind; running the
/// same plan again skips the cases already in the log with exactly the events it generates, and
/// appends the rest. A case id already in the log with other events is a conflict: nothing more
/// is appended.
package struct PopulationSimulator: Sendable {
    package let catalog: WorkflowCatalog

    package init(catalog: WorkflowCatalog) {
        self.catalog = catalog
    }

    /// Runs the plan; `progress` is told how many cases are done after each batch.
    ///
    /// Cases are generated on a second thread while the calling thread appends the previous
    /// batch (at most two batches wait), so the engine and the store each keep a core busy. The
    /// random draws happen in the same order as on one thread: the log is the same.
    package func run(_ plan: SimulationPlan, progress: (Int) -> Void = { _ in }) throws -> SimulationSummary {
        guard !plan.workflows.isEmpty, plan.cases >= 0 else {
            throw ServiceError(.unknownArtifact, "simulate needs at least one workflow and a non-negative number of cases")
        }
        let simulators = try plan.workflows.map { id in
            CaseSimulator(context: try catalog.context(for: try catalog.definition(id)), profile: plan.profile)
        }
        let batches = Handoff<([CaseAppend], SimulationSummary)>.start(capacity: 2) { emit in
            try Self.generate(plan, simulators: simulators) { batch, summary in emit((batch, summary)) }
        }
        // However this ends, the generator must stop before we return.
        defer { batches.cancel() }

        var summary = SimulationSummary(cases: 0, events: 0, firstArrival: nil, lastArrival: nil)
        while true {
            switch batches.take() {
            case let .item((batch, done)):
                let alreadyInLog = summary.alreadyInLog + (try appendResuming(batch))
                summary = done
                summary.alreadyInLog = alreadyInLog
                progress(summary.cases)
            case .done:
                return summary
            case let .failed(error):
                throw error
            }
        }
    }

    /// Generates the plan's cases in order, handing each full batch (and the summary so far) to
    /// `emit`; returns false from `emit` to stop early.
    private static func generate(
        _ plan: SimulationPlan, simulators: [CaseSimulator], emit: ([CaseAppend], SimulationSummary) throws -> Bool
    ) throws {
        var random = SeededRandom(seed: plan.seed)
        let meanGap = plan.meanArrivalGap
        let horizon = plan.horizonOrDefault
        var summary = SimulationSummary(cases: 0, events: 0, firstArrival: nil, lastArrival: nil)
        var batch: [CaseAppend] = []
        var arrival = plan.from
        let width = String(plan.cases).count
        let shares = plan.profile.channels.map(\.share)
        for n in 0..<plan.cases {
            // Arrivals form a Poisson process; online applications come at any hour (the Qingdao
            // review was filed at 19:00 on a Sunday), the others when the offices are open.
            arrival = arrival.adding(microseconds: Int64(-log(max(random.unit(), 1e-12)) * meanGap))
            let simulator = simulators[n % simulators.count]
            let channel = plan.profile.channels[random.pick(weights: shares)].name
            var opened = arrival
            if channel != "online" {
                let calendar = simulator.context.calendar
                opened = calendar.adding(workingMicroseconds: 1, to: arrival).adding(microseconds: -1)
            }
            let number = String(n + 1)
            let caseID = plan.caseIDPrefix + simulator.context.definition.id + "-" + String(repeating: "0", count: width - number.count) + number
            let events = try simulator.simulate(caseID: caseID, arrival: opened, horizon: horizon, channel: channel, random: &random)
            summary.firstArrival = summary.firstArrival ?? opened
            summary.lastArrival = opened
            summary.cases += 1
            summary.events += events.count
            batch.append(CaseAppend(caseID: caseID, expectedVersion: 0, events: events, principal: plan.principal))
            if batch.count >= plan.batchSize {
                guard try emit(batch, summary) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try emit(batch, summary) }
    }

    /// Appends `batch` in one transaction, leaving out the cases an earlier run of the same plan
    /// appended; returns how many it left out. Batches are appended in order and whole, so the
    /// cases already in the log are a prefix of the plan: when neither end of the batch is there,
    /// none of it is (the common case costs two lookups).
    private func appendResuming(_ batch: [CaseAppend]) throws -> Int {
        let store = catalog.store
        guard let first = batch.first, let last = batch.last,
              try store.header(of: first.caseID) != nil || store.header(of: last.caseID) != nil
        else {
            _ = try store.append(batch: batch)
            return 0
        }
        var missing: [CaseAppend] = []
        for append in batch {
            let recorded = try store.events(of: append.caseID)
            if recorded.isEmpty {
                missing.append(append)
            } else if recorded.map(\.event) != append.events {
                throw StoreError(
                    .conflict,
                    "case '\(append.caseID)' is already in the log with other events than this simulation generates: "
                        + "nothing more was appended. Simulate into a fresh database, or pass another --prefix.",
                    caseID: append.caseID)
            }
        }
        if !missing.isEmpty { _ = try store.append(batch: missing) }
        return batch.count - missing.count
    }
}
