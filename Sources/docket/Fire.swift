import ArgumentParser
import DocketCore
import DocketService

struct Fire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fire",
        abstract: "Fire an event on a case: move it (or one of its parallel branches) on.",
        discussion: "A refused event (wrong state, wrong role, missing documents, closed case) appends nothing and exits 1; losing a race with another writer exits 3.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Argument(help: ArgumentHelp("The event, as the workflow names it (e.g. approve).", valueName: "event"))
    var event: String

    @OptionGroup var actor: ActorOptions

    @Option(name: .customLong("doc"), help: ArgumentHelp(
        "A document supplied with the event (repeatable): its name, or NAME=FILE to attach the file itself (kept beside the log, recorded by SHA-256, size and media type).",
        valueName: "name[=file]"))
    var documents: [String] = []

    @OptionGroup var attachmentOptions: AttachmentOptions

    @Option(help: ArgumentHelp("Why (required for send-backs).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("The parallel branch, when the event is open in several.", valueName: "branch"))
    var branch: String?

    @Option(help: ArgumentHelp("Case data given with the event, e.g. risk=high (repeatable); checked against the workflow's data: declaration.", valueName: "key=value"))
    var data: [String] = []

    @OptionGroup var write: WriteOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        // Files are kept (and synced) before the event that names them is appended.
        // Asked for only when a document comes with a file (a PostgreSQL log keeps none yet).
        var files: DocumentFiles?
        var names: [String] = []
        var attachments: [DocumentAttachment] = []
        for document in documents {
            guard let eq = document.firstIndex(of: "=") else {
                names.append(document)
                continue
            }
            if files == nil { files = try attachmentOptions.files(besideLog: store.path) }
            attachments.append(try files!.attach(document: String(document[..<eq]), file: String(document[document.index(after: eq)...])))
        }
        let outcome = try session.cases.fire(
            caseID: caseID, event: event, actor: actor.by, role: actor.role, onBehalfOf: actor.onBehalfOf, documents: names,
            reason: reason, branch: branch, data: try parsePairs(data, option: "--data"), at: try session.businessTime(write.at, caseID: caseID),
            allowFuture: write.allowFuture, idempotencyKey: write.idempotencyKey, retries: write.retry, principal: Operator.principal,
            attachments: attachments)
        try printOutcome(outcome, session: session, json: try output.isJSON())
    }
}
