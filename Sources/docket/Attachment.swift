import ArgumentParser
import DocketService
import DocketStore
import Foundation

struct AttachmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attachment",
        abstract: "Documents' files kept beside the log (LOG.attachments), by SHA-256.",
        subcommands: [AttachmentGet.self])
}

struct AttachmentGet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write the file of an attachment (its SHA-256, as `docket history --format json` shows it) to a file.",
        discussion: "The bytes are checked against the hash first: a missing or damaged file is an error and nothing is written.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The attachment's SHA-256 (64 hexadecimal digits).", valueName: "sha256"))
    var sha256: String

    @Option(help: ArgumentHelp("The file to write (refused when it exists); - for standard output.", valueName: "file"))
    var out: String

    func run() throws {
        try store.requireSQLite(for: "documents' files")
        guard FileManager.default.fileExists(atPath: store.path) else {
            throw UsageFailure("no event log at \(store.path): pass --db")
        }
        let files = DocumentFiles(store: FileAttachmentStore(besideLog: store.path, maximumSize: .max))
        let bytes = try files.bytes(sha256.lowercased())
        if out == "-" {
            FileHandle.standardOutput.write(bytes)
            return
        }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw UsageFailure("--out \(out) exists: choose a new file (an attachment is never written over another file)")
        }
        guard FileManager.default.createFile(atPath: out, contents: bytes) else {
            throw UsageFailure("could not write \(out)")
        }
        print("\(out): \(bytes.count) bytes, sha256 \(sha256.lowercased())")
    }
}
