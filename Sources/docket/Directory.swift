import ArgumentParser
import DocketCore
import DocketService
import DocketStore
import Foundation

/// `docket directory`: the people, units and roles in force, and their changes through the log.
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "Show the directory in force, ask who could act, and change who holds which role.",
        discussion: """
            The directory is deployed like a workflow (docket deploy Directories/shandong.yaml); its \
            changes (grant, revoke, leave, add) are events of the log, recorded by a person holding \
            directory_admin in a unit covering the change (--by). See Docs/directory.md.
            """,
        subcommands: [DirectoryShow.self, DirectoryWho.self, DirectoryChanges.self, DirectoryGrant.self, DirectoryRevoke.self,
                      DirectoryLeave.self, DirectoryAdd.self])

    /// The directory in force, or a usage failure saying how to deploy one.
    static func inForce(_ session: Session) throws -> DirectoryState {
        guard let state = try session.directories.inForce() else {
            throw UsageFailure("no directory is deployed in this log: deploy one first (docket deploy Directories/shandong.yaml)")
        }
        return state
    }

    /// `--on DATE` or today in the directory's zone.
    static func date(_ text: String?, in state: DirectoryState, option: String = "--on") throws -> CalendarDate {
        guard let text else { return state.directory.date(at: SystemWallClock().now()) }
        return try parseDate(text, option: option)
    }

    static func parseDate(_ text: String, option: String) throws -> CalendarDate {
        guard let date = CalendarDate(parsing: text) else {
            throw UsageFailure("\(option) '\(text)' is not a date; write YYYY-MM-DD (e.g. 2020-02-12)")
        }
        return date
    }

    static func grantTable(_ grants: [GrantView]) -> String {
        var table = TextTable(["person", "name", "role", "scope", "from", "until", "granted by"])
        for grant in grants {
            let by = grant.grantedBy + (grant.position.map { " (#\($0), \(grant.grantedOn ?? ""))" } ?? "")
            table.append([grant.person, grant.name ?? "", grant.role, grant.scope, grant.from ?? "-", grant.until ?? "-", by])
        }
        return table.render()
    }

    /// The line a change prints: `role_granted #12: li.wei approver in rizhao from 2020-02-01 (by zhang.min)`.
    static func recorded(_ event: RecordedEvent) -> String {
        let p = event.payload
        var text = "\(event.type.rawValue) #\(event.position): \(p.person ?? "?")"
        if let role = p.role { text += " \(role)" }
        if let scope = p.scope { text += " in \(scope)" }
        if let from = p.validFrom { text += " from \(from)" }
        if let until = p.validUntil { text += " until \(until)" }
        return text + " (by \(event.actor))"
    }
}

/// Who records a directory change: the administrator, as the operator names them.
struct AdministratorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The administrator making the change (holding directory_admin in a unit covering it).", valueName: "person"))
    var by: String
}

struct DirectoryShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the directory in force: units, people, and the grants held on a date.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The date the grants are shown for (default: today).", valueName: "YYYY-MM-DD"))
    var on: String?

    func run() throws {
        let asJSON = try output.isJSON()
        let session = try Session(store, create: false)
        let state = try DirectoryCommand.inForce(session)
        let view = DirectoryView(state, on: try DirectoryCommand.date(on, in: state))
        if asJSON { return print(try JSONOutput.text(view)) }
        print("directory \(view.directory) v\(view.version)\(view.title.map { " \"\($0)\"" } ?? "")  (\(view.timeZone); \(view.changes) change\(view.changes == 1 ? "" : "s") in the log)")
        print("")
        var units = TextTable(["unit", "name", "parent"])
        for unit in view.units { units.append([unit.id, unit.name ?? "", unit.parent ?? "-"]) }
        print(units.render())
        print("")
        var people = TextTable(["person", "name", "kind", "unit", "left"])
        for person in view.people { people.append([person.id, person.name ?? "", person.kind, person.unit ?? "-", person.left ?? "-"]) }
        print(people.render())
        print("")
        print("grants in force on \(view.on):")
        print(DirectoryCommand.grantTable(view.grants))
    }
}

struct DirectoryWho: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Who could act in a role on a case of a unit on a date, and who granted it.",
        discussion: "A grant in a unit covers the units below it: --scope rizhao.licensing also lists approvers of rizhao.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The role (e.g. approver).", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("The unit the case belongs to (e.g. rizhao).", valueName: "unit"))
    var scope: String

    @Option(help: ArgumentHelp("The date (default: today).", valueName: "YYYY-MM-DD"))
    var on: String?

    func run() throws {
        let asJSON = try output.isJSON()
        let session = try Session(store, create: false)
        let state = try DirectoryCommand.inForce(session)
        guard state.unit(scope) != nil else {
            throw DirectoryRefusal(.unknownUnit, "unknown unit '\(scope)' in directory '\(state.name)'"
                + (Diagnostic.nearest(to: scope, in: state.units.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""))
        }
        let view = DirectoryWhoView(state, role: role, scope: scope, on: try DirectoryCommand.date(on, in: state))
        if asJSON { return print(try JSONOutput.text(view)) }
        if view.holders.isEmpty { return print("nobody could act as \(role) in \(scope) on \(view.on)") }
        print(DirectoryCommand.grantTable(view.holders))
    }
}

