import ArgumentParser
import DocketCore
import DocketService
import Foundation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate a realistic population of cases through the real engine and store.",
        discussion: """
            Arrivals form a Poisson process (online ones at any hour, the others in office hours); each \
            step takes a log-normal working time whose median is a third of the state's declared limit; \
            send-backs, rejections, stopped clocks, votes and parallel branches follow the definitions. \
            The same seed gives the same log. Cases go in batches, one transaction per batch; running \
            an interrupted simulation again completes it.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("Deployed workflow ids; cases are spread evenly over them.", valueName: "workflow"))
    var workflows: [String]

    @Option(help: "How many cases to generate.")
    var cases: Int

    @Option(help: "Random seed: the same seed gives the same log.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("First arrival, ISO 8601 (default: 2020-02-03T00:00:00+08:00).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Cases arriving per day over all workflows (default: spread over 28 days).", valueName: "rate"))
    var arrivalsPerDay: Double?

    @Option(help: ArgumentHelp("Prefix for the generated case ids (to simulate twice into one log).", valueName: "text"))
    var prefix: String = ""

    @Option(help: "Cases per append transaction.")
    var batchSize: Int = 1_000

    func run() throws {
        guard cases >= 0, batchSize > 0 else { throw UsageFailure("--cases must be >= 0 and --batch-size > 0") }
        let session = try Session(store, create: false)
        var plan = SimulationPlan(workflows: workflows, cases: cases, seed: seed, arrivalsPerDay: arrivalsPerDay)
        if let from = try session.readingTime(from, option: "--from", workflow: workflows.count == 1 ? workflows[0] : nil) { plan.from = from }
        plan.batchSize = batchSize
        plan.caseIDPrefix = prefix
        plan.principal = Operator.principal
        let bar = ProgressBar(label: "simulate", total: Int64(cases))
        let started = Date()
        let summary = try PopulationSimulator(catalog: session.catalog).run(plan) { bar.update(Int64($0)) }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        let resumed = summary.alreadyInLog > 0 ? " (\(summary.alreadyInLog) cases were already in the log from an interrupted run)" : ""
        print("simulated \(summary.cases) cases, \(summary.events) events in \(String(format: "%.2f", seconds)) s (\(Int(Double(summary.events) / max(seconds, 1e-9))) events/s)\(resumed)")
    }
}
