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

    /// Where `text` ends, counting lines as a YAML reader does (CR LF, CR, LF, NEL, LS and PS each
    /// end one). libyaml reports an error at the end of a file that lacks a final line break one
    /// line past the end; syntax errors are clamped to this, a place an editor can show.
    static func end(of text: String) -> SourcePosition {
        var line = 1
        var column = 1
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r":
                break
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                line += 1
                column = 1
            default:
                column += 1
            }
            previous = scalar
        }
        return SourcePosition(line: line, column: column)
    }

    /// This position, or the end of `text` when it lies beyond it.
    func clamped(to text: String) -> SourcePosition {
        let end = SourcePosition.end(of: text)
        return self > end ? end : self
    }
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

extension DefinitionErrors: DocketError {
    public var errorCode: String { "invalid_definition" }
    public var kind: FailureKind { .invalidInput }
}
