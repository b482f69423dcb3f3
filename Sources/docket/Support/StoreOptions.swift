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

    /// How long a write waits for another writer to finish before failing with exit code 4, in
    /// seconds: `$DOCKET_BUSY_TIMEOUT`, else 5. Scripts and tests that expect a held lock shorten it.
    func busyTimeout() throws -> Double {
        guard let text = ProcessInfo.processInfo.environment["DOCKET_BUSY_TIMEOUT"] else { return 5 }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 86_400 else {
            throw UsageFailure("DOCKET_BUSY_TIMEOUT '\(text)' is not a number of seconds between 0 and 86400")
        }
        return seconds
    }
}
