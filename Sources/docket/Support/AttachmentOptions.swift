import ArgumentParser
import DocketPostgres
import DocketService
import DocketStore
import Foundation

/// `--max-attachment-size`, shared by the commands that keep documents' files.
struct AttachmentOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The largest document file accepted, in bytes, or with a unit: 500K, 64M, 1G (default: $DOCKET_MAX_ATTACHMENT_SIZE, else 64M).",
        valueName: "size"))
    var maxAttachmentSize: String?

    /// The limit in bytes.
    func maximumSize() throws -> Int64 {
        guard let text = maxAttachmentSize ?? ProcessInfo.processInfo.environment["DOCKET_MAX_ATTACHMENT_SIZE"] else {
            return AttachmentLimits.defaultMaximumSize
        }
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased()
        let (digits, unit) = upper.last.flatMap { units[$0] }.map { (String(upper.dropLast()), $0) } ?? (upper, 1)
        guard let value = Int64(digits), value > 0, value <= (Int64(1) << 40) / unit else {
            throw UsageFailure("--max-attachment-size '\(text)' is not a size such as 67108864, 500K, 64M or 1G")
        }
        return value * unit
    }

    /// The documents' files of the log at `logPath` (`LOG.attachments`).
    func files(besideLog logPath: String) throws -> DocumentFiles {
        if PostgresLocation.isPostgresURL(logPath) {
            throw UsageFailure("documents' files are not kept for a PostgreSQL log yet (Docs/store.md, \"PostgreSQL\"): "
                + "name the documents without a file (--document NAME), or use an SQLite log")
        }
        return DocumentFiles(store: FileAttachmentStore(besideLog: logPath, maximumSize: try maximumSize()))
    }
}
