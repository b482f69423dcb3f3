import DocketCore
import DocketStore
import Foundation
import Yams

/// One file given to `validate` or `deploy`: its path (as errors print it) and its text.
public struct ArtifactFile: Sendable {
    public enum Kind: String, Sendable {
        case workflow
        case calendar
        /// The authority's directory of people, units and roles (`directory:`).
        case directory
    }

    public var path: String
    public var text: String
    public var kind: Kind

    /// Reads `path`, deciding from its top-level keys whether it is a workflow (`workflow:`), a
    /// calendar (`calendar:` without `workflow:`) or a directory (`directory:` without `workflow:`).
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceError(.unreadableFile, "cannot read \(path): no such file, or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ServiceError(.unreadableFile, "\(path) is not UTF-8 text")
        }
        self.path = path
        self.text = text
        self.kind = ArtifactFile.kind(of: text)
    }

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.kind = ArtifactFile.kind(of: text)
    }

    /// Workflows say `workflow:` at the top level; calendars say `calendar:` and directories
    /// `directory:`, and not `workflow:`. Unparsable text counts as a workflow, so the definition
    /// loader reports the syntax error with its position.
    static func kind(of text: String) -> Kind {
        guard let node = try? YAMLReader.compose(text), let mapping = node.mapping else { return .workflow }
        let keys = Set(mapping.keys.compactMap(\.string))
        if keys.contains("workflow") { return .workflow }
        if keys.contains("directory") { return .directory }
        return keys.contains("calendar") ? .calendar : .workflow
    }

    /// The store's kind of deployment for this file.
    var artifactKind: ArtifactKind {
        switch kind {
        case .workflow: .workflow
        case .calendar: .calendar
        case .directory: .directory
        }
    }

    /// The files to read for `paths`: a file as given, a directory as every `.yaml`, `.yml` and
    /// `.json` file below it, sorted, except activity maps (`*.map.yaml`).
    public static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ServiceError(.unreadableFile, "cannot read \(path): no such file or directory")
            }
            if isDirectory.boolValue {
                // Resolve a symlinked folder first: the enumerator does not descend into a link.
                let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard let walker = FileManager.default.enumerator(atPath: resolved) else {
                    throw ServiceError(.unreadableFile, "cannot list directory \(path)")
                }
                // Activity maps (`*.map.yaml`, for import and conform) live beside the
                // workflows but are neither workflows nor calendars.
                let found = walker.compactMap { $0 as? String }
                    .filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) }
                    .filter { ![".map.yaml", ".map.yml", ".map.json"].contains(where: $0.hasSuffix) }
                    .sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                guard !found.isEmpty else {
                    throw ServiceError(.unreadableFile, "\(path) holds no .yaml, .yml or .json file")
                }
                result += found
            } else {
                result.append(path)
            }
        }
        return result
    }
}

/// A file that checked out, with its one-line summary.
public struct ValidatedArtifact: Sendable {
    public var file: ArtifactFile
    /// The workflow or calendar id.
    public var id: String
    public var version: Int
    /// `permit-check v1: 4 states, 3 transitions, 3 roles`, or the calendar's provenance.
    public var summary: String
    /// For a workflow: the names of its separation-of-duties rules, in declaration order.
    public var separationRules: [String] = []
    /// What the file's checks warn of at a position (`FILE:LINE:COLUMN: warning: ...`); it still loads.
    public var diagnostics: [Diagnostic] = []
    /// What a person should know about the file as a whole, one sentence each (a calendar's
    /// coverage ending soon).
    public var warnings: [String] = []
}

/// The moment a calendar's coverage is judged against: the latest event of the log, or today.
public struct CoverageReference: Sendable {
    /// The instant.
    public var instant: Timestamp
    /// What it is, for the warning: `the latest event in the log`, `today`.
    public var name: String

    public init(instant: Timestamp, name: String) {
        self.instant = instant
        self.name = name
    }

    /// The latest event of `store` (by business time of the last event appended), or `now` when it has none.
    public static func latestEvent(in store: some EventStore, now: Timestamp) throws -> CoverageReference {
        let last = try store.lastPosition()
        if last > 0, let event = try store.events(after: last - 1, limit: 1).first {
            return CoverageReference(instant: event.occurredAt, name: "the latest event in the log")
        }
        return CoverageReference(instant: now, name: "today")
    }

