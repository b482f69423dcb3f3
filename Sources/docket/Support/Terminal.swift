import Foundation

/// Writing to the terminal: stdout for results, stderr for errors and progress.
enum Terminal {
    /// Whether stderr is an interactive terminal (progress bars are drawn only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
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
