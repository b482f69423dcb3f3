import Yams

// The first pass of loading: YAML nodes to the definition model, checking the shape of each value
// (keys known, types right, time limits readable) and remembering where everything was written so
// that the validator's semantic checks can point at the right line and column.

/// Where the parts of one YAML mapping were written.
struct MappingSource {
    /// The mapping itself (for a state or branch: its name key).
    var position: SourcePosition
    /// Each key's position.
    var keys: [String: SourcePosition] = [:]
    /// Each value's position.
    var values: [String: SourcePosition] = [:]
    /// For list values: each item's position.
    var items: [String: [SourcePosition]] = [:]

    /// Where the value of `key` was written, else the key, else the mapping.
    func value(_ key: String) -> SourcePosition { values[key] ?? keys[key] ?? position }

    /// Where the `index`-th item of the list under `key` was written.
    func item(_ key: String, _ index: Int) -> SourcePosition {
        if let list = items[key], index < list.count { return list[index] }
        return value(key)
    }
}

struct ParsedState {
    var definition: StateDefinition
    var source: MappingSource
    var branches: [ParsedBranch]
    /// Where the vote's keys were written, when the state holds a vote.
    var voteSource: MappingSource?
}

struct ParsedTransition {
    var definition: TransitionDefinition
    var source: MappingSource
    /// Where each clause of `when:` was written, in the order of the condition's clauses.
    var conditionSources: [ParsedClause] = []
}

/// Where one clause of a `when:` was written: the field's key, and each literal.
struct ParsedClause {
    var field: SourcePosition
    /// One position per literal: the listed values, or `at_least` then `below` (those given).
    var literals: [SourcePosition]
}

/// One field of `data:`, and where its keys were written.
struct ParsedDataField {
    var field: DataField
    var source: MappingSource
    /// False when its type could not be read (reported): conditions on it are not checked
    /// further, so the one mistake is reported once.
    var typeKnown = true
}

/// The states and transitions of the workflow or of one branch.
struct ParsedMachine {
    /// Where `states:` was written (the place to report "no initial state").
    var statesPosition: SourcePosition
    var states: [ParsedState]
    var transitions: [ParsedTransition]
}

struct ParsedBranch {
    var name: String
    var source: MappingSource
    var definition: BranchDefinition
    var machine: ParsedMachine
}

struct ParsedWorkflow {
    /// The model, when every required top-level key was readable.
    var definition: WorkflowDefinition?
    var source: MappingSource
    var roles: [String]
    var machine: ParsedMachine
    var assistedSource: MappingSource?
    var statutorySource: MappingSource?
    /// The outcomes the definition declares (`outcomes: [...]`) beyond ``Outcomes/builtIn``.
    var outcomes: [String] = []
    /// The separation-of-duties rules, as written (`separation_of_duties:`).
    var separationRules: [ParsedSeparationRule] = []
    /// The declared case data (`data:`), nil when the workflow declares none.
    var dataFields: [ParsedDataField]?
}

/// One `separation_of_duties:` item: the rule when it was readable, and where its keys were written.
struct ParsedSeparationRule {
    var rule: SeparationRule?
    var source: MappingSource
}

/// The outcomes a final state may have: a closed set, so that a misspelt `outcome: aproved` is
/// an error rather than a new outcome the reports count apart (Docs/definitions.md).
enum Outcomes {
    /// Known without a declaration: those the shipped workflows and the imported logs use.
    static let builtIn = ["approved", "rejected", "withdrawn", "revoked", "lapsed", "ended"]
}

/// Known keys, per kind of mapping; also the vocabulary for "did you mean" suggestions.
enum DefinitionKeys {
    static let workflow = ["workflow", "version", "title", "calendar", "roles", "outcomes", "data", "states", "transitions", "assisted_handling", "statutory_limit",
                           "applicant_role", "separation_of_duties"]
    static let state = ["title", "initial", "final", "outcome", "department", "within", "on_breach", "stops_clock", "branches", "join", "vote", "when_approved", "when_rejected"]
    static let branch = ["department", "roles", "states", "transitions"]
    static let transition = ["event", "title", "from", "to", "when", "roles", "requires", "requires_reason", "sends_back", "starts_work"]
    static let dataField = ["type", "values", "required", "required_on", "title"]
    static let range = ["at_least", "below"]
    static let vote = ["role", "panel", "seats", "approve_at", "reject_at"]
    static let statutoryLimit = ["within", "starts_on", "on_breach"]
    static let separationRule = ["rule", "once_fired", "once_acted_as", "applicant", "may_not_fire", "may_not_act_as"]
}

