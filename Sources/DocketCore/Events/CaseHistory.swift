/// A case's events as recorded, with their corrections and voids resolved: what each event
/// says now, and which events still count.
///
/// The log is never rewritten. A mistyped time, actor, document or data value is corrected by a
/// later `event_corrected` that names the event by its version; a mistaken act is voided by an
/// `event_voided`. The events corrected stay in the log (and in `verify`) as written; this value
/// is the one place that reads them together, so that the case's state
/// (``CaseState/replay(_:)``), `show`, `history` and the projections all use the same corrected
/// facts.
///
/// Resolution rules, applied in log order:
/// - a correction applies to the event it names and to what that event set off (the events the
///   same command recorded after it, at the same business time: a clock stopping, branches
///   starting, a join, a vote's outcome): a corrected time moves them all, a corrected actor
///   replaces the actor on those the person recorded;
/// - a void takes the act it names and every event after it out of the case's course (a void
///   may only name the case's last act, so those are what the act set off and Docket's own
///   events since, such as a breach of the limit of the state the act entered);
/// - corrections and voids themselves are not part of the case's course.
public struct CaseHistory: Sendable {
    /// One recorded event, as corrected.
    public struct Entry: Hashable, Sendable {
        /// The event's version: its position in the case, 1 for the opening.
        public var version: Int
        /// The event as recorded.
        public var recorded: CaseEvent
        /// The event with its corrections applied (``recorded`` when there are none).
        public var event: CaseEvent
        /// The versions of the corrections that changed this event, oldest first.
        public var correctedBy: [Int]
        /// The version of the void that took this event out of the case's course, if any.
        public var voidedBy: Int?

        /// Whether the event is part of the case's course: not voided, not itself a correction.
        public var isEffective: Bool { voidedBy == nil && !recorded.type.isCorrection }
    }

    /// Every event of the case, in version order.
    public private(set) var entries: [Entry]

    /// Resolves the corrections among `events` (all of one case, in version order).
    public init(_ events: some Sequence<CaseEvent>) {
        entries = []
        for event in events { append(event) }
    }

    /// The events that make up the case's course, corrected, in version order.
    public var effectiveEvents: [CaseEvent] { entries.filter(\.isEffective).map(\.event) }

    /// Whether any event was corrected or voided (a case without corrections folds as recorded).
    public var hasCorrections: Bool { entries.contains { $0.recorded.type.isCorrection } }

    /// The entry of version `version`, if the case has one.
    public func entry(_ version: Int) -> Entry? {
        entries.indices.contains(version - 1) ? entries[version - 1] : nil
    }

    /// The versions of the events `version` set off: itself, then the events after it that the
    /// same command recorded (same business time as recorded, and not a person's next act).
    public func commandGroup(of version: Int) -> [Int] {
        guard let first = entry(version) else { return [] }
        var group = [version]
        var next = version + 1
        while let entry = self.entry(next), !entry.recorded.type.isCorrection,
              entry.recorded.occurredAt == first.recorded.occurredAt, !entry.recorded.isPersonsAct {
            group.append(next)
            next += 1
        }
        return group
    }

    /// Adds the next event of the case, resolving it when it is a correction or a void.
    public mutating func append(_ event: CaseEvent) {
        let version = entries.count + 1
        entries.append(Entry(version: version, recorded: event, event: event, correctedBy: [], voidedBy: nil))
        guard event.type.isCorrection, let target = event.payload.corrects, let corrected = entry(target), target < version,
              corrected.isEffective else { return }
        switch event.type {
        case .eventCorrected:
            let p = event.payload
            let group = commandGroup(of: target)
            let originalActor = corrected.event.actor
            for member in group where entries[member - 1].isEffective {
                var changed = entries[member - 1].event
                if let at = p.correctedAt { changed.occurredAt = at }
                if let person = p.person, changed.actor == originalActor { changed.actor = person }
                if member == target {
                    if let documents = p.documents {
                        changed.payload.documents = documents.isEmpty ? nil : documents
                        changed.payload.attachments = p.attachments
                    }
                    if let data = p.data {
                        var merged = changed.payload.data ?? [:]
                        for (key, value) in data { merged[key] = value.isEmpty ? nil : value }
                        changed.payload.data = merged.isEmpty ? nil : merged
                    }
                    entries[member - 1].correctedBy.append(version)
                }
                entries[member - 1].event = changed
            }
        case .eventVoided:
            for index in (target - 1)..<(version - 1) where entries[index].isEffective {
                entries[index].voidedBy = version
            }
        default:
            return
        }
    }
}

extension CaseEvent {
    /// A person's own act (an opening, a fired event, a work start, a vote), as opposed to what it
    /// set off or what Docket recorded itself.
    public var isPersonsAct: Bool {
        guard actor != Engine.systemActor, payload.trigger == nil else { return false }
        switch type {
        case .caseOpened, .transitionFired, .workStarted, .voteCast: return true
        default: return false
        }
    }
}
