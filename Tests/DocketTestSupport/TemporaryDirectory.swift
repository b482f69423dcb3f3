import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the value is released (at the end of the test that holds it, whether it passed, failed or threw).
///
/// Every temporary directory of a test process lives under one folder of its own
/// (``TemporaryDirectory/root``), removed when the process exits: what a helper that returns only a
/// path (``TemporaryDirectory/path(_:)``'s callers) leaves is removed then.
public final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let url: URL

    /// The folder all of this process's temporary directories are created in.
    public static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "docket-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { TemporaryDirectory.removeRoot() }
        return root
    }()

    private static func removeRoot() { try? FileManager.default.removeItem(at: root) }

    /// Creates the directory (named after `prefix`, for whoever looks in the temporary directory).
    public init(_ prefix: String = "dir") {
        url = Self.root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            // The first file written there fails with a message naming the path.
            FileHandle.standardError.write(Data("cannot create \(url.path): \(error)\n".utf8))
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` in the directory (not created).
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `bytes` to a file named `name` in the directory and returns its path.
    @discardableResult
    public func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = path(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Writes `text` as UTF-8 to a file named `name` in the directory and returns its path.
    @discardableResult
    public func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }

    /// A path in a new directory that lives until the process exits, for helpers that hand out a
    /// path and cannot hold the directory (e.g. a database a service keeps open).
    public static func path(_ name: String, prefix: String = "dir") -> String {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.appendingPathComponent(name).path
    }
}

/// Runs `body` with a fresh temporary directory, removed when `body` returns or throws.
public func withTemporaryDirectory<T>(_ prefix: String = "dir", _ body: (TemporaryDirectory) throws -> T) rethrows -> T {
    let directory = TemporaryDirectory(prefix)
    return try withExtendedLifetime(directory) { try body(directory) }
}
