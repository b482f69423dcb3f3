import Foundation

/// A scratch directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("docket-interop-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to a file named `name` and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = url.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }
}

/// Gzip-compresses bytes with the system `gzip` tool (test fixture only).
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    let dir = TemporaryDirectory()
    let path = dir.file("data", bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-n", "-f", path]
    try? process.run()
    process.waitUntilExit()
    return (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path + ".gz")))) ?? []
}
