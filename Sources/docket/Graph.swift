import ArgumentParser
import DocketCore
import DocketService
import Foundation

extension WorkflowGraph.Format: ExpressibleByArgument {}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph", abstract: "Draw a workflow as a Mermaid or Graphviz diagram.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("A deployed workflow id, or a definition file.", valueName: "workflow"))
    var workflow: String

    @Option(help: ArgumentHelp("The deployed version (default: the newest).", valueName: "n"))
    var version: Int?

    @Option(help: "mermaid or dot.")
    var format: WorkflowGraph.Format = .mermaid

    func run() throws {
        let definition: WorkflowDefinition
        if FileManager.default.fileExists(atPath: workflow) {
            let file = try ArtifactFile(path: workflow)
            definition = try DefinitionLoader.load(text: file.text, file: file.path).get()
        } else {
            definition = try Session(store, create: false).catalog.definition(workflow, version: version)
        }
        print(WorkflowGraph.render(definition, as: format))
    }
}
