import DocketCore
import Yams

/// How the activities of an event log translate into the events of a workflow: the file given
/// to `docket import --map` and `docket conform --map`.
///
/// ```yaml
/// workflow: bpic2020-declarations          # optional: the workflow the map is written for
/// activities:                              # log activity: workflow event (~ to skip it)
///   Declaration SUBMITTED by EMPLOYEE: submit
///   Declaration SAVED by EMPLOYEE: save
///   Some bookkeeping step: ~
/// roles:                                   # optional: log org:role -> workflow role
///   EMPLOYEE: employee
/// lifecycles: [complete]                   # optional: which lifecycle transitions to replay
/// ```
///
/// An activity the map does not name maps to the event of the same name when the workflow has
/// one (so a log written in the workflow's own terms needs no map), and is otherwise
/// *unmapped*: conformance counts it as a deviation. Events that carry a lifecycle transition
/// not in `lifecycles` (default: `complete`; events without one always count) are skipped, so
/// the `start` half of a start/complete pair does not fire the transition twice.
public struct ActivityMap: Sendable, Equatable {
    /// What one log event becomes.
    public enum Target: Hashable, Sendable {
        /// Fire this workflow event.
        case event(String)
        /// Skip the log event (`~` in the map, or a lifecycle not replayed).
        case ignored
        /// The map does not name the activity and the workflow has no event of that name.
        case unmapped
    }

    /// The workflow the map says it is written for, if it says.
    public var workflow: String?
    /// Activity name → event name, or `nil` to skip the activity.
    public var activities: [String: String?]
    /// Log role (`org:role`) → workflow role.
    public var roles: [String: String]
    /// Lifecycle transitions replayed (lower case); events without one are always replayed.
    public var lifecycles: Set<String>

    public init(workflow: String? = nil, activities: [String: String?] = [:], roles: [String: String] = [:],
                lifecycles: Set<String> = ["complete"]) {
        self.workflow = workflow
        self.activities = activities
        self.roles = roles
        self.lifecycles = lifecycles
    }

    /// The map that sends every activity to the event of the same name.
    public static let identity = ActivityMap()

    /// What `event` becomes in `definition` (whose event names are `knownEvents`).
    public func target(activity: String, lifecycle: String?, knownEvents: Set<String>) -> Target {
        if let lifecycle, !lifecycles.contains(lifecycle.lowercased()) { return .ignored }
        if let entry = activities[activity] {
            guard let event = entry else { return .ignored }
            return .event(event)
        }
        return knownEvents.contains(activity) ? .event(activity) : .unmapped
    }

    /// The workflow role for a log role, if the map names one.
    public func role(for logRole: String?) -> String? {
        logRole.flatMap { roles[$0] }
    }
}

/// Every problem found in an activity map, each as `FILE:LINE:COLUMN: error: message`.
public struct ActivityMapError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

