/// A request to correct the record of a case: amend an earlier event's facts, or void a mistaken
/// act. Like a ``Command``, it is decided (``Correction/decide(_:history:context:)``) into the one
/// event that records it, or refused; unlike one, it is decided on the case's history (the events
/// it names), not only on its state.
public enum Correction: Hashable, Sendable {
    /// Record corrected facts of an earlier event.
    case amend(Amendment)
    /// Take a mistaken act (and what it set off) out of the case's course.
    case void(VoidAct)

    /// The case the correction is about.
    public var caseID: String {
        switch self {
        case let .amend(a): a.caseID
        case let .void(v): v.caseID
        }
    }

    /// The person recording it.
    public var actor: String {
        switch self {
        case let .amend(a): a.actor
        case let .void(v): v.actor
        }
    }

    /// The directory role that records corrections (`Docs/directory.md`).
    public static let correctorRole = "corrector"

    /// The correcting event, or why the correction is refused.
    ///
    /// - Parameters:
    ///   - correction: what is corrected or voided, by whom, and why.
    ///   - history: the case's events as recorded, in version order.
    ///   - context: the definition the case is pinned to (for the documents its acts required).
    public static func decide(_ correction: Correction, history: [CaseEvent], context: EngineContext) throws(Refusal) -> CaseEvent {
        let resolved = CaseHistory(history)
        guard let opening = history.first, opening.type == .caseOpened else { throw Refusal.unknownCase(correction.caseID) }
        let caseID = correction.caseID
        guard correction.actor != Engine.systemActor, !correction.actor.trimmingBlanks.isEmpty else {
            throw Refusal(.reservedActor, "a correction is recorded by a person, not by '\(correction.actor)'", caseID: caseID)
        }
        let target: Int, reason: String, recordedAt: Timestamp
        switch correction {
        case let .amend(a): (target, reason, recordedAt) = (a.target, a.reason, a.recordedAt)
        case let .void(v): (target, reason, recordedAt) = (v.target, v.reason, v.recordedAt)
        }
        guard !reason.trimmingBlanks.isEmpty else {
            throw Refusal(.reasonRequired, "a correction needs a reason: say what was wrong and where the right value comes from", caseID: caseID)
        }
        guard let entry = resolved.entry(target) else {
            throw Refusal(.correctionRefused, "case '\(caseID)' has no event \(target): its events are 1...\(history.count) (see docket history)", caseID: caseID)
        }
        guard !entry.recorded.type.isCorrection else {
            throw Refusal(.correctionRefused, "event \(target) is itself a \(entry.recorded.type == .eventVoided ? "void" : "correction"); correct the event it names (\(entry.recorded.payload.corrects ?? 0)) instead", caseID: caseID)
        }
        if let voided = entry.voidedBy {
            throw Refusal(.correctionRefused, "event \(target) was voided by event \(voided): it is no longer part of the case", caseID: caseID)
        }
        guard entry.recorded.actor != Engine.systemActor else {
            throw Refusal(.correctionRefused, "event \(target) (\(entry.recorded.type.rawValue)) was recorded by Docket itself; correct the person's act that set it off", caseID: caseID)
        }
        var payload = EventPayload(reason: reason.trimmingBlanks, corrects: target)
        switch correction {
        case let .amend(a):
            guard a.at != nil || a.person != nil || a.documents != nil || a.data != nil else {
                throw Refusal(.correctionRefused, "the correction changes nothing: give the corrected time, actor, documents or data", caseID: caseID)
            }
            if let person = a.person {
                guard person != Engine.systemActor, !person.trimmingBlanks.isEmpty else {
                    throw Refusal(.reservedActor, "the corrected actor must be a person, not '\(person)'", caseID: caseID)
                }
                guard entry.event.isPersonsAct else {
                    throw Refusal(.correctionRefused, "event \(target) (\(entry.recorded.type.rawValue)) is not a person's act: correct the actor of the act that set it off", caseID: caseID)
                }
            }
            if a.data != nil, entry.recorded.type != .caseOpened {
                throw Refusal(.correctionRefused, "data is recorded when a case is opened: correct event 1, not event \(target) (\(entry.recorded.type.rawValue))", caseID: caseID)
            }
            if a.documents != nil, ![.transitionFired, .workStarted].contains(entry.recorded.type) {
                throw Refusal(.correctionRefused, "documents are supplied with a fired event; event \(target) is \(entry.recorded.type.rawValue)", caseID: caseID)
            }
            payload.correctedAt = a.at
            payload.person = a.person
            payload.documents = a.documents
            payload.attachments = a.attachments
            payload.data = a.data
        case .void:
            guard [.transitionFired, .workStarted, .voteCast].contains(entry.recorded.type), entry.event.isPersonsAct else {
                throw Refusal(.correctionRefused, "only a person's fired event, work start or vote can be voided; event \(target) is \(entry.recorded.type.rawValue)", caseID: caseID)
            }
            let group = Set(resolved.commandGroup(of: target))
            if let later = resolved.entries.first(where: { $0.version > target && $0.isEffective && !group.contains($0.version) && $0.event.actor != Engine.systemActor }) {
                throw Refusal(.correctionRefused, "event \(target) is not the case's last act: event \(later.version) (\(later.event.type.rawValue) by \(later.event.actor)) came after it; void that first", caseID: caseID)
            }
        }
        let recorded = CaseEvent(
            caseID: caseID, type: correction.isVoid ? .eventVoided : .eventCorrected, workflowID: opening.workflowID,
            workflowVersion: opening.workflowVersion, actor: correction.actor, role: correctorRole, occurredAt: recordedAt, payload: payload)
        // Only what this correction changes is checked: a log imported with its own disorder
        // can still have an unrelated fact corrected.
        let moved = payload.correctedAt == nil ? [] : Set(resolved.commandGroup(of: target))
        try check(CaseHistory(history + [recorded]), moved: moved, documentsChanged: payload.documents != nil, caseID: caseID, context: context)
        return recorded
    }

