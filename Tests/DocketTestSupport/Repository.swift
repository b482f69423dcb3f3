import Foundation

/// This checkout and the fixtures in it, found from this file's path (so from any test target and
/// any working directory).
public enum Repository {
    /// The package root: the folder holding `Package.swift`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DocketTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    /// `Workflows/`: the authority's definitions, with their calendars in `calendars/`.
    public static let workflows = root.appendingPathComponent("Workflows")

    /// `Workflows/calendars/`.
    public static let calendars = workflows.appendingPathComponent("calendars")

    /// `Migrations/`: the SQL the store embeds.
    public static let migrations = root.appendingPathComponent("Migrations")

    /// `Directories/`: the example directories (`shandong.yaml`).
    public static let directories = root.appendingPathComponent("Directories")

    /// The shipped example directory, `Directories/shandong.yaml`.
    public static var shandongDirectory: String { directories.appendingPathComponent("shandong.yaml").path }

    /// The path of a file of `Workflows/`, e.g. `workflow("permit-check.yaml")`.
    public static func workflow(_ name: String) -> String { workflows.appendingPathComponent(name).path }

    /// The YAML files of `directory` (not its subfolders), sorted by name, with their text.
    public static func yamlFiles(in directory: URL) -> [(name: String, text: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
        }
    }
}

/// The real event logs and pm4py's reference figures beside the repository, at `../shared/data`
/// (`logs/`, `reference/`). Tests that read them carry `.requires(.sharedData)`.
public enum SharedData {
    /// `../shared/data`, next to the package root. `DOCKET_SHARED_DATA` points elsewhere.
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["DOCKET_SHARED_DATA"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return Repository.root.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// `logs/`.
    public static var logs: URL { directory.appendingPathComponent("logs") }

    /// The logs the tests name, which ``Prerequisite/sharedData`` checks for.
    public static let namedLogs = ["running-example.xes", "receipt.xes.gz", "sepsis.csv", "bpic2020_DomesticDeclarations.xes.gz"]

    /// The path of a log of `logs/`, e.g. `log("running-example.xes")`.
    public static func log(_ name: String) -> String { logs.appendingPathComponent(name).path }

    /// pm4py's figures for log `name`, `reference/<name>.json`.
    public static func reference(_ name: String) -> URL { directory.appendingPathComponent("reference/\(name).json") }

    /// Every log that has a reference JSON, by file name (none when the data is missing: such tests
    /// carry `.requires(.sharedData)`, which fails them under `DOCKET_REQUIRE_PREREQUISITES=1`).
    public static var logNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("reference").path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// True when the logs the tests name and at least one reference figure file are there.
    public static var isPresent: Bool {
        namedLogs.allSatisfy { FileManager.default.fileExists(atPath: log($0)) } && !logNames.isEmpty
    }
}
