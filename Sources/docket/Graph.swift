import ArgumentParser
import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Draw a workflow as a Mermaid or Graphviz diagram, or as SVG laid out by Graphviz.",
        discussion: """
            --format svg runs Graphviz's dot (Debian: graphviz) and prints the SVG. --overlay draws \
            the report's figures on a deployed workflow's diagram (the bottleneck overlay): each \
            state coloured by its share of the time cases spent in states, with its mean dwell and \
            stays; each transition as thick as it was frequent, with how often it was taken and \
            its mean time; transitions never taken dashed. Figures are those of `docket report \
            --workflow ID --version N` on working time, after bringing the projections up to date.
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot, svg
    }

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("A deployed workflow id, or a definition file.", valueName: "workflow"))
    var workflow: String

    @Option(help: ArgumentHelp("The deployed version (default: the newest).", valueName: "n"))
    var version: Int?

    @Option(help: ArgumentHelp("mermaid, dot, or svg (laid out by Graphviz's dot).", valueName: "mermaid|dot|svg"))
    var format: OutputFormat = .mermaid

    @Flag(help: "Draw the report's dwell and transition figures on the diagram (dot and svg; a deployed workflow).")
    var overlay = false

    @OptionGroup var destination: OutputFileOptions

    func run() throws {
        let definition: WorkflowDefinition
        let isFile = FileManager.default.fileExists(atPath: workflow)
        if isFile {
            let file = try ArtifactFile(path: workflow)
            definition = try DefinitionLoader.load(text: file.text, file: file.path).get()
        } else {
            definition = try Session(store, create: false).catalog.definition(workflow, version: version)
        }
        if overlay, format == .mermaid { throw UsageFailure("--overlay draws on dot or svg; pass --format svg or --format dot") }
        if overlay, isFile { throw UsageFailure("--overlay needs a deployed workflow (its cases are in the log), not a definition file") }
        let figures = overlay ? try overlayFigures(definition) : nil
        switch format {
        case .mermaid: try destination.emit(WorkflowGraph.render(definition, as: .mermaid))
        case .dot: try destination.emit(WorkflowGraph.dot(definition, overlay: figures))
        case .svg:
            guard let layout = GraphvizLayout.installed() else {
                throw ServiceError(.graphLayoutFailed, "--format svg needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz)")
            }
            try destination.emit(try layout.svg(fromDOT: WorkflowGraph.dot(definition, overlay: figures)))
        }
    }

    /// The report's figures of this workflow version, as the overlay draws them.
    private func overlayFigures(_ definition: WorkflowDefinition) throws -> WorkflowGraph.Overlay {
        let log = try AnalyticsStore.open(store)
        let calendars = try ProjectionCalendars.deployed(in: log)
        let projections = try AnalyticsStore.projections(of: log, calendars: calendars)
        let scope = ReportScope(workflowID: definition.id, version: definition.version, measure: .working, asOf: SystemWallClock().now())
        let report = try ProjectionReporter(projections, calendars: calendars).report(scope)
        let view = ReportView(report, calendars: calendars)
        guard let section = view.workflows.first(where: { $0.version == definition.version }) else {
            return WorkflowGraph.Overlay()
        }
        return ReportPage.overlay(section)
    }
}
