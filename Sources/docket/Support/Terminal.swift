import DocketCore
import Foundation

/// Everything `docket` prints to stdout: this function stands in for Swift's `print` in the
/// whole module, so that no case id, name, reason or data value (an old log may hold anything)
/// reaches the terminal raw. Control characters, escape sequences and bidirectional overrides
/// are written as `\u001B`, `\u202E` (in JSON, the same escapes JSON itself uses, so JSON stays
/// JSON); line feeds and tabs are kept.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { String(describing: $0) }.joined(separator: separator)
    Swift.print(TerminalSafety.escaped(text, keepingLineBreaks: true), terminator: terminator)
}

/// Writing to the terminal: stdout for results, stderr for errors and progress.
enum Terminal {
    /// Whether stderr is an interactive terminal (progress bars are drawn only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes `message` and a line feed to stderr, escaped as ``print(_:separator:terminator:)``
    /// escapes stdout: an error quoting a hostile id must not act on the terminal either.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((TerminalSafety.escaped(message, keepingLineBreaks: true) + "\n").utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and redrawn at most
/// ten times a second, so that long work shows it is alive without slowing down.
final class ProgressBar {
    private let label: String
    private let total: Int64
    private let enabled: Bool
    private var lastDraw: UInt64 = 0

    init(label: String, total: Int64) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = Terminal.stderrIsTerminal
    }

    func update(_ done: Int64) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 || done >= total else { return }
        lastDraw = now
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        Terminal.writeError("\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total)")
    }

    func finish() {
        guard enabled else { return }
        Terminal.writeError("\r\u{1B}[2K")
    }
}
