import Foundation
import Testing

/// The real logs and pm4py reference figures in `<repo>/../shared/data` (`logs/`, `reference/`).
enum SharedData {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DocketInteropTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data")

    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("reference").path)
    }

    static let skipMessage: Comment = "../shared/data not found next to the repository: real-log tests skipped"

    /// Every log that has a reference JSON, by file name.
    static var logNames: [String] {
        let reference = directory.appendingPathComponent("reference")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: reference.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func log(_ name: String) -> String { directory.appendingPathComponent("logs/\(name)").path }
    static func reference(_ name: String) -> URL { directory.appendingPathComponent("reference/\(name).json") }
}