/// The word `may_not_act_as:` takes for every role but the applicant's.
enum SeparationWords {
    static let staff = "staff"
}

/// Reads the node tree through the one `YAMLReader` every loader uses, which holds the problems.
struct DefinitionParser {
    var reader: YAMLReader

    init(reader: YAMLReader) {
        self.reader = reader
    }

    // MARK: Workflow

    mutating func parseWorkflow(_ root: Node) -> ParsedWorkflow? {
        guard let entries = mapping(root, allowed: DefinitionKeys.workflow, what: "a workflow definition") else { return nil }
        var source = entries.source
        let id = requiredName(entries, "workflow", what: "the workflow's id, e.g. 'workflow: permit-check'")
        var version: Int?
        if let node = entries["version"] {
            version = reader.positiveInteger(node, key: "version")
        } else {
            error("missing 'version': add 'version: 1'", at: source.position)
        }
        let titles = entries["title"].flatMap { readTitle($0) }
        let title = titles?.text
        let calendar = entries["calendar"].flatMap { name($0, what: "a calendar name such as 'cn-2020'") }
        var roles: [String] = []
        if let node = entries["roles"] {
            roles = nameList(node, what: "role", source: &source, key: "roles")
            reportDuplicates(roles, in: source, key: "roles", what: "role")
            if roles.isEmpty, node.sequence != nil { error("'roles' is empty: declare who acts, e.g. 'roles: [applicant, clerk]'", at: node) }
        } else {
            error("missing 'roles': declare who acts, e.g. 'roles: [applicant, clerk, approver]'", at: source.position)
        }
        var outcomes: [String] = []
        if let node = entries["outcomes"] {
            outcomes = nameList(node, what: "outcome", source: &source, key: "outcomes")
            reportDuplicates(outcomes, in: source, key: "outcomes", what: "outcome")
            for (index, outcome) in outcomes.enumerated() where Outcomes.builtIn.contains(outcome) {
                error("outcome '\(outcome)' is always known and needs no declaration; remove it from 'outcomes'", at: source.item("outcomes", index))
            }
        }
        let dataFields = entries["data"].map { parseData($0) }
        let machine = parseMachine(entries, where_: "the workflow", branch: false)

        var assisted: [String: [String]] = [:]
        var assistedSource: MappingSource?
        if let node = entries["assisted_handling"], let inner = anyKeyMapping(node, what: "assisted handling, e.g. 'assisted_handling: { clerk: [applicant] }'") {
            var src = MappingSource(position: position(of: node))
            for (keyNode, valueNode) in inner {
                guard let role = name(keyNode, what: "a role") else { continue }
                src.keys[role] = position(of: keyNode)
                src.values[role] = position(of: valueNode)
                assisted[role] = nameList(valueNode, what: "role", source: &src, key: role)
            }
            assistedSource = src
        }

        var statutory: StatutoryLimit?
        var statutorySource: MappingSource?
        if let node = entries["statutory_limit"], let limit = mapping(node, allowed: DefinitionKeys.statutoryLimit, what: "a statutory limit") {
            statutorySource = limit.source
            let within = limit["within"].flatMap { timeLimit($0) }
            if limit["within"] == nil { error("'statutory_limit' needs 'within', e.g. 'within: 20 working days'", at: limit.source.position) }
            var limitSource = limit.source
            let startsOn = limit["starts_on"].map { nameOrList($0, what: "event", source: &limitSource, key: "starts_on") } ?? []
            statutorySource = limitSource
            let onBreach = limit["on_breach"].flatMap { name($0, what: "an event name") }
            if let within { statutory = StatutoryLimit(within: within, startsOn: startsOn, onBreach: onBreach) }
        }

        let applicantRole = entries["applicant_role"].flatMap { name($0, what: "a role name, e.g. 'applicant_role: employee'") }
        var separationRules: [ParsedSeparationRule] = []
        if let node = entries["separation_of_duties"] {
            if let sequence = node.sequence {
                for item in sequence {
                    if let rule = parseSeparationRule(item) { separationRules.append(rule) }
                }
            } else if !node.isNull {
                error("'separation_of_duties' must be a list of rules, e.g. '- { rule: accepter-may-not-approve, once_fired: accept, may_not_fire: [approve] }'", at: node)
            }
        }

        var definition: WorkflowDefinition?
        if let id, let version {
            definition = WorkflowDefinition(
                id: id, version: version, title: title, calendar: calendar, roles: roles,
                states: machine.states.map(\.definition), transitions: machine.transitions.map(\.definition),
                assistedHandling: assisted, statutoryLimit: statutory,
                calendarPosition: calendar == nil ? nil : source.value("calendar"),
                applicantRole: applicantRole, separationOfDuties: separationRules.compactMap(\.rule),
                dataFields: dataFields?.map(\.field))
            definition?.titles = titles
        }
        return ParsedWorkflow(definition: definition, source: source, roles: roles, machine: machine,
                              assistedSource: assistedSource, statutorySource: statutorySource, outcomes: outcomes,
                              separationRules: separationRules, dataFields: dataFields)
    }

