import DocketCore

/// One piece of work waiting (`docket worklist`, `GET /v1/worklist`).
package struct WorkItemView: Encodable, Sendable {
    package var caseID: String
    package var workflow: String
    package var workflowVersion: Int
    package var state: String
    /// The branch of a parallel state the work is in; `nil` at case level.
    package var branch: String?
    package var department: String?
    /// When the case (or branch) entered the state.
    package var waitingSince: String
    package var holder: String?
    package var heldSince: String?
    /// When the limit that applies runs out (`nil` when none runs).
    package var dueAt: String?
    /// `state` or `statutory`.
    package var deadline: String?
    /// Working time from now to `due_at`, in seconds; negative when overdue by that much.
    package var workingSecondsLeft: Double?
    package var overdue: Bool
    package var applicant: String?
    package var openedAt: String
}

/// A worklist: its first items, how many there are in all, and the time they are judged at.
package struct WorklistView: Encodable, Sendable {
    package var now: String
    package var total: Int
    package var items: [WorkItemView]
}

/// Who holds a case (or a branch of it) now.
package struct HolderView: Encodable, Sendable {
    package var branch: String?
    package var person: String
    package var since: String?
}

/// A panel vote in progress: the tally, who voted, who has not yet.
package struct VoteTallyView: Encodable, Sendable {
    package struct BallotView: Encodable, Sendable {
        package var voter: String
        package var ballot: String
        package var castBy: String
        package var at: String
    }
    package var state: String
    package var approvals: Int
    package var rejections: Int
    package var approveAt: Int
    package var rejectAt: Int
    package var ballots: [BallotView]
    /// Panel members who have not voted (empty for a panel of seats without names).
    package var notYetVoted: [String]
    package var seatsOpen: Int
}

/// What a clerk needs at a glance beside ``CaseView``: who the case is for, who holds it, the
/// vote, the documents still owed, the working time left on each limit.
package struct CaseDeskView: Encodable, Sendable {
    package var applicant: String?
    /// Who opened the case for the applicant (assisted handling), when not the applicant.
    package var actingFor: String?
    package var openedBy: String
    package var holders: [HolderView]
    package var vote: VoteTallyView?
    package var documentsOwed: [String]
    /// Per running limit, in the order of ``CaseView/deadlines``: working seconds from now to
    /// its due time (negative when overdue; `nil` while the clock is stopped).
    package var workingSecondsLeft: [Double?]

    package init(state s: CaseState, context: EngineContext, now: Timestamp) {
        let definition = context.definition
        let time = TimeText(calendar: context.calendar)
        applicant = s.duties.applicant(openedBy: s.openedBy, in: definition)
        openedBy = s.openedBy
        actingFor = s.duties.openedFor != nil ? s.openedBy : nil
        holders = s.holders.map { HolderView(branch: $0.branch, person: $0.person, since: $0.since.map { time($0) }) }
        if !s.isClosed, let stateDefinition = definition.state(named: s.current.state), let rule = stateDefinition.vote {
            let ballots = s.current.ballots
            let voted = Set(ballots.map(\.voter))
            vote = VoteTallyView(
                state: stateDefinition.name, approvals: ballots.filter { $0.ballot == .approve }.count,
                rejections: ballots.filter { $0.ballot == .reject }.count, approveAt: rule.approveAt, rejectAt: rule.effectiveRejectAt,
                ballots: ballots.map { .init(voter: $0.voter, ballot: $0.ballot.rawValue, castBy: $0.actor, at: time($0.at)) },
                notYetVoted: (rule.panel ?? []).filter { !voted.contains($0) },
                seatsOpen: max(0, (rule.panel?.count ?? rule.seats) - ballots.count))
        }
        var owed: [String] = []
        for action in s.availableActions(in: definition) {
            for document in action.requires where !s.documents.contains(document) && !owed.contains(document) { owed.append(document) }
        }
        documentsOwed = owed
        workingSecondsLeft = s.deadlines(in: context).map { deadline in
            deadline.dueAt.map { WorkingTime.left(from: now, to: $0, on: context.calendar) }
        }
    }
}

/// Working time between now and a due time, signed.
package enum WorkingTime {
    /// Seconds of working time from `now` to `due`; negative (the working time since) when past.
    package static func left(from now: Timestamp, to due: Timestamp, on calendar: any WorkingTimeCalendar) -> Double {
        due >= now
            ? Double(calendar.workingMicroseconds(from: now, to: due)) / 1_000_000
            : -Double(calendar.workingMicroseconds(from: due, to: now)) / 1_000_000
    }
}
