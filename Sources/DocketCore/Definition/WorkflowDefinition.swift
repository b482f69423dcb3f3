/// A workflow as its YAML file declares it: the roles, the states a case moves through, the
/// transitions between them, and the rules an authority adds (time limits, a stopped statutory
/// clock, parallel departments, panel votes, assisted handling, separation of duties).
///
/// Values of this type come from ``DefinitionLoader/load(text:file:)``, which only returns
/// definitions that passed every check of `Docs/definitions.md`; the engine relies on that (exactly
/// one initial state per machine, every name it meets declared). A definition is plain data: it
/// names its calendar but does not hold one; the caller resolves the name to a
/// ``WorkingTimeCalendar`` and passes both in an ``EngineContext``.
public struct WorkflowDefinition: Hashable, Sendable {
    /// The workflow's id (`workflow:`), e.g. `permit-check`.
    public var id: String
    /// The definition's version (`version:`), a positive whole number.
    public var version: Int
    /// A human title (`title:`).
    public var title: String?
    /// The name of the business calendar deadlines are counted on (`calendar:`), e.g. `cn-2020`;
    /// `nil` means every second counts (``AlwaysWorkingCalendar``).
    public var calendar: String?
    /// Where the `calendar:` value was written in the definition's file, when it was loaded from
    /// one: the place a "no such calendar" error points at (``DefinitionLoader`` cannot resolve the
    /// name itself; `validate` and `deploy` do).
    public var calendarPosition: SourcePosition?
    /// Every role that may appear in the workflow (`roles:`), in declaration order.
    public var roles: [String]
    /// The case-level states (`states:`), in declaration order.
    public var states: [StateDefinition]
    /// The case-level transitions (`transitions:`), in declaration order.
    public var transitions: [TransitionDefinition]
    /// Assisted handling (`assisted_handling:`): for a role, the roles it may act on behalf of.
    public var assistedHandling: [String: [String]]
    /// The case-level statutory limit (`statutory_limit:`), counted in working time with stopped
    /// clocks excluded.
    public var statutoryLimit: StatutoryLimit?
    /// The role applicants act in (`applicant_role:`, else `applicant` when declared): every other
    /// role is a staff role, for separation of duties.
    public var applicantRole: String?
    /// Who may not do what on a case, given what they did on it before (`separation_of_duties:`),
    /// in declaration order.
    public var separationOfDuties: [SeparationRule]
    /// The case data the workflow declares (`data:`), in declaration order; `nil` when it declares
    /// none, and then a case accepts any data, as before declarations existed.
    public var dataFields: [DataField]?
    /// The workflow's title in every language written (`title: { zh: ..., en: ... }`); ``title``
    /// is its first.
    public var titles: Title?

    public init(
        id: String, version: Int, title: String? = nil, calendar: String? = nil, roles: [String],
        states: [StateDefinition], transitions: [TransitionDefinition],
        assistedHandling: [String: [String]] = [:], statutoryLimit: StatutoryLimit? = nil,
        calendarPosition: SourcePosition? = nil, applicantRole: String? = nil, separationOfDuties: [SeparationRule] = [],
        dataFields: [DataField]? = nil
    ) {
        self.dataFields = dataFields
        self.applicantRole = applicantRole ?? (roles.contains("applicant") ? "applicant" : nil)
        self.separationOfDuties = separationOfDuties
        self.calendarPosition = calendarPosition
        self.id = id
        self.version = version
        self.title = title
        self.calendar = calendar
        self.roles = roles
        self.states = states
        self.transitions = transitions
        self.assistedHandling = assistedHandling
        self.statutoryLimit = statutoryLimit
    }

    /// The case-level state called `name`, if declared.
    public func state(named name: String) -> StateDefinition? {
        states.first { $0.name == name }
    }

    /// The state a new case starts in (the one marked `initial: true`).
    public var initialState: StateDefinition? { states.first { $0.isInitial } }

    /// Every branch of every parallel state, with the parallel state (region) it belongs to.
    public var branches: [(region: String, branch: BranchDefinition)] {
        states.flatMap { state in (state.parallel?.branches ?? []).map { (state.name, $0) } }
    }

    /// The name of every state, the branches' states included.
    public var stateNames: Set<String> {
        Set(states.map(\.name) + branches.flatMap { $0.branch.states.map(\.name) })
    }

