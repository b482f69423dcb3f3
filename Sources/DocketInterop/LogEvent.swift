import DocketCore

/// One event of an imported log: what happened (`activity`) in which case, when, and by whom.
///
/// Field names follow the XES standard extensions; the comments name the XES key and the
/// Disco-style CSV column each one is read from.
public struct LogEvent: Sendable, Hashable {
    /// The case (`concept:name` of the trace; CSV `case:concept:name` or `Case ID`). Always a
    /// string, even when it looks like a number or reads `NA`.
    public var caseID: String
    /// The activity (`concept:name`; CSV `Activity`).
    public var activity: String
    /// When the event happened (`time:timestamp`; CSV `Complete Timestamp`).
    public var timestamp: Timestamp
    /// The lifecycle transition as written (`lifecycle:transition`), e.g. `start` or `complete`.
    public var lifecycle: String?
    /// Who did it (`org:resource`; CSV `Resource`).
    public var resource: String?
    /// The department or group (`org:group`).
    public var group: String?
    /// The role (`org:role`).
    public var role: String?
    /// The activity instance that pairs start and complete events (`concept:instance`).
    public var instance: String?
    /// When the activity instance started, for logs that put it on the event (`start_timestamp`).
    public var startTimestamp: Timestamp?
    /// Every other attribute as text, keyed by name; filled only when the reader is asked to.
    public var attributes: [String: String]

    public init(
        caseID: String, activity: String, timestamp: Timestamp,
        lifecycle: String? = nil, resource: String? = nil, group: String? = nil, role: String? = nil,
        instance: String? = nil, startTimestamp: Timestamp? = nil, attributes: [String: String] = [:]
    ) {
        self.caseID = caseID
        self.activity = activity
        self.timestamp = timestamp
        self.lifecycle = lifecycle
        self.resource = resource
        self.group = group
        self.role = role
        self.instance = instance
        self.startTimestamp = startTimestamp
        self.attributes = attributes
    }
}