    // MARK: Case data and titles

    /// `data:`: each field's type (`string` shorthand, or `{ type: ..., values: [...], required: true,
    /// required_on: [events], title: ... }`).
    private mutating func parseData(_ node: Node) -> [ParsedDataField] {
        guard let pairs = anyKeyMapping(node, what: "the case data, e.g. 'data: { risk: { values: [low, high] } }'") else { return [] }
        var fields: [ParsedDataField] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in pairs {
            guard let fieldName = name(keyNode, what: "a data field name") else { continue }
            guard seen.insert(fieldName).inserted else {
                error("data field '\(fieldName)' is declared twice", at: keyNode)
                continue
            }
            var source = MappingSource(position: position(of: keyNode))
            if valueNode.scalar != nil, !valueNode.isNull {
                // The shorthand `amount: integer`.
                source.values["type"] = position(of: valueNode)
                let type = dataType(valueNode, values: nil, valuesNode: nil)
                fields.append(ParsedDataField(field: DataField(name: fieldName, type: type ?? .string), source: source, typeKnown: type != nil))
                continue
            }
            guard var entries = mapping(valueNode, allowed: DefinitionKeys.dataField, what: "data field '\(fieldName)'") else { continue }
            entries.source.position = position(of: keyNode)
            source = entries.source
            var values: [String]?
            if let node = entries["values"] {
                let list = nameList(node, what: "value", source: &source, key: "values")
                reportDuplicates(list, in: source, key: "values", what: "value")
                if list.isEmpty { error("'values' of data field '\(fieldName)' is empty: list the values it may take", at: node) }
                values = list
            }
            let type: DataType?
            if let typeNode = entries["type"] {
                type = dataType(typeNode, values: values, valuesNode: entries["values"])
            } else {
                type = values.map { .enumeration($0) } ?? .string
            }
            let required = entries["required"].flatMap { flag($0, key: "required") } ?? false
            let requiredOn = entries["required_on"].map { nameOrList($0, what: "event", source: &source, key: "required_on") } ?? []
            let fieldTitle = entries["title"].flatMap { readTitle($0) }
            fields.append(ParsedDataField(
                field: DataField(name: fieldName, type: type ?? .string, requiredAtOpening: required, requiredOn: requiredOn, title: fieldTitle),
                source: source, typeKnown: type != nil))
        }
        return fields
    }

    private mutating func dataType(_ node: Node, values: [String]?, valuesNode: Node?) -> DataType? {
        guard let raw = name(node, what: "a data type (\(DataType.names.joined(separator: ", ")))") else { return nil }
        switch raw {
        case "string", "text":
            if let valuesNode { error("'values' lists the values of an enumeration: write 'type: enum' or leave 'type' out", at: valuesNode) }
            return .string
        case "integer": return .integer
        case "number": return .number
        case "boolean": return .boolean
        case "date": return .date
        case "enum", "enumeration":
            guard let values, !values.isEmpty else {
                if values == nil { error("an enumeration lists its values: add 'values: [low, high]'", at: node) }
                return nil
            }
            return .enumeration(values)
        default:
            var message = "unknown data type '\(raw)'"
            if let guess = Diagnostic.nearest(to: raw, in: DataType.names) { message += "; did you mean '\(guess)'?" } else {
                message += "; types: \(DataType.names.joined(separator: ", "))"
            }
            error(message, at: node)
            return nil
        }
    }

