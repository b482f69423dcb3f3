import ArgumentParser
import DocketService

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Store workflow definitions, calendars and the directory in the event log, each under its id and version.",
        discussion: """
            Every file is validated first; nothing is deployed when one has a problem. Deploying the same \
            content again changes nothing. A changed file under an already deployed version is refused: \
            running cases are pinned to the version they started on, so give the change a new version. A \
            new workflow version that drops a separation-of-duties rule of the version before it is \
            deployed with a warning naming the rules dropped. A file whose top level says 'directory:' is \
            the directory (Docs/directory.md): the first one is deployed by the operator; once one is \
            deployed, --by must name a person holding deployer. A calendar whose coverage (covers:) ends \
            within 60 days of the log's latest event (or of today in an empty log) is deployed with a \
            warning: deadlines after it are provisional until next year's holidays are deployed.
            """)

    @OptionGroup var store: StoreOptions

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Definition or calendar files, or directories of them (e.g. Workflows/).", valueName: "file"))
    var files: [String] = []

    @Flag(help: ArgumentHelp(
        "Deploy the files shipped inside docket instead of files on disk: the paths name them (default: Workflows/, every shipped workflow and calendar; Directories/shandong.yaml is the shipped directory)."))
    var shipped = false

    @Option(help: ArgumentHelp("Who deploys, once a directory is deployed: a person holding deployer.", valueName: "person"))
    var by: String?

    func run() throws {
        let json = try output.isJSON()
        guard shipped || !files.isEmpty else {
            throw UsageFailure("name the files or folders to deploy (e.g. Workflows/), or pass --shipped for the workflows shipped inside docket")
        }
        // Read (and refused when unreadable) before the log is opened or created.
        let artifacts = shipped
            ? try (files.isEmpty ? ["Workflows"] : files).flatMap { try ShippedFiles.artifacts(at: $0) }
            : try ArtifactFile.expand(files).map { try ArtifactFile(path: $0) }
        let session = try Session(store)
        let outcomes = try Deployer(catalog: session.catalog).deploy(artifacts, principal: Operator.principal, by: by)
        if json {
            print(try JSONOutput.text(outcomes.map(DeploymentView.init)))
            return
        }
        for outcome in outcomes {
            let what = outcome.artifact.file.kind.rawValue
            print("\(outcome.isNew ? "deployed" : "unchanged") \(what) \(outcome.artifact.id) v\(outcome.artifact.version)  (\(outcome.artifact.file.path))")
            for warning in outcome.warnings { print("  warning: \(warning)") }
        }
    }
}
