import ArgumentParser
import DocketCore
import DocketService

struct VoidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "void",
        abstract: "Void a mistaken act on a case (its last fired event, work start or vote), with a reason.",
        discussion: """
            The act and what it set off (a vote's outcome, a join, branches started, a breach of the state \
            it entered) stop counting and the case is back where it was before it; the act stays in the log, \
            marked voided, and the void is on record. Only the case's last act by a person may be voided: \
            void later acts first. With a directory deployed, --by must hold the role corrector.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Option(help: ArgumentHelp("The version of the act voided (the v column of `docket history`).", valueName: "n"))
    var event: Int

    @Option(help: ArgumentHelp("Who records the void (a corrector).", valueName: "person"))
    var by: String

    @Option(help: ArgumentHelp("Why the act was a mistake (required).", valueName: "text"))
    var reason: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let outcome = try session.cases.void(caseID: caseID, event: event, by: by, reason: reason, principal: Operator.principal)
        try printOutcome(outcome, session: session, json: try output.isJSON())
    }
}
