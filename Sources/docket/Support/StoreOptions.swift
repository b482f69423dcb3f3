import ArgumentParser
import Foundation

/// The `--db` option every command that touches the event log shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The SQLite event log to use (default: $DOCKET_DB, else docket.sqlite).", valueName: "path"))
    var db: String?

    /// The database path: `--db`, else `$DOCKET_DB`, else `docket.sqlite` in the current directory.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["DOCKET_DB"] ?? "docket.sqlite"
    }
}
