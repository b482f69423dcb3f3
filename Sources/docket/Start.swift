import ArgumentParser
import DocketCore

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Open a case of a deployed workflow, in its initial state.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The workflow id (see docket deploy).", valueName: "workflow"))
    var workflow: String

    @Option(name: .customLong("case"), help: ArgumentHelp("The case id (default: a new random id).", valueName: "id"))
    var caseID: String?

    @Option(help: ArgumentHelp("The workflow version to start on (default: the newest deployed).", valueName: "n"))
    var version: Int?

    @Option(help: ArgumentHelp("Who opens the case.", valueName: "actor"))
    var by: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The role they open it in (required: it decides who the applicant is).", valueName: "role"))
    var role: String?

    @Option(help: ArgumentHelp("The applicant they act for (assisted handling).", valueName: "who"))
    var onBehalfOf: String?

    @Option(help: ArgumentHelp("A case attribute, e.g. channel=online (repeatable).", valueName: "key=value"))
    var data: [String] = []

    @OptionGroup var write: WriteOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let outcome = try session.cases.open(
            workflowID: workflow, version: version, caseID: caseID, actor: by, role: role, onBehalfOf: onBehalfOf,
            data: try parsePairs(data, option: "--data"),
            at: try session.businessTime(write.at, opening: workflow, version: version), allowFuture: write.allowFuture,
            idempotencyKey: write.idempotencyKey, retries: write.retry, principal: Operator.principal)
        try printOutcome(outcome, session: session, json: try output.isJSON())
    }
}
