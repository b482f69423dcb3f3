import ArgumentParser
import DocketPostgres
import DocketStore
import Foundation

/// `docket copy --from LOG --to LOG`: a whole log moved between an SQLite file and a PostgreSQL
/// database (either way), row for row.
struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole event log between an SQLite file and a PostgreSQL database (either way), positions and hashes kept.",
        discussion: """
            Moves the deployments, every event with its position, hash and recording time, the idempotency keys \
            and the signed heads, so that the copy is the same record: docket verify passes on both sides with \
            the same head. The source is verified first (a damaged log is not copied); the destination must be \
            empty (a new file, or a database with no Docket log or an empty one) and is verified after. \
            The projections are not copied: the destination builds its own. Documents' files are not copied \
            (copy FILE.attachments yourself when both sides are files). A PostgreSQL URL is \
            postgres://user@host:port/database; the password comes from the URL, PGPASSWORD or ~/.pgpass.
            """)

    @Option(help: ArgumentHelp("The log to copy: an SQLite file or a postgres:// URL.", valueName: "path|url"))
    var from: String

    @Option(help: ArgumentHelp("The empty log to copy into: a new SQLite file or a postgres:// URL.", valueName: "path|url"))
    var to: String

    func validate() throws {
        if from == to { throw ValidationError("--from and --to name the same log") }
    }

    func run() throws {
        let source = try Self.open(from, create: false)
        if !PostgresLocation.isPostgresURL(to), FileManager.default.fileExists(atPath: to) {
            throw UsageFailure("--to \(to) exists: copy into a new file, so that no record is merged into another")
        }
        let destination = try Self.open(to, create: true)
        let bar = ProgressBar(label: "copying", total: try source.lastPosition())
        let result = try LogCopy.copy(from: source, to: destination) { bar.update($0) }
        bar.finish()
        print("copied \(result.events) event(s), \(result.deployments) deployment(s), \(result.idempotencyKeys) idempotency key(s) "
            + "and \(result.signedHeads) signed head(s) from \(source.locationDescription) to \(destination.locationDescription); "
            + "both verify with head \(result.headPosition) \(result.headHash)")
    }

    /// The log at `place`, for copying: a source must exist (and is only read).
    private static func open(_ place: String, create: Bool) throws -> any CopyableLog {
        let options = try StoreOptions.parse(["--db", place])
        if options.isPostgres { return try options.openPostgres(create: create) }
        if !create { try StoreOptions.requireLog(at: place) }
        return try SQLiteEventStore(path: place, options: try options.openOptions(create: create))
    }
}
