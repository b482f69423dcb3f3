import ArgumentParser
import Foundation

/// The `docket` command: event-sourced approval workflows on one SQLite file.
@main
struct Docket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docket",
        abstract: "Event-sourced approval workflows: declare, drive, verify and measure.",
        discussion: """
            Exit codes: 0 success; 1 bad input or a refused command (the message says why); \
            3 conflict (another writer changed the case first: re-read and retry, or pass --retry); \
            4 the database is unavailable (locked, read-only, full) or created by a newer docket; \
            64 usage error.
            """,
        subcommands: [Report.self, Replay.self])

    /// Runs the command line, printing every failure as `error: ...` on stderr with its exit code.
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch {
            let failure = CLIFailure(error)
            Terminal.printError(failure.message)
            Foundation.exit(failure.exitCode)
        }
    }
}
