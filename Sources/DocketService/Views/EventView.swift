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
    /// The files of the documents supplied: SHA-256, size, media type (`GET /v1/attachments/{sha256}`).
    package var attachments: [AttachmentView]?
    /// On a correction or void: the version of the event it concerns.
    package var corrects: Int?
    /// On a correction: the corrected business time and actor.
    package var correctedAt: String?
    package var correctedActor: String?
    /// The versions of the corrections of this event, when it was corrected (``history(_:time:)``).
    package var correctedBy: [Int]?
    /// The version of the void that took this event out of the case's course.
    package var voidedBy: Int?
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
        attachments = payload.attachments?.map(AttachmentView.init)
        corrects = payload.corrects
        correctedAt = payload.correctedAt.map { time($0) }
        correctedActor = event.type == .eventCorrected ? payload.person : nil
        hash = recorded.hash
    }

    /// A case's events as recorded, each marked with the corrections and the void that concern it.
    package static func history(_ events: [RecordedEvent], time: TimeText) -> [EventView] {
        let resolved = CaseHistory(events.map(\.event))
        return zip(events, resolved.entries).map { recorded, entry in
            var view = EventView(recorded, time: time)
            view.correctedBy = entry.correctedBy.isEmpty ? nil : entry.correctedBy
            view.voidedBy = entry.voidedBy
            return view
        }
    }
}

/// A document's file as an event records it.
package struct AttachmentView: Encodable, Sendable {
    package var document: String
    package var sha256: String
    package var size: Int64
    package var mediaType: String

    package init(_ attachment: DocumentAttachment) {
        document = attachment.document
        sha256 = attachment.sha256
        size = attachment.size
        mediaType = attachment.mediaType
    }
}
