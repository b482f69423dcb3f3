import DocketCore
import DocketStore

/// `docket directory show`: the directory in force on a date.
package struct DirectoryView: Encodable, Sendable {
    package var directory: String
    package var version: Int
    package var title: String?
    package var timeZone: String
    /// The date grants are shown in force on.
    package var on: String
    /// Change events folded on top of the file.
    package var changes: Int
    package var units: [UnitView]
    package var people: [PersonView]
    /// The grants in force on ``on``.
    package var grants: [GrantView]

    package struct UnitView: Encodable, Sendable {
        package var id: String
        package var name: String?
        package var parent: String?
    }

    package struct PersonView: Encodable, Sendable {
        package var id: String
        package var name: String?
        package var kind: String
        package var unit: String?
        package var left: String?
    }

    package init(_ state: DirectoryState, on date: CalendarDate) {
        directory = state.name
        version = state.directory.version
        title = state.directory.title
        timeZone = state.directory.timeZone
        on = date.description
        changes = state.changes
        units = state.units.map { UnitView(id: $0.id, name: $0.name, parent: $0.parent) }
        people = state.people.map { PersonView(id: $0.id, name: $0.name, kind: $0.kind.rawValue, unit: $0.unit, left: $0.left?.description) }
        grants = state.people.filter { $0.isPresent(on: date) }
            .flatMap { state.grantsInForce(of: $0.id, on: date) }
            .map { GrantView($0, state: state) }
    }
}

/// One grant, with who granted it: `docket directory who` and `show`.
package struct GrantView: Encodable, Sendable {
    package var person: String
    package var name: String?
    package var role: String
    package var scope: String
    package var from: String?
    package var until: String?
    /// `file v1`, or the administrator who recorded it.
    package var grantedBy: String
    /// The log position of the `role_granted` event; nil for a grant of the file.
    package var position: Int64?
    /// The date the grant was recorded (the file's grants: nil).
    package var grantedOn: String?

    package init(_ grant: RoleGrant, state: DirectoryState) {
        person = grant.person
        name = state.person(grant.person)?.name
        role = grant.role
        scope = grant.scope
        from = grant.from?.description
        until = grant.until?.description
        switch grant.source {
        case let .file(version):
            grantedBy = "file v\(version)"
        case let .event(actor, position, on):
            grantedBy = actor
            self.position = position
            grantedOn = on.description
        }
    }
}

/// `docket directory changes`: one change event of the directory's stream.
package struct DirectoryChangeView: Encodable, Sendable {
    package var position: Int64
    /// The directory's local date it was recorded on.
    package var recordedOn: String
    package var type: String
    package var person: String?
    package var role: String?
    package var scope: String?
    package var validFrom: String?
    package var validUntil: String?
    /// The administrator.
    package var actor: String
    /// How the administrator was authenticated (`os:root`, `jwt:zhang.min`).
    package var principal: String?

    package init(_ recorded: RecordedEvent, zone directory: Directory) {
        let p = recorded.payload
        position = recorded.position
        recordedOn = directory.date(at: recorded.recordedAt).description
        type = recorded.type.rawValue
        person = p.person
        role = p.role
        scope = p.scope
        validFrom = p.validFrom
        validUntil = p.validUntil
        actor = recorded.actor
        principal = recorded.principal?.recorded
    }
}

/// `docket directory who`: who could act in a role on a case of a unit on a date.
package struct DirectoryWhoView: Encodable, Sendable {
    package var role: String
    package var scope: String
    package var on: String
    package var holders: [GrantView]

    package init(_ state: DirectoryState, role: String, scope: String, on date: CalendarDate) {
        self.role = role
        self.scope = scope
        on = date.description
        holders = state.who(role: role, scope: scope, on: date).map { GrantView($0, state: state) }
    }
}
