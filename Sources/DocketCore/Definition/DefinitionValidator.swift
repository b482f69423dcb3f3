// The second pass of loading: checks that need the whole definition (names resolve, the state
// graph is sound, deadline, vote and join events exist), each reported where it must be fixed.
//
// Near-linear in the size of the definition (issue 16): each machine's names, outgoing events and
// state graph are indexed once (`StateGraph`), reachability is one traversal each way, and a
// send-back's "is `to` earlier than `from`" is a lookup in the graph's strongly connected
// components rather than a search per send-back.

struct DefinitionValidator {
    let file: String
    let parsed: ParsedWorkflow
    private let roleSet: Set<String>
    /// The outcomes a case-level final state may have: the built-in ones and the declared ones.
    private let outcomes: [String]
    private var diagnostics: [Diagnostic] = []

    init(file: String, parsed: ParsedWorkflow) {
        self.file = file
        self.parsed = parsed
        self.roleSet = Set(parsed.roles)
        self.outcomes = Outcomes.builtIn + parsed.outcomes
    }

    func validate() -> [Diagnostic] {
        var copy = self
        copy.run()
        return copy.diagnostics
    }

    private mutating func run() {
        let roles = parsed.roles
        checkMachine(parsed.machine, scope: "the workflow", branch: nil)
        for state in parsed.machine.states {
            for branch in state.branches {
                checkBranchRoles(branch, roles: roles)
                checkMachine(branch.machine, scope: "branch '\(branch.name)' of state '\(state.definition.name)'", branch: branch)
            }
        }
        checkAssistedHandling(roles: roles)
        checkStatutoryLimit()
        checkSeparationOfDuties()
        checkData()
        checkEventTitles()
    }

    // MARK: One machine: the workflow's states and transitions, or a branch's

    private mutating func checkMachine(_ machine: ParsedMachine, scope: String, branch: ParsedBranch?) {
        let names = machine.states.map(\.definition.name)
        let byName = Dictionary(machine.states.map { ($0.definition.name, $0) }, uniquingKeysWith: { first, _ in first })
        let graph = StateGraph(machine)
        // A transition naming an unknown state (a typo) is reported once, as the cause; the graph
        // checks (reachability, a way to a final state, send-backs to earlier states) would only
        // report what follows from it, so they wait until every name resolves.
        let namesResolve = machine.transitions.allSatisfy { transition in
            transition.definition.from.allSatisfy { byName[$0] != nil } && transition.definition.to.map { byName[$0] != nil } ?? true
        }
        // The events that leave each state (by name, declared or not).
        var outgoing: [String: Set<String>] = [:]
        for transition in machine.transitions {
            for from in transition.definition.from { outgoing[from, default: []].insert(transition.definition.event) }
        }

        // Initial states: exactly one.
        let initials = machine.states.filter(\.definition.isInitial)
        if initials.isEmpty, !machine.states.isEmpty {
            error("no initial state in \(scope): mark the state cases start in with 'initial: true'", at: machine.statesPosition)
        }
        for extra in initials.dropFirst() {
            error("several initial states in \(scope): '\(initials[0].definition.name)' and '\(extra.definition.name)'; keep 'initial: true' on one",
                  at: extra.source.keys["initial"] ?? extra.source.position)
        }

        for state in machine.states { checkState(state, outgoing: outgoing[state.definition.name] ?? [], branch: branch) }

        // Transitions: names resolve, no event twice from one state, finals have no way out.
        var seen: [String: Set<String>] = [:]
        var workStarts: Set<String> = []
        for transition in machine.transitions {
            let t = transition.definition
            let src = transition.source
            for (index, from) in t.from.enumerated() {
                guard let state = byName[from] else {
                    error(unknownState(from, in: names, scope: scope), at: src.item("from", index))
                    continue
                }
                if state.definition.isFinal {
                    error("final state '\(from)' cannot have outgoing transitions ('\(t.event)'); remove the transition or make the state non-final",
                          at: src.item("from", index))
                }
                // Several transitions of one event from one state are routes (`when:`); only a
                // second default (no `when`) is the same event declared twice.
                if t.condition == nil, !seen[from, default: []].insert(t.event).inserted {
                    error("event '\(t.event)' is declared twice from state '\(from)'; one event leads to one place, so give the second a different name",
                          at: src.value("event"))
                }
                if t.startsWork, !workStarts.insert(from).inserted {
                    error("state '\(from)' already has a transition that starts work", at: src.keys["starts_work"] ?? src.position)
                }
            }
            if let to = t.to, byName[to] == nil {
                error(unknownState(to, in: names, scope: scope), at: src.value("to"))
            }
            for (index, role) in (t.roles ?? []).enumerated() where !roleSet.contains(role) {
                error(unknownRole(role), at: src.item("roles", index))
            }
            if t.startsWork {
                if t.to != nil {
                    error("a transition that starts work keeps the case in its state: remove 'to' from '\(t.event)'", at: src.keys["to"] ?? src.position)
                }
                if t.sendsBack {
                    error("'\(t.event)' cannot both start work and send back", at: src.keys["sends_back"] ?? src.position)
                }
            }
            if t.sendsBack, namesResolve, let to = t.to, byName[to] != nil {
                // `from` leads to `to` (this transition), so `to` leads back to `from` exactly
                // when both are in one strongly connected component.
                for from in t.from where byName[from] != nil && !graph.inOneComponent(from, to) {
                    error("'\(t.event)' sends back from '\(from)' to '\(to)', but '\(to)' is not an earlier state: no path leads from '\(to)' back to '\(from)'",
                          at: src.value("to"))
                }
            }
        }

        // Who fires each transition: a role, or Docket itself (deadline, join, vote).
        var firedByDocket: Set<String> = []  // "state\u{0}event"
        for state in machine.states {
            let s = state.definition
            for event in [s.limit?.onBreach, s.whenApproved, s.whenRejected].compactMap({ $0 }) {
                firedByDocket.insert(s.name + "\u{0}" + event)
            }
        }
        let statutoryEvent = branch == nil ? parsed.definition?.statutoryLimit?.onBreach : nil
        for transition in machine.transitions {
            let t = transition.definition
            guard t.effectiveRoles(branch: branch?.definition).isEmpty else { continue }
            let fired = t.from.contains { firedByDocket.contains($0 + "\u{0}" + t.event) } || t.event == statutoryEvent
            if !fired {
                error("no one may fire '\(t.event)': add 'roles: [...]' (only events that 'on_breach', 'when_approved' or 'when_rejected' name may go without roles)",
                      at: transition.source.value("event"))
            }
        }

        checkGraph(machine, graph: graph, scope: scope, namesResolve: namesResolve)
        checkRoutes(machine, firedByDocket: firedByDocket, statutoryEvent: statutoryEvent)
    }

