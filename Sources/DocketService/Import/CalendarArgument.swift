import DocketCore
import Foundation

/// `--calendar NAME|FILE` of `import` and `analyze`: the business calendar imported cases, or a
/// log's figures, count working time on.
///
/// A value naming an existing file, or ending in `.yaml`/`.yml`, is a calendar file; anything
/// else is a calendar's name: deployed in the log (for `import`), else one Docket ships
/// (`weekdays`, `cn`, `cn-2020`, `rizhao-2020`).
package enum CalendarArgument {
    /// Whether `argument` names a file rather than a calendar.
    static func isFile(_ argument: String) -> Bool {
        argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") || argument.contains("/")
            || FileManager.default.fileExists(atPath: argument)
    }

    /// The calendars Docket ships, keyed by name.
    static func shipped() throws -> [String: BusinessCalendar] {
        let sources = ShippedFiles.all.filter { $0.path.hasPrefix("Workflows/calendars/") }
            .map { CalendarLoader.Source(file: $0.path, text: $0.text) }
        return try CalendarLoader.loadAll(sources)
    }

    static func unknown(_ name: String, known: [String], where place: String) -> ServiceError {
        ServiceError(
            .unknownCalendar,
            "calendar '\(name)' is not \(place) (shipped: \(known.sorted().joined(separator: ", "))); name a calendar file (--calendar FILE.yaml)")
    }

    /// The calendar for a log read without an event log (`analyze`): a file (its base, if any,
    /// among the shipped calendars), or a shipped calendar by name.
    ///
    /// - Throws: ``ServiceError`` `unreadable_file`, `unknown_calendar`; `DocketCore/FileProblems`.
    package static func load(_ argument: String) throws -> BusinessCalendar {
        let shipped = try shipped()
        if isFile(argument) {
            let file = try ArtifactFile(path: argument)
            return try CalendarLoader.load(text: file.text, file: argument, bases: shipped)
        }
        guard let calendar = shipped[argument] else { throw unknown(argument, known: Array(shipped.keys), where: "shipped") }
        return calendar
    }

    /// The name of the deployed calendar `argument` means, for `import`: a file is deployed first
    /// (as `docket deploy` would, refused if invalid); a name not deployed yet but shipped is
    /// deployed from the shipped calendars (with the bases it needs).
    ///
    /// - Throws: ``ServiceError`` `unreadable_file`, `unknown_calendar`; the deployer's errors.
    package static func deployed(_ argument: String, catalog: WorkflowCatalog, principal: Principal?) throws -> String {
        let deployer = Deployer(catalog: catalog)
        if isFile(argument) {
            let file = try ArtifactFile(path: argument)
            let calendar = try load(argument)
            _ = try deployer.deploy([file], principal: principal)
            catalog.invalidate()
            return calendar.name
        }
        if try catalog.store.latestDeployment(.calendar, id: argument) != nil { return argument }
        let shipped = ShippedFiles.all.filter { $0.path.hasPrefix("Workflows/calendars/") }
        let known = try Self.shipped()
        guard known[argument] != nil else {
            let deployedNames = Set(try catalog.store.deployments(.calendar).map(\.id))
            throw unknown(argument, known: Array(Set(known.keys).union(deployedNames)), where: "deployed in the log nor shipped")
        }
        // The shipped calendars go together: an override's base is among them.
        _ = try deployer.deploy(shipped.map { ArtifactFile(path: $0.path, text: $0.text) }, principal: principal)
        catalog.invalidate()
        return argument
    }
}
