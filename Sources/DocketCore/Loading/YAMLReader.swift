import Yams

/// The one way Docket reads a YAML file a person wrote: workflow definitions (``DefinitionLoader``),
/// calendars (``CalendarLoader``) and the service's activity maps all go through it, and so should
/// the next kind of file.
///
/// A loader makes one reader per file, asks it for the ``root(ifEmpty:)`` node, reads that tree
/// with the typed readers below (``mapping(_:allowed:what:)``, ``name(_:what:)``,
/// ``positiveInteger(_:key:)``, ``flag(_:key:)``, ...), reports what only it can check with
/// `error(_:at:)`, and ends with ``finish(_:)``. Nothing stops at the first problem:
/// each reader reports at the node it was given (`FILE:LINE:COLUMN`) and returns nil, the loader
/// carries on with the rest, and ``finish(_:)`` throws every problem at once, sorted by position,
/// as one ``FileProblems``.
///
/// Scalars keep their text: the tree is composed with Yams's basic resolver (``compose(_:)``)
/// and every value is typed here (numbers with `Int(_:)`, flags with ``Yams/Node/scalarBool``,
/// nulls by spelling), so Yams's default rules, whose regular expressions took about a millisecond
/// of every command to compile, are never used (Docs/performance.md).
package struct YAMLReader {
    /// The name diagnostics carry, usually the path the caller read.
    package let file: String
    /// The file's contents.
    package let text: String
    /// The problems found so far, in the order found.
    package private(set) var diagnostics: [Diagnostic] = []

    /// A reader of `text`, the contents of the file named `file` (the reader never opens it).
    package init(text: String, file: String) {
        self.text = text
        self.file = file
    }

    /// The node tree of `text`'s first document, or nil for an empty text; throws Yams's errors.
    /// ``root(ifEmpty:)`` reports those errors instead; this is for a quick look at a file.
    package static func compose(_ text: String) throws -> Node? {
        try Yams.compose(yaml: text, .basic)
    }

    /// The file's root node; nil, with the problem reported, when the text is not YAML or is empty
    /// (then `message` says what the file should start with).
    package mutating func root(ifEmpty message: String) -> Node? {
        do {
            guard let node = try Self.compose(text) else {
                error(message, at: SourcePosition(line: 1, column: 1))
                return nil
            }
            return node
        } catch {
            diagnostics += syntaxDiagnostics(error)
            return nil
        }
    }

    /// The diagnostics of a text that does not compose: Yams's error, and when that is a key
    /// written twice, every other key written twice too. libyaml's composer stops at the first
    /// mapping with a repeated key; each repetition found is renamed in a copy of the text (to a
    /// name of the same length on the same line, so nothing else moves) and the copy is composed
    /// again, until it composes or fails for another reason (reported as well). Each is reported
    /// at the repetition, the one to delete.
    func syntaxDiagnostics(_ firstError: any Error) -> [Diagnostic] {
        var found: [Diagnostic] = []
        var error = firstError
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        var renamed = 0
        while true {
            guard case let .duplicatedKeysInMapping(duplicates, context)? = error as? YamlError,
                  let key = duplicates.first, renamed < 10_000
            else {
                found.append(syntaxDiagnostic(error))
                break
            }
            let first = SourcePosition(line: max(1, context.mark.line), column: max(1, context.mark.column))
            guard let at = Self.repetition(of: key, after: first, in: String(String.UnicodeScalarView(lines.joined(separator: ["\n"]))))
            else {
                // Not a block mapping's plain key (a flow mapping, say): reported where libyaml says.
                found.append(syntaxDiagnostic(error))
                break
            }
            found.append(Diagnostic(file: file, position: at,
                                    message: "key '\(key)' appears more than once in the same mapping (first at line \(first.line)); keep one"))
            // Rename the repetition to a name no file uses, of the same length when the key is
            // long enough for it.
            renamed += 1
            let line = at.line - 1
            let quoted = lines[line][at.column - 1] == "\"" || lines[line][at.column - 1] == "'"
            let start = at.column - 1 + (quoted ? 1 : 0)
            let length = key.unicodeScalars.count
            let mark = Array("\u{2063}\(renamed)".unicodeScalars)  // an invisible separator and a number
            lines[line].replaceSubrange(start..<(start + min(length, mark.count)), with: mark)
            do {
                _ = try Self.compose(String(String.UnicodeScalarView(lines.joined(separator: ["\n"]))))
                break
            } catch let next {
                error = next
            }
        }
        return found
    }

    // MARK: Ending

    /// Whether an error (not just a warning) has been reported.
    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// `value` when no error was reported; otherwise every problem, sorted by position.
    package func finish<Value>(_ value: Value?) throws(FileProblems) -> Value {
        if let value, !hasErrors { return value }
        var problems = sortedDiagnostics()
        if problems.isEmpty {
            // A loader that gives up must have said why; kept as an error rather than a trap.
            problems = [Diagnostic(file: file, position: SourcePosition(line: 1, column: 1), message: "cannot read the file")]
        }
        throw FileProblems(diagnostics: problems)
    }

    /// The problems so far, in file order, each within the text (libyaml marks a node at the very
    /// end, an empty document, past it, where no editor can go).
    package func sortedDiagnostics() -> [Diagnostic] {
        guard !diagnostics.isEmpty else { return [] }
        let end = SourcePosition.end(of: text)
        return diagnostics.enumerated()
            .map { index, diagnostic in
                var diagnostic = diagnostic
                if diagnostic.position > end { diagnostic.position = end }
                return (index, diagnostic)
            }
            .sorted { ($0.1.position, $0.0) < ($1.1.position, $1.0) }
            .map(\.1)
    }

    // MARK: Reporting

    /// Reports an error at `node`.
    package mutating func error(_ message: String, at node: Node) {
        error(message, at: position(of: node))
    }

    /// Reports an error at `position`.
    package mutating func error(_ message: String, at position: SourcePosition) {
        diagnostics.append(Diagnostic(file: file, position: position, message: message))
    }

    /// Reports a warning at `node`: printed, but the file still loads.
    package mutating func warning(_ message: String, at node: Node) {
        diagnostics.append(Diagnostic(file: file, position: position(of: node), message: message, severity: .warning))
    }

    /// Adds problems found by a later pass over what was read (a definition's validator).
    package mutating func report(_ more: [Diagnostic]) {
        diagnostics += more
    }

    // MARK: Positions

    /// Where `node` was written.
    package func position(of node: Node) -> SourcePosition {
        Self.position(of: node)
    }

    /// Where `node` was written (clamped to the text only when problems are sorted, in ``finish(_:)``).
    package static func position(of node: Node) -> SourcePosition {
        guard let mark = node.mark else { return SourcePosition(line: 1, column: 1) }
        return SourcePosition(line: max(1, mark.line), column: max(1, mark.column))
    }

    /// Where the character `offset` (in Unicode scalars) into a single-line scalar was written, or
    /// the node's own position when the scalar's layout is not that simple.
    package func position(of node: Node, offset: Int) -> SourcePosition {
        var result = position(of: node)
        guard let scalar = node.scalar, !scalar.string.contains("\n") else { return result }
        switch scalar.style {
        case .plain: result.column += offset
        case .singleQuoted, .doubleQuoted: result.column += offset + 1
        default: break
        }
        return result
    }

    // MARK: Typed reading: each reports at the node and returns nil (or nothing) when it cannot read it

    /// A mapping whose keys must come from `allowed`: unknown keys (with the nearest known one
    /// suggested) and keys that are not text are reported at the key, and left out.
    package mutating func mapping(_ node: Node, allowed: [String], what: String) -> YAMLMapping? {
        var result = YAMLMapping(node: node, position: Self.position(of: node))
        let isMapping = forEachKnownKey(of: node, allowed: allowed, what: what) { key, keyNode, valueNode in
            result.entries[key] = (keyNode, valueNode)
        }
        return isMapping ? result : nil
    }

    /// ``mapping(_:allowed:what:)`` without building a ``YAMLMapping``: `body` gets each known
    /// key with its key and value nodes, in file order; false, with the problem reported, when
    /// `node` is not a mapping. (Definitions keep their own record of positions this way.)
    package mutating func forEachKnownKey(
        of node: Node, allowed: [String], what: String, _ body: (String, Node, Node) -> Void
    ) -> Bool {
        guard let pairs = node.mapping else {
            error("expected \(what) as a mapping of keys to values, found \(node.kindDescription)", at: node)
            return false
        }
        for (keyNode, valueNode) in pairs {
            guard let key = keyNode.scalar?.string else {
                error("expected a key name, found \(keyNode.kindDescription)", at: keyNode)
                continue
            }
            guard allowed.contains(key) else {
                var message = "unknown key '\(key)' in \(what)"
                if let suggestion = Diagnostic.nearest(to: key, in: allowed) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; known keys: " + allowed.joined(separator: ", ")
                }
                error(message, at: keyNode)
                continue
            }
            body(key, keyNode, valueNode)
        }
        return true
    }

    /// A mapping with free keys (state names, weekdays, activity names), in file order; an empty
    /// value counts as an empty mapping.
    package mutating func pairs(_ node: Node, what: String) -> [(key: Node, value: Node)]? {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            error("expected \(what), found \(node.kindDescription)", at: node)
            return nil
        }
        return pairs.map { ($0.key, $0.value) }
    }

    /// A list's items; an empty value counts as an empty list.
    package mutating func list(_ node: Node, what: String) -> [Node]? {
        if node.isNull { return [] }
        guard let sequence = node.sequence else {
            error("expected \(what), found \(node.kindDescription)", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// A non-empty single value, blanks around it trimmed.
    package mutating func name(_ node: Node, what: String) -> String? {
        guard let scalar = node.scalar, !node.isNull else {
            error("expected \(what), found \(node.kindDescription)", at: node)
            return nil
        }
        let text = scalar.string.trimmingBlanks
        guard !text.isEmpty else {
            error("expected \(what), found an empty value", at: node)
            return nil
        }
        return text
    }

    /// A single value as written (empty allowed), for free text such as notes.
    package mutating func text(_ node: Node, what: String) -> String? {
        guard let scalar = node.scalar else {
            error("expected \(what), found \(node.kindDescription)", at: node)
            return nil
        }
        return scalar.string
    }

    /// A whole number of at least 1, written as a plain scalar.
    package mutating func positiveInteger(_ node: Node, key: String) -> Int? {
        guard let value = node.scalarInt, value >= 1 else {
            error("'\(key)' must be a whole number of at least 1, found \(node.foundDescription)", at: node)
            return nil
        }
        return value
    }

    /// A YAML 1.1 boolean written as a plain scalar (``Yams/Node/scalarBool``).
    package mutating func flag(_ node: Node, key: String) -> Bool? {
        guard let value = node.scalarBool else {
            error("'\(key)' must be true or false, found \(node.foundDescription)", at: node)
            return nil
        }
        return value
    }

    // MARK: Syntax errors

    /// A YAML error from Yams, as one diagnostic at the position libyaml reported.
    func syntaxDiagnostic(_ error: any Error) -> Diagnostic {
        func at(_ mark: Mark) -> SourcePosition {
            SourcePosition(line: max(1, mark.line), column: max(1, mark.column))
        }
        guard let yamlError = error as? YamlError else {
            return Diagnostic(file: file, position: SourcePosition(line: 1, column: 1), message: "cannot read the YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            if let diagnostic = indentationDiagnostic(problem: problem, at: at(mark), context: context.map { ($0.text, at($0.mark)) }) {
                return diagnostic
            }
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(file: file, position: at(mark), message: "YAML syntax error: \(problem)\(while_)")
        case let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(file: file, position: at(mark), message: "YAML syntax error: \(problem)\(while_)")
        case let .reader(problem, offset, _, _):
            return Diagnostic(file: file, position: Self.position(ofCharacterOffset: offset ?? 0, in: text),
                              message: "cannot read the text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let first = at(context.mark)
            let repeated = duplicates.first.flatMap { Self.repetition(of: $0, after: first, in: text) }
            return Diagnostic(file: file, position: repeated ?? first,
                              message: "key \(keys) appears more than once in the same mapping (first at line \(first.line)); keep one")
        default:
            return Diagnostic(file: file, position: SourcePosition(line: 1, column: 1), message: "cannot read the YAML: \(yamlError)")
        }
    }

    /// When libyaml failed at `problem` because a line is indented wrongly, a diagnostic naming that
    /// line and saying what is wrong with its indentation (still a "YAML syntax error"); nil
    /// otherwise.
    ///
    /// - A line up to the failing one indented with a tab: YAML indents with spaces only.
    /// - A line, at its first character, where libyaml expected the next key or item of a block
    ///   ("did not find expected key" or "'-' indicator") and whose indentation is not that
    ///   block's: deeper than the line above, which opens no block, or between the levels above.
    /// - A line indented more than the `key: value` above it, which libyaml reads as the value
    ///   going on ("mapping values are not allowed" on the deeper line).
    func indentationDiagnostic(problem: String, at position: SourcePosition, context: (text: String, at: SourcePosition)?) -> Diagnostic? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard position.line >= 1, position.line <= lines.count else { return nil }
        func indentation(_ line: [Unicode.Scalar]) -> Int { line.prefix { $0 == " " }.count }
        /// A line with something on it other than a comment.
        func hasContent(_ line: [Unicode.Scalar]) -> Bool {
            guard let first = line.first(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return false }
            return first != "#"
        }
        func spaces(_ count: Int) -> String { count == 1 ? "1 space" : "\(count) spaces" }

        for index in 0..<position.line where hasContent(lines[index]) {
            let line = lines[index]
            let lead = line.prefix { $0 == " " || $0 == "\t" }
            if let tab = lead.firstIndex(of: "\t") {
                return Diagnostic(file: file, position: SourcePosition(line: index + 1, column: tab + 1),
                                  message: "YAML syntax error: line \(index + 1) is indented with a tab; YAML indents with spaces")
            }
        }
        let line = lines[position.line - 1]
        guard hasContent(line) else { return nil }
        let indent = indentation(line)
        let start = SourcePosition(line: position.line, column: indent + 1)

        guard let previous = (0..<(position.line - 1)).last(where: { hasContent(lines[$0]) }) else { return nil }
        let above = indentation(lines[previous])
        let blockEnded = problem.hasPrefix("did not find expected")
            && (context?.text.hasPrefix("while parsing a block") ?? false) && position.column == indent + 1
            && indent != (context?.at.column ?? 1) - 1
        let valueGoesOn = problem.hasPrefix("mapping values are not allowed") && indent > above
        guard blockEnded || valueGoesOn else { return nil }
        if indent > above {
            return Diagnostic(file: file, position: start,
                              message: "YAML syntax error: line \(position.line) is indented wrongly: \(spaces(indent)), deeper than line \(previous + 1) above it (\(above)), which opens no block; line it up with the keys or items it belongs with")
        }
        // The lines it could line up with: the one above, and each less indented one before it.
        var levels: [(line: Int, indent: Int)] = [(previous + 1, above)]
        for index in stride(from: previous - 1, through: 0, by: -1) where hasContent(lines[index]) {
            let level = indentation(lines[index])
            if level < levels[levels.count - 1].indent { levels.append((index + 1, level)) }
            if level == 0 { break }
        }
        let choices = levels.map { "\($0.indent) like line \($0.line)" }.joined(separator: ", or ")
        return Diagnostic(file: file, position: start,
                          message: "YAML syntax error: line \(position.line) is indented wrongly: \(spaces(indent)), which lines up with no line above it; indent it \(choices)")
    }

    /// Where `key` is written again in the same block mapping as its first occurrence at `first`
    /// (libyaml reports only the first; the second is the one to delete).
    static func repetition(of key: String, after first: SourcePosition, in text: String) -> SourcePosition? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let line = Array(lines[index].unicodeScalars)
            let indent = line.prefix { $0 == " " }.count
            if indent < first.column - 1, line.count > indent, line[indent] != "#" { return nil }  // the mapping ended
            guard indent == first.column - 1 else { continue }
            let rest = String(String.UnicodeScalarView(line[indent...]))
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                return SourcePosition(line: index + 1, column: first.column)
            }
        }
        return nil
    }

    /// The line and column of the `offset`-th character of `text`.
    static func position(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for (index, character) in text.enumerated() {
            if index >= offset { break }
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourcePosition(line: line, column: column)
    }
}

