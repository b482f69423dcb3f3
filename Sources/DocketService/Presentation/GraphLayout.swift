import Foundation

/// Lays out a graph written in DOT as SVG: the pages' diagrams are placed by a real layout engine
/// (Graphviz, as pm4py uses), never by hand.
package protocol GraphLayout: Sendable {
    /// The graph as an `<svg>` element (no XML prolog), or a ``ServiceError`` saying why not.
    func svg(fromDOT dot: String) throws -> String
}

/// Graphviz's `dot -Tsvg`, run as a subprocess for each graph.
package struct GraphvizLayout: GraphLayout {
    /// The `dot` executable.
    package let executable: String

    /// `dot` from `DOCKET_DOT` or the `PATH`; `nil` when Graphviz is not installed.
    package static func installed(environment: [String: String] = ProcessInfo.processInfo.environment) -> GraphvizLayout? {
        if let explicit = environment["DOCKET_DOT"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? GraphvizLayout(executable: explicit) : nil
        }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(folder) + "/dot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return GraphvizLayout(executable: candidate) }
        }
        return nil
    }

    /// What the page says when Graphviz is missing.
    package static let missingNote = "Graphviz (dot) is not installed, so the diagrams are left out; every figure is in the tables. "
        + "Install it (Debian: apt-get install graphviz) and generate the page again."

    package func svg(fromDOT dot: String) throws -> String {
        // Files rather than pipes for the graph and dot's complaints: nothing can fill up and stall.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("graph.dot"), errors = folder.appendingPathComponent("errors.txt")
        try Data(dot.utf8).write(to: input)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-Tsvg", input.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ServiceError(.graphLayoutFailed, "could not run \(executable): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let text = String(data: data, encoding: .utf8), let start = text.range(of: "<svg") else {
            let message = (try? String(contentsOf: errors, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw ServiceError(.graphLayoutFailed, "\(executable) failed (exit \(process.terminationStatus)): \(message)")
        }
        return String(text[start.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A layout that has no engine (tests, and a machine without Graphviz): every graph is refused
/// with `reason`, and the pages show their tables only.
package struct NoGraphLayout: GraphLayout {
    package var reason: String

    package init(reason: String = GraphvizLayout.missingNote) {
        self.reason = reason
    }

    package func svg(fromDOT dot: String) throws -> String {
        throw ServiceError(.graphLayoutFailed, reason)
    }
}
