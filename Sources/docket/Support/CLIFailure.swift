import ArgumentParser
import DocketCore
import DocketStore

/// Exit codes of `docket`, documented in `Docs/cli.md`: one per ``DocketCore/FailureKind``.
enum ExitStatus {
    static let success: Int32 = 0
    static let badInput: Int32 = 1
    static let conflict: Int32 = 3
    static let unavailable: Int32 = 4

    /// The exit code for a failure of `kind`: the one mapping from errors to exit codes.
    static func of(_ kind: FailureKind) -> Int32 {
        switch kind {
        case .invalidInput, .notFound, .unauthenticated, .forbidden, .refused: badInput
        case .conflict: conflict
        case .unavailable: unavailable
        }
    }
}

/// A failure of a subcommand, turned into printable lines and an exit code.
struct CLIFailure {
    let lines: [String]
    let exitCode: Int32

    init(_ error: any Error) {
        if let error = error as? any DocketError {
            var lines = error.lines
            // A lost race is the one failure a command line can answer by itself.
            if let store = error as? StoreError, store.code == .conflict, !lines.isEmpty {
                lines[0] += " (retry the command, or pass --retry N)"
            }
            self.lines = lines
            exitCode = ExitStatus.of(error.kind)
        } else {
            // An error no Docket module declares (Foundation's, say): still the user's `error:` line.
            lines = [String(describing: error)]
            exitCode = ExitStatus.badInput
        }
    }

    /// Each line as `error: ...`, unless it carries its own compiler-style `FILE:LINE:COLUMN: error:`.
    var message: String {
        lines.map { $0.contains(": error: ") || $0.contains(": warning: ") || $0.hasPrefix("error: ") ? $0 : "error: " + $0 }
            .joined(separator: "\n")
    }
}

/// A plain user-facing error raised by the CLI itself (bad flag value, missing file, ...).
struct UsageFailure: DocketError {
    let description: String
    var kind: FailureKind { .invalidInput }
    var errorCode: String { "invalid_option" }

    init(_ message: String) {
        self.description = message
    }
}