    /// Every department a state or a branch names.
    public var departments: Set<String> {
        Set(states.compactMap(\.department) + branches.flatMap { [$0.branch.department] + $0.branch.states.map(\.department) }.compactMap { $0 })
    }

    /// The roles `role` may act on behalf of (empty when it may not act for anyone).
    public func rolesActedFor(by role: String) -> [String] { assistedHandling[role] ?? [] }

    /// Whether `role` is a staff role: any role but the applicant's.
    public func isStaff(_ role: String) -> Bool { role != applicantRole }

    /// A one-line description for `docket validate`, e.g.
    /// `permit-check v1 "Simple permit check": 4 states, 3 transitions, roles applicant, clerk, approver`.
    public var summary: String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var parts = [count(states.count, "state"), count(transitions.count, "transition")]
        let branchList = branches
        if !branchList.isEmpty {
            let regions = Set(branchList.map(\.region)).count
            parts.append("\(regions) parallel \(regions == 1 ? "state" : "states") with \(branchList.count) branches")
        }
        let votes = states.filter { $0.vote != nil }.count
        if votes > 0 { parts.append("\(votes) panel \(votes == 1 ? "vote" : "votes")") }
        let limits = states.filter { $0.limit != nil }.count
            + branchList.reduce(0) { $0 + $1.branch.states.filter { $0.limit != nil }.count }
            + (statutoryLimit == nil ? 0 : 1)
        if limits > 0 { parts.append("\(limits) time \(limits == 1 ? "limit" : "limits")") }
        let rules = separationOfDuties.count
        if rules > 0 { parts.append("\(rules) separation-of-duties \(rules == 1 ? "rule" : "rules")") }
        if let dataFields { parts.append(count(dataFields.count, "data field")) }
        let routes = transitions.filter { $0.condition != nil }.count
        if routes > 0 { parts.append(count(routes, "conditional route")) }
        if let calendar { parts.append("calendar \(calendar)") }
        parts.append("roles " + roles.joined(separator: ", "))
        let name = title.map { "\(id) v\(version) \"\($0)\"" } ?? "\(id) v\(version)"
        return name + ": " + parts.joined(separator: ", ")
    }
}

/// A separation-of-duties rule (`separation_of_duties:`): a party, bound by what they did on a
/// case (or by being its applicant), may not fire some events or act in some roles on that case.
public struct SeparationRule: Hashable, Sendable {
    /// Whom a rule binds.
    public enum Party: Hashable, Sendable {
        /// Whoever fired one of these events on the case (`once_fired:`).
        case fired([String])
        /// Whoever acted in one of these roles on the case: fired an event, cast a vote, or had
        /// a vote cast for them (`once_acted_as:`).
        case actedAs([String])
        /// The case's applicant (`applicant: true`).
        case applicant
    }

    /// The rule's name (`rule:`), unique in the workflow; refusals quote it.
    public var name: String
    public var party: Party
    /// Events the party may not fire (`may_not_fire:`).
    public var mayNotFire: [String]
    /// Roles the party may not act in (`may_not_act_as:`).
    public var mayNotActAs: [String]
    /// The party may not act in any staff role (`may_not_act_as: staff`).
    public var mayNotActAsStaff: Bool

    public init(name: String, party: Party, mayNotFire: [String] = [], mayNotActAs: [String] = [], mayNotActAsStaff: Bool = false) {
        self.name = name
        self.party = party
        self.mayNotFire = mayNotFire
        self.mayNotActAs = mayNotActAs
        self.mayNotActAsStaff = mayNotActAsStaff
    }

    /// Whether the rule forbids acting in `role` (in `definition`, which says who is staff).
    public func forbids(role: String, in definition: WorkflowDefinition) -> Bool {
        mayNotActAs.contains(role) || (mayNotActAsStaff && definition.isStaff(role))
    }
}

