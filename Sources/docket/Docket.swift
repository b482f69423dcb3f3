import ArgumentParser
import DocketCore
import Foundation

/// The `docket` command: event-sourced approval workflows on one SQLite file.
@main
struct Docket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docket",
        abstract: "Event-sourced approval workflows: declare, drive, verify and measure.",
        discussion: """
            `docket --version` prints the version and the event format. Exit codes: 0 success; 1 bad input or a refused command (the message says why); \
            3 conflict (another writer changed the case first: re-read and retry, or pass --retry); \
            4 the database is unavailable (locked, read-only, full) or created by a newer docket; \
            64 usage error.
            """,
        subcommands: [
            Init.self, Validate.self, Deploy.self, Start.self, Fire.self, Vote.self, TickCommand.self,
            Show.self, History.self, Cases.self, Worklist.self, Claim.self, Release.self, Reassign.self, Graph.self, Verify.self, Report.self, Replay.self,
            Simulate.self, Demo.self, Analyze.self, Import.self, Export.self, Conform.self, CalendarCommand.self, HeadCommand.self, TokenCommand.self,
            Serve.self, Backup.self, Copy.self, DirectoryCommand.self, AccessLogCommand.self,
            Correct.self, VoidCommand.self, AttachmentCommand.self,
        ])

    /// Runs the command line. Every failure of a command goes through ``CLIFailure``: `error: ...`
    /// on stderr and the exit code of its ``DocketCore/FailureKind``; argument-parser's own
    /// outcomes (help, usage errors, `ExitCode`) keep its exit codes, in the same `error:` style.
    static func main() {
        // `docket --version`, answered here rather than through the configuration's `version`,
        // which would list a second `--version` in the help of `start` and `report` (theirs
        // name a workflow version).
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(DocketVersion.text)
            return
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any DocketError {
            let failure = CLIFailure(error)
            Terminal.printError(failure.message)
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success || message.isEmpty || String(describing: error).contains("helpRequested") {
                exit(withError: error)
            }
            Terminal.printError(message.hasPrefix("Error: ") ? "error: " + message.dropFirst(7) : message)
            Foundation.exit(code.rawValue)
        }
    }
}
