import DocketCore
import DocketStore

/// One recorded event (`history`, the events a command recorded, `tick`, the event stream).
package struct EventView: Encodable, Sendable {
    package var position: Int64
    package var version: Int
    package var type: String
    package var occurredAt: String
    package var recordedAt: String
    package var actor: String
    package var role: String?
    package var onBehalfOf: String?
    /// Who was authenticated when it was recorded (`os:root`, `jwt:li.wei`); absent on events
    /// recorded before Docket recorded principals.
    package var principal: String?
    package var workflow: String
    package var workflowVersion: Int
    package var transition: String?
    package var from: String?
    package var to: String?
    package var region: String?
    package var branch: String?
    package var documents: [String]?
    package var reason: String?
    package var vote: String?
    package var outcome: String?
    package var dueAt: String?
    package var data: [String: String]?
    /// True when the command was dated more than ten minutes ahead of the clock on purpose
    /// (`--allow-future`); absent otherwise.
    package var futureAllowed: Bool?
    package var hash: String

    package init(_ recorded: RecordedEvent, time: TimeText) {
        let event = recorded.event
        let payload = event.payload
        position = recorded.position
        version = recorded.version
        type = event.type.rawValue
        occurredAt = time(event.occurredAt)
        recordedAt = time(recorded.recordedAt)
        actor = event.actor
        role = event.role
        onBehalfOf = event.onBehalfOf
        principal = recorded.principal?.recorded
        workflow = event.workflowID
        workflowVersion = event.workflowVersion
        transition = payload.transition
        from = payload.from
        to = payload.to
        region = payload.region
        branch = payload.branch
        documents = payload.documents
        reason = payload.reason
        vote = payload.vote
        outcome = payload.outcome
        dueAt = payload.dueAt.map { time($0) }
        data = payload.data
        futureAllowed = payload.futureAllowed
        hash = recorded.hash
    }
}