/// One state of a workflow or of a parallel branch.
public struct StateDefinition: Hashable, Sendable {
    /// The state's name, unique within its machine.
    public var name: String
    /// Cases (or branches) start here (`initial: true`).
    public var isInitial: Bool
    /// The case (or branch) ends here (`final: true`).
    public var isFinal: Bool
    /// What reaching this final state means (`outcome:`): `approved`, `rejected`, `withdrawn`, ...
    /// Always set on final states; in branches it is `approved` or `rejected`.
    public var outcome: String?
    /// The department that holds a case in this state (`department:`); in a branch, defaults to the
    /// branch's department.
    public var department: String?
    /// How long a case may stay in this state, and what happens when it stays longer.
    public var limit: DeadlineRule?
    /// While a case is in this state the statutory clock is stopped (`stops_clock: true`), e.g.
    /// waiting for the applicant's missing materials.
    public var stopsClock: Bool
    /// Concurrent branches that run while the case is in this state (`branches:`, `join:`).
    public var parallel: ParallelRegion?
    /// A panel vote held in this state (`vote:`).
    public var vote: VoteRule?
    /// The event Docket fires when the branches or the vote approve (`when_approved:`).
    public var whenApproved: String?
    /// The event Docket fires when the branches or the vote reject (`when_rejected:`).
    public var whenRejected: String?
    /// A display label (`title:`).
    public var title: Title?

    public init(
        name: String, isInitial: Bool = false, isFinal: Bool = false, outcome: String? = nil,
        department: String? = nil, limit: DeadlineRule? = nil, stopsClock: Bool = false,
        parallel: ParallelRegion? = nil, vote: VoteRule? = nil,
        whenApproved: String? = nil, whenRejected: String? = nil, title: Title? = nil
    ) {
        self.title = title
        self.name = name
        self.isInitial = isInitial
        self.isFinal = isFinal
        self.outcome = outcome
        self.department = department
        self.limit = limit
        self.stopsClock = stopsClock
        self.parallel = parallel
        self.vote = vote
        self.whenApproved = whenApproved
        self.whenRejected = whenRejected
    }
}

/// A transition: in state(s) `from`, event `event` moves the case (or branch) to `to`.
public struct TransitionDefinition: Hashable, Sendable {
    /// The event's name (`event:`), what a person fires: `accept`, `approve`, ...
    public var event: String
    /// The states it may be fired from (`from:`, one state or a list).
    public var from: [String]
    /// The state it leads to (`to:`); `nil` only for a transition that `startsWork`.
    public var to: String?
    /// The roles that may fire it (`roles:`), as written; `nil` when omitted. See
    /// ``effectiveRoles(branch:)``.
    public var roles: [String]?
    /// Documents that must have been supplied (with this event or earlier in the case).
    public var requires: [String]
    /// A reason must be given (`requires_reason: true`; always true for a send-back).
    public var requiresReason: Bool
    /// Returns the case to an earlier state for correction (`sends_back: true`): needs a reason and
    /// counts a send-back round.
    public var sendsBack: Bool
    /// Marks that someone started working on the case in its current state (`starts_work: true`);
    /// the case stays where it is. Splits dwell into waiting and work.
    public var startsWork: Bool
    /// When it applies, as far as the case's data goes (`when:`); `nil` for always. Among the
    /// transitions of one event from one state, the first whose condition holds is taken.
    public var condition: Condition?
    /// The event's display label (`title:`).
    public var title: Title?

    public init(
        event: String, from: [String], to: String?, roles: [String]? = nil, requires: [String] = [],
        requiresReason: Bool = false, sendsBack: Bool = false, startsWork: Bool = false,
        condition: Condition? = nil, title: Title? = nil
    ) {
        self.condition = condition
        self.title = title
        self.event = event
        self.from = from
        self.to = to
        self.roles = roles
        self.requires = requires
        self.requiresReason = requiresReason
        self.sendsBack = sendsBack
        self.startsWork = startsWork
    }

    /// Whether firing it needs a reason.
    public var needsReason: Bool { requiresReason || sendsBack }

    /// Who may fire it: its own `roles`, else (inside a branch) the branch's roles, else no one,
    /// which means only Docket fires it (on a deadline breach, a join or a vote).
    public func effectiveRoles(branch: BranchDefinition?) -> [String] {
        roles ?? branch?.roles ?? []
    }
}

/// A time limit on a state and what happens when it passes.
public struct DeadlineRule: Hashable, Sendable {
    /// How long (`within:`), counted from entering the state.
    public var within: TimeLimit
    /// The event Docket fires on breach (`on_breach:`); `nil` only marks the case overdue.
    public var onBreach: String?

    public init(within: TimeLimit, onBreach: String? = nil) {
        self.within = within
        self.onBreach = onBreach
    }
}