    /// A display title: `title: 受理` or `title: { zh: 受理, en: Acceptance }` (the first is shown).
    private mutating func readTitle(_ node: Node) -> Title? {
        if node.mapping != nil {
            guard let pairs = anyKeyMapping(node, what: "a title") else { return nil }
            var languages: [Title.Language] = []
            for (keyNode, valueNode) in pairs {
                guard let tag = name(keyNode, what: "a language tag such as 'zh' or 'en'"),
                      let text = name(valueNode, what: "the title in '\(tag)'") else { continue }
                if languages.contains(where: { $0.tag == tag }) {
                    error("language '\(tag)' is given twice in this title", at: keyNode)
                    continue
                }
                languages.append(Title.Language(tag: tag, text: text))
            }
            if languages.isEmpty {
                if pairs.isEmpty { error("the title is empty: write 'title: text' or 'title: { zh: ..., en: ... }'", at: node) }
                return nil
            }
            return Title(languages: languages)
        }
        return name(node, what: "a title: text, or a mapping of languages to text such as '{ zh: 受理, en: Acceptance }'").map { Title($0) }
    }

    /// `when:`: a mapping of data fields to a value, a list of values, or `{ at_least: ..., below: ... }`.
    private mutating func readCondition(_ node: Node) -> (Condition, [ParsedClause])? {
        guard let pairs = anyKeyMapping(node, what: "a condition on the case's data, e.g. 'when: { risk: high }'") else { return nil }
        if pairs.isEmpty {
            error("'when' is empty: name a data field and its value(s), e.g. 'when: { risk: high }', or leave 'when' out for the default", at: node)
            return nil
        }
        var clauses: [Condition.Clause] = []
        var sources: [ParsedClause] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in pairs {
            guard let field = name(keyNode, what: "a data field name") else { continue }
            guard seen.insert(field).inserted else {
                error("field '\(field)' is tested twice in this condition", at: keyNode)
                continue
            }
            if valueNode.mapping != nil {
                guard let range = mapping(valueNode, allowed: DefinitionKeys.range, what: "a range, e.g. '{ at_least: 10000, below: 50000 }'") else { continue }
                let atLeast = range["at_least"].flatMap { name($0, what: "a value") }
                let below = range["below"].flatMap { name($0, what: "a value") }
                if range["at_least"] == nil, range["below"] == nil {
                    error("a range needs 'at_least', 'below' or both", at: valueNode)
                    continue
                }
                guard range["at_least"] == nil || atLeast != nil, range["below"] == nil || below != nil else { continue }
                clauses.append(Condition.Clause(field: field, test: .range(atLeast: atLeast, below: below)))
                sources.append(ParsedClause(field: position(of: keyNode),
                                            literals: [range.source.values["at_least"], range.source.values["below"]].compactMap { $0 }))
            } else if let sequence = valueNode.sequence {
                var values: [String] = []
                var positions: [SourcePosition] = []
                for item in sequence {
                    if let value = name(item, what: "a value") {
                        values.append(value)
                        positions.append(position(of: item))
                    }
                }
                if sequence.isEmpty { error("no value listed for '\(field)': list the values the route is for", at: valueNode) }
                guard !values.isEmpty, values.count == sequence.count else { continue }
                clauses.append(Condition.Clause(field: field, test: .oneOf(values)))
                sources.append(ParsedClause(field: position(of: keyNode), literals: positions))
            } else if let value = name(valueNode, what: "a value, a list of values, or '{ at_least: ..., below: ... }'") {
                clauses.append(Condition.Clause(field: field, test: .oneOf([value])))
                sources.append(ParsedClause(field: position(of: keyNode), literals: [position(of: valueNode)]))
            }
        }
        guard clauses.count == pairs.count else { return nil }
        return (Condition(clauses: clauses), sources)
    }

    // MARK: Separation of duties

