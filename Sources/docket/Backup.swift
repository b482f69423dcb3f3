import ArgumentParser
import DocketStore

/// `docket backup --to FILE`: a consistent copy of the log while it is in use.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the event log to a new file, consistently, while servers and commands go on writing.",
        discussion: """
            The copy is the whole database as of one moment (SQLite's VACUUM INTO): the log, its hash chain, \
            the deployments and the projections. It never overwrites a file. Check it with docket verify --db FILE.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The new file to write (refused if it exists).", valueName: "file"))
    var to: String

    func run() throws {
        let session = try Session(store, create: false)
        try session.store.backup(to: to)
        let position = try SQLiteEventStore(path: to, options: .init(readOnly: true)).lastPosition()
        print("backed up \(store.path) to \(to) (\(position) event(s))")
    }
}
