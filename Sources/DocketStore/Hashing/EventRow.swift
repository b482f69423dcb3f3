import Crypto
import DocketCore
import Foundation

/// One row of the events table, column for column, with the payload as the exact JSON text
/// stored. This is what the hash covers and what `verify` re-hashes; ``RecordedEvent`` is the
/// decoded view of it.
package struct EventRow: Hashable, Sendable {
    package var position: Int64
    package var caseID: String
    package var version: Int
    package var type: String
    package var workflowID: String
    package var workflowVersion: Int
    package var payload: String
    package var actor: String
    package var role: String?
    package var onBehalfOf: String?
    package var occurredAt: Int64
    package var recordedAt: Int64
    package var prevHash: String
    package var hash: String
    /// The canonical encoding the hash was computed with: 1 for rows written before the
    /// principal was recorded, 2 for every row written since (Docs/store.md).
    package var encoding: Int
    /// Who was authenticated when the row was recorded (`Principal.recorded`); encoding 2 only.
    package var principal: String?

    /// The encoding every new row is written with.
    package static let currentEncoding = 2

    /// The row for `event`, appended at `position` as the case's `version`, chained to
    /// `prevHash`, recorded by `principal`; its hash is computed here (current encoding).
    package init(event: CaseEvent, position: Int64, version: Int, recordedAt: Timestamp, prevHash: String,
         principal: Principal?, coder: inout PayloadCoder) throws {
        self.position = position
        self.caseID = event.caseID
        self.version = version
        self.type = event.type.rawValue
        self.workflowID = event.workflowID
        self.workflowVersion = event.workflowVersion
        self.payload = try coder.encode(event.payload)
        self.actor = event.actor
        self.role = event.role
        self.onBehalfOf = event.onBehalfOf
        self.occurredAt = event.occurredAt.microseconds
        self.recordedAt = recordedAt.microseconds
        self.prevHash = prevHash
        self.hash = ""
        self.encoding = Self.currentEncoding
        self.principal = principal?.recorded
        self.hash = computedHash()
    }

    package init(
        position: Int64, caseID: String, version: Int, type: String, workflowID: String, workflowVersion: Int,
        payload: String, actor: String, role: String?, onBehalfOf: String?, occurredAt: Int64, recordedAt: Int64,
        prevHash: String, hash: String, encoding: Int = 1, principal: String? = nil
    ) {
        self.position = position
        self.caseID = caseID
        self.version = version
        self.type = type
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.payload = payload
        self.actor = actor
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
        self.encoding = encoding
        self.principal = principal
    }

    /// The domain tag that starts an event's canonical encoding; a new encoding gets a new tag.
    static func encodingTag(_ encoding: Int) -> String { encoding == 1 ? "docket.event.v1" : "docket.event.v2" }

    /// SHA-256 over the canonical encoding (``CanonicalEncoding``, Docs/store.md) of this row as
    /// if it sat at `position` (by default its own).
    package func computedHash(atPosition position: Int64? = nil, algorithm: HashAlgorithm = .sha256) -> String {
        withCanonicalEncoding(atPosition: position) { algorithm.hexDigest($0) }
    }

    /// Whether ``hash`` is ``computedHash(atPosition:algorithm:)`` (compared without writing the
    /// computed one out as text).
    package func hashMatches(algorithm: HashAlgorithm = .sha256) -> Bool {
        withCanonicalEncoding(atPosition: nil) { algorithm.digest(of: $0, isHex: hash) }
    }

    /// Calls `body` with the canonical encoding of this row at `position` (by default its own).
    private func withCanonicalEncoding<T>(atPosition position: Int64?, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let fields = CanonicalEncoding(
            encoding: encoding, position: position ?? self.position, prevHash: prevHash, caseID: caseID, version: Int64(version),
            type: type, workflowID: workflowID, workflowVersion: Int64(workflowVersion), actor: actor, role: role,
            onBehalfOf: onBehalfOf, occurredAt: occurredAt, recordedAt: recordedAt, payload: payload, principal: principal)
        // On the stack for an ordinary event (a heap buffer only for a large payload): this runs
        // for every event appended and every event verified.
        return withUnsafeTemporaryAllocation(byteCount: fields.count, alignment: 1) { buffer in
            body(UnsafeRawBufferPointer(rebasing: buffer[..<fields.write(into: buffer)]))
        }
    }

    /// The decoded event; a row Docket did not write (unknown type, payload that is not an
    /// ``EventPayload``) is reported as ``StoreError/Code/corrupt``.
    package func recordedEvent() throws -> RecordedEvent {
        var coder = PayloadCoder()
        return try recordedEvent(coder: &coder)
    }

    /// ``recordedEvent()`` with a coder reused across rows.
    package func recordedEvent(coder: inout PayloadCoder) throws -> RecordedEvent {
        guard let eventType = CaseEventType(rawValue: type) else {
            throw Self.unknownType(type, position: position, caseID: caseID)
        }
        let decodedPayload: EventPayload
        do {
            decodedPayload = try coder.decode(payload)
        } catch {
            throw Self.invalidPayload(error, position: position, caseID: caseID)
        }
        let event = CaseEvent(
            caseID: caseID, type: eventType, workflowID: workflowID, workflowVersion: workflowVersion,
            actor: actor, role: role, onBehalfOf: onBehalfOf,
            occurredAt: Timestamp(microseconds: occurredAt), payload: decodedPayload)
        return RecordedEvent(
            position: position, version: version, recordedAt: Timestamp(microseconds: recordedAt),
            prevHash: prevHash, hash: hash, event: event, principal: principal.flatMap(Principal.init(recorded:)))
    }

    package static func unknownType(_ type: String, position: Int64, caseID: String) -> StoreError {
        StoreError(
            .corrupt,
            "event at position \(position) has type '\(type)', which this docket does not know: "
                + "the database was written by a newer docket, or edited by hand (run `docket verify`).",
            caseID: caseID)
    }

    package static func invalidPayload(_ error: any Error, position: Int64, caseID: String) -> StoreError {
        StoreError(
            .corrupt,
            "event at position \(position) has a payload that is not a valid event payload (\(error)); "
                + "the database was edited by hand (run `docket verify`).",
            caseID: caseID)
    }
}
