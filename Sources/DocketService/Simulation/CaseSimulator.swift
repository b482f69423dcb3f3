import DocketCore

/// How a simulated population behaves. The defaults follow the Shandong service centres in
/// February 2020: 82% of cases online, about 4% assisted by staff, 2.4% by mail, the rest at the
/// window; applicants take days to supply materials, staff hours to act.
package struct SimulationProfile: Sendable {
    /// Share of cases per channel (a case attribute, `channel`).
    package var channels: [(name: String, share: Double)] = [("online", 0.82), ("window", 0.117), ("assisted", 0.039), ("mail", 0.024)]
    /// Median working time staff take for a step, in hours.
    package var staffMedianHours = 3.0
    /// Median working time an applicant takes to act (resubmit, supply materials), in hours.
    package var applicantMedianHours = 14.0
    /// Median share of a state's declared limit that a step in it takes.
    package var shareOfLimit = 0.35
    /// Spread of step durations (log-space standard deviation).
    package var sigma = 0.9
    /// Weight of a send-back against 1 for an ordinary step.
    package var sendBackWeight = 0.15
    /// Weight of a step that ends the case unfavourably (reject, withdraw, revoke) against 1.
    package var unfavourableWeight = 0.08
    /// Probability that a panel member approves.
    package var approveProbability = 0.8
    /// Most steps one case may take (guards against definitions that loop forever).
    package var maxSteps = 200

    package init() {}
}

