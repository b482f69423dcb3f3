import Yams

/// Reads a directory file (YAML, `Docs/directory.md`) into a ``Directory``.
///
/// Pure, like the other loaders: it takes the text and the name errors print. The file goes
/// through the one `YAMLReader`, so every problem is reported at once, each as
/// `FILE:LINE:COLUMN: error: message` at the node to edit, with the nearest known unit or person
/// suggested for a misspelt one.
package enum DirectoryLoader {
    /// Whether `text` is a directory file: its top level says `directory:` (and not `workflow:`).
    package static func isDirectory(_ text: String) -> Bool {
        guard let node = try? YAMLReader.compose(text), let mapping = node.mapping else { return false }
        let keys = Set(mapping.keys.compactMap(\.string))
        return keys.contains("directory") && !keys.contains("workflow")
    }

    /// Loads one directory file.
    ///
    /// - Throws: ``FileProblems``: every problem in the file, sorted by position.
    package static func load(text: String, file: String) throws(FileProblems) -> Directory {
        var parser = DirectoryParser(reader: YAMLReader(text: text, file: file))
        let directory = parser.parse()
        return try parser.reader.finish(directory)
    }
}

/// Reads a directory file's node tree; each problem is reported at its node and reading goes on.
struct DirectoryParser {
    var reader: YAMLReader

    private static let topLevelKeys = ["directory", "version", "title", "time_zone", "units", "people", "grants"]
    private static let unitKeys = ["name", "parent"]
    private static let personKeys = ["name", "kind", "unit", "left"]
    private static let grantKeys = ["person", "role", "scope", "from", "until"]
    /// Actors Docket itself records; no person may take them.
    static let reservedActors: Set<String> = ["system", "unknown"]

    mutating func parse() -> Directory? {
        guard let root = reader.root(ifEmpty: "the file is empty; a directory starts with 'directory: NAME' and 'version: N'"),
              let top = reader.mapping(root, allowed: Self.topLevelKeys, what: "a directory")
        else { return nil }

        var name: String?
        if let node = top["directory"] {
            name = identifier(node, what: "the directory's name, e.g. 'directory: shandong'")
        } else {
            reader.error("missing 'directory: NAME' (e.g. 'directory: shandong')", at: top.position)
        }
        var version: Int?
        if let node = top["version"] {
            version = reader.positiveInteger(node, key: "version")
        } else {
            reader.error("missing 'version: N' (a positive whole number, raised on every change)", at: top.position)
        }
        let title = top["title"].flatMap { reader.text($0, what: "a title") }
        var zone: TimeZoneOffsets?
        if let node = top["time_zone"] {
            if let identifier = reader.name(node, what: "a time zone such as Asia/Shanghai") {
                zone = TimeZoneOffsets(identifier: identifier)
                if zone == nil { reader.error("unknown time zone '\(identifier)'; use an IANA name such as Asia/Shanghai or UTC", at: node) }
            }
        } else {
            reader.error("missing 'time_zone' (an IANA name such as Asia/Shanghai): grants run from and until local dates", at: top.position)
        }

        let units = readUnits(top["units"], at: top.position)
        let unitIDs = units.map(\.unit.id)
        let people = readPeople(top["people"], units: unitIDs, at: top.position)
        let grants = readGrants(top["grants"], people: people, units: unitIDs, version: version ?? 0)

        // The file names the first administrators: without one, nobody could ever change it.
        if !grants.contains(where: { $0.role == AdministeringRole.directoryAdmin.rawValue }) {
            reader.error("no one holds 'directory_admin': grant it to at least one person (in the root unit), or nobody can change the directory", at: top.key("grants").map { reader.position(of: $0) } ?? top.position)
        }
        guard let name, let version, let zone else { return nil }
        return Directory(name: name, version: version, title: title, zone: zone,
                         units: units.map(\.unit), people: people.map(\.person), grants: grants)
    }

    // MARK: Units