    /// Coverage that ends less than this long after the reference is warned about.
    public static let warningDays: Int64 = 60

    /// The warning for `calendar` when its coverage ends within ``warningDays`` of this reference
    /// (or before it); nil otherwise, and for a calendar that states no coverage.
    public func warning(for calendar: BusinessCalendar) -> String? {
        guard let end = calendar.coverageEnd, let last = calendar.coverage?.upperBound else { return nil }
        let window = Self.warningDays * 86_400_000_000
        guard end.microseconds - instant.microseconds < window else { return nil }
        let day = calendar.date(at: instant)
        let when = end <= instant
            ? "ended on \(last), before \(name) (\(day))"
            : "ends on \(last), within \(Self.warningDays) days of \(name) (\(day))"
        return "calendar '\(calendar.name)' v\(calendar.version) knows holidays up to \(last) only: its coverage \(when); deadlines and working time after it are provisional until next year's holidays are deployed as a new version of '\(calendar.provenance.layers.last?.name ?? calendar.name)'"
    }
}

/// Every problem found in a set of files, each as `FILE:LINE:COLUMN: error: message`.
public struct ValidationFailure: DocketError, Sendable {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
    public var errorCode: String { "invalid_files" }
    public var kind: FailureKind { .invalidInput }
}

/// What `deploy` did with one file.
public struct DeploymentOutcome: Sendable {
    public var artifact: ValidatedArtifact
    /// False when the same content was already deployed under that id and version.
    public var isNew: Bool
    /// For a new workflow version: the version before it (deployed, or deployed with it).
    public var previousVersion: Int?
    /// The separation-of-duties rules of ``previousVersion`` this version no longer has: a
    /// weakening of who-may-act that `deploy` reports rather than lets pass unnoticed.
    public var droppedRules: [String] = []

    /// What a person should know about this deployment, one sentence each.
    public var warnings: [String] {
        // The position leads, as in `validate`.
        let fileWarnings = artifact.diagnostics.map { "\($0.file):\($0.position.line):\($0.position.column): \($0.message)" }
            + artifact.warnings
        guard let previousVersion, !droppedRules.isEmpty else { return fileWarnings }
        let rules = droppedRules.map { "'\($0)'" }.joined(separator: ", ")
        return fileWarnings + ["workflow '\(artifact.id)' v\(artifact.version) drops separation-of-duties \(droppedRules.count == 1 ? "rule" : "rules") \(rules) of v\(previousVersion)"]
    }
}

/// Validates and deploys workflow definitions and calendars.
public struct Deployer: Sendable {
    public let catalog: WorkflowCatalog
    private let clock: any WallClock

    public init(catalog: WorkflowCatalog, clock: any WallClock = SystemWallClock()) {
        self.catalog = catalog
        self.clock = clock
    }

