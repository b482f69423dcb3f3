import Yams

/// Reading Docket's YAML files (definitions, calendars, activity maps) into node trees.
public enum YAMLText {
    /// The node tree of `text`'s first document, or nil for an empty text.
    ///
    /// Scalars keep their text: Docket reads every value itself (numbers with `Int(_:)`, flags
    /// with ``Node/scalarBool``, nulls by spelling), so the tags Yams would resolve with its
    /// default rules are never used, and compiling those regular expressions took about a
    /// millisecond of every command (Docs/performance.md).
    public static func compose(_ text: String) throws -> Node? {
        try Yams.compose(yaml: text, .basic)
    }
}

extension Node {
    /// A YAML 1.1 boolean written as a plain scalar (`true`, `yes`, `on`, `false`, `no`, `off`, in
    /// lower case, capitalised or upper case, as Yams's default rules accept them); nil for
    /// anything else, a quoted `"true"` included.
    public var scalarBool: Bool? {
        guard let scalar, scalar.style == .plain || scalar.style == .any else { return nil }
        switch scalar.string {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }
}