/// Drives one case through a workflow with the real engine (`decide`/`evolve`), choosing among
/// the actions the engine says are available, and records the resulting events. Pure: time,
/// randomness and ids are inputs.
package struct CaseSimulator: Sendable {
    package let context: EngineContext
    package let profile: SimulationProfile
    /// The weight and pace of every action the definition can offer, worked out once: looking
    /// them up in the definition at every step was a sixth of the simulation's time.
    private var paces: [ActionKey: Pace] = [:]

    package init(context: EngineContext, profile: SimulationProfile = SimulationProfile()) {
        self.context = context
        self.profile = profile
        let definition = context.definition
        var actions: [ActionKey] = []
        func add(_ event: String, state: String, region: String?, branch: String?, isVote: Bool) {
            actions.append(ActionKey(event: event, state: state, region: region, branch: branch, isVote: isVote))
        }
        for transition in definition.transitions {
            for state in transition.from { add(transition.event, state: state, region: nil, branch: nil, isVote: false) }
        }
        for (region, branch) in definition.branches {
            for transition in branch.transitions {
                for state in transition.from { add(transition.event, state: state, region: region, branch: branch.name, isVote: false) }
            }
        }
        for state in definition.states where state.vote != nil {
            add("vote", state: state.name, region: nil, branch: nil, isVote: true)
        }
        for action in actions {
            paces[action] = Pace(
                weight: weight(of: action),
                applicantHours: medianHours(for: action, byApplicant: true),
                staffHours: medianHours(for: action, byApplicant: false))
        }
    }

    /// What identifies an action for its weight and pace.
    private struct ActionKey: Hashable, Sendable {
        var event: String
        var state: String
        var region: String?
        var branch: String?
        var isVote: Bool

        init(event: String, state: String, region: String?, branch: String?, isVote: Bool) {
            self.event = event
            self.state = state
            self.region = region
            self.branch = branch
            self.isVote = isVote
        }

        // The event and the state's length tell the actions of one definition apart well enough
        // (equal keys still compare every field); hashing all five fields was most of the lookup.
        func hash(into hasher: inout Hasher) {
            hasher.combine(event)
            hasher.combine(state.utf8.count)
        }

        init(_ action: AvailableAction) {
            event = action.event
            state = action.state
            region = action.region
            branch = action.branch
            isVote = action.isVote
        }
    }

    private struct Pace: Sendable {
        var weight: Double
        var applicantHours: Double
        var staffHours: Double
    }

    private func pace(of action: AvailableAction) -> Pace {
        let action = ActionKey(action)
        return paces[action] ?? Pace(
            weight: weight(of: action),
            applicantHours: medianHours(for: action, byApplicant: true),
            staffHours: medianHours(for: action, byApplicant: false))
    }

    /// The events of one case opened at `arrival`, acted on until it closes or `horizon` passes
    /// (later steps are not taken: the case stays open, and may be overdue).
    package func simulate(caseID: String, arrival: Timestamp, horizon: Timestamp, channel: String,
                         random: inout SeededRandom) throws -> [CaseEvent] {
        let definition = context.definition
        let applicant = "applicant-" + caseID
        let assisted = channel == "assisted" && !definition.rolesActedFor(by: "clerk").isEmpty
        var events: [CaseEvent] = []
        // The engine evolves it by the events it returns.
        var state: CaseState?
        func decide(_ command: Command) throws(Refusal) {
            events += try Engine.decide(command, evolving: &state, context)
        }
        let opener = assisted ? ("clerk-\(staffNumber(&random))", "clerk", Optional(applicant)) : (applicant, definition.roles.contains("applicant") ? "applicant" : nil, nil)
        var opening = ["channel": channel]
        if let fields = definition.dataFields {
            // A workflow that declares its data takes only that: the channel if declared, and a
            // made-up value for each field required at opening.
            if definition.dataField(named: "channel").map({ $0.type.problem(with: channel) != nil }) ?? true { opening = [:] }
            for field in fields where field.requiredAtOpening && opening[field.name] == nil {
                opening[field.name] = Self.madeUpValue(of: field.type, at: arrival, &random)
            }
        }
        try decide(.open(OpenCase(caseID: caseID, actor: opener.0, role: opener.1, onBehalfOf: opener.2,
                                  data: opening, at: arrival)))
        var now = arrival
        var refused: Set<String> = []
        for _ in 0..<profile.maxSteps {
            guard let version = state?.version, state?.isClosed == false,
                  var actions = state?.availableActions(in: definition) else { break }
            if !refused.isEmpty { actions.removeAll { refused.contains($0.event + "/" + ($0.branch ?? "")) } }
            guard !actions.isEmpty else { break }
            let paces = actions.map { pace(of: $0) }
            let chosen = random.pick(weights: paces.map(\.weight))
            let action = actions[chosen]
            let byApplicant = action.roles.contains("applicant") && !action.isVote
            let median = byApplicant ? paces[chosen].applicantHours : paces[chosen].staffHours
            let hours = random.logNormal(median: median, sigma: profile.sigma)
            let next = context.calendar.adding(workingMicroseconds: Int64(hours * 3_600_000_000), to: now)
            // Deadlines that ran out before the step are recorded first, as `tick` would have.
            try decide(.tick(Tick(caseID: caseID, now: min(next, horizon))))
            guard next <= horizon else { break }
            now = max(next, state?.lastEventAt ?? next)
            guard state?.isClosed == false else { break }
            if state?.version != version { continue }
            let command: Command
            if action.isVote {
                guard let vote = definition.state(named: action.state)?.vote else { break }
                let panel = vote.panel ?? (1...max(vote.seats, 1)).map { "\(vote.role)-\($0)" }
                let voted = Set(state?.ballots.map(\.voter) ?? [])
                guard let voter = panel.first(where: { !voted.contains($0) }) else { break }
                let ballot: Ballot = random.unit() < profile.approveProbability ? .approve : .reject
                command = .vote(CastVote(caseID: caseID, ballot: ballot, actor: voter, role: vote.role, at: now))
            } else {
                var actor: String
                var role = action.roles[0]
                var onBehalfOf: String?
                if byApplicant {
                    role = "applicant"
                    actor = applicant
                    if assisted, definition.permits(action.roles, role: "clerk", onBehalfOf: applicant) {
                        actor = "clerk-\(staffNumber(&random))"
                        role = "clerk"
                        onBehalfOf = applicant
                    }
                } else {
                    actor = "\(role)-\(staffNumber(&random))"
                }
                // Data the event requires and the case lacks (a risk the assessor records): made up,
                // so routes on it are taken in every direction.
                var data: [String: String] = [:]
                for field in definition.dataFields ?? [] where field.requiredOn.contains(action.event) && state?.data[field.name] == nil {
                    data[field.name] = Self.madeUpValue(of: field.type, at: now, &random)
                }
                command = .fire(FireEvent(caseID: caseID, event: action.event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                          documents: action.requires, reason: action.needsReason ? reason(for: action, &random) : nil,
                                          branch: action.branch, data: data, at: now))
            }
            do {
                try decide(command)
                refused.removeAll()
            } catch {
                // The engine knows more than the list of actions (work already started, a vote
                // seat taken): remember the refusal and choose again.
                refused.insert(action.event + "/" + (action.branch ?? ""))
            }
        }
        return events
    }

    /// A value of `type` for a simulated case: an enumeration's values and both booleans evenly,
    /// numbers between 1 and 1,000, the day of `at` for a date.
    static func madeUpValue(of type: DataType, at: Timestamp, _ random: inout SeededRandom) -> String {
        switch type {
        case let .enumeration(values): return values[min(values.count - 1, Int(random.unit() * Double(values.count)))]
        case .boolean: return random.unit() < 0.5 ? "true" : "false"
        case .integer, .number: return String(1 + Int(random.unit() * 999))
        case .date: return String(at.description.prefix(10))
        case .string: return "simulated"
        }
    }

    /// A state's declared limit sets the pace of work in it: most steps take about a third of the
    /// limit, so most cases keep it and some breach it, as in a real office. States without a limit
    /// take the profile's default time.
    private func medianHours(for action: ActionKey, byApplicant: Bool) -> Double {
        let definition = context.definition
        let branchState = action.branch.flatMap { name in definition.branches.first { $0.branch.name == name }?.branch.state(named: action.state) }
        let limit = branchState?.limit?.within
            ?? (action.region.flatMap { definition.state(named: $0)?.limit?.within })
            ?? definition.state(named: action.state)?.limit?.within
        if let limit {
            var hours = Double(limit.microseconds(on: context.calendar)) / 3_600_000_000 * profile.shareOfLimit
            // Panel members vote side by side, not one after another: each vote is a share of the pace.
            if action.isVote, let vote = definition.state(named: action.state)?.vote { hours /= Double(max(vote.approveAt, 1)) }
            return hours
        }
        return byApplicant ? profile.applicantMedianHours : profile.staffMedianHours
    }

    private func staffNumber(_ random: inout SeededRandom) -> String {
        let n = Int(random.next() % 12) + 1
        return n < 10 ? "0\(n)" : "\(n)"
    }

    private func weight(of action: ActionKey) -> Double {
        if action.isVote { return 1 }
        let definition = context.definition
        let transition = (action.branch.flatMap { name in definition.branches.first { $0.branch.name == name }?.branch.transitions }
            ?? definition.transitions).first { $0.event == action.event && $0.from.contains(action.state) }
        guard let transition else { return 1 }
        if transition.sendsBack { return profile.sendBackWeight }
        if transition.startsWork { return 4 }
        let target = transition.to.flatMap { to in
            action.branch.flatMap { name in definition.branches.first { $0.branch.name == name }?.branch.state(named: to) }
                ?? definition.state(named: to)
        }
        if let target, target.isFinal, let outcome = target.outcome, !["approved", "passed", "issued", "granted", "licensed"].contains(outcome) {
            return profile.unfavourableWeight
        }
        return 1
    }

    private func reason(for action: AvailableAction, _ random: inout SeededRandom) -> String {
        let reasons = ["site photos unclear", "business licence copy missing a seal", "floor plan does not match the premises",
                       "fire exits not marked", "ventilation report outdated", "signature missing on the commitment letter"]
        return reasons[Int(random.next() % UInt64(reasons.count))]
    }
}
