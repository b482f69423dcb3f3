import ArgumentParser
import DocketStore
import Foundation

/// `docket init`: an empty event log, created on purpose. Apart from `deploy` (and `import`,
/// which fills the log it creates), no command creates a log: a mistyped `--db` is an error.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty event log at --db (or $DOCKET_DB, else docket.sqlite).",
        discussion: "Other write commands refuse a path where there is no log; deploy also creates one. An existing log is left as it is.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let path = store.path
        if store.isPostgres {
            let log = try store.openPostgres(create: true)
            print("event log ready in \(log.location) (\(try log.lastPosition()) events): deploy workflows next (docket deploy --shipped, or docket deploy DIR)")
            return
        }
        if FileManager.default.fileExists(atPath: path) {
            try StoreOptions.requireLog(at: path)
            let log = try SQLiteEventStore(path: path, options: .init(busyTimeout: try store.busyTimeout(), readOnly: !StoreOptions.isWritable(path)))
            print("already an event log at \(path) (\(try log.lastPosition()) events): left as it is")
            return
        }
        _ = try SQLiteEventStore(path: path, options: .init(busyTimeout: try store.busyTimeout()))
        print("created an empty event log at \(path): deploy workflows next (docket deploy --shipped, or docket deploy DIR)")
    }
}

/// `docket --version`: this binary's version and the event format it writes.
enum DocketVersion {
    static let number = "0.15.0"
    static var text: String { "\(number) (events: encoding \(EventFormat.encoding), hash \(EventFormat.hashTag))" }
}