    // MARK: Routes (conditions on case data)

    /// The routes of each event from each state: a literal of the field's type, an enumeration's
    /// values, no route that an earlier one (or the default) always takes first, a default where
    /// the conditions do not cover every case.
    private mutating func checkRoutes(_ machine: ParsedMachine, firedByDocket: Set<String>, statutoryEvent: String?) {
        var groups: [String: [ParsedTransition]] = [:]
        var order: [String] = []
        for transition in machine.transitions {
            let t = transition.definition
            if t.condition != nil {
                checkConditionTypes(transition)
                if t.startsWork {
                    error("a transition that starts work keeps the case where it is: it cannot route on 'when'",
                          at: transition.source.keys["when"] ?? transition.source.position)
                }
            }
            for from in t.from {
                let key = from + "\u{0}" + t.event
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(transition)
            }
        }
        for key in order {
            guard let routes = groups[key], routes.contains(where: { $0.definition.condition != nil }) else { continue }
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            let (from, event) = (parts[0], parts.count > 1 ? parts[1] : "")
            var defaultRoute: ParsedTransition?
            for (index, route) in routes.enumerated() {
                guard let condition = route.definition.condition else {
                    if defaultRoute == nil { defaultRoute = route }
                    continue
                }
                let at = route.source.keys["when"] ?? route.source.position
                if let defaultRoute {
                    error("this route of '\(event)' from '\(from)' is never taken: the route without 'when' (line \(defaultRoute.source.position.line)) comes first and takes every case; put the default last",
                          at: at)
                    continue
                }
                guard !condition.clauses.isEmpty else { continue }
                if let earlier = routes[..<index].first(where: { other in
                    other.definition.condition.map { !$0.clauses.isEmpty && covers($0, condition) } ?? false
                }) {
                    error("this route of '\(event)' from '\(from)' is never taken: the route at line \(earlier.source.position.line) (\(earlier.definition.condition?.description ?? "")) comes first and takes every case it would",
                          at: at)
                }
            }
            guard defaultRoute == nil, !isExhaustive(routes.compactMap(\.definition.condition)) else { continue }
            let conditions = routes.compactMap { $0.definition.condition?.description }.filter { !$0.isEmpty }
            let at = routes.last.map { $0.source.keys["when"] ?? $0.source.position } ?? machine.statesPosition
            if firedByDocket.contains(key) || event == statutoryEvent {
                error("Docket fires '\(event)' in state '\(from)', and when no condition holds (\(conditions.joined(separator: "; "))) no route is taken and the case waits in '\(from)': add a route of '\(event)' without 'when' as the default",
                      at: at)
            } else {
                warning("'\(event)' from state '\(from)' has no default route: when no condition holds (\(conditions.joined(separator: "; "))) it is refused; add a route without 'when' last if every case should move on",
                        at: at)
            }
        }
    }

