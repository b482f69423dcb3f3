/// What `deploy` did with one file (`deploy --format json`).
package struct DeploymentView: Encodable, Sendable {
    /// `workflow` or `calendar`.
    package var kind: String
    package var id: String
    package var version: Int
    package var file: String
    /// `deployed`, or `unchanged` when the same text was already deployed under that version.
    package var status: String
    /// For a new workflow version: the version it is compared with.
    package var previousVersion: Int?
    /// The separation-of-duties rules of the previous version this one drops.
    package var droppedRules: [String]
    package var warnings: [String]

    package init(_ outcome: DeploymentOutcome) {
        kind = outcome.artifact.file.kind.rawValue
        id = outcome.artifact.id
        version = outcome.artifact.version
        file = outcome.artifact.file.path
        status = outcome.isNew ? "deployed" : "unchanged"
        previousVersion = outcome.previousVersion
        droppedRules = outcome.droppedRules
        warnings = outcome.warnings
    }
}
