import DocketCore

/// What can be deployed into a store: workflow definitions, business calendars and the directory
/// of people and roles.
public enum ArtifactKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A workflow definition (YAML or JSON), keyed by workflow id and version.
    case workflow
    /// A business calendar, keyed by name and version.
    case calendar
    /// The directory of people, units and the roles they hold, keyed by name and version.
    case directory

    /// The table its deployments are kept in, and the column naming what is deployed: the same in
    /// every store's schema (SQLite's and PostgreSQL's migrations).
    package var deploymentTable: (name: String, id: String) {
        switch self {
        case .workflow: ("definitions", "workflow_id")
        case .calendar: ("calendars", "name")
        case .directory: ("directories", "name")
        }
    }

    /// How a person calls it in a message.
    public var noun: String {
        switch self {
        case .workflow: "workflow"
        case .calendar: "calendar"
        case .directory: "directory"
        }
    }
}

/// A deployed definition or calendar: its exact text, as deployed, and the SHA-256 of it.
public struct Deployment: Hashable, Sendable, Codable {
    public var kind: ArtifactKind
    /// The workflow id or calendar name.
    public var id: String
    public var version: Int
    /// The text exactly as deployed.
    public var content: String
    /// SHA-256 of `content`'s UTF-8 bytes, lowercase hex (what `sha256sum FILE` prints).
    public var contentHash: String
    /// When it was deployed (the store's clock).
    public var deployedAt: Timestamp

    public init(kind: ArtifactKind, id: String, version: Int, content: String, contentHash: String, deployedAt: Timestamp) {
        self.kind = kind
        self.id = id
        self.version = version
        self.content = content
        self.contentHash = contentHash
        self.deployedAt = deployedAt
    }

    /// Whether ``content`` still has the SHA-256 recorded when it was deployed: false when the
    /// text was changed behind Docket's back, and must then not decide anything.
    public var isIntact: Bool { ContentHash.sha256Hex(content) == contentHash }
}

/// What `deploy` did.
public struct DeployResult: Hashable, Sendable, Codable {
    /// The deployment now in the store (for an unchanged deploy: the one deployed before).
    public var deployment: Deployment
    /// False when the same content was already deployed under this id and version: a no-op.
    public var isNew: Bool

    public init(deployment: Deployment, isNew: Bool) {
        self.deployment = deployment
        self.isNew = isNew
    }
}

extension StoreError {
    package static func definitionChanged(_ kind: ArtifactKind, id: String, version: Int, deployedHash: String) -> StoreError {
        let what = "\(kind.noun) '\(id)'"
        return StoreError(
            .definitionChanged,
            "\(what) version \(version) is already deployed with different content (sha256 \(deployedHash.prefix(12))...); "
                + "a deployed version never changes: give the changed file a new version number.")
    }
}
