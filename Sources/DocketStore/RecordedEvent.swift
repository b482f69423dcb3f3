import DocketCore

/// An event as the log holds it: the `CaseEvent` plus what the store gave it on append, its
/// global position, its version within the case, when it was recorded and its place in the
/// hash chain.
///
/// The event's own fields read through: `recorded.caseID`, `recorded.type`, `recorded.payload`.
@dynamicMemberLookup
public struct RecordedEvent: Hashable, Sendable, Codable {
    /// Where the event sits in the whole log: 1, 2, 3, ... in the order the store appended them.
    public var position: Int64
    /// The event's number within its case: 1 for the first, then 2, 3, ... without gaps.
    public var version: Int
    /// When the store appended it (the injected clock), as opposed to the business time
    /// `occurredAt`.
    public var recordedAt: Timestamp
    /// The hash of the event at `position - 1` (64 zeros for the first event), lowercase hex.
    public var prevHash: String
    /// SHA-256 of this event's canonical encoding (Docs/store.md), lowercase hex.
    public var hash: String
    /// The event as the engine produced it.
    public var event: CaseEvent
    /// Who was authenticated when the event was recorded; nil for events recorded before Docket
    /// recorded principals (encoding 1) or by a library caller that named none.
    public var principal: Principal?

    public init(position: Int64, version: Int, recordedAt: Timestamp, prevHash: String, hash: String, event: CaseEvent,
                principal: Principal? = nil) {
        self.position = position
        self.version = version
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
        self.event = event
        self.principal = principal
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<CaseEvent, Value>) -> Value {
        event[keyPath: keyPath]
    }
}

/// What the store knows about a case without reading its events: its workflow and how far it got.
public struct CaseHeader: Hashable, Sendable, Codable {
    /// The case's id.
    public var caseID: String
    /// The workflow the case is pinned to (from its first event).
    public var workflowID: String
    /// The workflow version the case started on; it never changes.
    public var workflowVersion: Int
    /// The case's current version: the number of events it has.
    public var version: Int
    /// The business time of the case's first event.
    public var openedAt: Timestamp

    public init(caseID: String, workflowID: String, workflowVersion: Int, version: Int, openedAt: Timestamp) {
        self.caseID = caseID
        self.workflowID = workflowID
        self.workflowVersion = workflowVersion
        self.version = version
        self.openedAt = openedAt
    }
}

/// A key that makes a command safe to retry: the first append under a key is recorded, and a
/// retry with the same key and fingerprint gets that first result back, appending nothing.
///
/// The fingerprint identifies the *command* (case, event, actor, role, documents, an explicit
/// `--at` ...), not the events it produced: a retry decided later produces events with other
/// timestamps, yet is the same command. Use ``init(key:command:)`` to fingerprint an
/// `Encodable` description of the command.
public struct IdempotencyKey: Hashable, Sendable, Codable {
    /// The caller's key (e.g. `fire ... --key K`), unique per command across the whole log.
    public var key: String
    /// A digest of the command the key was first used for.
    public var fingerprint: String

    public init(key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }

    /// A key whose fingerprint is the SHA-256 of `command`'s canonical JSON (sorted keys).
    public init(key: String, command: some Encodable) throws {
        self.key = key
        self.fingerprint = ContentHash.sha256Hex(try CanonicalJSON.encode(command))
    }
}

/// One case's share of an append: the events, the version the writer expects the case to be at
/// (0 for a new case), an optional idempotency key, and the principal who gave the command.
public struct CaseAppend: Hashable, Sendable {
    public var caseID: String
    public var expectedVersion: Int
    public var events: [CaseEvent]
    public var idempotency: IdempotencyKey?
    /// Who was authenticated when the command was given: recorded on every event of the append.
    public var principal: Principal?

    public init(caseID: String, expectedVersion: Int, events: [CaseEvent], idempotency: IdempotencyKey? = nil,
                principal: Principal? = nil) {
        self.caseID = caseID
        self.expectedVersion = expectedVersion
        self.events = events
        self.idempotency = idempotency
        self.principal = principal
    }
}

/// What an append did: the events as recorded, and whether they were recorded just now or
/// returned from an earlier append with the same idempotency key.
public struct AppendResult: Hashable, Sendable, Codable {
    /// The recorded events, in version order (empty when the command produced none).
    public var events: [RecordedEvent]
    /// True when an earlier append with the same idempotency key and fingerprint was found:
    /// ``events`` are that append's events, and nothing new was appended.
    public var isReplay: Bool

    public init(events: [RecordedEvent], isReplay: Bool) {
        self.events = events
        self.isReplay = isReplay
    }
}
