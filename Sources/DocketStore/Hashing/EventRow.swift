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

    /// SHA-256 over the canonical encoding of this row as if it sat at `position` (by default
    /// its own). Docs/store.md specifies the encoding byte for byte:
    ///
    ///     tag    = UTF-8 "docket.event.v1", then 0x00
    ///     int    = 'i' (0x69), then 8 bytes big-endian two's complement
    ///     text   = 's' (0x73), then the UTF-8 length as 8 bytes big-endian, then the UTF-8 bytes
    ///     null   = 'n' (0x6E)
    ///     fields = position, prev_hash, case_id, version, type, workflow_id, workflow_version,
    ///              actor, role, on_behalf_of, occurred_at, recorded_at, payload
    ///              and, from encoding 2 (tag "docket.event.v2"), principal
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
        let tag = Self.encodingTag(encoding)
        let principal = encoding >= 2 ? principal : nil
        // Lengths first, so the encoding is written into one buffer of the exact size.
        var size = tag.utf8.count + 1 + 5 * 9 + 6 * 9
        if encoding >= 2 { size += principal.map { 9 + $0.utf8.count } ?? 1 }
        size += prevHash.utf8.count + caseID.utf8.count + type.utf8.count + workflowID.utf8.count
        size += actor.utf8.count + payload.utf8.count
        size += role.map { 9 + $0.utf8.count } ?? 1
        size += onBehalfOf.map { 9 + $0.utf8.count } ?? 1
        // On the stack for an ordinary event (a heap buffer only for a large payload): this runs
        // for every event appended and every event verified.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            var at = 0
            func raw(_ text: String) {
                var text = text
                text.withUTF8 { utf8 in
                    if let source = utf8.baseAddress, utf8.count > 0 {
                        (buffer.baseAddress! + at).update(from: source, count: utf8.count)
                    }
                    at += utf8.count
                }
            }
            func bigEndian(_ bits: UInt64) {
                UnsafeMutableRawPointer(buffer.baseAddress! + at).storeBytes(of: bits.bigEndian, as: UInt64.self)
                at += 8
            }
            func int(_ value: Int64) {
                buffer[at] = UInt8(ascii: "i")
                at += 1
                bigEndian(UInt64(bitPattern: value))
            }
            func text(_ value: String?) {
                guard let value else {
                    buffer[at] = UInt8(ascii: "n")
                    at += 1
                    return
                }
                buffer[at] = UInt8(ascii: "s")
                at += 1
                bigEndian(UInt64(value.utf8.count))
                raw(value)
            }
            raw(tag)
            buffer[at] = 0
            at += 1
            int(position ?? self.position)
            text(prevHash)
            text(caseID)
            int(Int64(version))
            text(type)
            text(workflowID)
            int(Int64(workflowVersion))
            text(actor)
            text(role)
            text(onBehalfOf)
            int(occurredAt)
            int(recordedAt)
            text(payload)
            if encoding >= 2 { text(principal) }
            return body(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<at])))
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
