import Foundation

/// A file Docket ships (a workflow, calendar, activity map or directory of `Workflows/` and
/// `Directories/`), as compiled into the binary.
public struct ShippedFile: Sendable, Hashable {
    /// Its path from the repository root, e.g. `Workflows/permit-check.yaml`.
    public let path: String
    /// Its exact text.
    public let text: String
}

/// The workflows, calendars and directory Docket ships, compiled into the binary
/// (`Scripts/embed-shipped`), so `docket demo` and `docket deploy --shipped` need no checkout
/// and work from any directory.
public enum ShippedFiles {
    /// Every shipped file.
    public static var all: [ShippedFile] { embedded }

    /// The shipped files at `path`: the file of that path, or every deployable file (workflows,
    /// calendars, directories; not activity maps) under that folder, as ``ArtifactFile/expand(_:)``
    /// finds them on disk. `Workflows/`, `./Workflows` and `Workflows` name the same folder.
    ///
    /// - Throws: ``ServiceError`` `unreadable_file` naming the shipped folders when nothing matches.
    public static func artifacts(at path: String) throws -> [ArtifactFile] {
        var key = path
        while key.hasPrefix("./") { key.removeFirst(2) }
        while key.hasSuffix("/") { key.removeLast() }
        if let file = embedded.first(where: { $0.path == key }) { return [ArtifactFile(path: file.path, text: file.text)] }
        let found = embedded.filter {
            (key.isEmpty || $0.path.hasPrefix(key + "/"))
                && ![".map.yaml", ".map.yml", ".map.json"].contains(where: $0.path.hasSuffix)
        }
        guard !found.isEmpty else {
            throw ServiceError(.unreadableFile, "Docket ships nothing at \(path): shipped are Workflows/ (workflows and calendars/) "
                + "and Directories/ (" + embedded.filter { $0.path.hasPrefix("Directories/") }.map(\.path).joined(separator: ", ") + ")")
        }
        return found.map { ArtifactFile(path: $0.path, text: $0.text) }
    }
}
