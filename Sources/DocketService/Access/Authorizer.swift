import DocketCore

/// Decides who may act, from the directory in force when the command is recorded (the clock's
/// now, never the business time the command claims): allowed, or an ``AccessDenied`` (`forbidden`,
/// HTTP 403, CLI exit 1) naming the missing grant, before anything is appended.
///
/// Pure over its inputs: the caller (``CaseService``, the HTTP server, ``DirectoryService``)
/// reads the directory in force and the case. Without a directory every request is allowed, as
/// before directories existed (`Docs/directory.md`).
package struct Authorizer: Sendable {
    /// The directory in force; nil when none is deployed.
    package let directory: DirectoryState?
    /// When the command is recorded: grants are checked on this instant's local date.
    package let now: Timestamp

    package init(directory: DirectoryState?, now: Timestamp) {
        self.directory = directory
        self.now = now
    }

    /// The role a case's applicant acts in: held by no grant, only by being the case's applicant.
    package static let applicantRole = "applicant"
    /// The channel on which a service account (the portal) acts for applicants.
    package static let onlineChannel = "online"

    /// Who an in-process caller that names no principal (a test, a library user) is taken to be:
    /// an operator, since it runs with the log file in hand like the CLI does.
    package static let inProcess = Principal(method: .operatingSystem, id: "in-process")

    /// The date grants are checked on.
    package var today: CalendarDate? { directory.map { $0.directory.date(at: now) } }

    // MARK: Commands on cases

    /// Whether `principal` may record `act` on the case `subject` of `definition`.
    package func authorize(
        _ principal: Principal, _ act: CaseAct, on subject: CaseSubject, definition: WorkflowDefinition
    ) throws(AccessDenied) {
        guard let directory, let today else { return }

        // Who the principal lets the command name as actor.
        var actingService: Person?
        switch principal.method {
        case .operatingSystem:
            break  // the operator on the server's machine names any person of the directory
        case .jwt, .apiToken:
            guard let account = directory.person(principal.id), account.isPresent(on: today) else {
                throw AccessDenied(.unknownPrincipal, "\(principal.recorded) is not a person of directory '\(directory.name)' on \(today)")
            }
            if account.kind == .service {
                actingService = account
            } else if act.actor != principal.id {
                throw AccessDenied(.actorMismatch, "signed in as \(principal.id), who may act only as themselves, not as \(act.actor)")
            }
        }

        guard let person = directory.person(act.actor) else {
            let known = directory.people.map(\.id)
            let guess = Diagnostic.nearest(to: act.actor, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw AccessDenied(.unknownPerson, "\(act.actor) is not a person of directory '\(directory.name)'\(guess)")
        }
        guard person.isPresent(on: today) else {
            throw AccessDenied(.personLeft, "\(act.actor) left on \(person.left!) and may no longer act (\(today))")
        }
        guard person.kind != .service else {
            throw AccessDenied(.actorMismatch, "\(act.actor) is a service account: it acts for applicants (as them), never in its own name")
        }
        // A case opened before the directory was deployed names no centre: it belongs to the root
        // unit, so only grants held there cover it. An opening must name its centre.
        let scopeOrRoot = subject.scope ?? (act.isOpening ? nil : directory.directory.root?.id)
        guard let scope = scopeOrRoot, directory.unit(scope) != nil else {
            let units = directory.units.map(\.id)
            let given = subject.scope.map { " '\($0)' is not a unit of directory '\(directory.name)'" + (Diagnostic.nearest(to: $0, in: units).map { "; did you mean '\($0)'?" } ?? "") }
            throw AccessDenied(.scopeMissing, "case \(subject.caseID) has no scope:" + (given ?? " open it with data \(CaseSubject.scopeField)=UNIT (one of: \(units.joined(separator: ", ")))"))
        }

        if let service = actingService {
            // The portal acts for applicants, as them, on the online channel only.
            guard act.role == Self.applicantRole, person.kind == .applicant, act.onBehalfOf == nil else {
                throw AccessDenied(.serviceNotAllowed, "\(service.id) is a service account: it may act only as an applicant, for that applicant, not as \(act.actor) in role \(act.role)")
            }
            guard subject.channel == Self.onlineChannel else {
                throw AccessDenied(.serviceNotAllowed, "\(service.id) acts for applicants on the \(Self.onlineChannel) channel only; case \(subject.caseID) is on channel \(subject.channel ?? "none")")
            }
        }

        // The role: the applicant's by being the case's applicant, any other by a grant.
        if act.role == Self.applicantRole {
            if !act.isOpening, subject.applicant != act.actor {
                // Who the applicant is, only to the operator: a signed-in stranger must not learn it.
                let who = principal.method == .operatingSystem ? subject.applicant.map { " (\($0) is)" } ?? "" : ""
                throw AccessDenied(.notTheApplicant, "\(act.actor) is not the applicant of case \(subject.caseID)" + who)
            }
        } else if directory.grant(of: act.actor, role: act.role, covering: scope, on: today) == nil {
            throw AccessDenied(.roleNotHeld, Self.notHeld(act.actor, act.role, scope, today, in: directory))
        }

        // Acting for someone: only as the definition allows, and (for an applicant) only for this case's.
        if let other = act.onBehalfOf {
            let targets = definition.assistedHandling[act.role] ?? []
            guard !targets.isEmpty else {
                throw AccessDenied(.proxyNotAllowed, "workflow \(definition.id) lets no \(act.role) act for others; \(act.actor) may not act for \(other)")
            }
            let forApplicant = targets.contains(Self.applicantRole)
                && (act.isOpening ? directory.person(other)?.kind == .applicant : other == subject.applicant)
            let forHolder = targets.contains { $0 != Self.applicantRole && directory.grant(of: other, role: $0, covering: scope, on: today) != nil }
            guard forApplicant || forHolder else {
                let whom = act.isOpening ? "an applicant of the directory" : "this case's applicant" + (subject.applicant.map { " \($0)" } ?? "")
                throw AccessDenied(.proxyNotAllowed, "\(act.actor) as \(act.role) may act only for \(whom)" + (targets.count > 1 || !forApplicant && !targets.contains(Self.applicantRole) ? " or a holder of \(targets.joined(separator: ", ")) in \(scope)" : "") + ", not for \(other)")
            }
        }
    }

    // MARK: Administration

    /// Whether `principal` (an operator naming `person` with `--by`) may do what needs `role`, in
    /// `scope` (default: the root unit). Without a directory, anyone may, as before; the first
    /// directory's deployment is for the operator only (``authorizeFirstDirectory(_:)``).
    package func authorize(_ principal: Principal, administer role: AdministeringRole, by person: String?, in scope: String? = nil) throws(AccessDenied) {
        guard let directory, let today else { return }
        let personID: String
        if principal.method == .operatingSystem {
            guard let person else {
                throw AccessDenied(.administratorMissing, "directory '\(directory.name)' is deployed: name who does this with --by PERSON (someone holding \(role.rawValue))")
            }
            personID = person
        } else {
            if let person, person != principal.id {
                throw AccessDenied(.actorMismatch, "signed in as \(principal.id), who may act only as themselves, not as \(person)")
            }
            personID = principal.id
        }
        guard let found = directory.person(personID), found.isPresent(on: today) else {
            throw AccessDenied(.unknownPerson, "\(personID) is not a present person of directory '\(directory.name)' on \(today)")
        }
        guard let scope = scope ?? directory.directory.root?.id else { return }
        guard directory.grant(of: personID, role: role.rawValue, covering: scope, on: today) != nil else {
            throw AccessDenied(.roleNotHeld, Self.notHeld(personID, role.rawValue, scope, today, in: directory))
        }
    }

    /// The first directory of a log: deployed by the operator on the server's machine only (a
    /// signed-in person cannot be checked against a directory that does not exist yet).
    package func authorizeFirstDirectory(_ principal: Principal) throws(AccessDenied) {
        guard directory == nil, principal.method != .operatingSystem else { return }
        throw AccessDenied(.administratorMissing, "no directory is deployed yet: the first one is deployed by the operator on the server's machine (docket deploy), not by \(principal.recorded)")
    }

    // MARK: Reads

    /// Whether `principal` may read the case `subject`: its applicant, staff holding a role in a
    /// scope covering the case's, a service account (the portal) the cases it acted on for its
    /// applicants, an auditor; the operator always.
    package func mayRead(_ principal: Principal, _ subject: CaseSubject) -> Bool {
        guard let directory, let today, principal.method != .operatingSystem else { return true }
        guard let person = directory.person(principal.id), person.isPresent(on: today) else { return false }
        if holdsAnywhere(principal.id, .auditor) { return true }
        switch person.kind {
        case .applicant: return subject.applicant == person.id
        // Not every online case: the portal's applicants' cases, i.e. those it recorded events of.
        case .service: return subject.actedBy.contains(person.id)
        case .staff:
            guard let scope = subject.scope else { return false }
            let administering = Set(AdministeringRole.allCases.map(\.rawValue))
            return directory.grantsInForce(of: person.id, on: today)
                .contains { !administering.contains($0.role) && directory.scope($0.scope, covers: scope) }
        }
    }

    /// Whether `principal` may read reports across cases: an analyst (or auditor).
    package func mayReadReports(_ principal: Principal) -> Bool {
        guard directory != nil, principal.method != .operatingSystem else { return true }
        return holdsAnywhere(principal.id, .analyst) || holdsAnywhere(principal.id, .auditor)
    }

    /// Whether `principal` may read the whole log (every case's events, the access log): an auditor.
    package func mayReadWholeLog(_ principal: Principal) -> Bool {
        guard directory != nil, principal.method != .operatingSystem else { return true }
        return holdsAnywhere(principal.id, .auditor)
    }

    /// ``mayReadReports(_:)``, or an ``AccessDenied`` (`read_not_allowed`, 403) naming the role missing.
    package func authorizeReports(_ principal: Principal) throws(AccessDenied) {
        guard !mayReadReports(principal) else { return }
        throw AccessDenied(.readNotAllowed, "\(principal.recorded) holds no \(AdministeringRole.analyst.rawValue) (or \(AdministeringRole.auditor.rawValue)) role: reports across cases need one")
    }

    /// ``mayReadWholeLog(_:)``, or an ``AccessDenied`` (`read_not_allowed`, 403) naming the role missing.
    package func authorizeWholeLog(_ principal: Principal, to read: String) throws(AccessDenied) {
        guard !mayReadWholeLog(principal) else { return }
        throw AccessDenied(.readNotAllowed, "\(principal.recorded) holds no \(AdministeringRole.auditor.rawValue) role: \(read) needs one")
    }

    private func holdsAnywhere(_ person: String, _ role: AdministeringRole) -> Bool {
        guard let directory, let today else { return false }
        return directory.grantsInForce(of: person, on: today).contains { $0.role == role.rawValue }
    }

    /// `li.wei holds no approver role in scope rizhao on 2026-12-06; held: clerk in rizhao`.
    static func notHeld(_ person: String, _ role: String, _ scope: String, _ date: CalendarDate, in directory: DirectoryState) -> String {
        let held = directory.grantsInForce(of: person, on: date).map { "\($0.role) in \($0.scope)" }
        return "\(person) holds no \(role) role in scope \(scope) on \(date); held: \(held.isEmpty ? "nothing" : held.joined(separator: ", "))"
    }
}

/// What a command on a case claims: who acts, in which role, for whom.
package struct CaseAct: Hashable, Sendable {
    package var actor: String
    package var role: String
    package var onBehalfOf: String?
    /// Opening the case (the applicant is whoever opens it as applicant, or is acted for).
    package var isOpening: Bool

    package init(actor: String, role: String, onBehalfOf: String? = nil, isOpening: Bool = false) {
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.isOpening = isOpening
    }
}

/// What the authorizer needs to know of a case: its scope, its applicant, its channel.
package struct CaseSubject: Hashable, Sendable {
    /// The opening data field that names the case's unit (`centre: rizhao`).
    package static let scopeField = "centre"

    package var caseID: String
    /// The unit the case belongs to.
    package var scope: String?
    /// The person who applied: who opened it as applicant, or for whom it was opened.
    package var applicant: String?
    /// `online`, `window`, ... from the opening data.
    package var channel: String?
    /// The people and service accounts signed in when the case's events were recorded (the
    /// principals' ids, operators excepted): whom the portal acted for is read from these.
    package var actedBy: Set<String> = []

    package init(caseID: String, scope: String?, applicant: String?, channel: String?, actedBy: Set<String> = []) {
        self.caseID = caseID
        self.scope = scope
        self.applicant = applicant
        self.channel = channel
        self.actedBy = actedBy
    }

    /// The case an opening event (or an opening command's fields) describes.
    package init(caseID: String, actor: String, role: String?, onBehalfOf: String?, data: [String: String]) {
        self.caseID = caseID
        scope = data[Self.scopeField]
        applicant = onBehalfOf ?? (role == Authorizer.applicantRole ? actor : nil)
        channel = data["channel"]
    }

    /// The case whose first event is `opening`.
    package init(opening: CaseEvent) {
        self.init(caseID: opening.caseID, actor: opening.actor, role: opening.role, onBehalfOf: opening.onBehalfOf,
                  data: opening.payload.data ?? [:])
    }
}

/// A request the directory does not allow: HTTP 403, CLI exit 1, nothing appended.
package struct AccessDenied: DocketError, CodedError, Hashable, Sendable {
    package enum Code: String, Hashable, Sendable, CaseIterable {
        /// The actor holds no grant of the role in a scope covering the case's on the date.
        case roleNotHeld = "role_not_held"
        /// The actor is not a person of the directory.
        case unknownPerson = "unknown_person"
        /// The signed-in principal is not a person of the directory.
        case unknownPrincipal = "unknown_principal"
        /// A signed-in person named someone else as actor.
        case actorMismatch = "actor_mismatch"
        /// The actor has left.
        case personLeft = "person_left"
        /// Acting for someone the definition does not allow, or not the case's applicant.
        case proxyNotAllowed = "proxy_not_allowed"
        /// The applicant's role claimed by someone who is not the case's applicant.
        case notTheApplicant = "not_the_applicant"
        /// A service account acting outside what it may (not for an applicant, not online).
        case serviceNotAllowed = "service_not_allowed"
        /// The case names no unit of the directory.
        case scopeMissing = "scope_missing"
        /// An administrative command without a person holding the administering role.
        case administratorMissing = "administrator_missing"
        /// A read that needs a role the principal does not hold (reports: analyst; the whole log: auditor).
        case readNotAllowed = "read_not_allowed"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
    /// A case without a unit is a bad request; everything else is the principal's lack of right.
    package var kind: FailureKind { code == .scopeMissing ? .invalidInput : .forbidden }
}

