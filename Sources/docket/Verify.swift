import ArgumentParser
import DocketService
import DocketStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the event log's integrity: the hash chain, each case's versions, the deployed definitions, the documents' files.",
        discussion: """
            Exits 1 and names the first bad position when anything was changed behind Docket's back. \
            The chain alone cannot catch someone who rewrites the file and recomputes every hash, or cuts \
            off its last events: with --heads (heads signed by `docket head sign` or the server, kept off \
            the machine) and --trust (their public key), verify also proves that the log still holds \
            every signed head; --expect-head checks one hash recorded elsewhere.
            """)

    @OptionGroup var store: StoreOptions

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("A heads file exported by `docket head sign --to` or `docket serve --heads`.", valueName: "file"))
    var heads: String?

    @Option(help: ArgumentHelp("A public key the heads are signed with (ed25519:BASE64, as `docket head keygen` prints); repeatable.",
                               valueName: "key"))
    var trust: [String] = []

    @Option(help: ArgumentHelp("A head hash recorded elsewhere (e.g. the last `verify` output): the log must still hold it.",
                               valueName: "hash"))
    var expectHead: String?

    func validate() throws {
        if heads != nil, trust.isEmpty { throw ValidationError("--heads needs --trust KEY: the public key the heads were signed with") }
        if heads == nil, !trust.isEmpty { throw ValidationError("--trust is only used with --heads FILE") }
        if let expectHead, expectHead.count != 64 || !expectHead.allSatisfy(\.isHexDigit) {
            throw ValidationError("--expect-head '\(expectHead)' is not a hash of 64 hexadecimal digits")
        }
    }

    func run() throws {
        let session = try Session(store, create: false)
        var report = try session.store.verify()
        // Every document's file an event names must be beside the log, with the hash recorded
        // (an SQLite log's: documents' files are not kept for a PostgreSQL log yet).
        if !store.isPostgres {
            report.problems += try DocumentFiles(store: FileAttachmentStore(besideLog: store.path, maximumSize: .max)).problems(in: session.store)
        }
        if heads != nil || expectHead != nil {
            let signed = try heads.map { try SignedHeadFile.read(path: $0) } ?? []
            let keys = try trust.map { try HeadPublicKey(text: $0) }
            report.problems += try SignedHeadCheck.problems(in: session.store, heads: signed, trusting: keys, expectHead: expectHead)
        }
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
