/// The directory of one authority, as its file declares it: the organisational units (a tree:
/// the province, its centres, their departments), the people (staff, applicants, service
/// accounts), and the roles people hold in a unit from one date until another.
///
/// A grant in a unit covers every unit below it: an approver of `rizhao` may approve a case of
/// `rizhao.licensing`. Dates are local dates in the directory's time zone, both ends included.
/// What is in force at a moment is the newest deployed file folded with the change events of its
/// stream (``DirectoryState``); this type is only the file.
package struct Directory: Hashable, Sendable {
    /// The directory's name (`shandong`); its change events live in ``DirectoryStream/caseID(of:)``.
    package var name: String
    /// Raised on every change of the file.
    package var version: Int
    package var title: String?
    /// The zone whose local dates the grants' `from` and `until` are.
    let zone: TimeZoneOffsets
    /// In file order; exactly one has no parent (the root).
    package var units: [OrganisationalUnit]
    /// In file order.
    package var people: [Person]
    /// In file order; each with ``RoleGrant/source`` `.file`.
    package var grants: [RoleGrant]

    /// The zone's IANA name (`Asia/Shanghai`).
    package var timeZone: String { zone.identifier }

    /// The local date at `instant` in the directory's zone: the date a grant is checked on.
    package func date(at instant: Timestamp) -> CalendarDate {
        let local = instant.microseconds + zone.offset(at: instant.microseconds)
        let day = local >= 0 ? local / 86_400_000_000 : (local - 86_399_999_999) / 86_400_000_000
        return CalendarDate(daysSinceEpoch: Int(day))
    }

    /// The unit without a parent.
    package var root: OrganisationalUnit? { units.first { $0.parent == nil } }
}

/// A unit of the organisation: the province, a centre, a department.
package struct OrganisationalUnit: Hashable, Sendable {
    package var id: String
    package var name: String?
    /// The unit it belongs to; nil for the root.
    package var parent: String?

    package init(id: String, name: String? = nil, parent: String? = nil) {
        self.id = id
        self.name = name
        self.parent = parent
    }
}

/// Who someone is to the authority.
package enum PersonKind: String, Hashable, Sendable, CaseIterable {
    /// Works for the authority; acts in the roles granted to them.
    case staff
    /// Applies for things; acts as `applicant` on their own cases only.
    case applicant
    /// A system acting for others (the online portal): acts for applicants on the online channel.
    case service
}

/// A person or service account of the directory.
package struct Person: Hashable, Sendable {
    /// The id people sign in with and the log records as actor (`li.wei`).
    package var id: String
    package var name: String?
    package var kind: PersonKind
    /// The unit they work in (staff), if given.
    package var unit: String?
    /// The first day they no longer act for the authority; nil while they stay.
    package var left: CalendarDate?

    package init(id: String, name: String? = nil, kind: PersonKind, unit: String? = nil, left: CalendarDate? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.unit = unit
        self.left = left
    }

    /// Whether they still act for the authority on `date`.
    package func isPresent(on date: CalendarDate) -> Bool { left.map { date < $0 } ?? true }
}

/// A role held by a person in a unit (and the units below it), from one date until another.
package struct RoleGrant: Hashable, Sendable {
    /// Where a grant comes from: the file, or a change event of the log.
    package enum Source: Hashable, Sendable {
        /// Declared in the directory file of this version.
        case file(version: Int)
        /// Recorded by `actor` at log position `position`, on `recordedAt`'s date.
        case event(actor: String, position: Int64?, on: CalendarDate)
    }

    package var person: String
    package var role: String
    /// The unit it is held in.
    package var scope: String
    /// The first day it is held; nil: since ever.
    package var from: CalendarDate?
    /// The last day it is held; nil: until revoked.
    package var until: CalendarDate?
    package var source: Source
    /// The first day it is no longer held because it was revoked; nil unless revoked.
    package var revokedFrom: CalendarDate?
    /// Who revoked it.
    package var revokedBy: String?

    package init(person: String, role: String, scope: String, from: CalendarDate? = nil, until: CalendarDate? = nil, source: Source) {
        self.person = person
        self.role = role
        self.scope = scope
        self.from = from
        self.until = until
        self.source = source
    }

    /// Whether the dates (and any revocation) let it be held on `date`.
    package func isInForce(on date: CalendarDate) -> Bool {
        if let from, date < from { return false }
        if let until, date > until { return false }
        if let revokedFrom, date >= revokedFrom { return false }
        return true
    }

    /// `approver in rizhao from 2020-01-01 until 2020-12-31`.
    package var summary: String {
        var text = "\(role) in \(scope)"
        if let from { text += " from \(from)" }
        if let until { text += " until \(until)" }
        return text
    }
}

/// The roles that administer Docket itself rather than act on cases; held in a unit like any
/// role (a `directory_admin` of `rizhao` may change grants in Rizhao only).
package enum AdministeringRole: String, Hashable, Sendable, CaseIterable {
    /// Changes the directory: appoints, revokes, records who left or joined.
    case directoryAdmin = "directory_admin"
    /// Deploys workflow definitions, calendars and new versions of the directory.
    case deployer
    /// Creates and revokes API tokens for service accounts.
    case tokenAdmin = "token_admin"
    /// Records corrections and reassignments.
    case corrector
    /// Reads the whole log and the access log.
    case auditor
    /// Reads reports across cases.
    case analyst
}

/// The log's reserved stream of a directory's change events: a "case" whose id starts with `@`,
/// which no case may take and no reader of cases reports.
package enum DirectoryStream {
    /// What the workflow columns of a directory's change events hold (the store pins every event
    /// of a stream to one workflow id and version).
    package static let workflowID = "@directory"
    package static let workflowVersion = 1

    /// `@directory:shandong`.
    package static func caseID(of directory: String) -> String { "\(workflowID):\(directory)" }

    /// The directory a stream id names, or nil for a case id.
    package static func directory(ofStream caseID: String) -> String? {
        let prefix = workflowID + ":"
        return caseID.hasPrefix(prefix) ? String(caseID.dropFirst(prefix.count)) : nil
    }
}

extension CaseEvent {
    /// Whether the event belongs to a reserved stream (a directory's changes), not to a case:
    /// every reader of cases skips these.
    package var isOutsideCases: Bool { CaseID.isReserved(caseID) }
}

/// Rules for case ids shared by every door.
package enum CaseID {
    /// Ids starting with `@` are reserved for the log's own streams (`@directory:NAME`); a case
    /// may not take one.
    package static func isReserved(_ id: String) -> Bool { id.hasPrefix("@") }
}