    /// Whether every case `b` holds for, `a` holds for too (so `a` first leaves `b` nothing).
    private func covers(_ a: Condition, _ b: Condition) -> Bool {
        a.clauses.allSatisfy { clause in
            guard let other = b.clauses.first(where: { $0.field == clause.field }) else { return false }
            let type = fieldType(clause.field) ?? .string
            func inA(_ value: String) -> Bool {
                Condition(clauses: [Condition.Clause(field: clause.field, test: clause.test)])
                    .holds(for: [clause.field: value], fields: parsed.dataFields?.map(\.field) ?? [])
            }
            switch (clause.test, other.test) {
            case let (_, .oneOf(values)):
                return values.allSatisfy(inA)
            case let (.range(aLow, aHigh), .range(bLow, bHigh)):
                let lowOK = aLow.map { low in bLow.map { type.compare($0, low) >= 0 } ?? false } ?? true
                let highOK = aHigh.map { high in bHigh.map { type.compare($0, high) <= 0 } ?? false } ?? true
                return lowOK && highOK
            default:
                return false
            }
        }
    }

    /// Whether the conditions, together, hold for every case: one field of an enumeration (or a
    /// boolean) tested alone in each, whose values they list between them.
    private func isExhaustive(_ conditions: [Condition]) -> Bool {
        guard let field = conditions.first?.clauses.first?.field,
              conditions.allSatisfy({ $0.clauses.count == 1 && $0.clauses[0].field == field }) else { return false }
        let all: [String]
        switch fieldType(field) {
        case let .enumeration(values)?: all = values
        case .boolean?: all = ["true", "false"]
        default: return false
        }
        let listed = Set(conditions.flatMap { condition -> [String] in
            if case let .oneOf(values) = condition.clauses[0].test { return values }
            return []
        })
        return all.allSatisfy(listed.contains)
    }

    private func fieldType(_ name: String) -> DataType? {
        parsed.dataFields?.first { $0.field.name == name }?.field.type
    }

    /// Each clause names a declared field, and its literals are values of the field's type.
    private mutating func checkConditionTypes(_ transition: ParsedTransition) {
        guard let condition = transition.definition.condition else { return }
        for (clause, source) in zip(condition.clauses, transition.conditionSources) {
            guard let fields = parsed.dataFields else {
                error("'when' tests field '\(clause.field)', but the workflow declares no case data: declare it under 'data:' (e.g. 'data: { \(clause.field): { values: [...] } }')",
                      at: source.field)
                continue
            }
            if fields.contains(where: { $0.field.name == clause.field && !$0.typeKnown }) { continue }
            guard let field = fields.first(where: { $0.field.name == clause.field })?.field else {
                var message = "'when' tests field '\(clause.field)', which 'data' does not declare"
                let names = fields.map(\.field.name)
                if let guess = Diagnostic.nearest(to: clause.field, in: names) {
                    message += "; did you mean '\(guess)'?"
                } else {
                    message += names.isEmpty ? "; 'data' declares no field" : "; declared: \(names.joined(separator: ", "))"
                }
                error(message, at: source.field)
                continue
            }
            let literals: [String]
            switch clause.test {
            case let .oneOf(values):
                literals = values
            case let .range(atLeast, below):
                guard field.type.isOrdered else {
                    error("'at_least' and 'below' compare integers, numbers and dates; '\(field.name)' is \(field.type.description): list its values instead",
                          at: source.field)
                    continue
                }
                literals = [atLeast, below].compactMap { $0 }
                if let atLeast, let below, field.type.problem(with: atLeast) == nil, field.type.problem(with: below) == nil,
                   field.type.compare(atLeast, below) >= 0 {
                    error("the range of '\(field.name)' is empty: 'at_least' \(atLeast) is not below 'below' \(below)", at: source.field)
                }
            }
            for (literal, at) in zip(literals, source.literals) {
                if let expected = field.type.problem(with: literal) {
                    if case .enumeration = field.type {
                        error("'\(literal)' is not a value of '\(field.name)': expected \(expected)", at: at)
                    } else {
                        error("'\(field.name)' is \(field.type.description), so '\(literal)' can never match: expected \(expected)", at: at)
                    }
                }
            }
        }
    }

    // MARK: Case data and titles

