/// A place in a file a person wrote: 1-based line and column (columns count Unicode scalars).
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
    /// line past the end, and marks the node of an empty document there; positions are clamped to
    /// this, a place an editor can show.
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
}

/// One problem found in a file a person wrote (a workflow definition, a calendar, an activity
/// map), at the place they have to edit.
///
/// Its ``description`` is the compiler-style line `FILE:LINE:COLUMN: error: message` (or
/// `warning:`) that editors and CI logs turn into links.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// Whether the file is refused because of it.
    public enum Severity: String, Hashable, Sendable {
        /// The file cannot be used as written.
        case error
        /// Worth a look; on its own it does not stop the file from loading.
        case warning
    }

    /// The file as the caller named it (the loaders never open it).
    public var file: String
    /// Where the problem is.
    public var position: SourcePosition
    /// What is wrong and, where possible, what to write instead.
    public var message: String
    /// An error (the default) or a warning.
    public var severity: Severity

    public init(file: String, position: SourcePosition, message: String, severity: Severity = .error) {
        self.file = file
        self.position = position
        self.message = message
        self.severity = severity
    }

    public var description: String { "\(file):\(position.line):\(position.column): \(severity.rawValue): \(message)" }
}

/// Every problem found in the files a person wrote, the one error every loader of such files
/// throws (``DefinitionLoader``, ``CalendarLoader``, the service's activity maps): sorted by file
/// (in the order the files were given) and position, at least one of them an error.
public struct FileProblems: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems, errors and warnings alike.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// Only the errors.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// One diagnostic per line, ready to print to standard error.
    public var lines: [String] { diagnostics.map(\.description) }

    /// ``lines``, joined by line breaks.
    public var description: String { lines.joined(separator: "\n") }
}

extension FileProblems: DocketError {
    public var errorCode: String { "invalid_file" }
    public var kind: FailureKind { .invalidInput }
}