/// The case-level statutory limit: the time the authority promises, in working time with stopped
/// clocks excluded.
public struct StatutoryLimit: Hashable, Sendable {
    /// How long (`within:`).
    public var within: TimeLimit
    /// The events whose first firing (of any of them) starts the clock (`starts_on:`, one event
    /// or a list); empty starts it at opening.
    public var startsOn: [String]
    /// The event Docket fires on breach (`on_breach:`) when the current state allows it; `nil` only
    /// marks the case overdue.
    public var onBreach: String?

    public init(within: TimeLimit, startsOn: [String] = [], onBreach: String? = nil) {
        self.within = within
        self.startsOn = startsOn
        self.onBreach = onBreach
    }

    /// When the statutory clock of a case started: at its opening when `startsOn` is empty, else
    /// at the earliest first firing of any of its events (`firstFired` answers when an event
    /// first fired on the case); `nil` while none of them has fired. The engine's deadlines and
    /// the reports' statutory figures both start the clock here.
    public static func clockStart(
        startsOn: [String], openedAt: Timestamp, firstFired: (String) -> Timestamp?
    ) -> Timestamp? {
        guard !startsOn.isEmpty else { return openedAt }
        return startsOn.compactMap(firstFired).min()
    }
}

/// The concurrent branches of a parallel state and how they join.
public struct ParallelRegion: Hashable, Sendable {
    /// When the region ends (`join:`).
    public var join: JoinPolicy
    /// The branches (`branches:`), in declaration order.
    public var branches: [BranchDefinition]

    public init(join: JoinPolicy = .all, branches: [BranchDefinition]) {
        self.join = join
        self.branches = branches
    }

    /// The branch called `name`, if declared.
    public func branch(named name: String) -> BranchDefinition? { branches.first { $0.name == name } }
}

/// How a parallel state decides it is done.
public enum JoinPolicy: String, Hashable, Sendable, CaseIterable {
    /// Wait until every branch has finished; approved when all approved (`join: all`).
    case all
    /// End as soon as one branch rejects, cancelling the others (`join: first_rejection`).
    case firstRejection = "first_rejection"
}

/// One branch of a parallel state: a department's own small state machine.
public struct BranchDefinition: Hashable, Sendable {
    /// The branch's name (its key under `branches:`), e.g. `health`.
    public var name: String
    /// The department doing the branch's work (`department:`).
    public var department: String?
    /// The roles working in the branch (`roles:`): the default for its transitions.
    public var roles: [String]?
    /// The branch's states; final ones have outcome `approved` or `rejected`.
    public var states: [StateDefinition]
    /// The branch's transitions.
    public var transitions: [TransitionDefinition]

    public init(
        name: String, department: String? = nil, roles: [String]? = nil,
        states: [StateDefinition], transitions: [TransitionDefinition]
    ) {
        self.name = name
        self.department = department
        self.roles = roles
        self.states = states
        self.transitions = transitions
    }

    /// The branch's state called `name`, if declared.
    public func state(named name: String) -> StateDefinition? { states.first { $0.name == name } }

    /// The state a branch starts in.
    public var initialState: StateDefinition? { states.first { $0.isInitial } }
}

/// A k-of-n panel vote.
public struct VoteRule: Hashable, Sendable {
    /// The role voters act in (`role:`).
    public var role: String
    /// The named panel (`panel:`), or `nil` for a role-based panel of ``seats`` members.
    public var panel: [String]?
    /// n: how many may vote (`seats:`, or the size of `panel:`).
    public var seats: Int
    /// k: approvals that approve (`approve_at:`).
    public var approveAt: Int
    /// Rejections that reject (`reject_at:`); `nil` rejects only when approval can no longer be
    /// reached.
    public var rejectAt: Int?

    public init(role: String, panel: [String]? = nil, seats: Int, approveAt: Int, rejectAt: Int? = nil) {
        self.role = role
        self.panel = panel
        self.seats = seats
        self.approveAt = approveAt
        self.rejectAt = rejectAt
    }

    /// The number of rejections at which the vote rejects: its own threshold, or the first count
    /// at which `approveAt` approvals are out of reach, whichever comes first.
    public var effectiveRejectAt: Int {
        let unreachable = seats - approveAt + 1
        return min(rejectAt ?? unreachable, unreachable)
    }
}
