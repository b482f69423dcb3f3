import ArgumentParser
import DocketCore
import DocketPostgres
import DocketService
import DocketStore
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow definitions, calendars and directories, reporting every problem as FILE:LINE:COLUMN: error: message.",
        discussion: """
            A workflow's calendar: must name a known calendar: one of the calendar files given, one in \
            the calendars/ folder beside the workflow file (as Workflows/calendars/ is beside \
            Workflows/permit-check.yaml), or one deployed in the event log named by --db or $DOCKET_DB \
            (opened read-only; validate never creates a log). An unknown name is reported at the \
            calendar: value with the nearest known one. When there is no calendar to check against \
            (no calendar file, no calendars/ folder, no log), the name cannot be checked: deploy checks it. \
            A calendar whose coverage (covers:, the dates its holidays are known for) ends within 60 days \
            of the log's latest event, or of today without a log, is warned about as FILE: warning: ..., \
            on the calendar file or on a workflow naming it: deploy next year's holidays before then.
            """)

    @Option(name: .long, help: ArgumentHelp(
        "An event log whose deployed calendars a workflow may name (default: $DOCKET_DB when that file exists).", valueName: "path"))
    var db: String?

    @Argument(help: ArgumentHelp("Definition or calendar files, or directories of them.", valueName: "file"))
    var files: [String]

    func run() throws {
        let paths = try ArtifactFile.expand(files)
        let artifacts = try paths.map { try ArtifactFile(path: $0) }
        let given = Set(paths.map(Self.canonical))
        // Calendars the files name but do not contain are looked up in the calendars/ folder
        // beside each workflow file (Workflows/calendars/), then in the log.
        var references: [ArtifactFile] = []
        var folders: Set<String> = []
        for artifact in artifacts where artifact.kind == .workflow {
            let folder = ((artifact.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("calendars")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
                  folders.insert(Self.canonical(folder)).inserted else { continue }
            for path in (try? ArtifactFile.expand([folder])) ?? [] where !given.contains(Self.canonical(path)) {
                if let file = try? ArtifactFile(path: path) { references.append(file) }
            }
        }
        var deployedNames: [String] = []
        var catalog: WorkflowCatalog?
        // A calendar's coverage is judged against the log's latest event, or today without a log.
        var reference = CoverageReference(instant: SystemWallClock().now(), name: "today")
        if let path = try logPath() {
            let store: any EventStore = PostgresLocation.isPostgresURL(path)
                ? try PostgresEventStore(url: path, options: .init(readOnly: true, mustExist: true))
                : try SQLiteEventStore(path: path, options: .init(readOnly: true))
            catalog = WorkflowCatalog(store: store)
            deployedNames = Set(try store.deployments(.calendar).map(\.id)).sorted()
            reference = try CoverageReference.latestEvent(in: store, now: reference.instant)
        }
        let hasCalendars = !folders.isEmpty || catalog != nil || artifacts.contains { $0.kind == .calendar }
        let validated = try Deployer.validate(
            artifacts, referenceCalendars: references,
            deployedCalendar: { name in try? catalog?.calendar(named: name) },
            deployedCalendarNames: deployedNames, requireCalendars: hasCalendars, coverage: reference).get()
        for artifact in validated {
            for warning in artifact.diagnostics { Terminal.printError(warning.description) }
            print("\(artifact.file.path): ok: \(artifact.summary)")
            for warning in artifact.warnings { print("\(artifact.file.path): warning: \(warning)") }
        }
    }

    /// The log to read deployed calendars from: `--db` (which must exist), else `$DOCKET_DB` when
    /// that file exists, else none.
    private func logPath() throws -> String? {
        if let db {
            guard PostgresLocation.isPostgresURL(db) || FileManager.default.fileExists(atPath: db) else {
                throw UsageFailure("no event log at \(db): validate reads a log's calendars but never creates one")
            }
            return db
        }
        if let path = ProcessInfo.processInfo.environment["DOCKET_DB"], !path.isEmpty,
           PostgresLocation.isPostgresURL(path) || FileManager.default.fileExists(atPath: path) {
            return path
        }
        return nil
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