    /// `required_on` names events the workflow declares.
    private mutating func checkData() {
        guard let fields = parsed.dataFields, let definition = parsed.definition else { return }
        let events = Set(definition.transitions.map(\.event) + definition.branches.flatMap { $0.branch.transitions.map(\.event) })
        for parsedField in fields {
            for (index, event) in parsedField.field.requiredOn.enumerated() where !events.contains(event) {
                error("data field '\(parsedField.field.name)' is required on event '\(event)', which no transition declares" + suggestion(event, events),
                      at: parsedField.source.item("required_on", index))
            }
        }
    }

    /// An event has one title: every transition of it that gives one gives the same.
    private mutating func checkEventTitles() {
        var first: [String: (Title, SourcePosition)] = [:]
        let all = parsed.machine.transitions + parsed.machine.states.flatMap { $0.branches.flatMap(\.machine.transitions) }
        for transition in all {
            guard let title = transition.definition.title else { continue }
            let at = transition.source.value("title")
            if let found = first[transition.definition.event] {
                let (earlier, position) = found
                if earlier != title {
                    error("event '\(transition.definition.event)' has another title at line \(position.line) ('\(earlier.text)'): an event has one title; give it once or the same everywhere",
                          at: at)
                }
            } else {
                first[transition.definition.event] = (title, at)
            }
        }
    }

    /// `outgoing`: the events of the transitions from this state.
    private mutating func checkState(_ state: ParsedState, outgoing: Set<String>, branch: ParsedBranch?) {
        let s = state.definition
        let src = state.source

        if s.isFinal {
            if s.isInitial {
                error("state '\(s.name)' is both initial and final: a case would close as it opens", at: src.keys["final"] ?? src.position)
            }
            if s.outcome == nil {
                error("final state '\(s.name)' needs an 'outcome' (e.g. 'outcome: approved'): reports count cases by it", at: src.keys["final"] ?? src.position)
            }
            for key in ["within", "on_breach", "stops_clock", "branches", "vote", "when_approved", "when_rejected"] {
                if let at = src.keys[key] { error("final state '\(s.name)' cannot have '\(key)': a case does not wait in a final state", at: at) }
            }
        } else if let at = src.keys["outcome"] {
            error("'outcome' belongs on final states; mark '\(s.name)' 'final: true' or remove its outcome", at: at)
        }
        if branch != nil, let outcome = s.outcome, s.isFinal, outcome != "approved", outcome != "rejected" {
            var message = "a branch's final state has outcome 'approved' or 'rejected' (the join counts them), found '\(outcome)'"
            if let guess = Diagnostic.nearest(to: outcome, in: ["approved", "rejected"]) { message += "; did you mean '\(guess)'?" }
            error(message, at: src.value("outcome"))
        } else if branch == nil, let outcome = s.outcome, s.isFinal, !outcomes.contains(outcome) {
            error(unknownOutcome(outcome), at: src.value("outcome"))
        }

        if let onBreach = s.limit?.onBreach, !outgoing.contains(onBreach) {
            error(missingEvent(onBreach, from: s.name, key: "on_breach", outgoing: outgoing), at: src.value("on_breach"))
        }

        let decides = s.parallel != nil || s.vote != nil
        if s.parallel != nil, s.vote != nil {
            error("state '\(s.name)' has both 'branches' and 'vote': hold the vote in its own state", at: src.keys["vote"] ?? src.position)
        }
        if s.parallel != nil, s.stopsClock {
            error("state '\(s.name)' runs branches and cannot also stop the clock", at: src.keys["stops_clock"] ?? src.position)
        }
        for key in ["when_approved", "when_rejected"] where !decides {
            if let at = src.keys[key] { error("'\(key)' applies to a state with 'branches' or a 'vote'", at: at) }
        }
        if decides, !s.isFinal {
            let canReject = s.vote != nil || state.branches.contains { $0.definition.states.contains { $0.isFinal && $0.outcome == "rejected" } }
            if s.whenApproved == nil {
                error("state '\(s.name)' needs 'when_approved': the event Docket fires when \(s.vote != nil ? "the vote approves" : "the branches approve")",
                      at: src.position)
            }
            if s.whenRejected == nil, canReject {
                error("state '\(s.name)' needs 'when_rejected': the event Docket fires when \(s.vote != nil ? "the vote rejects" : "a branch rejects")",
                      at: src.position)
            }
        }
        for (key, event) in [("when_approved", s.whenApproved), ("when_rejected", s.whenRejected)] {
            if decides, let event, !outgoing.contains(event) {
                error(missingEvent(event, from: s.name, key: key, outgoing: outgoing), at: src.value(key))
            }
        }

        if let vote = s.vote, let vsrc = state.voteSource {
            if !roleSet.contains(vote.role) { error(unknownRole(vote.role), at: vsrc.value("role")) }
            if vote.approveAt > vote.seats {
                error("'approve_at' is \(vote.approveAt) but the panel has only \(vote.seats) \(vote.seats == 1 ? "seat" : "seats"): the vote could never approve",
                      at: vsrc.value("approve_at"))
            }
            if let rejectAt = vote.rejectAt, rejectAt > vote.seats {
                error("'reject_at' is \(rejectAt) but the panel has only \(vote.seats) seats", at: vsrc.value("reject_at"))
            }
        }
    }