    private mutating func readUnits(_ node: Node?, at position: SourcePosition) -> [(unit: OrganisationalUnit, node: Node)] {
        guard let node else {
            reader.error("missing 'units': the organisation as a tree (the province, its centres, their departments)", at: position)
            return []
        }
        guard let pairs = reader.pairs(node, what: "units as ids mapped to their name and parent") else { return [] }
        var units: [(unit: OrganisationalUnit, node: Node, parentNode: Node?)] = []
        for (key, value) in pairs {
            guard let id = identifier(key, what: "a unit id") else { continue }
            var unit = OrganisationalUnit(id: id)
            var parentNode: Node?
            if !value.isNull, let fields = reader.mapping(value, allowed: Self.unitKeys, what: "unit '\(id)'") {
                unit.name = fields["name"].flatMap { reader.name($0, what: "the unit's name") }
                if let parent = fields["parent"] {
                    unit.parent = reader.name(parent, what: "the id of the unit it belongs to")
                    parentNode = parent
                }
            }
            units.append((unit, key, parentNode))
        }
        let ids = units.map(\.unit.id)
        for entry in units {
            guard let parent = entry.unit.parent, let node = entry.parentNode else { continue }
            if !ids.contains(parent) { reader.error(Self.unknown("unit", parent, among: ids), at: node) }
        }
        let roots = units.filter { $0.unit.parent == nil }
        if units.isEmpty {
            reader.error("'units' is empty; declare at least the root unit (e.g. 'shandong: { name: ... }')", at: node)
        } else if roots.count != 1 {
            for extra in roots.dropFirst() {
                reader.error("unit '\(extra.unit.id)' has no parent, but '\(roots[0].unit.id)' is the root already; give it 'parent:'", at: extra.node)
            }
            if roots.isEmpty { reader.error("no unit is the root: one unit must have no 'parent:'", at: node) }
        }
        // A parent chain that comes back to itself never reaches the root.
        let parents = Dictionary(units.map { ($0.unit.id, $0.unit.parent) }, uniquingKeysWith: { a, _ in a })
        for entry in units {
            var seen: Set<String> = [entry.unit.id]
            var current = entry.unit.parent
            while let next = current, ids.contains(next) {
                if next == entry.unit.id {
                    reader.error("unit '\(entry.unit.id)' is its own ancestor: its 'parent:' chain forms a cycle", at: entry.parentNode ?? entry.node)
                    break
                }
                guard seen.insert(next).inserted else { break }
                current = parents[next] ?? nil
            }
        }
        return units.map { ($0.unit, $0.node) }
    }

    // MARK: People

    private mutating func readPeople(_ node: Node?, units: [String], at position: SourcePosition) -> [(person: Person, node: Node)] {
        guard let node else {
            reader.error("missing 'people': staff, applicants and service accounts", at: position)
            return []
        }
        guard let pairs = reader.pairs(node, what: "people as ids mapped to their name, kind and unit") else { return [] }
        var people: [(person: Person, node: Node)] = []
        for (key, value) in pairs {
            guard let id = identifier(key, what: "a person's id") else { continue }
            if Self.reservedActors.contains(id) {
                reader.error("'\(id)' is an actor Docket itself records; a person may not take it", at: key)
                continue
            }
            if units.contains(id) {
                reader.error("'\(id)' is already a unit's id; give the person another id", at: key)
            }
            guard let fields = reader.mapping(value, allowed: Self.personKeys, what: "person '\(id)'") else { continue }
            var kind: PersonKind?
            if let kindNode = fields["kind"] {
                if let text = reader.name(kindNode, what: "staff, applicant or service") {
                    kind = PersonKind(rawValue: text)
                    if kind == nil {
                        let kinds = PersonKind.allCases.map(\.rawValue)
                        let guess = Diagnostic.nearest(to: text, in: kinds).map { "did you mean '\($0)'? " } ?? ""
                        reader.error("unknown kind '\(text)'; \(guess)a person is one of: \(kinds.joined(separator: ", "))", at: kindNode)
                    }
                }
            } else {
                reader.error("person '\(id)' needs 'kind: staff', 'applicant' or 'service'", at: key)
            }
            var unit: String?
            if let unitNode = fields["unit"], let text = reader.name(unitNode, what: "the id of the unit they work in") {
                if units.contains(text) { unit = text } else { reader.error(Self.unknown("unit", text, among: units), at: unitNode) }
            }
            let left = fields["left"].flatMap { date($0, key: "left") }
            guard let kind else { continue }
            people.append((Person(id: id, name: fields["name"].flatMap { reader.name($0, what: "the person's name") },
                                  kind: kind, unit: unit, left: left), key))
        }
        return people
    }

    // MARK: Grants