    /// One rule: its name, whom it binds (exactly one of `once_fired`, `once_acted_as`,
    /// `applicant: true`) and what they may not do (`may_not_fire`, `may_not_act_as`).
    private mutating func parseSeparationRule(_ node: Node) -> ParsedSeparationRule? {
        guard let entries = mapping(node, allowed: DefinitionKeys.separationRule, what: "a separation-of-duties rule") else { return nil }
        var source = entries.source
        let ruleName = requiredName(entries, "rule", what: "the rule's name, e.g. 'rule: accepter-may-not-approve'")
        var parties: [SeparationRule.Party] = []
        if let node = entries["once_fired"] { parties.append(.fired(nameOrList(node, what: "event", source: &source, key: "once_fired"))) }
        if let node = entries["once_acted_as"] { parties.append(.actedAs(nameOrList(node, what: "role", source: &source, key: "once_acted_as"))) }
        if let node = entries["applicant"], flag(node, key: "applicant") == true { parties.append(.applicant) }
        let mayNotFire = entries["may_not_fire"].map { nameOrList($0, what: "event", source: &source, key: "may_not_fire") } ?? []
        var mayNotActAs = entries["may_not_act_as"].map { nameOrList($0, what: "role", source: &source, key: "may_not_act_as") } ?? []
        let staff = mayNotActAs.contains(SeparationWords.staff)
        mayNotActAs.removeAll { $0 == SeparationWords.staff }

        let what = ruleName.map { "rule '\($0)'" } ?? "a separation-of-duties rule"
        if parties.isEmpty {
            error("\(what) binds no one: say whom with 'once_fired: [events]', 'once_acted_as: [roles]' or 'applicant: true'", at: source.position)
        } else if parties.count > 1 {
            let keys = ["once_fired", "once_acted_as", "applicant"].filter { entries[$0] != nil }
            error("\(what) binds one party: give only one of \(keys.map { "'\($0)'" }.joined(separator: ", ")) (write two rules for two)",
                  at: source.keys[keys.last ?? "rule"] ?? source.position)
        }
        if entries["may_not_fire"] == nil, entries["may_not_act_as"] == nil {
            error("\(what) forbids nothing: add 'may_not_fire: [events]' or 'may_not_act_as: [roles]'", at: source.position)
        }
        guard let ruleName, parties.count == 1, let party = parties.first else {
            return ParsedSeparationRule(rule: nil, source: source)
        }
        let rule = SeparationRule(name: ruleName, party: party, mayNotFire: mayNotFire, mayNotActAs: mayNotActAs, mayNotActAsStaff: staff)
        return ParsedSeparationRule(rule: rule, source: source)
    }

    /// One name or a list of names (`once_fired: accept` or `once_fired: [accept, recommend]`);
    /// each item's position is recorded under `key`.
    private mutating func nameOrList(_ node: Node, what: String, source: inout MappingSource, key: String) -> [String] {
        if node.sequence != nil || node.isNull {
            let names = nameList(node, what: what, source: &source, key: key)
            if names.isEmpty { error("'\(key)' is empty: name at least one \(what)", at: node) }
            return names
        }
        guard let one = name(node, what: "a \(what) name or a list of \(what) names") else { return [] }
        source.items[key] = [position(of: node)]
        return [one]
    }

    // MARK: Machines (the workflow's or a branch's states and transitions)

    private mutating func parseMachine(_ entries: Entries, where_: String, branch: Bool) -> ParsedMachine {
        var states: [ParsedState] = []
        let statesPosition = entries.source.keys["states"] ?? entries.source.position
        if let node = entries["states"] {
            if let pairs = anyKeyMapping(node, what: "the states, e.g. 'states: { submitted: { initial: true } }'") {
                var seen: Set<String> = []
                for (keyNode, valueNode) in pairs {
                    guard let stateName = name(keyNode, what: "a state name") else { continue }
                    if !seen.insert(stateName).inserted {
                        error("state '\(stateName)' is declared twice in \(where_)", at: keyNode)
                        continue
                    }
                    if let state = parseState(stateName, keyNode: keyNode, valueNode, inBranch: branch) { states.append(state) }
                }
                if pairs.isEmpty { error("'states' is empty: declare at least an initial and a final state", at: node) }
            }
        } else {
            error("missing 'states' in \(where_)", at: entries.source.position)
        }
        var transitions: [ParsedTransition] = []
        if let node = entries["transitions"] {
            if let sequence = node.sequence {
                for item in sequence {
                    if let transition = parseTransition(item) { transitions.append(transition) }
                }
            } else if !node.isNull {
                error("'transitions' must be a list, e.g. '- { event: accept, from: submitted, to: review, roles: [clerk] }'", at: node)
            }
        } else {
            error("missing 'transitions' in \(where_)", at: entries.source.position)
        }
        return ParsedMachine(statesPosition: statesPosition, states: states, transitions: transitions)
    }