    private mutating func checkBranchRoles(_ branch: ParsedBranch, roles: [String]) {
        for (index, role) in (branch.definition.roles ?? []).enumerated() where !roles.contains(role) {
            error(unknownRole(role), at: branch.source.item("roles", index))
        }
        if !branch.machine.states.isEmpty, !branch.machine.states.contains(where: \.definition.isFinal) {
            error("branch '\(branch.name)' has no final state: mark where it ends with 'final: true' and 'outcome: approved' or 'outcome: rejected'",
                  at: branch.source.position)
        }
    }

    /// Every state is reachable from the initial one, and every non-final state can still end;
    /// only when every transition's states resolve (`namesResolve`), since a misspelt state
    /// would make the states after it look unreachable and those before it look endless.
    private mutating func checkGraph(_ machine: ParsedMachine, graph: StateGraph, scope: String, namesResolve: Bool) {
        guard let initial = machine.states.first(where: \.definition.isInitial) else { return }
        let finals = machine.states.filter(\.definition.isFinal).map(\.definition.name)
        if finals.isEmpty, machine.states.count > 0, scope == "the workflow" {
            error("the workflow has no final state: mark where cases end with 'final: true' and an 'outcome'", at: machine.statesPosition)
        }
        guard namesResolve else { return }
        let forward = graph.reachable(from: [initial.definition.name], backwards: false)
        for state in machine.states where !graph.contains(forward, state.definition.name) {
            error("no transition reaches state '\(state.definition.name)' from the initial state '\(initial.definition.name)'", at: state.source.position)
        }
        guard !finals.isEmpty else { return }
        // Walk edges backwards from the final states.
        let canFinish = graph.reachable(from: finals, backwards: true)
        for state in machine.states
        where !state.definition.isFinal && !graph.contains(canFinish, state.definition.name) && graph.contains(forward, state.definition.name) {
            error("state '\(state.definition.name)' has no path to a final state: cases entering it could never end", at: state.source.position)
        }
    }

    // MARK: Workflow-wide rules

    private mutating func checkAssistedHandling(roles: [String]) {
        guard let src = parsed.assistedSource, let definition = parsed.definition else { return }
        for (role, actedFor) in definition.assistedHandling {
            if !roles.contains(role) { error(unknownRole(role), at: src.keys[role] ?? src.position) }
            for (index, other) in actedFor.enumerated() {
                if !roles.contains(other) {
                    error(unknownRole(other), at: src.item(role, index))
                } else if other == role {
                    error("role '\(role)' acting on behalf of itself needs no assisted handling; remove it", at: src.item(role, index))
                }
            }
        }
    }

    private mutating func checkStatutoryLimit() {
        guard let limit = parsed.definition?.statutoryLimit, let src = parsed.statutorySource else { return }
        let events = Set(parsed.machine.transitions.map(\.definition.event))
        let branchEvents = Set(parsed.machine.states.flatMap { $0.branches.flatMap { $0.definition.transitions.map(\.event) } })
        var startsResolve = true
        for (index, startsOn) in limit.startsOn.enumerated() where !events.contains(startsOn) && !branchEvents.contains(startsOn) {
            error("'starts_on' names event '\(startsOn)', which no transition of the workflow declares" + suggestion(startsOn, events.union(branchEvents)),
                  at: src.item("starts_on", index))
            startsResolve = false
        }
        if startsResolve, !limit.startsOn.isEmpty { checkClockStarts(limit.startsOn, at: src.value("starts_on")) }
        if let onBreach = limit.onBreach, !events.contains(onBreach) {
            error("'on_breach' names event '\(onBreach)', which no transition of the workflow declares" + suggestion(onBreach, events), at: src.value("on_breach"))
        }
    }

    // MARK: Separation of duties

