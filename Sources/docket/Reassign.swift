import ArgumentParser
import DocketCore
import DocketService

/// `reassign`: a supervisor gives claimed work to another member of staff (runClaim, Claim.swift).
struct Reassign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reassign",
        abstract: "A supervisor gives a case (or branch) to another member of staff, whoever holds it now.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var claim: ClaimOptions

    @Option(help: ArgumentHelp("Who gets the work.", valueName: "person"))
    var to: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The role you act in: supervisor (a grant of the directory).", valueName: "role"))
    var role: String = Engine.supervisorRole

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runClaim(.reassign, store: store, claim, role: role, person: to, write: write, output: output)
    }
}
