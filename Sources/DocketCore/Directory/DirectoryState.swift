/// The directory in force: the newest deployed file folded with its stream's change events, in
/// log order. A pure fold, like ``CaseState``: the service reads the file and the events, this
/// type says who holds what on which date, and who granted it.
///
/// Every change event applies on top of the newest file, also events recorded before that version
/// was deployed: a revocation or a departure recorded in the log is never undone by deploying a
/// file that still lists the grant (`Docs/directory.md`).
package struct DirectoryState: Sendable {
    /// The file the state starts from.
    package private(set) var directory: Directory
    /// Everyone, the file's people first, then those added, in that order.
    package private(set) var people: [Person]
    /// Every grant ever made, revoked ones included (with ``RoleGrant/revokedFrom``).
    package private(set) var grants: [RoleGrant]
    /// How many change events were folded in: the stream's version, to append at.
    package private(set) var changes: Int = 0

    package init(_ directory: Directory) {
        self.directory = directory
        self.people = directory.people
        self.grants = directory.grants
    }

    /// The directory in force after `events` (the stream's events, in order, with their log
    /// positions when known).
    package static func fold(_ directory: Directory, _ events: [(event: CaseEvent, position: Int64?)]) -> DirectoryState {
        var state = DirectoryState(directory)
        for (event, position) in events { state.apply(event, position: position) }
        return state
    }

    package var name: String { directory.name }
    package var units: [OrganisationalUnit] { directory.units }

    // MARK: Questions

    package func person(_ id: String) -> Person? { people.first { $0.id == id } }
    package func unit(_ id: String) -> OrganisationalUnit? { directory.units.first { $0.id == id } }

    /// `unit` and every unit above it, nearest first.
    package func lineage(of unit: String) -> [String] {
        var result: [String] = []
        var current: String? = unit
        while let id = current, !result.contains(id), let found = self.unit(id) {
            result.append(id)
            current = found.parent
        }
        return result
    }

    /// Whether a grant held in `scope` covers `unit` (the unit itself or one below it).
    package func scope(_ scope: String, covers unit: String) -> Bool { lineage(of: unit).contains(scope) }

    /// The grants `person` holds on `date` (none once they have left).
    package func grantsInForce(of person: String, on date: CalendarDate) -> [RoleGrant] {
        guard let found = self.person(person), found.isPresent(on: date) else { return [] }
        return grants.filter { $0.person == person && $0.isInForce(on: date) }
    }

    /// The grant by which `person` holds `role` in a scope covering `unit` on `date`, if any.
    package func grant(of person: String, role: String, covering unit: String, on date: CalendarDate) -> RoleGrant? {
        grantsInForce(of: person, on: date).first { $0.role == role && scope($0.scope, covers: unit) }
    }

    /// Everyone who could act as `role` on a case of `unit` on `date`, with the grant that lets
    /// them, by person id.
    package func who(role: String, scope unit: String, on date: CalendarDate) -> [RoleGrant] {
        let lineage = lineage(of: unit)
        return people.filter { $0.isPresent(on: date) }.flatMap { person in
            grants.filter { $0.person == person.id && $0.role == role && lineage.contains($0.scope) && $0.isInForce(on: date) }
        }
    }

    // MARK: The fold

    /// Folds one change event. Never fails: an event is a fact; one the fold cannot read (an
    /// unknown person, a missing field) is counted and otherwise ignored.
    package mutating func apply(_ event: CaseEvent, position: Int64? = nil) {
        changes += 1
        guard let change = DirectoryChange(event) else { return }
        let on = directory.date(at: event.occurredAt)
        switch change {
        case let .grant(person, role, scope, from, until):
            grants.append(RoleGrant(person: person, role: role, scope: scope, from: from, until: until,
                                    source: .event(actor: event.actor, position: position, on: on)))
        case let .revoke(person, role, scope, from):
            for index in grants.indices where grants[index].person == person && grants[index].role == role
                && grants[index].scope == scope && grants[index].revokedFrom.map({ $0 > from }) ?? true {
                grants[index].revokedFrom = from
                grants[index].revokedBy = event.actor
            }
        case let .leave(person, date):
            if let index = people.firstIndex(where: { $0.id == person }) {
                people[index].left = min(people[index].left ?? date, date)
            }
        case let .add(person):
            if self.person(person.id) == nil { people.append(person) }
        }
    }

    // MARK: The decider

    /// The event recording `change` by `actor` at `now`, or why it cannot be made. Whether the
    /// actor may change the directory at all is the authorizer's question, not this one.
    package func decide(_ change: DirectoryChange, actor: String, at now: Timestamp) throws(DirectoryRefusal) -> CaseEvent {
        let ids = people.map(\.id)
        let unitIDs = directory.units.map(\.id)
        func knownPerson(_ id: String) throws(DirectoryRefusal) -> Person {
            guard let found = person(id) else {
                throw DirectoryRefusal(.unknownPerson, DirectoryParser.unknown("person", id, among: ids) + " in directory '\(name)'")
            }
            return found
        }
        func knownUnit(_ id: String) throws(DirectoryRefusal) {
            guard unit(id) != nil else {
                throw DirectoryRefusal(.unknownUnit, DirectoryParser.unknown("unit", id, among: unitIDs) + " in directory '\(name)'")
            }
        }
        let today = directory.date(at: now)
        switch change {
        case let .grant(personID, _, scope, from, until):
            let person = try knownPerson(personID)
            try knownUnit(scope)
            guard person.kind != .applicant else {
                throw DirectoryRefusal(.invalidChange, "'\(personID)' is an applicant: applicants act as applicant on their own cases and hold no roles")
            }
            if let from, let until, from > until {
                throw DirectoryRefusal(.invalidChange, "--from \(from) is after --until \(until); the grant would never be held")
            }
            if let left = person.left, (from ?? today) >= left {
                throw DirectoryRefusal(.invalidChange, "'\(personID)' left on \(left); a person who has left cannot be granted a role")
            }
        case let .revoke(personID, role, scope, from):
            _ = try knownPerson(personID)
            try knownUnit(scope)
            let open = grants.filter { $0.person == personID && $0.role == role && $0.scope == scope }
                .filter { grant in grant.until.map { $0 >= from } ?? true }
                .filter { grant in grant.revokedFrom.map { $0 > from } ?? true }
            guard !open.isEmpty else {
                let held = grantsInForce(of: personID, on: from).map(\.summary)
                throw DirectoryRefusal(.noSuchGrant, "'\(personID)' holds no \(role) role in '\(scope)' on or after \(from) to revoke; held on \(from): \(held.isEmpty ? "nothing" : held.joined(separator: ", "))")
            }
        case let .leave(personID, date):
            let person = try knownPerson(personID)
            if let left = person.left, left <= date {
                throw DirectoryRefusal(.invalidChange, "'\(personID)' already left on \(left)")
            }
        case let .add(person):
            guard !DirectoryParser.reservedActors.contains(person.id), !CaseID.isReserved(person.id) else {
                throw DirectoryRefusal(.invalidChange, "'\(person.id)' is reserved; a person may not take it")
            }
            guard self.person(person.id) == nil, unit(person.id) == nil else {
                throw DirectoryRefusal(.invalidChange, "'\(person.id)' is already in directory '\(name)'")
            }
            if let unit = person.unit { try knownUnit(unit) }
        }
        return change.event(directory: name, actor: actor, at: now)
    }
}