    /// Names resolve (events, roles, the applicant role), rule names are unique, and no rule is
    /// one that could never apply: an event only Docket fires (rules bind people), a role no
    /// transition or vote lets anyone act in, an event that can never come after the events
    /// that bind the party.
    private mutating func checkSeparationOfDuties() {
        guard let definition = parsed.definition else { return }
        let applicantRole = definition.applicantRole
        if let at = parsed.source.values["applicant_role"], let role = applicantRole, !roleSet.contains(role) {
            error(unknownRole(role), at: at)
        }
        guard !parsed.separationRules.isEmpty else { return }

        // Every event, and those a person may fire (the others only Docket fires).
        var events: Set<String> = []
        var eventsPeopleFire: Set<String> = []
        // The roles someone can act in: a transition's, a vote's, an assisted handler's, the applicant's.
        var actingRoles: Set<String> = Set(definition.assistedHandling.keys)
        if let applicantRole { actingRoles.insert(applicantRole) }
        func note(_ t: TransitionDefinition, branch: BranchDefinition?) {
            events.insert(t.event)
            let roles = t.effectiveRoles(branch: branch)
            if !roles.isEmpty { eventsPeopleFire.insert(t.event) }
            actingRoles.formUnion(roles)
        }
        for t in definition.transitions { note(t, branch: nil) }
        for (_, branch) in definition.branches { for t in branch.transitions { note(t, branch: branch) } }
        for state in definition.states { if let vote = state.vote { actingRoles.insert(vote.role) } }
        let order = EventOrder(parsed.machine)

        var seen: Set<String> = []
        for parsedRule in parsed.separationRules {
            let src = parsedRule.source
            guard let rule = parsedRule.rule else { continue }
            if !seen.insert(rule.name).inserted {
                error("separation-of-duties rule '\(rule.name)' is declared twice; give each rule its own name", at: src.value("rule"))
            }
            let named = "rule '\(rule.name)'"
            func checkEvents(_ list: [String], key: String) -> Bool {
                var ok = true
                for (index, event) in list.enumerated() {
                    if !events.contains(event) {
                        error("\(named) names event '\(event)', which no transition declares" + suggestion(event, events), at: src.item(key, index))
                        ok = false
                    } else if !eventsPeopleFire.contains(event) {
                        error("\(named) can never apply to '\(event)': only Docket fires it (deadline, join or vote), and rules bind people", at: src.item(key, index))
                        ok = false
                    }
                }
                return ok
            }
            func checkRoles(_ list: [String], key: String) {
                for (index, role) in list.enumerated() {
                    if !roleSet.contains(role) {
                        error("\(named): " + unknownRole(role), at: src.item(key, index))
                    } else if !actingRoles.contains(role) {
                        error("\(named) can never apply to role '\(role)': no transition, vote or assisted handling lets anyone act in it", at: src.item(key, index))
                    }
                }
            }
            var boundEvents: [String]?
            switch rule.party {
            case let .fired(list): if checkEvents(list, key: "once_fired") { boundEvents = list }
            case let .actedAs(list): checkRoles(list, key: "once_acted_as")
            case .applicant:
                if applicantRole == nil {
                    error("\(named) binds the applicant, but the workflow has no applicant role: declare 'applicant_role: ROLE' (or a role named 'applicant')",
                          at: src.keys["applicant"] ?? src.position)
                }
            }
            let firesOK = checkEvents(rule.mayNotFire, key: "may_not_fire")
            checkRoles(rule.mayNotActAs, key: "may_not_act_as")
            if rule.mayNotActAsStaff {
                if roleSet.contains(SeparationWords.staff) {
                    error("\(named): 'staff' is both a declared role and the word for every role but the applicant's; list the roles meant instead",
                          at: src.value("may_not_act_as"))
                } else if applicantRole == nil, rule.party != .applicant {
                    error("\(named) forbids every staff role, but the workflow has no applicant role to tell staff from: declare 'applicant_role: ROLE'",
                          at: src.value("may_not_act_as"))
                }
            }
            if rule.party == .applicant, let applicantRole, rule.mayNotActAs.contains(applicantRole) {
                error("\(named) forbids the applicant their own role '\(applicantRole)': the applicant acts in it on every case they open",
                      at: src.value("may_not_act_as"))
            }
            // Order: a rule that only forbids events, none of which can come after the events
            // that bind the party, never refuses anyone.
            if let boundEvents, firesOK, !rule.mayNotFire.isEmpty, rule.mayNotActAs.isEmpty, !rule.mayNotActAsStaff,
               let reachable = order, !reachable.canFollow(rule.mayNotFire, after: boundEvents) {
                error("\(named) can never apply: \(list(rule.mayNotFire)) can never be fired after \(list(boundEvents)) on one case",
                      at: src.value("may_not_fire"))
            }
        }
    }