struct DirectoryChanges: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List the directory's changes recorded in the log: what changed, who recorded it, when, authenticated how.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let asJSON = try output.isJSON()
        let session = try Session(store, create: false)
        let state = try DirectoryCommand.inForce(session)
        let events = try session.store.events(of: DirectoryStream.caseID(of: state.name))
        let view = events.map { DirectoryChangeView($0, zone: state.directory) }
        if asJSON { return print(try JSONOutput.text(view)) }
        if view.isEmpty { return print("no changes to directory \(state.name) in the log: it is as deployed (v\(state.directory.version))") }
        var table = TextTable(["#", "recorded on", "change", "person", "role", "scope", "from", "until", "by", "principal"])
        for change in view {
            table.append([String(change.position), change.recordedOn, change.type, change.person ?? "", change.role ?? "",
                          change.scope ?? "", change.validFrom ?? "", change.validUntil ?? "", change.actor, change.principal ?? ""])
        }
        print(table.render())
    }
}

struct DirectoryGrant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Appoint: grant a person a role in a unit, from and until dates (both included).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var administrator: AdministratorOptions

    @Argument(help: ArgumentHelp("The person appointed.", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("The role (e.g. approver).", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("The unit it is held in (and the units below it).", valueName: "unit"))
    var scope: String

    @Option(help: ArgumentHelp("The first day it is held (default: since ever).", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("The last day it is held (default: until revoked).", valueName: "YYYY-MM-DD"))
    var until: String?

    func run() throws {
        let session = try Session(store, create: false)
        let change = DirectoryChange.grant(
            person: person, role: role, scope: scope,
            from: try from.map { try DirectoryCommand.parseDate($0, option: "--from") },
            until: try until.map { try DirectoryCommand.parseDate($0, option: "--until") })
        print(DirectoryCommand.recorded(try session.directories.change(change, principal: Operator.principal, by: administrator.by)))
    }
}

struct DirectoryRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a person's role in a unit from a date on (default: today).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var administrator: AdministratorOptions

    @Argument(help: ArgumentHelp("The person.", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("The role.", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("The unit it was granted in.", valueName: "unit"))
    var scope: String

    @Option(help: ArgumentHelp("The first day it is no longer held (default: today).", valueName: "YYYY-MM-DD"))
    var from: String?

    func run() throws {
        let session = try Session(store, create: false)
        let state = try DirectoryCommand.inForce(session)
        let change = DirectoryChange.revoke(person: person, role: role, scope: scope,
                                            from: try DirectoryCommand.date(from, in: state, option: "--from"))
        print(DirectoryCommand.recorded(try session.directories.change(change, principal: Operator.principal, by: administrator.by)))
    }
}

struct DirectoryLeave: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Record that a person leaves: from that day on they hold no role.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var administrator: AdministratorOptions

    @Argument(help: ArgumentHelp("The person leaving.", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("The first day they no longer act (default: today).", valueName: "YYYY-MM-DD"))
    var on: String?

    func run() throws {
        let session = try Session(store, create: false)
        let state = try DirectoryCommand.inForce(session)
        let change = DirectoryChange.leave(person: person, on: try DirectoryCommand.date(on, in: state))
        print(DirectoryCommand.recorded(try session.directories.change(change, principal: Operator.principal, by: administrator.by)))
    }
}

struct DirectoryAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a person (a new member of staff, an applicant, a service account).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var administrator: AdministratorOptions

    @Argument(help: ArgumentHelp("Their id (e.g. xu.na).", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("staff, applicant or service.", valueName: "kind"))
    var kind: String

    @Option(help: ArgumentHelp("Their name.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The unit they work in.", valueName: "unit"))
    var unit: String?

    func run() throws {
        guard let kind = PersonKind(rawValue: kind) else {
            throw UsageFailure("--kind '\(kind)' is not one of: \(PersonKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let session = try Session(store, create: false)
        let change = DirectoryChange.add(Person(id: person, name: name, kind: kind, unit: unit))
        print(DirectoryCommand.recorded(try session.directories.change(change, principal: Operator.principal, by: administrator.by)))
    }
}
