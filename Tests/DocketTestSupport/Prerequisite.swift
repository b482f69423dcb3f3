import Foundation
import Testing

/// Something a test needs from the machine that the package cannot provide itself: the shared
/// data beside the repository, a tool on `PATH`, the built `docket`, a way to act as a user who
/// is not root.
///
/// Gate a test or suite with `.requires(.sharedData)` (not `.enabled(if:)`): when the
/// prerequisite is missing the test is skipped, saying what it needs, except when the
/// environment has `DOCKET_REQUIRE_PREREQUISITES=1` (as `.ci/run` sets), where the test fails
/// with "missing prerequisite: …" instead. Code that uses a prerequisite without a gate calls
/// ``require()`` first, which fails the test (required or not) with the same message.
public struct Prerequisite: Sendable, CustomStringConvertible {
    /// What is needed, e.g. "the shared data at /work/shared/data".
    public let description: String
    /// How to get it.
    public let remedy: String
    private let probe: @Sendable () -> Bool

    public init(_ description: String, remedy: String, isPresent probe: @escaping @Sendable () -> Bool) {
        self.description = description
        self.remedy = remedy
        self.probe = probe
    }

    public var isPresent: Bool { probe() }

    /// The environment variable that turns a missing prerequisite into a failure.
    public static let requiredVariable = "DOCKET_REQUIRE_PREREQUISITES"

    /// True when `DOCKET_REQUIRE_PREREQUISITES` is set to `1` (or `true`, `yes`).
    public static var areRequired: Bool {
        ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment[requiredVariable]?.lowercased() ?? "")
    }

    /// Throws ``MissingPrerequisite`` when this is missing (whether or not prerequisites are required).
    public func require() throws {
        if !isPresent { throw MissingPrerequisite([self]) }
    }

    /// Whether a test gated on `prerequisites` runs: true when all are present; false (skip) when
    /// one is missing; throws (a failure) when one is missing and they are required.
    public static func gate(_ prerequisites: [Prerequisite]) throws -> Bool {
        let missing = prerequisites.filter { !$0.isPresent }
        if missing.isEmpty { return true }
        if areRequired { throw MissingPrerequisite(missing) }
        return false
    }
}

/// A prerequisite a test needed and did not find.
public struct MissingPrerequisite: Error, CustomStringConvertible {
    public var missing: [Prerequisite]

    public init(_ missing: [Prerequisite]) { self.missing = missing }

    public var description: String {
        missing.map { "missing prerequisite: \($0.description) (\($0.remedy))" }.joined(separator: "; ")
            + (Prerequisite.areRequired ? "; \(Prerequisite.requiredVariable)=1 makes this a failure, not a skip" : "")
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite only when every one of `prerequisites` is present; under
    /// `DOCKET_REQUIRE_PREREQUISITES=1` a missing one fails it instead of skipping it.
    public static func requires(_ prerequisites: Prerequisite..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled("needs \(prerequisites.map(\.description).joined(separator: ", "))", sourceLocation: sourceLocation) {
            try Prerequisite.gate(prerequisites)
        }
    }
}

extension Prerequisite {
    /// The real logs and pm4py's reference figures at `../shared/data` (``SharedData``).
    public static var sharedData: Prerequisite {
        Prerequisite("the shared data at \(SharedData.directory.path) (logs \(SharedData.namedLogs.joined(separator: ", ")) and reference/*.json)",
                     remedy: "check out the shared data beside the repository, as ../shared/data, or set DOCKET_SHARED_DATA") {
            SharedData.isPresent
        }
    }

    /// The executable `name` on `PATH`; `package` is the Debian package that installs it.
    public static func tool(_ name: String, _ package: String? = nil) -> Prerequisite {
        Prerequisite("the \(name) tool on PATH", remedy: "apt-get install \(package ?? name)") { Processes.tool(name) != nil }
    }

    /// The `sqlite3` tool, with which tests edit a log behind Docket's back.
    public static var sqlite3: Prerequisite { tool("sqlite3") }

    /// The built `docket` executable (``DocketBinary``).
    public static var docketBinary: Prerequisite {
        Prerequisite("the docket executable at \(DocketBinary.url.path)", remedy: "swift build (swift test builds it)") {
            FileManager.default.isExecutableFile(atPath: DocketBinary.url.path)
        }
    }

    /// A user file permissions apply to: the tests' own user when it is not root; as root, the
    /// user `nobody` through `setpriv` (``Unprivileged``).
    public static var unprivilegedUser: Prerequisite {
        Prerequisite("a user other than root (or, as root, \(Unprivileged.setpriv) to act as nobody)",
                     remedy: "run the tests as another user, or apt-get install util-linux") {
            !Unprivileged.isRoot || FileManager.default.isExecutableFile(atPath: Unprivileged.setpriv)
        }
    }

    /// The test binary can be started as an executable (``TestBinary``), to run tests in child processes.
    public static var runnableTestBinary: Prerequisite {
        Prerequisite("the test binary as an executable (\(TestBinary.path))", remedy: "run the tests with swift test on Linux") {
            TestBinary.isRunnable
        }
    }
}
