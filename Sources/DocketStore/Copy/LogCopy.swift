import DocketCore

/// An idempotency key as stored: what a retried command is answered from.
package struct IdempotencyRecord: Hashable, Sendable {
    package var key: String
    package var fingerprint: String
    package var caseID: String
    package var firstPosition: Int64?
    package var lastPosition: Int64?
    package var recordedAt: Int64

    package init(key: String, fingerprint: String, caseID: String, firstPosition: Int64?, lastPosition: Int64?, recordedAt: Int64) {
        self.key = key
        self.fingerprint = fingerprint
        self.caseID = caseID
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.recordedAt = recordedAt
    }
}

/// A store a log can be copied out of and into row for row: positions, hashes, encodings,
/// recording times and deployment times kept, so that the copy is the same record and verifies
/// with the same head. SQLite and PostgreSQL both are; ``LogCopy`` moves a log between them.
package protocol CopyableLog: EventStore {
    /// Where the log is, for messages (never with a password).
    var locationDescription: String { get }
    /// At most `limit` stored rows after `position`, exactly as stored.
    func rows(after position: Int64, limit: Int) throws -> [EventRow]
    /// Appends rows recorded elsewhere, as they are, in one transaction: the first must follow
    /// the log's head (position and hash), each the one before it.
    func appendRecorded(_ rows: [EventRow]) throws
    /// Stores a deployment made elsewhere, its time kept (nothing when the same one is there).
    func insertRecorded(_ deployment: Deployment) throws
    /// Every idempotency key, by key.
    func idempotencyRecords() throws -> [IdempotencyRecord]
    /// Stores idempotency keys recorded elsewhere.
    func insertRecorded(_ keys: [IdempotencyRecord]) throws
}

/// What a copy moved.
package struct LogCopyResult: Sendable {
    package var events: Int
    package var deployments: Int
    package var idempotencyKeys: Int
    package var signedHeads: Int
    /// The head both logs end at.
    package var headPosition: Int64
    package var headHash: String
}

/// Copies a whole log from one store to another (`docket copy`): deployments, events with their
/// positions and hashes, idempotency keys and signed heads. Projection checkpoints are not
/// copied: the destination builds its projections from its own log.
package enum LogCopy {
    /// Rows moved per transaction.
    static let page = 5_000

    /// Copies `source` into `destination`, which must hold no event and no deployment. The
    /// source is verified first (a damaged log is not copied), the destination after.
    ///
    /// - Parameter progress: called with the events copied so far.
    /// - Throws: ``StoreError/Code/invalidArgument`` when the destination is not empty;
    ///   ``StoreError/Code/corrupt`` when either log does not verify.
    package static func copy(from source: some CopyableLog, to destination: some CopyableLog,
                             progress: (Int64) -> Void = { _ in }) throws -> LogCopyResult {
        let destinationDeployments = try ArtifactKind.allCases.reduce(0) { $0 + (try destination.deployments($1).count) }
        guard try destination.lastPosition() == 0, destinationDeployments == 0 else {
            throw StoreError(.invalidArgument, "\(destination.locationDescription) already holds a log (events or deployments): copy only into an empty one, so that no record is merged into another")
        }
        let sourceReport = try source.verify()
        guard sourceReport.isOK else {
            throw StoreError(.corrupt, "\(source.locationDescription) does not verify (first bad position \(sourceReport.firstBadPosition.map(String.init) ?? "-")): nothing was copied. Run docket verify on it.")
        }
        var deployments = 0
        for kind in ArtifactKind.allCases {
            for deployment in try source.deployments(kind) {
                try destination.insertRecorded(deployment)
                deployments += 1
            }
        }
        var after: Int64 = 0
        var events = 0
        while true {
            let rows = try source.rows(after: after, limit: page)
            guard let last = rows.last else { break }
            try destination.appendRecorded(rows)
            events += rows.count
            after = last.position
            progress(after)
        }
        let keys = try source.idempotencyRecords()
        try destination.insertRecorded(keys)
        let heads = try source.signedHeads()
        for head in heads { try destination.recordSignedHead(head) }
        let report = try destination.verify()
        guard report.isOK, report.headHash == sourceReport.headHash, report.headPosition == sourceReport.headPosition else {
            throw StoreError(.corrupt, "the copy at \(destination.locationDescription) does not verify as its source did (head \(report.headPosition) \(report.headHash.prefix(12)) against \(sourceReport.headPosition) \(sourceReport.headHash.prefix(12))): do not use it.")
        }
        return LogCopyResult(events: events, deployments: deployments, idempotencyKeys: keys.count, signedHeads: heads.count,
                             headPosition: report.headPosition, headHash: report.headHash)
    }

    /// Checks that `rows` continue a log whose head is (`position`, `hash`), one after another.
    package static func checkContinuation(_ rows: [EventRow], head: (position: Int64, hash: String), into location: String) throws {
        var head = head
        for row in rows {
            guard row.position == head.position + 1, row.prevHash == head.hash else {
                throw StoreError(.invalidArgument, "the event at position \(row.position) does not follow the head of \(location) (position \(head.position)): rows are copied in order into an empty log only")
            }
            guard row.computedHash() == row.hash else {
                throw StoreError(.corrupt, "the event at position \(row.position) does not match its hash: it is not copied.")
            }
            head = (row.position, row.hash)
        }
    }
}