    /// Checks every file and reports every problem in all of them, not just the first.
    ///
    /// Calendars are resolved against each other, against `referenceCalendars` and against the
    /// calendars already deployed. When `requireCalendars` is true (as for `deploy`, and for
    /// `validate` when it has any calendar to check against), a workflow's `calendar:` must name
    /// one of those: otherwise the error points at the `calendar:` value, suggests the nearest
    /// known name and lists the known ones.
    ///
    /// - Parameters:
    ///   - files: the files to check; each that checks out is returned.
    ///   - referenceCalendars: calendar files that are not being checked themselves but that
    ///     workflows and overrides may name (`validate` reads the `calendars/` folder beside a
    ///     workflow file); one that does not load is left out, silently.
    ///   - deployedCalendar: a deployed calendar by name, or nil.
    ///   - deployedCalendarNames: the names of the deployed calendars, for the list of known ones.
    ///   - requireCalendars: whether an unknown `calendar:` is an error.
    ///   - reference: the moment a calendar's coverage is judged against (the log's latest event,
    ///     or today); nil checks no coverage.
    public static func validate(_ files: [ArtifactFile], referenceCalendars: [ArtifactFile] = [],
                                deployedCalendar: (String) -> BusinessCalendar? = { _ in nil },
                                deployedCalendarNames: [String] = [],
                                requireCalendars: Bool = false,
                                coverage reference: CoverageReference? = nil) -> Result<[ValidatedArtifact], ValidationFailure> {
        var problems: [String] = []
        var validated: [ValidatedArtifact] = []
        // Calendars first, so workflows can be checked against them.
        var calendars: [String: BusinessCalendar] = [:]
        let calendarFiles = files.filter { $0.kind == .calendar }
        let references = referenceCalendars.filter { $0.kind == .calendar }
        var pending = references.map { (file: $0, isReference: true) } + calendarFiles.map { (file: $0, isReference: false) }
        // Resolve in rounds so an override may come before its base in the list.
        while !pending.isEmpty {
            var next: [(file: ArtifactFile, isReference: Bool)] = []
            var lastErrors: [String] = []
            for entry in pending {
                let file = entry.file
                do {
                    let calendar = try CalendarLoader.load(text: file.text, file: file.path, base: { calendars[$0] ?? deployedCalendar($0) })
                    // A file being checked wins over a reference calendar of the same name.
                    if !entry.isReference || calendars[calendar.name] == nil { calendars[calendar.name] = calendar }
                    if !entry.isReference {
                        validated.append(ValidatedArtifact(file: file, id: calendar.name, version: calendar.version, summary: "calendar \(calendar.provenance)",
                                                           warnings: reference?.warning(for: calendar).map { [$0] } ?? []))
                    }
                } catch {
                    next.append(entry)
                    if !entry.isReference { lastErrors += error.lines }
                }
            }
            if next.count == pending.count {
                problems += lastErrors
                break
            }
            pending = next
        }
        for file in files where file.kind == .directory {
            do {
                let directory = try DirectoryLoader.load(text: file.text, file: file.path)
                validated.append(ValidatedArtifact(
                    file: file, id: directory.name, version: directory.version,
                    summary: "directory \(directory.name) v\(directory.version): \(directory.units.count) units, \(directory.people.count) people, \(directory.grants.count) grants"))
            } catch {
                problems += error.lines
            }
        }
        let known = Set(calendars.keys).union(deployedCalendarNames).sorted()
        for file in files where file.kind == .workflow {
            var warnings: [Diagnostic] = []
            switch DefinitionLoader.load(text: file.text, file: file.path, warnings: &warnings) {
            case let .success(definition):
                if requireCalendars, let name = definition.calendar, calendars[name] == nil, deployedCalendar(name) == nil {
                    let position = definition.calendarPosition ?? SourcePosition(line: 1, column: 1)
                    problems.append(Diagnostic(file: file.path, position: position,
                                               message: unknownCalendarMessage(name, workflow: definition.id, known: known)).description)
                    continue
                }
                // A calendar among the files carries its own warning; one only named here is warned about here.
                let named: BusinessCalendar? = definition.calendar.flatMap { name -> BusinessCalendar? in
                    validated.contains { $0.file.kind == .calendar && $0.id == name } ? nil : calendars[name] ?? deployedCalendar(name)
                }
                validated.append(ValidatedArtifact(file: file, id: definition.id, version: definition.version, summary: definition.summary,
                                                   separationRules: definition.separationOfDuties.map(\.name),
                                                   diagnostics: warnings,
                                                   warnings: named.flatMap { reference?.warning(for: $0) }.map { [$0] } ?? []))
            case let .failure(errors):
                problems += errors.diagnostics.map(\.description)
            }
        }
        return problems.isEmpty ? .success(validated) : .failure(ValidationFailure(lines: problems))
    }

    /// `workflow 'w' names calendar 'cn-202', which is neither deployed nor among the calendar
    /// files; did you mean 'cn-2020'? (known calendars: cn-2020, weekdays)`.
    static func unknownCalendarMessage(_ name: String, workflow: String, known: [String]) -> String {
        let message = "workflow '\(workflow)' names calendar '\(name)', which is neither deployed nor among the calendar files"
        if known.isEmpty {
            return message + "; no calendar is known: give or deploy its file (e.g. Workflows/calendars/\(name).yaml) with it"
        }
        let list = known.joined(separator: ", ")
        if let guess = Diagnostic.nearest(to: name, in: known) {
            return message + "; did you mean '\(guess)'? (known calendars: \(list))"
        }
        return message + "; known calendars: \(list)"
    }

