import ArgumentParser
import DocketCore
import DocketService

/// `release`: the holder (or a supervisor) gives back a claimed case or branch (runClaim, Claim.swift).
struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Give back a case (or branch) you hold; a supervisor (--as supervisor) may release anyone's.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var claim: ClaimOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("The role you act in: your staff role, or supervisor for someone else's claim.", valueName: "role"))
    var role: String

    @OptionGroup var write: WriteOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runClaim(.release, store: store, claim, role: role, person: nil, write: write, output: output)
    }
}
