import ArgumentParser
import DocketStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the event log's integrity: the hash chain, each case's versions, the deployed definitions.",
        discussion: "Exits 1 and names the first bad position when anything was changed behind Docket's back.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let session = try Session(store, create: false)
        let report = try session.store.verify()
        if json {
            print(try Format.json(report))
        } else {
            print(report.summary)
            for problem in report.problems {
                Terminal.printError("error: \(problem.position.map { "position \($0): " } ?? "")\(problem.message)")
            }
        }
        if !report.isOK { throw ExitCode(ExitStatus.badInput) }
    }
}