    /// Validates all files, then deploys them (calendars first), each under its id and version.
    ///
    /// Nothing is deployed when any file has a problem. Deploying the same content again is
    /// reported as unchanged; other content under a deployed id and version is refused by the store
    /// (`DocketStore/StoreError` `definition_changed`): bump `version:` instead.
    ///
    /// With a directory deployed, deploying needs the `deployer` role: a signed-in principal must
    /// hold it, the operator names who holds it with `by` (`--by`). The first directory of a log
    /// is deployed by the operator on the server's machine only (Docs/directory.md); a log has
    /// one directory, so a second name is refused.
    @discardableResult
    public func deploy(_ files: [ArtifactFile], principal: Principal? = nil, by person: String? = nil) throws -> [DeploymentOutcome] {
        let principal = principal ?? Authorizer.inProcess
        let catalog = self.catalog
        let directories = DirectoryService(catalog: catalog, clock: clock)
        let authorizer = try directories.authorizer()
        if authorizer.directory == nil, files.contains(where: { $0.kind == .directory }) {
            try authorizer.authorizeFirstDirectory(principal)
        } else {
            try authorizer.authorize(principal, administer: .deployer, by: person)
        }
        let deployedNames = Set(try catalog.store.deployments(.calendar).map(\.id)).sorted()
        let reference = try CoverageReference.latestEvent(in: catalog.store, now: clock.now())
        let result = Deployer.validate(files, deployedCalendar: { try? catalog.calendar(named: $0) },
                                       deployedCalendarNames: deployedNames, requireCalendars: true, coverage: reference)
        let artifacts = try result.get()
        let directoryNames = Set(artifacts.filter { $0.file.kind == .directory }.map(\.id))
            .union(try catalog.store.deployments(.directory).map(\.id))
        guard directoryNames.count <= 1 else {
            throw ServiceError(.invalidArgument, "a log has one directory; these name several: \(directoryNames.sorted().joined(separator: ", ")) (deploy a new version of the deployed one instead)")
        }
        // Refuse the whole deployment before writing anything when one file would be refused.
        for artifact in artifacts {
            let kind = artifact.file.artifactKind
            if let existing = try catalog.store.deployment(kind, id: artifact.id, version: artifact.version), existing.content != artifact.file.text {
                throw StoreError(
                    .definitionChanged,
                    "\(artifact.file.path): \(kind.rawValue) '\(artifact.id)' version \(artifact.version) is already deployed with other content; running cases are pinned to it, so give the changed file a new version: number")
            }
        }
        let earlier = try Self.earlierRules(of: artifacts.filter { $0.file.kind == .workflow }, store: catalog.store)
        var outcomes: [DeploymentOutcome] = []
        for artifact in artifacts {
            let kind = artifact.file.artifactKind
            let deployed = try catalog.store.deploy(kind, id: artifact.id, version: artifact.version, content: artifact.file.text)
            var outcome = DeploymentOutcome(artifact: artifact, isNew: deployed.isNew)
            if deployed.isNew, kind == .workflow, let previous = Self.previous(of: artifact, among: earlier) {
                outcome.previousVersion = previous.version
                outcome.droppedRules = previous.rules.filter { !artifact.separationRules.contains($0) }
            }
            outcomes.append(outcome)
        }
        catalog.invalidate()
        return outcomes
    }

    /// The separation-of-duties rules of every version of the workflows among `artifacts`, those
    /// deployed and those being deployed, by id: what a new version is compared with.
    private static func earlierRules(of artifacts: [ValidatedArtifact], store: any EventStore) throws -> [String: [(version: Int, rules: [String])]] {
        var versions: [String: [(version: Int, rules: [String])]] = [:]
        let ids = Set(artifacts.map(\.id))
        for deployment in try store.deployments(.workflow) where ids.contains(deployment.id) {
            // Deployed text passed validation when it was deployed; a text this version of Docket
            // cannot read any more has no rules to compare.
            guard let definition = try? DefinitionLoader.load(deployed: deployment.content, file: deployment.id).get() else { continue }
            versions[deployment.id, default: []].append((deployment.version, definition.separationOfDuties.map(\.name)))
        }
        for artifact in artifacts { versions[artifact.id, default: []].append((artifact.version, artifact.separationRules)) }
        return versions
    }

    /// The highest version of `artifact`'s workflow below its own, among `versions`.
    private static func previous(of artifact: ValidatedArtifact, among versions: [String: [(version: Int, rules: [String])]]) -> (version: Int, rules: [String])? {
        (versions[artifact.id] ?? []).filter { $0.version < artifact.version }.max { $0.version < $1.version }
    }
}
