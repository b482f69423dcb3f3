/// A place in a definition file: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// One problem found in a definition file, at the place a person has to edit.
///
/// Its ``description`` is the compiler-style line `FILE:LINE:COLUMN: error: message` that editors
/// and CI logs turn into links.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// The file as the caller named it (the loader never opens it).
    public var file: String
    /// Where the problem is.
    public var position: SourcePosition
    /// What is wrong and, where possible, what to write instead.
    public var message: String

    public init(file: String, position: SourcePosition, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String { "\(file):\(position.line):\(position.column): error: \(message)" }
}

/// Every problem found in one definition file, in file order; never empty.
public struct DefinitionErrors: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems, sorted by position.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line, ready to print to standard error.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
