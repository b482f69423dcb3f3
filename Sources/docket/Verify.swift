import ArgumentParser
import DocketService
import DocketStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the event log's integrity: the hash chain, each case's versions, the deployed definitions.",
        discussion: "Exits 1 and names the first bad position when anything was changed behind Docket's back.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let report = try session.store.verify()
        if try output.isJSON() {
            print(try JSONOutput.text(VerifyView(report)))
        } else {
            print(report.summary)
            for problem in report.problems {
                Terminal.printError("error: \(problem.position.map { "position \($0): " } ?? "")\(problem.message)")
            }
        }
        if !report.isOK { throw ExitCode(ExitStatus.badInput) }
    }
}