    /// Warns of each final state a case can reach without any `starts_on` event firing: on that
    /// path the statutory clock never starts, so no statutory breach can happen and the case's
    /// statutory time means nothing. Withdrawals are left out: a case withdrawn before it was
    /// accepted rightly never started the authority's clock. A `starts_on` event inside a
    /// parallel state's branch counts as starting the clock in that state.
    private mutating func checkClockStarts(_ startsOn: [String], at position: SourcePosition) {
        let machine = parsed.machine
        let names = Set(machine.states.map(\.definition.name))
        guard let initial = machine.states.first(where: \.definition.isInitial)?.definition.name,
              machine.transitions.allSatisfy({ t in t.definition.from.allSatisfy(names.contains) && (t.definition.to.map(names.contains) ?? true) })
        else { return }
        let starting = Set(startsOn)
        // States where a branch event starts the clock: paths through them start it.
        let startsInside = Set(machine.states.filter { state in
            state.branches.contains { $0.definition.transitions.contains { starting.contains($0.event) } }
        }.map(\.definition.name))
        // Breadth-first from the initial state along transitions that do not start the clock.
        var parent: [String: (state: String, event: String)] = [:]
        var seen: Set<String> = [initial]
        var queue = [initial]
        var successors: [String: [(event: String, to: String)]] = [:]
        for transition in machine.transitions where !starting.contains(transition.definition.event) {
            guard let to = transition.definition.to else { continue }
            for from in transition.definition.from { successors[from, default: []].append((transition.definition.event, to)) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            guard !startsInside.contains(state) else { continue }
            for (event, to) in successors[state] ?? [] where seen.insert(to).inserted {
                parent[to] = (state, event)
                queue.append(to)
            }
        }
        let events = startsOn.map { "'\($0)'" }.joined(separator: ", ")
        for state in machine.states where state.definition.isFinal && seen.contains(state.definition.name) && state.definition.outcome != "withdrawn" {
            var path = [state.definition.name]
            var cursor = state.definition.name
            while let step = parent[cursor] {
                path.insert("\(step.state) -\(step.event)->", at: 0)
                cursor = step.state
            }
            warning("the statutory clock never starts on the path \(path.joined(separator: " ")): none of \(events) fires on it, so a case ending '\(state.definition.outcome ?? state.definition.name)' there has no statutory limit; add the event that accepts it to 'starts_on'",
                    at: position)
        }
    }

    private func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: names.count == 2 ? " or " : ", ")
    }

    // MARK: Messages

    private func unknownState(_ name: String, in names: [String], scope: String) -> String {
        var message = "unknown state '\(name)' in \(scope)"
        if let guess = Diagnostic.nearest(to: name, in: names) { message += "; did you mean '\(guess)'?" } else if !names.isEmpty {
            message += "; states: " + names.joined(separator: ", ")
        }
        return message
    }

    private func unknownRole(_ role: String) -> String {
        var message = "unknown role '\(role)'"
        if let guess = Diagnostic.nearest(to: role, in: parsed.roles) { message += "; did you mean '\(guess)'?" } else {
            message += "; add it to 'roles' (declared: \(parsed.roles.joined(separator: ", ")))"
        }
        return message
    }

    private func unknownOutcome(_ outcome: String) -> String {
        var message = "unknown outcome '\(outcome)'"
        if let guess = Diagnostic.nearest(to: outcome, in: outcomes) {
            message += "; did you mean '\(guess)'?"
        } else {
            message += "; outcomes: \(outcomes.joined(separator: ", ")) (declare another with 'outcomes: [\(outcome)]')"
        }
        return message
    }

    private func missingEvent(_ event: String, from state: String, key: String, outgoing: Set<String>) -> String {
        "'\(key)' names event '\(event)', but no transition fires '\(event)' from state '\(state)'"
            + suggestion(event, outgoing) + "; add '- { event: \(event), from: \(state), to: ... }'"
    }

    private func suggestion(_ name: String, _ candidates: Set<String>) -> String {
        Diagnostic.nearest(to: name, in: candidates.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
    }

    private mutating func error(_ message: String, at position: SourcePosition) {
        diagnostics.append(Diagnostic(file: file, position: position, message: message))
    }

    private mutating func warning(_ message: String, at position: SourcePosition) {
        diagnostics.append(Diagnostic(file: file, position: position, message: message, severity: .warning))
    }
}

/// Which case-level events can come after which, for separation-of-duties rules: an event
/// happens in the states it is fired from and leaves the case in the states it leads to; a
/// branch's event happens in (and stays in) its parallel state, as does a `starts_work` one.
private struct EventOrder {
    private let graph: StateGraph
    /// Where each event is fired, and where it leaves the case.
    private var firedIn: [String: [String]] = [:]
    private var leavesIn: [String: [String]] = [:]

