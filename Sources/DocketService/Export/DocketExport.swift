/// What `docket export` writes for Docket's own cases beyond the activities, named once for the
/// exporter and for the replay that reads it back (`docket conform`, `docket import --workflow`).
package enum DocketExport {
    /// Activities of an exported trace that are Docket's bookkeeping, not transitions: the
    /// event types the export writes under their own names.
    package enum Bookkeeping: String, Sendable {
        /// The case's opening (`case_opened`): the trace's first event.
        case opening = "case_opened"
        /// A panel member's vote (`vote_cast`), with its ballot in ``DocketExport/voteAttribute``.
        case vote = "vote_cast"
        /// A deadline breach `tick` recorded (`deadline_breached`).
        case breach = "deadline_breached"
    }

    /// Trace attribute: where the case stood when it was exported (`CaseState.whereabouts`: the
    /// final state of a closed case; the state, with its branches', of a running one).
    package static let stateAttribute = "state"
    /// Trace attributes: the workflow and its version the case runs on.
    package static let workflowAttribute = "workflow"
    package static let workflowVersionAttribute = "workflow_version"
    /// Event attributes the replay reads.
    package static let voteAttribute = "vote"
    package static let branchAttribute = "branch"
    package static let onBehalfOfAttribute = "on_behalf_of"

    /// A trace attribute's name as a reader gives it on each event (pm4py's `case:` prefix, the
    /// CSV export's column).
    package static func caseAttribute(_ name: String) -> String { "case:" + name }

    /// The attributes a replay needs from a log (besides the data fields the definition declares,
    /// as event attributes and as trace attributes).
    package static func attributesReplayed(dataFields: [String]) -> Set<String> {
        var names: Set<String> = [voteAttribute, branchAttribute, onBehalfOfAttribute,
                                  caseAttribute(stateAttribute), caseAttribute(workflowAttribute), caseAttribute(workflowVersionAttribute)]
        for field in dataFields {
            names.insert(field)
            names.insert(caseAttribute(field))
        }
        return names
    }
}