/// A mapping read by `YAMLReader/mapping(_:allowed:what:)`: its known keys, each with the node of
/// the key and of its value.
package struct YAMLMapping {
    /// The mapping's own node.
    package var node: Node
    /// Where the mapping starts: the place to report a missing key.
    package var position: SourcePosition
    /// Each known key's key node and value node.
    package var entries: [String: (key: Node, value: Node)] = [:]

    /// The value written for `key`, if any.
    package subscript(key: String) -> Node? { entries[key]?.value }

    /// The node of `key` itself, if written: the place to report a key that does not belong.
    package func key(_ key: String) -> Node? { entries[key]?.key }
}

extension Node {
    /// A YAML 1.1 boolean written as a plain scalar (`true`, `yes`, `on`, `false`, `no`, `off`, in
    /// lower case, capitalised or upper case, as Yams's default rules accept them); nil for
    /// anything else, a quoted `"true"` included.
    package var scalarBool: Bool? {
        guard let scalar, scalar.style == .plain || scalar.style == .any else { return nil }
        switch scalar.string {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// A null written as a plain scalar: nothing, `~` or `null` (`Null`, `NULL`).
    package var isNull: Bool {
        guard let scalar else { return false }
        return scalar.style == .plain && Node.nullSpellings.contains(scalar.string)
    }

    private static let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// A whole number written as a plain integer scalar.
    var scalarInt: Int? {
        guard let scalar, scalar.style == .plain || scalar.style == .any else { return nil }
        return Int(scalar.string)
    }

    /// What the node is, for a message: "a mapping", "a list", "nothing" or the quoted value.
    package var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            if isNull { return "nothing" }
            return "'\(scalar.string)'"
        }
    }

    /// The value as written and quoted, or what the node is when it is not a single value (a
    /// written `~` is quoted as written).
    var foundDescription: String {
        if let scalar { return "'\(scalar.string)'" }
        return kindDescription
    }

    /// The value as written, or what the node is when it is not a single value.
    var describedValue: String {
        if let scalar { return scalar.string }
        return kindDescription
    }
}

extension String {
    var trimmingBlanks: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

extension Diagnostic {
    /// The candidate closest to `word` by edit distance, when close enough to be a likely typo:
    /// the "did you mean" of every loader. Ties go to the earlier candidate.
    package static func nearest(to word: String, in candidates: [String]) -> String? {
        let best = candidates
            .map { (candidate: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
            .min { $0.distance < $1.distance }
        guard let best else { return nil }
        let tolerance = max(2, word.count / 3)
        return best.distance <= tolerance ? best.candidate : nil
    }

    /// Levenshtein distance between two strings, by Unicode characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