    /// `nil` when a case-level transition names an unknown state (reachability would be wrong;
    /// that error is reported on its own).
    init?(_ machine: ParsedMachine) {
        let names = Set(machine.states.map(\.definition.name))
        for transition in machine.transitions {
            let t = transition.definition
            guard t.from.allSatisfy(names.contains), t.to.map(names.contains) ?? true else { return nil }
            firedIn[t.event, default: []] += t.from
            leavesIn[t.event, default: []] += t.to.map { [$0] } ?? t.from
        }
        for state in machine.states {
            for branch in state.branches {
                for t in branch.definition.transitions {
                    firedIn[t.event, default: []].append(state.definition.name)
                    leavesIn[t.event, default: []].append(state.definition.name)
                }
            }
        }
        graph = StateGraph(machine)
    }

    /// Whether some event of `later` can be fired after some event of `earlier` on one case.
    func canFollow(_ later: [String], after earlier: [String]) -> Bool {
        let reached = graph.reachable(from: earlier.flatMap { leavesIn[$0] ?? [] }, backwards: false)
        return later.contains { event in (firedIn[event] ?? []).contains { graph.contains(reached, $0) } }
    }
}

/// The state graph of one machine, indexed once: a node for every name a transition or the states
/// mention (declared or not, as the checks have always walked them), an edge from each `from` of a
/// transition to its `to`, and the strongly connected components.
private struct StateGraph {
    /// Each name's node.
    private var nodes: [String: Int] = [:]
    private var successors: [[Int]] = []
    private var predecessors: [[Int]] = []
    /// Each node's strongly connected component.
    private var component: [Int] = []

    init(_ machine: ParsedMachine) {
        for state in machine.states { _ = node(state.definition.name) }
        for transition in machine.transitions {
            let t = transition.definition
            let froms = t.from.map { node($0) }
            guard let toName = t.to else { continue }
            let to = node(toName)
            for from in froms {
                successors[from].append(to)
                predecessors[to].append(from)
            }
        }
        component = Self.components(successors)
    }

    private mutating func node(_ name: String) -> Int {
        if let index = nodes[name] { return index }
        let index = successors.count
        nodes[name] = index
        successors.append([])
        predecessors.append([])
        return index
    }

    /// The nodes reachable from `start` (itself included) along the edges, or against them.
    func reachable(from start: [String], backwards: Bool) -> [Bool] {
        let edges = backwards ? predecessors : successors
        var seen = [Bool](repeating: false, count: edges.count)
        var stack: [Int] = []
        for name in start {
            guard let index = nodes[name], !seen[index] else { continue }
            seen[index] = true
            stack.append(index)
        }
        while let index = stack.popLast() {
            for next in edges[index] where !seen[next] {
                seen[next] = true
                stack.append(next)
            }
        }
        return seen
    }

    /// Whether `name` is among `set` (a result of ``reachable(from:backwards:)``).
    func contains(_ set: [Bool], _ name: String) -> Bool {
        guard let index = nodes[name] else { return false }
        return set[index]
    }

    /// Whether `a` and `b` lead to each other.
    func inOneComponent(_ a: String, _ b: String) -> Bool {
        guard let x = nodes[a], let y = nodes[b] else { return false }
        return component[x] == component[y]
    }

    /// Tarjan's strongly connected components, without recursion (a chain of thousands of states
    /// must not run out of stack): each node's component number.
    private static func components(_ successors: [[Int]]) -> [Int] {
        let count = successors.count
        var index = [Int](repeating: -1, count: count)
        var lowLink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var component = [Int](repeating: -1, count: count)
        var stack: [Int] = []
        var next = 0
        var components = 0
        // The depth-first path: a node and how many of its successors were looked at.
        var path: [(node: Int, edge: Int)] = []
        for root in 0..<count where index[root] < 0 {
            index[root] = next
            lowLink[root] = next
            next += 1
            stack.append(root)
            onStack[root] = true
            path.append((root, 0))
            while let top = path.last {
                let node = top.node, edge = top.edge
                if edge < successors[node].count {
                    path[path.count - 1].edge += 1
                    let child = successors[node][edge]
                    if index[child] < 0 {
                        index[child] = next
                        lowLink[child] = next
                        next += 1
                        stack.append(child)
                        onStack[child] = true
                        path.append((child, 0))
                    } else if onStack[child] {
                        lowLink[node] = min(lowLink[node], index[child])
                    }
                    continue
                }
                path.removeLast()
                if let parent = path.last?.node { lowLink[parent] = min(lowLink[parent], lowLink[node]) }
                if lowLink[node] == index[node] {
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component[member] = components
                        if member == node { break }
                    }
                    components += 1
                }
            }
        }
        return component
    }
}
