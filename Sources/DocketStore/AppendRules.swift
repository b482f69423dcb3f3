import DocketCore

/// The checks every store makes before appending, so that each implementation refuses the
/// same inputs with the same errors.
package enum AppendRules {
    /// Checks the arguments that do not depend on the log: ids, expected version, that every
    /// event belongs to `caseID` and that they share one workflow version.
    package static func checkArguments(_ append: CaseAppend) throws {
        guard !append.caseID.isEmpty else {
            throw StoreError(.invalidArgument, "a case id cannot be empty.")
        }
        guard append.expectedVersion >= 0 else {
            throw StoreError(
                .invalidArgument,
                "expected version \(append.expectedVersion) is negative; use 0 for a new case.",
                caseID: append.caseID)
        }
        if let key = append.idempotency, key.key.isEmpty {
            throw StoreError(.invalidArgument, "an idempotency key cannot be empty.", caseID: append.caseID)
        }
        for (index, event) in append.events.enumerated() {
            guard event.caseID == append.caseID else {
                throw StoreError(
                    .invalidEvent,
                    "event \(index + 1) of the command is for case '\(event.caseID)', but it is being appended to case '\(append.caseID)'.",
                    caseID: append.caseID)
            }
            guard !event.workflowID.isEmpty, event.workflowVersion >= 1 else {
                throw StoreError(
                    .invalidEvent,
                    "event \(index + 1) of the command names workflow '\(event.workflowID)' version \(event.workflowVersion); "
                        + "a workflow id must not be empty and versions start at 1.",
                    caseID: append.caseID)
            }
            guard !event.actor.isEmpty else {
                throw StoreError(.invalidEvent, "event \(index + 1) of the command has no actor.", caseID: append.caseID)
            }
        }
    }

    /// Checks the append against the case as the log has it: the expected version, and that
    /// the events stay on the workflow version the case is pinned to.
    ///
    /// - Parameter current: the case's current version and workflow, nil when it does not exist.
    package static func checkAgainstCase(
        _ append: CaseAppend, current: (version: Int, workflowID: String, workflowVersion: Int)?
    ) throws {
        let actual = current?.version ?? 0
        guard actual == append.expectedVersion else {
            throw StoreError.conflict(caseID: append.caseID, expected: append.expectedVersion, actual: actual)
        }
        guard let pin = current.map({ ($0.workflowID, $0.workflowVersion) })
            ?? append.events.first.map({ ($0.workflowID, $0.workflowVersion) })
        else { return }
        for (index, event) in append.events.enumerated()
        where event.workflowID != pin.0 || event.workflowVersion != pin.1 {
            throw StoreError(
                .invalidEvent,
                "event \(index + 1) of the command is for workflow '\(event.workflowID)' version \(event.workflowVersion), "
                    + "but case '\(append.caseID)' is pinned to '\(pin.0)' version \(pin.1).",
                caseID: append.caseID)
        }
    }

    /// Checks the arguments of `deploy`.
    package static func checkDeploy(_ kind: ArtifactKind, id: String, version: Int) throws {
        guard !id.isEmpty else {
            throw StoreError(.invalidArgument, "a \(kind == .workflow ? "workflow id" : "calendar name") cannot be empty.")
        }
        guard version >= 1 else {
            throw StoreError(.invalidArgument, "\(kind.rawValue) '\(id)' has version \(version); versions start at 1.")
        }
    }
}
