import Yams

/// Turns the text of a workflow definition (YAML, or JSON, which is YAML) into a checked
/// ``WorkflowDefinition``.
///
/// Pure: it takes text, not a path, and never touches the file system. Every problem is reported,
/// not just the first, each at the line and column a person has to edit (see
/// `Docs/definitions.md` for the language and the list of checks).
public enum DefinitionLoader {
    /// Parses and validates one definition.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the name diagnostics carry (usually the path the caller read).
    /// - Returns: the definition, or every problem found, sorted by position.
    public static func load(text: String, file: String) -> Result<WorkflowDefinition, DefinitionErrors> {
        let root: Node
        do {
            guard let node = try YAMLText.compose(text) else {
                return .failure(DefinitionErrors(diagnostics: [
                    Diagnostic(file: file, position: SourcePosition(line: 1, column: 1),
                               message: "the definition is empty: expected keys such as 'workflow', 'version', 'roles', 'states' and 'transitions'"),
                ]))
            }
            root = node
        } catch {
            return .failure(DefinitionErrors(diagnostics: [syntaxDiagnostic(error, text: text, file: file)]))
        }
        var parser = DefinitionParser(file: file)
        let parsed = parser.parseWorkflow(root)
        var diagnostics = parser.diagnostics
        if let parsed {
            diagnostics += DefinitionValidator(file: file, parsed: parsed).validate()
        }
        guard diagnostics.isEmpty, let definition = parsed?.definition else {
            // A node at the very end (an empty document) is marked past it, where no editor can go.
            for index in diagnostics.indices { diagnostics[index].position = diagnostics[index].position.clamped(to: text) }
            let sorted = diagnostics.enumerated()
                .sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }
                .map(\.element)
            return .failure(DefinitionErrors(diagnostics: sorted))
        }
        return .success(definition)
    }

    /// A YAML error from Yams, as one diagnostic at the position libyaml reported.
    static func syntaxDiagnostic(_ error: any Error, text: String, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourcePosition {
            SourcePosition(line: max(1, mark.line), column: max(1, mark.column)).clamped(to: text)
        }
        guard let yamlError = error as? YamlError else {
            return Diagnostic(file: file, position: SourcePosition(line: 1, column: 1), message: "cannot read the YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(file: file, position: at(mark), message: "YAML syntax error: \(problem)\(while_)")
        case let .reader(problem, offset, _, _):
            return Diagnostic(file: file, position: position(ofCharacterOffset: offset ?? 0, in: text),
                              message: "cannot read the text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let first = at(context.mark)
            let repeated = duplicates.first.flatMap { repetition(of: $0, after: first, in: text) }
            return Diagnostic(file: file, position: repeated ?? first,
                              message: "key \(keys) appears more than once in the same mapping (first at line \(first.line)); keep one")
        default:
            return Diagnostic(file: file, position: SourcePosition(line: 1, column: 1), message: "cannot read the YAML: \(yamlError)")
        }
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
