import ArgumentParser
import DocketService
import DocketStore

struct AccessLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-log",
        abstract: "List who read which case through the API (the access log, kept apart from the case log).",
        discussion: """
            Every read of a case through docket serve (GET /v1/cases/ID and its history), every listing, \
            event stream, report and reading of the access log itself is recorded with the principal, \
            the time and the request's id. Over HTTP the access log needs the auditor role \
            (GET /v1/access-log); here the operator, who holds the log file, reads it, and that read is \
            not recorded (the file is theirs to read anyway).
            """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("case"), help: ArgumentHelp("Only the reads of this case.", valueName: "id"))
    var caseID: String?

    @Option(help: "At most this many rows, oldest first.")
    var limit: Int = 1000

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard limit > 0 else { throw UsageFailure("--limit must be at least 1") }
        let session = try Session(store, create: false)
        let records = try LogCompanions.accessLog(of: session.store).records(caseID: caseID, limit: limit).map(AccessRecordView.init)
        if try output.isJSON() {
            print(try JSONOutput.text(records))
            return
        }
        var table = TextTable(["at", "principal", "action", "case", "request"])
        for r in records {
            table.append([r.at, r.principal, r.action, r.caseID ?? "", r.requestID ?? ""])
        }
        print(table.render())
    }
}
