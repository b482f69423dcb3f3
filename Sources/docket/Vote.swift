import ArgumentParser
import DocketCore

struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vote",
        abstract: "Cast a panel member's vote on a case in a voting state (one vote per member).")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Argument(help: ArgumentHelp("approve or reject.", valueName: "ballot"))
    var ballot: String

    @OptionGroup var actor: ActorOptions

    @Option(help: ArgumentHelp("A reason kept with the vote.", valueName: "text"))
    var reason: String?

    @OptionGroup var write: WriteOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let ballot = Ballot(rawValue: ballot) else {
            throw UsageFailure("ballot '\(self.ballot)' is neither approve nor reject")
        }
        let session = try Session(store, create: false)
        let outcome = try session.cases.vote(
            caseID: caseID, ballot: ballot, actor: actor.by, role: actor.role, onBehalfOf: actor.onBehalfOf, reason: reason,
            at: try session.businessTime(write.at, caseID: caseID), allowFuture: write.allowFuture, idempotencyKey: write.idempotencyKey, retries: write.retry,
            principal: Operator.principal)
        try printOutcome(outcome, session: session, json: try output.isJSON())
    }
}
