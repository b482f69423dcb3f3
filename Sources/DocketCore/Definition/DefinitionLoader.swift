import Yams

/// Turns the text of a workflow definition (YAML, or JSON, which is YAML) into a checked
/// ``WorkflowDefinition``.
///
/// Pure: it takes text, not a path, and never touches the file system. It reads the file through
/// the one `YAMLReader` every loader uses: every problem is reported, not just the first, each
/// at the line and column a person has to edit (see `Docs/definitions.md` for the language and the
/// list of checks).
public enum DefinitionLoader {
    /// Parses and validates one definition.
    ///
    /// A `Result` rather than a throwing function because most callers switch on it; `.get()`
    /// throws the same ``FileProblems`` the other loaders throw.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the name diagnostics carry (usually the path the caller read).
    /// - Returns: the definition, or every problem found, sorted by position.
    public static func load(text: String, file: String) -> Result<WorkflowDefinition, FileProblems> {
        var warnings: [Diagnostic] = []
        return load(text: text, file: file, validating: true, warnings: &warnings)
    }

    /// ``load(text:file:)``, also handing back the warnings of a file that loads (a statutory
    /// clock that never starts on some path, an event with no default route): `validate` and
    /// `deploy` print them; they do not stop the file from loading.
    public static func load(text: String, file: String, warnings: inout [Diagnostic]) -> Result<WorkflowDefinition, FileProblems> {
        load(text: text, file: file, validating: true, warnings: &warnings)
    }

    /// Reads a definition that passed ``load(text:file:)`` when it was deployed, for a command:
    /// the text is parsed (so every value is read and typed as before, and a text the parser
    /// refuses is still refused) but the whole-definition checks of the validator, which grow
    /// with the definition's size, are not run again. Only for a text the caller knows is the
    /// one that was validated: the catalog checks the deployment's SHA-256 first.
    package static func load(deployed text: String, file: String) -> Result<WorkflowDefinition, FileProblems> {
        var warnings: [Diagnostic] = []
        return load(text: text, file: file, validating: false, warnings: &warnings)
    }

    private static func load(text: String, file: String, validating: Bool, warnings: inout [Diagnostic]) -> Result<WorkflowDefinition, FileProblems> {
        var reader = YAMLReader(text: text, file: file)
        guard let root = reader.root(
            ifEmpty: "the definition is empty: expected keys such as 'workflow', 'version', 'roles', 'states' and 'transitions'")
        else {
            return Result { () throws(FileProblems) in try reader.finish(nil as WorkflowDefinition?) }
        }
        var parser = DefinitionParser(reader: reader)
        let parsed = parser.parseWorkflow(root)
        reader = parser.reader
        if let parsed, validating {
            reader.report(DefinitionValidator(file: file, parsed: parsed).validate())
        }
        if !reader.hasErrors { warnings = reader.sortedDiagnostics().filter { $0.severity == .warning } }
        return Result { () throws(FileProblems) in try reader.finish(parsed?.definition) }
    }
}