    private mutating func parseState(_ stateName: String, keyNode: Node, _ node: Node, inBranch: Bool) -> ParsedState? {
        let entries: Entries
        if node.isNull {
            entries = Entries(source: MappingSource(position: position(of: keyNode)), nodes: [:])
        } else {
            guard let e = mapping(node, allowed: DefinitionKeys.state, what: "state '\(stateName)'") else { return nil }
            entries = e
        }
        var source = entries.source
        source.position = position(of: keyNode)
        var state = StateDefinition(name: stateName)
        state.isInitial = entries["initial"].flatMap { flag($0, key: "initial") } ?? false
        state.isFinal = entries["final"].flatMap { flag($0, key: "final") } ?? false
        state.outcome = entries["outcome"].flatMap { name($0, what: "an outcome such as 'approved'") }
        state.department = entries["department"].flatMap { name($0, what: "a department name") }
        state.stopsClock = entries["stops_clock"].flatMap { flag($0, key: "stops_clock") } ?? false
        if let within = entries["within"].flatMap({ timeLimit($0) }) {
            state.limit = DeadlineRule(within: within, onBreach: entries["on_breach"].flatMap { name($0, what: "an event name") })
        } else if let onBreach = entries["on_breach"], entries["within"] == nil {
            error("'on_breach' needs a time limit: add 'within:' to state '\(stateName)'", at: onBreach)
        }
        state.whenApproved = entries["when_approved"].flatMap { name($0, what: "an event name") }
        state.whenRejected = entries["when_rejected"].flatMap { name($0, what: "an event name") }
        state.title = entries["title"].flatMap { readTitle($0) }

        var branches: [ParsedBranch] = []
        if let node = entries["branches"] {
            if inBranch {
                error("state '\(stateName)' is inside a branch: branches cannot be nested", at: entries.source.keys["branches"] ?? position(of: node))
            } else if let pairs = anyKeyMapping(node, what: "the branches, e.g. 'branches: { health: { ... } }'") {
                var seen: Set<String> = []
                for (keyNode, valueNode) in pairs {
                    guard let branchName = name(keyNode, what: "a branch name") else { continue }
                    if !seen.insert(branchName).inserted {
                        error("branch '\(branchName)' is declared twice in state '\(stateName)'", at: keyNode)
                        continue
                    }
                    if let branch = parseBranch(branchName, keyNode: keyNode, valueNode) { branches.append(branch) }
                }
                if pairs.isEmpty { error("'branches' of state '\(stateName)' is empty", at: node) }
            }
        }
        var join = JoinPolicy.all
        if let node = entries["join"] {
            if let raw = name(node, what: "a join policy") {
                if let policy = JoinPolicy(rawValue: raw) {
                    join = policy
                } else {
                    error("unknown join '\(raw)': use 'all' (wait for every branch) or 'first_rejection' (end when one branch rejects)", at: node)
                }
            }
            if entries["branches"] == nil { error("'join' only applies to a state with 'branches'", at: entries.source.keys["join"] ?? position(of: node)) }
        }
        if entries["branches"] != nil {
            state.parallel = ParallelRegion(join: join, branches: branches.map(\.definition))
        }

        var voteSource: MappingSource?
        if let node = entries["vote"] {
            if inBranch {
                error("state '\(stateName)' is inside a branch: panel votes are held in case-level states", at: entries.source.keys["vote"] ?? position(of: node))
            }
            if let vote = mapping(node, allowed: DefinitionKeys.vote, what: "a vote") {
                voteSource = vote.source
                let rule = parseVote(vote, stateName: stateName)
                if !inBranch { state.vote = rule }
            }
        }
        if inBranch, state.stopsClock {
            error("state '\(stateName)' is inside a branch: only case-level states can stop the statutory clock", at: entries.source.keys["stops_clock"] ?? source.position)
        }
        return ParsedState(definition: state, source: source, branches: branches, voteSource: voteSource)
    }

