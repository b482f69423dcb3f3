import ArgumentParser
import Foundation

/// An error that knows which exit code it deserves and how to say itself on one or more lines.
protocol ReportableError: Error {
    /// The process exit code: see ``Docket`` for the table.
    var exitCode: Int32 { get }
    /// What went wrong, for a person; each line is printed after `error: ` unless it already
    /// carries its own `file:line:column: error:` prefix.
    var reportLines: [String] { get }
}

/// Exit codes of `docket`, documented in `Docs/cli.md`.
enum ExitStatus {
    static let success: Int32 = 0
    static let badInput: Int32 = 1
    static let conflict: Int32 = 3
    static let unavailable: Int32 = 4
}

/// A failure of a subcommand, turned into printable lines and an exit code.
struct CLIFailure {
    let lines: [String]
    let exitCode: Int32

    init(_ error: any Error) {
        if let reportable = error as? any ReportableError {
            lines = reportable.reportLines
            exitCode = reportable.exitCode
        } else {
            lines = [String(describing: error)]
            exitCode = ExitStatus.badInput
        }
    }

    var message: String {
        lines.map { $0.contains(": error: ") || $0.hasPrefix("error: ") ? $0 : "error: " + $0 }
            .joined(separator: "\n")
    }
}

/// A plain user-facing error raised by the CLI itself (bad flag value, missing file, ...).
struct UsageFailure: ReportableError, CustomStringConvertible {
    let description: String
    var exitCode: Int32 = ExitStatus.badInput
    init(_ message: String, exitCode: Int32 = ExitStatus.badInput) {
        self.description = message
        self.exitCode = exitCode
    }
    var reportLines: [String] { [description] }
}