    private mutating func readGrants(_ node: Node?, people: [(person: Person, node: Node)], units: [String], version: Int) -> [RoleGrant] {
        guard let node, let items = reader.list(node, what: "grants as a list of { person, role, scope, from, until }") else { return [] }
        let byID = Dictionary(people.map { ($0.person.id, $0.person) }, uniquingKeysWith: { a, _ in a })
        let ids = people.map(\.person.id)
        var grants: [RoleGrant] = []
        var seen: [String: Int] = [:]
        for item in items {
            guard let fields = reader.mapping(item, allowed: Self.grantKeys, what: "a grant") else { continue }
            var complete = true
            func required(_ key: String, _ what: String) -> Node? {
                guard let node = fields[key] else {
                    reader.error("a grant needs '\(key)' (\(what))", at: item)
                    complete = false
                    return nil
                }
                return node
            }
            let personNode = required("person", "who holds the role")
            let roleNode = required("role", "e.g. clerk, approver, directory_admin")
            let scopeNode = required("scope", "the unit it is held in")
            var person: Person?
            if let personNode, let id = reader.name(personNode, what: "a person's id") {
                person = byID[id]
                if person == nil, !ids.contains(id) { reader.error(Self.unknown("person", id, among: ids), at: personNode) }
            }
            let role = roleNode.flatMap { identifier($0, what: "a role name") }
            var scope: String?
            if let scopeNode, let id = reader.name(scopeNode, what: "a unit's id") {
                if units.contains(id) { scope = id } else { reader.error(Self.unknown("unit", id, among: units), at: scopeNode) }
            }
            let from = fields["from"].flatMap { date($0, key: "from") }
            let until = fields["until"].flatMap { date($0, key: "until") }
            if let from, let until, from > until {
                reader.error("'from' \(from) is after 'until' \(until); the grant would never be held", at: fields["until"]!)
            }
            guard complete, let person, let role, let scope else { continue }
            if person.kind == .applicant, role != "applicant" {
                reader.error("'\(person.id)' is an applicant: applicants act as applicant on their own cases and hold no roles; make them 'kind: staff' to grant '\(role)'", at: personNode!)
                continue
            }
            if let left = person.left, let from, from >= left {
                reader.error("'\(person.id)' left on \(left); a grant from \(from) would start after they left", at: personNode!)
                continue
            }
            let key = "\(person.id)\u{0}\(role)\u{0}\(scope)"
            if let line = seen[key] {
                reader.error("'\(person.id)' is granted '\(role)' in '\(scope)' twice (first at line \(line)); keep one, with the dates of both", at: item)
                continue
            }
            seen[key] = reader.position(of: item).line
            var grant = RoleGrant(person: person.id, role: role, scope: scope, from: from, until: until, source: .file(version: version))
            // A grant running past the day its holder left ends the day before.
            if let left = person.left, until.map({ $0 >= left }) ?? true { grant.until = left.adding(days: -1) }
            grants.append(grant)
        }
        return grants
    }

    // MARK: Values

    /// An id: letters, digits, `.`, `-` and `_`.
    private mutating func identifier(_ node: Node, what: String) -> String? {
        guard let text = reader.name(node, what: what) else { return nil }
        guard text.unicodeScalars.allSatisfy(Self.isIDCharacter) else {
            reader.error("'\(text)' may use only letters, digits, '.', '-' and '_'", at: node)
            return nil
        }
        return text
    }

    private static func isIDCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_" || c == "."
    }

    private mutating func date(_ node: Node, key: String) -> CalendarDate? {
        guard let text = reader.name(node, what: "a date for '\(key)' (YYYY-MM-DD)") else { return nil }
        guard let date = CalendarDate(parsing: text) else {
            reader.error("'\(text)' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-02-12)", at: node)
            return nil
        }
        return date
    }

    /// `unknown unit 'rizao'; did you mean 'rizhao'?` or the known ones.
    static func unknown(_ what: String, _ name: String, among known: [String]) -> String {
        if let guess = Diagnostic.nearest(to: name, in: known) { return "unknown \(what) '\(name)'; did you mean '\(guess)'?" }
        let list = known.prefix(12).joined(separator: ", ")
        return "unknown \(what) '\(name)'" + (known.isEmpty ? "" : "; known: \(list)\(known.count > 12 ? ", ..." : "")")
    }
}