    private mutating func parseVote(_ vote: Entries, stateName: String) -> VoteRule? {
        var source = vote.source
        let role = requiredName(vote, "role", what: "the role voters act in, e.g. 'role: expert'")
        var panel: [String]?
        var seats: Int?
        if let node = vote["panel"] {
            let names = nameList(node, what: "voter", source: &source, key: "panel")
            reportDuplicates(names, in: source, key: "panel", what: "voter")
            panel = names
            seats = names.count
            if names.isEmpty { error("the vote's 'panel' is empty: name its members", at: node) }
        }
        if let node = vote["seats"] {
            if panel != nil {
                error("give either 'panel' (named voters) or 'seats' (any voters of the role), not both", at: vote.source.keys["seats"] ?? position(of: node))
            } else {
                seats = reader.positiveInteger(node, key: "seats")
            }
        }
        if vote["panel"] == nil, vote["seats"] == nil {
            error("the vote in state '\(stateName)' needs 'seats: N' (any N voters of the role) or 'panel: [...]' (named voters)", at: vote.source.position)
        }
        var approveAt: Int?
        if let node = vote["approve_at"] {
            approveAt = reader.positiveInteger(node, key: "approve_at")
        } else {
            error("the vote in state '\(stateName)' needs 'approve_at: K' (approvals that approve)", at: vote.source.position)
        }
        var rejectAt: Int?
        if let node = vote["reject_at"] {
            rejectAt = reader.positiveInteger(node, key: "reject_at")
        }
        guard let role, let seats, let approveAt else { return nil }
        return VoteRule(role: role, panel: panel, seats: seats, approveAt: approveAt, rejectAt: rejectAt)
    }

    private mutating func parseBranch(_ branchName: String, keyNode: Node, _ node: Node) -> ParsedBranch? {
        guard var entries = mapping(node, allowed: DefinitionKeys.branch, what: "branch '\(branchName)'") else { return nil }
        entries.source.position = position(of: keyNode)
        var source = entries.source
        let department = entries["department"].flatMap { name($0, what: "a department name") }
        var roles: [String]?
        if let node = entries["roles"] {
            roles = nameList(node, what: "role", source: &source, key: "roles")
        }
        var machine = parseMachine(entries, where_: "branch '\(branchName)'", branch: true)
        // A branch's states belong to the branch's department unless they say otherwise.
        for index in machine.states.indices where machine.states[index].definition.department == nil {
            machine.states[index].definition.department = department
        }
        let definition = BranchDefinition(
            name: branchName, department: department, roles: roles,
            states: machine.states.map(\.definition), transitions: machine.transitions.map(\.definition))
        return ParsedBranch(name: branchName, source: source, definition: definition, machine: machine)
    }

    private mutating func parseTransition(_ node: Node) -> ParsedTransition? {
        guard let entries = mapping(node, allowed: DefinitionKeys.transition, what: "a transition") else { return nil }
        var source = entries.source
        let event = requiredName(entries, "event", what: "the event's name, e.g. 'event: accept'")
        var from: [String] = []
        if let node = entries["from"] {
            if node.sequence != nil {
                from = nameList(node, what: "state", source: &source, key: "from")
                if from.isEmpty { error("'from' is empty: name the state(s) the event may be fired in", at: node) }
            } else if let one = name(node, what: "a state name or a list of state names") {
                from = [one]
                source.items["from"] = [position(of: node)]
            }
        } else {
            error("a transition needs 'from': the state(s) the event may be fired in", at: source.position)
        }
        let to = entries["to"].flatMap { name($0, what: "a state name") }
        var roles: [String]?
        if let node = entries["roles"] { roles = nameList(node, what: "role", source: &source, key: "roles") }
        var requires: [String] = []
        if let node = entries["requires"] { requires = nameList(node, what: "document", source: &source, key: "requires") }
        let requiresReason = entries["requires_reason"].flatMap { flag($0, key: "requires_reason") } ?? false
        let sendsBack = entries["sends_back"].flatMap { flag($0, key: "sends_back") } ?? false
        let startsWork = entries["starts_work"].flatMap { flag($0, key: "starts_work") } ?? false
        if entries["to"] == nil, !startsWork {
            error("a transition needs 'to': the state the event leads to", at: source.position)
        }
        let eventTitle = entries["title"].flatMap { readTitle($0) }
        let parsedCondition = entries["when"].flatMap { readCondition($0) }
        guard let event, !from.isEmpty else { return nil }
        // An unreadable `when` (reported) keeps the transition, with a condition of no clauses, so
        // that the graph checks see it and nothing reports it as a second default.
        let condition = entries["when"] == nil ? nil : (parsedCondition?.0 ?? Condition(clauses: []))
        let definition = TransitionDefinition(
            event: event, from: from, to: to, roles: roles, requires: requires,
            requiresReason: requiresReason, sendsBack: sendsBack, startsWork: startsWork,
            condition: condition, title: eventTitle)
        return ParsedTransition(definition: definition, source: source, conditionSources: parsedCondition?.1 ?? [])
    }