/// One change to a directory, as its event records it.
package enum DirectoryChange: Hashable, Sendable {
    /// `person` holds `role` in `scope` from `from` until `until` (both included; nil: open).
    case grant(person: String, role: String, scope: String, from: CalendarDate?, until: CalendarDate?)
    /// `person` no longer holds `role` in `scope` from `from` on.
    case revoke(person: String, role: String, scope: String, from: CalendarDate)
    /// `person` no longer acts for the authority from `on` on: every role ends.
    case leave(person: String, on: CalendarDate)
    /// A new person (a new clerk, an applicant registering).
    case add(Person)

    /// The change an event records, or nil for an event that is not one (or lacks a field).
    package init?(_ event: CaseEvent) {
        let p = event.payload
        func date(_ text: String?) -> CalendarDate? { text.flatMap { CalendarDate(parsing: $0) } }
        switch event.type {
        case .roleGranted:
            guard let person = p.person, let role = p.role, let scope = p.scope else { return nil }
            self = .grant(person: person, role: role, scope: scope, from: date(p.validFrom), until: date(p.validUntil))
        case .roleRevoked:
            guard let person = p.person, let role = p.role, let scope = p.scope, let from = date(p.validFrom) else { return nil }
            self = .revoke(person: person, role: role, scope: scope, from: from)
        case .personLeft:
            guard let person = p.person, let on = date(p.validFrom) else { return nil }
            self = .leave(person: person, on: on)
        case .personAdded:
            guard let person = p.person, let kind = p.data?["kind"].flatMap(PersonKind.init(rawValue:)) else { return nil }
            self = .add(Person(id: person, name: p.data?["name"], kind: kind, unit: p.scope))
        default:
            return nil
        }
    }

    /// The event that records it in the directory's stream.
    package func event(directory: String, actor: String, at now: Timestamp) -> CaseEvent {
        var payload = EventPayload()
        let type: CaseEventType
        switch self {
        case let .grant(person, role, scope, from, until):
            type = .roleGranted
            (payload.person, payload.role, payload.scope) = (person, role, scope)
            payload.validFrom = from?.description
            payload.validUntil = until?.description
        case let .revoke(person, role, scope, from):
            type = .roleRevoked
            (payload.person, payload.role, payload.scope) = (person, role, scope)
            payload.validFrom = from.description
        case let .leave(person, on):
            type = .personLeft
            payload.person = person
            payload.validFrom = on.description
        case let .add(person):
            type = .personAdded
            payload.person = person.id
            payload.scope = person.unit
            var data = ["kind": person.kind.rawValue]
            if let name = person.name { data["name"] = name }
            payload.data = data
        }
        return CaseEvent(caseID: DirectoryStream.caseID(of: directory), type: type, workflowID: DirectoryStream.workflowID,
                         workflowVersion: DirectoryStream.workflowVersion, actor: actor, occurredAt: now, payload: payload)
    }
}

/// Why a directory change cannot be made as asked.
package struct DirectoryRefusal: DocketError, CodedError, Hashable, Sendable {
    package enum Code: String, Hashable, Sendable {
        case unknownPerson = "unknown_person"
        case unknownUnit = "unknown_unit"
        case noSuchGrant = "no_such_grant"
        case invalidChange = "invalid_change"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
    package var kind: FailureKind {
        switch code {
        case .unknownPerson, .unknownUnit: .notFound
        case .noSuchGrant, .invalidChange: .refused
        }
    }
}
