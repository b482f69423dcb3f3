import DocketCore

/// The checks of ``EventStore/verify()``, fed one stored row at a time in position order, so
/// that every implementation verifies alike and memory grows with the number of cases, not
/// of events.
package struct ChainVerifier {
    /// How many problems a report lists; a damaged log could otherwise produce millions.
    static let maximumProblems = 100
    /// How many edited rows get the (full-scan) diagnosis "moved from another position".
    static let maximumMoveDiagnoses = 10

    /// Finds the position of the event whose stored hash is the given one, for diagnosing a
    /// moved row; may scan the whole log, so it is called for the first few problems only.
    let positionOfHash: (String) throws -> Int64?

    private(set) var eventCount = 0
    private var expectedPosition: Int64 = 1
    private var previousHash = ContentHash.genesis
    private var previousRowHadProblem = false
    private var cases: [String: CaseProgress] = [:]
    private var workflows: [WorkflowPin: Int32] = [:]
    private var problems: [VerifyProblem] = []
    private var problemsTruncated = false
    private var moveDiagnoses = 0
    private var lastPosition: Int64 = 0

    private struct WorkflowPin: Hashable {
        var id: String
        var version: Int
    }

    private struct CaseProgress {
        var version: Int
        var workflow: Int32
    }

    package init(positionOfHash: @escaping (String) throws -> Int64?) {
        self.positionOfHash = positionOfHash
    }

    /// Checks the next row of the log.
    package mutating func consume(_ row: EventRow) throws {
        eventCount += 1
        lastPosition = row.position
        var rowHasProblem = false
        var gapBefore = false

        if row.position > expectedPosition {
            gapBefore = true
            let missing = row.position - expectedPosition
            let range = missing == 1 ? "position \(expectedPosition) is" : "positions \(expectedPosition)...\(row.position - 1) are"
            report(VerifyProblem(
                kind: .eventsDeleted, position: expectedPosition, caseID: nil,
                message: "event \(range) missing from the log (the next event is at \(row.position)): rows were deleted."))
        }
        expectedPosition = max(expectedPosition, row.position + 1)

        if row.computedHash() != row.hash {
            rowHasProblem = true
            if let origin = try recordedPosition(of: row) {
                report(VerifyProblem(
                    kind: .eventMoved, position: row.position, caseID: row.caseID,
                    message: "the event at position \(row.position) (case '\(row.caseID)', version \(row.version)) was recorded at position \(origin): rows were reordered or renumbered."))
            } else {
                report(VerifyProblem(
                    kind: .eventEdited, position: row.position, caseID: row.caseID,
                    message: "the event at position \(row.position) (case '\(row.caseID)', version \(row.version)) does not match its hash: its payload or another column was edited after it was recorded."))
            }
        } else if row.prevHash != previousHash && !gapBefore && !previousRowHadProblem {
            rowHasProblem = true
            report(VerifyProblem(
                kind: .chainBroken, position: row.position - 1, caseID: nil,
                message: "the event at position \(row.position) does not chain to the event at position \(row.position - 1): that event was replaced or rewritten (with its hash recomputed)."))
        }

        let pin = WorkflowPin(id: row.workflowID, version: row.workflowVersion)
        let pinIndex: Int32
        if let known = workflows[pin] {
            pinIndex = known
        } else {
            pinIndex = Int32(workflows.count)
            workflows[pin] = pinIndex
        }
        let last = cases[row.caseID]
        let lastVersion = last?.version ?? 0
        if row.version != lastVersion + 1 && !rowHasProblem {
            rowHasProblem = true
            let what = lastVersion == 0
                ? "starts at version \(row.version)"
                : "goes from version \(lastVersion) to version \(row.version)"
            report(VerifyProblem(
                kind: .versionGap, position: row.position, caseID: row.caseID,
                message: "case '\(row.caseID)' \(what) at position \(row.position): its events are missing or out of order."))
        }
        if let last, last.workflow != pinIndex, !rowHasProblem {
            rowHasProblem = true
            report(VerifyProblem(
                kind: .workflowChanged, position: row.position, caseID: row.caseID,
                message: "the event at position \(row.position) puts case '\(row.caseID)' on workflow '\(row.workflowID)' version \(row.workflowVersion), but the case is pinned to another version."))
        }
        cases[row.caseID] = CaseProgress(version: max(lastVersion, row.version), workflow: last?.workflow ?? pinIndex)

        // Chain on the stored hash, so that one edited row is one problem, not a cascade.
        previousHash = row.hash
        previousRowHadProblem = rowHasProblem || gapBefore
    }

    /// Checks a deployment's content against its stored hash.
    package mutating func consume(_ deployment: Deployment) {
        if ContentHash.sha256Hex(deployment.content) != deployment.contentHash {
            let what = deployment.kind == .workflow ? "workflow definition" : deployment.kind.noun
            report(VerifyProblem(
                kind: .deploymentChanged, position: nil, caseID: nil,
                message: "the deployed \(what) '\(deployment.id)' version \(deployment.version) does not match its hash: its content was changed after it was deployed."))
        }
    }

    /// Checks a position something outside the log refers to (an idempotency key, a checkpoint).
    package mutating func consumeReference(_ position: Int64, from what: String) {
        if position > lastPosition {
            report(VerifyProblem(
                kind: .logTruncated, position: lastPosition + 1, caseID: nil,
                message: "\(what) refers to position \(position), but the log ends at position \(lastPosition): events were deleted from the end of the log."))
        }
    }

    /// The report, once every row, deployment and reference has been consumed.
    package func report(deploymentCount: Int) -> VerifyReport {
        let ordered = problems.enumerated().sorted { a, b in
            switch (a.element.position, b.element.position) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
        return VerifyReport(
            eventCount: eventCount, caseCount: cases.keys.filter { !CaseID.isReserved($0) }.count, deploymentCount: deploymentCount,
            headPosition: lastPosition, headHash: previousHash, problems: ordered,
            problemsTruncated: problemsTruncated)
    }

    private mutating func report(_ problem: VerifyProblem) {
        if problems.count < Self.maximumProblems {
            problems.append(problem)
        } else {
            problemsTruncated = true
        }
    }

    /// The position `row` was recorded at, if it is an intact event sitting elsewhere: its
    /// prev_hash names its recorded predecessor, and its hash matches at the position after it.
    private mutating func recordedPosition(of row: EventRow) throws -> Int64? {
        guard moveDiagnoses < Self.maximumMoveDiagnoses else { return nil }
        moveDiagnoses += 1
        let predecessor: Int64? = row.prevHash == ContentHash.genesis ? 0 : try positionOfHash(row.prevHash)
        if let predecessor, predecessor + 1 != row.position, row.computedHash(atPosition: predecessor + 1) == row.hash {
            return predecessor + 1
        }
        // The predecessor itself may be gone (deleted, then the rest renumbered): try the
        // positions nearby.
        for distance in Int64(1)...Self.renumberingReach {
            for origin in [row.position + distance, row.position - distance] where origin >= 1 {
                if row.computedHash(atPosition: origin) == row.hash { return origin }
            }
        }
        return nil
    }

    /// How far from its position a moved row is looked for when its predecessor is gone.
    static let renumberingReach: Int64 = 16
}