    // MARK: Values

    /// A mapping's values by key, with where each was written.
    struct Entries {
        var source: MappingSource
        var nodes: [String: Node]
        subscript(key: String) -> Node? { nodes[key] }
    }

    /// Reads a mapping whose keys must come from `allowed` (unknown and non-text keys are
    /// reported by the reader), with where each key and value was written.
    private mutating func mapping(_ node: Node, allowed: [String], what: String) -> Entries? {
        var entries = Entries(source: MappingSource(position: position(of: node)), nodes: [:])
        let isMapping = reader.forEachKnownKey(of: node, allowed: allowed, what: what) { key, keyNode, valueNode in
            entries.nodes[key] = valueNode
            entries.source.keys[key] = YAMLReader.position(of: keyNode)
            entries.source.values[key] = YAMLReader.position(of: valueNode)
        }
        return isMapping ? entries : nil
    }

    /// A mapping with free keys (state names, branch names, roles), in file order.
    private mutating func anyKeyMapping(_ node: Node, what: String) -> [(Node, Node)]? {
        reader.pairs(node, what: what)?.map { ($0.key, $0.value) }
    }

    private mutating func requiredName(_ entries: Entries, _ key: String, what: String) -> String? {
        guard let node = entries[key] else {
            error("missing '\(key)': \(what)", at: entries.source.position)
            return nil
        }
        return name(node, what: what)
    }

    /// A non-empty single-line text value.
    private mutating func name(_ node: Node, what: String) -> String? {
        reader.name(node, what: what)
    }

    /// A list of names; each item's position is recorded under `key`.
    private mutating func nameList(_ node: Node, what: String, source: inout MappingSource, key: String) -> [String] {
        guard let sequence = node.sequence else {
            if node.isNull { return [] }
            let example = node.scalar.map { "[\($0.string)]" } ?? "[a, b]"
            error("expected a list of \(what)s, e.g. \(example), found \(node.kindDescription)", at: node)
            return []
        }
        var names: [String] = []
        var positions: [SourcePosition] = []
        for item in sequence {
            if let n = name(item, what: "a \(what) name") {
                names.append(n)
                positions.append(position(of: item))
            }
        }
        source.items[key] = positions
        return names
    }

    private mutating func reportDuplicates(_ names: [String], in source: MappingSource, key: String, what: String) {
        var seen: Set<String> = []
        for (index, n) in names.enumerated() where !seen.insert(n).inserted {
            error("\(what) '\(n)' is listed twice", at: source.item(key, index))
        }
    }

    private mutating func flag(_ node: Node, key: String) -> Bool? {
        reader.flag(node, key: key)
    }

    /// A time limit such as `2 working days`; zero is refused, since a limit that is due on entry
    /// could never be met.
    private mutating func timeLimit(_ node: Node) -> TimeLimit? {
        let text = node.scalar?.string ?? ""
        guard let limit = TimeLimit(parsing: text) else {
            error("cannot read the time limit '\(node.describedValue)': write e.g. '2 working days', '0.5 working days', '4 working hours' or '3 days'", at: node)
            return nil
        }
        guard limit.amount > 0 else {
            error("the time limit '\(text)' is zero: a limit must be longer than no time at all", at: node)
            return nil
        }
        return limit
    }

    // MARK: Reporting

    private mutating func error(_ message: String, at node: Node) {
        reader.error(message, at: node)
    }

    private mutating func error(_ message: String, at position: SourcePosition) {
        reader.error(message, at: position)
    }

    private func position(of node: Node) -> SourcePosition {
        reader.position(of: node)
    }
}
