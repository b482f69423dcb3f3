import ArgumentParser
import DocketCore
import DocketService

struct Correct: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Correct an earlier event of a case (a wrong time, actor, document or data value), with a reason.",
        discussion: """
            The event stays in the log as it was recorded (and in verify); a correcting event naming it \
            (by its version, the v column of `docket history`) is appended, and show, history, the \
            projections and the reports use the corrected facts. A corrected time moves what the event \
            set off with it. Refused (exit 1, nothing appended) when the corrected history could not \
            have happened: times out of order, an act without the documents it required. With a directory \
            deployed, --by must hold the role corrector in a unit covering the case's.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Option(help: ArgumentHelp("The version of the event corrected (the v column of `docket history`).", valueName: "n"))
    var event: Int

    @Option(help: ArgumentHelp("Who records the correction (a corrector).", valueName: "person"))
    var by: String

    @Option(help: ArgumentHelp("Why, and where the right value comes from (required).", valueName: "text"))
    var reason: String

    @Option(help: ArgumentHelp("The corrected business time of the event, ISO 8601.", valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp("The person who really did it.", valueName: "person"))
    var actor: String?

    @Option(name: .customLong("doc"), help: ArgumentHelp(
        "A document really supplied with the event (repeatable; replaces the recorded list): a name, or NAME=FILE to attach the file.",
        valueName: "name[=file]"))
    var documents: [String] = []

    @Flag(help: "The event was recorded with documents that were not supplied: correct the list to none.")
    var noDocuments = false

    @Option(help: ArgumentHelp("A corrected opening data value, KEY=VALUE (repeatable; KEY= removes it).", valueName: "key=value"))
    var data: [String] = []

    @OptionGroup var attachmentOptions: AttachmentOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if noDocuments, !documents.isEmpty { throw ValidationError("--no-documents and --doc contradict each other") }
    }

    func run() throws {
        let session = try Session(store, create: false)
        var names: [String]?, attachments: [DocumentAttachment]?
        if noDocuments { names = [] }
        if !documents.isEmpty {
            names = []
            for document in documents {
                if let eq = document.firstIndex(of: "=") {
                    let attached = try attachmentOptions.files(besideLog: store.path).attach(document: String(document[..<eq]), file: String(document[document.index(after: eq)...]))
                    attachments = (attachments ?? []) + [attached]
                    names!.append(attached.document)
                } else {
                    names!.append(document)
                }
            }
        }
        let outcome = try session.cases.correct(
            caseID: caseID, event: event, by: by, reason: reason, at: try session.businessTime(at, caseID: caseID), actorCorrected: actor,
            documents: names, attachments: attachments, data: data.isEmpty ? nil : try parsePairs(data, option: "--data"),
            principal: Operator.principal)
        try printOutcome(outcome, session: session, json: try output.isJSON())
    }
}
