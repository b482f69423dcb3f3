import ArgumentParser
import DocketCore
import DocketService

/// `claim`, `release`, `reassign`: who works a case (or a branch of it), recorded in its log.
struct ClaimOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Option(help: ArgumentHelp("Who acts.", valueName: "actor"))
    var by: String

    @Option(help: ArgumentHelp("The branch of a parallel state meant (default: the whole case).", valueName: "branch"))
    var branch: String?

    @Option(help: ArgumentHelp("Why, kept with the event.", valueName: "text"))
    var reason: String?
}

struct Claim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim a case (or a branch) to work it: until it moves on or is released, nobody else acts on it.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var claim: ClaimOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("The staff role you work it in (one that can act on its state).", valueName: "role"))
    var role: String

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runClaim(.claim, store: store, claim, role: role, person: nil, write: write, output: output)
    }
}

func runClaim(_ action: ClaimCommand.Action, store: StoreOptions, _ claim: ClaimOptions, role: String, person: String?,
                      write: WriteOptions, output: OutputOptions) throws {
    let json = try output.isJSON()
    let session = try Session(store, create: false)
    let outcome = try session.cases.claim(
        caseID: claim.caseID, action: action, actor: claim.by, role: role, person: person, branch: claim.branch, reason: claim.reason,
        at: try session.businessTime(write.at, caseID: claim.caseID), idempotencyKey: write.idempotencyKey, principal: Operator.principal)
    if outcome.recorded.isEmpty, !json {
        print(action == .claim ? "\(claim.by) already holds it: nothing appended" : "\(person ?? claim.by) already holds it: nothing appended")
    }
    try printOutcome(outcome, session: session, json: json)
}