    /// Refuses a corrected history that could not have happened: business time running backwards
    /// around the events moved, or an act without the documents it required.
    private static func check(_ corrected: CaseHistory, moved: Set<Int>, documentsChanged: Bool, caseID: String,
                              context: EngineContext) throws(Refusal) {
        var previous: CaseHistory.Entry?
        var supplied: Set<String> = []
        for entry in corrected.entries where entry.isEffective {
            defer { previous = entry }
            if let previous, moved.contains(entry.version) || moved.contains(previous.version),
               entry.event.occurredAt < previous.event.occurredAt {
                throw Refusal(.timeOutOfOrder,
                              "the corrected time would put event \(entry.version) (\(entry.event.occurredAt)) before event \(previous.version) (\(previous.event.occurredAt)): a case's events stay in the order they happened",
                              caseID: caseID)
            }
            guard documentsChanged else { continue }
            supplied.formUnion(entry.event.payload.documents ?? [])
            let e = entry.event
            guard e.isPersonsAct, e.type == .transitionFired || e.type == .workStarted, let name = e.payload.transition else { continue }
            let from = e.payload.from ?? e.payload.state
            let branchTransitions = context.definition.branches.filter { $0.branch.name == e.payload.branch }.flatMap { $0.branch.transitions }
            let candidates = (context.definition.transitions + branchTransitions).filter { transition in
                transition.event == name && (from.map { transition.from.contains($0) } ?? true)
            }
            if let transition = candidates.first {
                let missing = transition.requires.filter { !supplied.contains($0) }
                if !missing.isEmpty {
                    throw Refusal(.documentsMissing,
                                  "event \(entry.version) ('\(name)') required \(missing.joined(separator: ", ")); without \(missing.count == 1 ? "it" : "them") the case could not have moved on",
                                  caseID: caseID, missingDocuments: missing)
                }
            }
        }
    }

    private var isVoid: Bool {
        if case .void = self { return true }
        return false
    }
}

/// Corrected facts of an earlier event of a case: each field given replaces the recorded one.
public struct Amendment: Hashable, Sendable {
    public var caseID: String
    /// The version of the event corrected (its position in the case, as `history` lists it).
    public var target: Int
    /// Who records the correction (a person holding the directory role `corrector`).
    public var actor: String
    /// Why, and where the right value comes from.
    public var reason: String
    /// When the correction is recorded (the clock's now).
    public var recordedAt: Timestamp
    /// The corrected business time of the event (and of what it set off).
    public var at: Timestamp?
    /// The person who really did it.
    public var person: String?
    /// The documents really supplied with the event (they replace the recorded list).
    public var documents: [String]?
    /// Their files, when attached.
    public var attachments: [DocumentAttachment]?
    /// Corrected opening data values (an empty value removes the field).
    public var data: [String: String]?

    public init(caseID: String, target: Int, actor: String, reason: String, recordedAt: Timestamp, at: Timestamp? = nil,
                person: String? = nil, documents: [String]? = nil, attachments: [DocumentAttachment]? = nil, data: [String: String]? = nil) {
        self.caseID = caseID
        self.target = target
        self.actor = actor
        self.reason = reason
        self.recordedAt = recordedAt
        self.at = at
        self.person = person
        self.documents = documents
        self.attachments = attachments
        self.data = data
    }
}

/// Voids a mistaken act: it must be the case's last act by a person.
public struct VoidAct: Hashable, Sendable {
    public var caseID: String
    /// The version of the act voided.
    public var target: Int
    /// Who records the void (a person holding the directory role `corrector`).
    public var actor: String
    /// Why.
    public var reason: String
    /// When the void is recorded (the clock's now).
    public var recordedAt: Timestamp

    public init(caseID: String, target: Int, actor: String, reason: String, recordedAt: Timestamp) {
        self.caseID = caseID
        self.target = target
        self.actor = actor
        self.reason = reason
        self.recordedAt = recordedAt
    }
}
