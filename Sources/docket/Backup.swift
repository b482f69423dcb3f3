import ArgumentParser
import DocketService
import DocketStore

/// `docket backup --to FILE`: a consistent copy of the log while it is in use.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the event log to a new file, consistently, while servers and commands go on writing.",
        discussion: """
            The copy is the whole database as of one moment (SQLite's VACUUM INTO): the log, its hash chain, \
            the deployments and the projections. It never overwrites a file. The documents' files its events name \
            are copied beside it (FILE.attachments), each checked against its hash. Check it with docket verify --db FILE.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The new file to write (refused if it exists).", valueName: "file"))
    var to: String

    func run() throws {
        let session = try Session(store, create: false)
        // PostgreSQL has its own: pg_basebackup, pg_dump, a standby; or docket copy --to FILE.sqlite.
        try session.sqlite(for: "docket backup (on PostgreSQL use pg_basebackup or pg_dump, or docket copy --to FILE.sqlite)").backup(to: to)
        let copy = try SQLiteEventStore(path: to, options: .init(readOnly: true))
        let position = try copy.lastPosition()
        // Files are written before the events naming them, so every file the copy names is there.
        let files = try DocumentFiles(store: FileAttachmentStore(besideLog: store.path, maximumSize: .max))
            .copy(namedIn: copy, to: FileAttachmentStore(besideLog: to, maximumSize: .max))
        print("backed up \(store.path) to \(to) (\(position) event(s)\(files > 0 ? ", \(files) document file(s) in \(to).attachments" : ""))")
    }
}
