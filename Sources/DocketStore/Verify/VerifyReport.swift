/// The outcome of ``EventStore/verify()``: what was checked and every problem found.
public struct VerifyReport: Hashable, Sendable, Codable {
    /// Events walked.
    public var eventCount: Int
    /// Distinct cases seen.
    public var caseCount: Int
    /// Definitions and calendars re-hashed.
    public var deploymentCount: Int
    /// The position of the last event (0 for an empty log).
    public var headPosition: Int64
    /// The hash of the last event (64 zeros for an empty log). Recorded outside the database,
    /// it lets a later verify detect events deleted from the end of the log.
    public var headHash: String
    /// The problems found, in position order (problems with no position, such as a changed
    /// definition, come last). At most `ChainVerifier/maximumProblems` are listed.
    public var problems: [VerifyProblem]
    /// True when more problems were found than are listed.
    public var problemsTruncated: Bool

    /// True when nothing is wrong.
    public var isOK: Bool { problems.isEmpty }

    /// The first position at which the log is not as Docket wrote it.
    public var firstBadPosition: Int64? { problems.compactMap(\.position).min() }

    /// One line for people: "OK: ..." or the first problem.
    public var summary: String {
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1)\(problemsTruncated ? "+" : "") more problems)" : ""
            return "FAILED: \(first.message)\(more)"
        }
        return "OK: \(eventCount) events in \(caseCount) cases, hash chain intact up to position \(headPosition) "
            + "(head \(headHash.prefix(16))...), \(deploymentCount) deployments match their hashes"
    }

    public init(
        eventCount: Int, caseCount: Int, deploymentCount: Int, headPosition: Int64, headHash: String,
        problems: [VerifyProblem], problemsTruncated: Bool
    ) {
        self.eventCount = eventCount
        self.caseCount = caseCount
        self.deploymentCount = deploymentCount
        self.headPosition = headPosition
        self.headHash = headHash
        self.problems = problems
        self.problemsTruncated = problemsTruncated
    }
}

/// One way in which the log differs from what Docket wrote.
public struct VerifyProblem: Hashable, Sendable, Codable {
    /// What is wrong. The raw values are stable (`docket verify --json` prints them).
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// An event's content no longer matches its hash: a column (such as the payload) was edited.
        case eventEdited = "event_edited"
        /// Positions are missing: rows were deleted.
        case eventsDeleted = "events_deleted"
        /// An intact event sits at another position than it was recorded at: rows were
        /// reordered, or renumbered after a deletion.
        case eventMoved = "event_moved"
        /// An event does not chain to the one before it, which was replaced (hash recomputed).
        case chainBroken = "chain_broken"
        /// A case's versions do not run 1, 2, 3, ... in position order.
        case versionGap = "version_gap"
        /// An event of a case names another workflow version than the case's first event.
        case workflowChanged = "workflow_changed"
        /// A deployed definition or calendar no longer matches its hash.
        case deploymentChanged = "deployment_changed"
        /// Something refers to a position beyond the end of the log: events were deleted from its end.
        case logTruncated = "log_truncated"
        /// The event at a signed head's position has another hash than the one signed: the log
        /// was rewritten up to there (hashes recomputed), or replaced.
        case headRewritten = "head_rewritten"
        /// A signed head's signature does not verify with the trusted key, or names a key that
        /// is not trusted: the heads file itself was forged or damaged.
        case headSignatureInvalid = "head_signature_invalid"
        /// An event names a document's file that the attachment store does not hold.
        case attachmentMissing = "attachment_missing"
        /// A document's file in the attachment store no longer has the hash (or size) its event names.
        case attachmentDamaged = "attachment_damaged"
    }

    public var kind: Kind
    /// The first position concerned, when the problem is in the event log.
    public var position: Int64?
    /// The case concerned, if any.
    public var caseID: String?
    /// What is wrong, for people.
    public var message: String

    public init(kind: Kind, position: Int64?, caseID: String?, message: String) {
        self.kind = kind
        self.position = position
        self.caseID = caseID
        self.message = message
    }
}
