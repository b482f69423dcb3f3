/// A workflow definition as cases are pinned to it: its id and version.
public struct WorkflowKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The workflow's id (`workflow:`).
    public var id: String
    /// The definition's version (`version:`).
    public var version: Int

    /// Creates the value from its parts.
    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }

    public static func < (lhs: WorkflowKey, rhs: WorkflowKey) -> Bool {
        (lhs.id, lhs.version) < (rhs.id, rhs.version)
    }

    /// `permit-check v1`.
    public var description: String { "\(id) v\(version)" }
}
