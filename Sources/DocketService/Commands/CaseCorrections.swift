import DocketCore
import DocketStore

extension CaseService {
    /// Records a correction of an earlier event of a case (`event_corrected`): its business
    /// time, actor, documents or opening data, with a reason. The event corrected stays in the
    /// log as written; the case's state, `show`, `history` and the projections use the corrected
    /// facts (`DocketCore/CaseHistory`).
    ///
    /// Who may: a person holding the directory role `corrector` in a scope covering the case's
    /// (anyone when no directory is deployed, as for every command).
    ///
    /// - Throws: `DocketCore/Refusal` (`correction_refused`, `time_out_of_order`,
    ///   `documents_missing`, `reason_required`) when the corrected history could not have
    ///   happened; `AccessDenied` when the person may not correct; nothing is appended.
    @discardableResult
    public func correct(
        caseID: String, event target: Int, by actor: String, reason: String, at: Timestamp? = nil, actorCorrected person: String? = nil,
        documents: [String]? = nil, attachments: [DocumentAttachment]? = nil, data: [String: String]? = nil,
        principal: Principal? = nil, requiredVersion: Int? = nil
    ) throws -> CommandOutcome {
        try record(caseID: caseID, principal: principal, requiredVersion: requiredVersion) { now in
            .amend(Amendment(caseID: caseID, target: target, actor: actor, reason: reason, recordedAt: now, at: at, person: person,
                             documents: documents, attachments: attachments, data: data))
        }
    }

    /// Voids a mistaken act (`event_voided`): the case's last act by a person, with what it set
    /// off, no longer counts, and the case is back where it was before it. The act stays in the
    /// log, marked voided. Who may: as for ``correct(caseID:event:by:reason:at:actorCorrected:documents:attachments:data:principal:requiredVersion:)``.
    @discardableResult
    public func void(
        caseID: String, event target: Int, by actor: String, reason: String, principal: Principal? = nil, requiredVersion: Int? = nil
    ) throws -> CommandOutcome {
        try record(caseID: caseID, principal: principal, requiredVersion: requiredVersion) { now in
            .void(VoidAct(caseID: caseID, target: target, actor: actor, reason: reason, recordedAt: now))
        }
    }

    /// Read the case, authorize the corrector, decide and append, under the write lock as every command.
    private func record(
        caseID: String, principal: Principal?, requiredVersion: Int?, _ makeCorrection: @escaping (Timestamp) -> Correction
    ) throws -> CommandOutcome {
        let directory = try directories.deployedDirectory()
        return try groupCommit.commit { log in
            let events = try log.events(of: caseID)
            guard let loaded = try self.loaded(from: events) else { throw Refusal.unknownCase(caseID) }
            if let requiredVersion, loaded.state.version != requiredVersion {
                throw StaleVersion(caseID: caseID, required: requiredVersion, actual: loaded.state.version)
            }
            let now = self.clock.now()
            let correction = makeCorrection(now)
            if let directory {
                let changes = try log.events(of: DirectoryStream.caseID(of: directory.name))
                let authorizer = Authorizer(directory: DirectoryState.fold(directory, changes.map { ($0.event, $0.position) }), now: now)
                try authorizer.authorize(principal ?? Authorizer.inProcess, CaseAct(actor: correction.actor, role: Correction.correctorRole),
                                         on: CaseSubject(events: events) ?? CaseSubject(opening: events[0].event), definition: loaded.definition)
            }
            let event = try Correction.decide(correction, history: events.map(\.event), context: loaded.context)
            let result = try log.append(CaseAppend(caseID: caseID, expectedVersion: loaded.state.version, events: [event], principal: principal))
            guard let state = CaseState.replay((events + result.events).map(\.event)) else { throw Refusal.unknownCase(caseID) }
            return CommandOutcome(caseID: caseID, recorded: result.events, state: state, definition: loaded.definition,
                                  isReplay: result.isReplay, attempts: 1)
        }
    }
}
