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
package struct ActivityMap: Sendable, Equatable {
    /// What one log event becomes.
    package enum Target: Hashable, Sendable {
        /// Fire this workflow event.
        case event(String)
        /// Skip the log event (`~` in the map, or a lifecycle not replayed).
        case ignored
        /// The map does not name the activity and the workflow has no event of that name.
        case unmapped
    }

    /// The workflow the map says it is written for, if it says.
    package var workflow: String?
    /// Activity name → event name, or `nil` to skip the activity.
    package var activities: [String: String?]
    /// Log role (`org:role`) → workflow role.
    package var roles: [String: String]
    /// Lifecycle transitions replayed (lower case); events without one are always replayed.
    package var lifecycles: Set<String>

    package init(workflow: String? = nil, activities: [String: String?] = [:], roles: [String: String] = [:],
                lifecycles: Set<String> = ["complete"]) {
        self.workflow = workflow
        self.activities = activities
        self.roles = roles
        self.lifecycles = lifecycles
    }

    /// The map that sends every activity to the event of the same name.
    package static let identity = ActivityMap()

    /// What `event` becomes in `definition` (whose event names are `knownEvents`).
    package func target(activity: String, lifecycle: String?, knownEvents: Set<String>) -> Target {
        if let lifecycle, !lifecycles.contains(lifecycle.lowercased()) { return .ignored }
        if let entry = activities[activity] {
            guard let event = entry else { return .ignored }
            return .event(event)
        }
        return knownEvents.contains(activity) ? .event(activity) : .unmapped
    }

    /// The workflow role for a log role, if the map names one.
    package func role(for logRole: String?) -> String? {
        logRole.flatMap { roles[$0] }
    }
}

extension ActivityMap {
    /// The keys an activity map may have.
    static let keys = ["workflow", "activities", "roles", "lifecycles"]

    /// Reads a map from YAML `text`; `file` names it in diagnostics. When `definition` is given,
    /// every event and role the map names must exist in it, and a `workflow:` key must name it.
    ///
    /// Read through the one `DocketCore/YAMLReader` every loader of a file a person wrote uses.
    ///
    /// - Throws: `DocketCore/FileProblems`: every problem in the map, sorted by position.
    package static func load(text: String, file: String, checkingAgainst definition: WorkflowDefinition? = nil) throws(FileProblems) -> ActivityMap {
        var reader = YAMLReader(text: text, file: file)
        guard let root = reader.root(ifEmpty: "the map is empty: expected 'activities:' with 'log activity: workflow event' lines"),
            let top = reader.mapping(root, allowed: keys, what: "an activity map")
        else { return try reader.finish(nil) }
        var map = ActivityMap()
        let knownEvents = definition.map { Self.eventNames(of: $0).sorted() }
        if let node = top["workflow"], let id = reader.name(node, what: "the id of the workflow the map is written for") {
            map.workflow = id
            if let definition, definition.id != id {
                reader.error("this map is written for workflow '\(id)', not '\(definition.id)'", at: node)
            }
        }
        if let node = top["activities"] {
            for (activityNode, eventNode) in reader.pairs(node, what: "'activities' as a mapping of log activity names to workflow events") ?? [] {
                // As written: it must match the log's activity exactly.
                guard let activity = reader.text(activityNode, what: "an activity name") else { continue }
                if map.activities[activity] != nil {
                    reader.error("activity '\(activity)' is mapped twice; keep one", at: activityNode)
                    continue
                }
                if eventNode.isNull {
                    map.activities[activity] = .some(nil)
                    continue
                }
                guard let event = reader.name(eventNode, what: "one workflow event for activity '\(activity)' (or ~ to skip it)") else { continue }
                if let knownEvents, !knownEvents.contains(event) {
                    let suggestion = Diagnostic.nearest(to: event, in: knownEvents).map { "; did you mean '\($0)'?" } ?? ""
                    reader.error("workflow '\(definition?.id ?? "")' has no event '\(event)'\(suggestion)", at: eventNode)
                }
                map.activities[activity] = .some(event)
            }
        } else {
            reader.error("missing 'activities': list 'log activity: workflow event' lines", at: top.position)
        }
        if let node = top["roles"] {
            for (logRoleNode, roleNode) in reader.pairs(node, what: "'roles' as a mapping of log roles to workflow roles") ?? [] {
                guard let logRole = reader.text(logRoleNode, what: "a log role"),
                    let role = reader.name(roleNode, what: "a workflow role for log role '\(logRole)'")
                else { continue }
                if let definition, !definition.roles.contains(role) {
                    reader.error("workflow '\(definition.id)' declares no role '\(role)'; roles: \(definition.roles.joined(separator: ", "))", at: roleNode)
                }
                map.roles[logRole] = role
            }
        }
        if let node = top["lifecycles"],
            let items = reader.list(node, what: "'lifecycles' as a list of lifecycle transitions to replay, e.g. [complete]")
        {
            map.lifecycles = Set(items.compactMap { reader.name($0, what: "a lifecycle transition such as complete")?.lowercased() })
        }
        return try reader.finish(map)
    }

    /// Every event name a definition declares, at case level and in branches.
    static func eventNames(of definition: WorkflowDefinition) -> Set<String> {
        var names = Set(definition.transitions.map(\.event))
        for (_, branch) in definition.branches { names.formUnion(branch.transitions.map(\.event)) }
        return names
    }
}