extension ActivityMap {
    /// Reads a map from YAML `text`; `file` names it in diagnostics. When `definition` is given,
    /// every event and role the map names must exist in it, and a `workflow:` key must name it.
    public static func load(text: String, file: String, checkingAgainst definition: WorkflowDefinition? = nil) throws(ActivityMapError) -> ActivityMap {
        var problems: [Diagnostic] = []
        func problem(_ message: String, at node: Node?) {
            let mark = node?.mark
            problems.append(Diagnostic(file: file, position: SourcePosition(line: max(1, mark?.line ?? 1), column: max(1, mark?.column ?? 1)), message: message))
        }
        let root: Node
        do {
            guard let node = try YAMLText.compose(text) else {
                throw ActivityMapError(diagnostics: [Diagnostic(file: file, position: SourcePosition(line: 1, column: 1),
                                                                message: "the map is empty: expected 'activities:' with 'log activity: workflow event' lines")])
            }
            root = node
        } catch let error as ActivityMapError {
            throw error
        } catch {
            var position = SourcePosition(line: 1, column: 1)
            var message = "cannot read the YAML: \(error)"
            if let yaml = error as? YamlError {
                switch yaml {
                case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                    position = SourcePosition(line: max(1, mark.line), column: max(1, mark.column))
                    message = "YAML syntax error: \(problem)"
                default:
                    break
                }
            }
            throw ActivityMapError(diagnostics: [Diagnostic(file: file, position: position, message: message)])
        }
        guard let top = root.mapping else {
            problem("an activity map is a mapping with 'activities:' (and optionally 'workflow:', 'roles:', 'lifecycles:')", at: root)
            throw ActivityMapError(diagnostics: problems)
        }
        var map = ActivityMap()
        let knownEvents = definition.map(Self.eventNames(of:))
        var sawActivities = false
        for (keyNode, value) in top {
            switch keyNode.string {
            case "workflow":
                guard let id = value.scalar?.string, !id.isEmpty else {
                    problem("'workflow' must name a workflow id", at: value)
                    continue
                }
                map.workflow = id
                if let definition, definition.id != id {
                    problem("this map is written for workflow '\(id)', not '\(definition.id)'", at: value)
                }
            case "activities":
                sawActivities = true
                guard let entries = value.mapping else {
                    problem("'activities' must be a mapping of log activity names to workflow events", at: value)
                    continue
                }
                for (activityNode, eventNode) in entries {
                    guard let activity = activityNode.scalar?.string else {
                        problem("an activity name must be text", at: activityNode)
                        continue
                    }
                    if map.activities[activity] != nil {
                        problem("activity '\(activity)' is mapped twice; keep one", at: activityNode)
                        continue
                    }
                    if let scalar = eventNode.scalar, scalar.style == .plain, ["~", "null", "Null", "NULL", ""].contains(scalar.string) {
                        map.activities[activity] = .some(nil)
                        continue
                    }
                    guard let event = eventNode.scalar?.string else {
                        problem("activity '\(activity)' must map to one event name, or ~ to skip it", at: eventNode)
                        continue
                    }
                    if let knownEvents, !knownEvents.contains(event) {
                        let suggestion = Self.nearest(event, in: knownEvents).map { "; did you mean '\($0)'?" } ?? ""
                        problem("workflow '\(definition?.id ?? "")' has no event '\(event)'\(suggestion)", at: eventNode)
                    }
                    map.activities[activity] = .some(event)
                }
            case "roles":
                guard let entries = value.mapping else {
                    problem("'roles' must be a mapping of log roles to workflow roles", at: value)
                    continue
                }
                for (logRoleNode, roleNode) in entries {
                    guard let logRole = logRoleNode.scalar?.string, let role = roleNode.scalar?.string else {
                        problem("each role entry is 'LOG ROLE: workflow_role'", at: logRoleNode)
                        continue
                    }
                    if let definition, !definition.roles.contains(role) {
                        problem("workflow '\(definition.id)' declares no role '\(role)'; roles: \(definition.roles.joined(separator: ", "))", at: roleNode)
                    }
                    map.roles[logRole] = role
                }
            case "lifecycles":
                guard let items = value.sequence, items.allSatisfy({ $0.scalar != nil }) else {
                    problem("'lifecycles' is a list of lifecycle transitions to replay, e.g. [complete]", at: value)
                    continue
                }
                map.lifecycles = Set(items.compactMap { $0.scalar?.string.lowercased() })
            default:
                problem("unknown key '\(keyNode.string ?? "?")'; an activity map has 'workflow', 'activities', 'roles' and 'lifecycles'", at: keyNode)
            }
        }
        if !sawActivities {
            problem("missing 'activities': list 'log activity: workflow event' lines", at: root)
        }
        guard problems.isEmpty else {
            throw ActivityMapError(diagnostics: problems.sorted { $0.position < $1.position })
        }
        return map
    }

    /// Every event name a definition declares, at case level and in branches.
    static func eventNames(of definition: WorkflowDefinition) -> Set<String> {
        var names = Set(definition.transitions.map(\.event))
        for (_, branch) in definition.branches { names.formUnion(branch.transitions.map(\.event)) }
        return names
    }

    /// The known name closest to `name` (edit distance at most a third of its length).
    static func nearest(_ name: String, in known: Set<String>) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    let current = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let target = Array(name)
        let scored = known.map { ($0, distance(target, Array($0))) }.filter { $0.1 <= max(1, name.count / 3) }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }
}

extension ActivityMapError: DocketError {
    public var errorCode: String { "invalid_activity_map" }
    public var kind: FailureKind { .invalidInput }
}
