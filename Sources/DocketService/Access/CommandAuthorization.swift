import DocketCore
import DocketStore

extension Authorizer {
    /// Authorizes one of ``CaseService``'s commands: the act it claims (actor, role, person acted
    /// for) on the case it concerns, whose first event (`opening`) gives its scope, applicant and
    /// channel; for an opening, the command's own data does. Ticks are Docket's own and pass.
    package func authorize(_ principal: Principal, _ command: Command, opening: CaseEvent?, definition: WorkflowDefinition) throws(AccessDenied) {
        guard directory != nil else { return }
        let act: CaseAct
        var subject = opening.map(CaseSubject.init(opening:))
        switch command {
        case let .open(open):
            let role = open.role ?? Self.applicantRole
            act = CaseAct(actor: open.actor, role: role, onBehalfOf: open.onBehalfOf, isOpening: true)
            if subject == nil {
                subject = CaseSubject(caseID: open.caseID, actor: open.actor, role: role, onBehalfOf: open.onBehalfOf, data: open.data)
            }
        case let .fire(fire):
            act = CaseAct(actor: fire.actor, role: fire.role, onBehalfOf: fire.onBehalfOf)
        case let .vote(vote):
            act = CaseAct(actor: vote.actor, role: vote.role, onBehalfOf: vote.onBehalfOf)
        case .tick:
            return
        case let .claim(claim):
            act = CaseAct(actor: claim.actor, role: claim.role)
        }
        try authorize(principal, act, on: subject ?? CaseSubject(caseID: command.caseID, scope: nil, applicant: nil, channel: nil), definition: definition)
        if case let .claim(claim) = command, claim.action == .reassign, let person = claim.person, let directory, let today {
            // Work goes to a member of staff who is here, never to an applicant or someone who left.
            guard let found = directory.person(person), found.kind == .staff, found.isPresent(on: today) else {
                throw AccessDenied(.unknownPerson, "\(person) is not a present member of staff of directory '\(directory.name)' on \(today): work cannot be reassigned to them")
            }
        }
    }
}

extension Command {
    /// Whether a person gives this command (open, fire, vote), as opposed to Docket's own tick.
    package var isPersons: Bool {
        if case .tick = self { return false }
        return true
    }
}

extension CaseSubject {
    /// The case these recorded events (all of one case, in version order, from its opening) tell:
    /// scope, applicant and channel from the opening, and who was signed in for each event.
    package init?(events: [RecordedEvent]) {
        guard let opening = Self.correctedOpening(of: events) else { return nil }
        self.init(opening: opening)
        actedBy = Set(events.compactMap { $0.principal?.personID })
    }
}

extension CaseSubject {
    /// The opening of the case these events tell, as corrected: a corrected `centre` moves the
    /// case to that unit for who may act and read.
    package static func correctedOpening(of events: [RecordedEvent]) -> CaseEvent? {
        guard events.contains(where: { $0.event.type.isCorrection }) else { return events.first?.event }
        return CaseHistory(events.map(\.event)).entries.first?.event
    }
}
