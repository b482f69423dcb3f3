import DocketCore
import DocketStore
import Foundation

/// A case as the log tells it: its recorded events, the state they fold to, and the definition
/// and calendar it is pinned to.
public struct LoadedCase: Sendable {
    public var events: [RecordedEvent]
    public var state: CaseState
    public var definition: WorkflowDefinition
    public var context: EngineContext
}

/// What a command did.
public struct CommandOutcome: Sendable {
    public var caseID: String
    /// The events the command appended (or, for a retried idempotent command, appended the first time).
    public var recorded: [RecordedEvent]
    /// The case after the command.
    public var state: CaseState
    public var definition: WorkflowDefinition
    /// True when an earlier command with the same idempotency key already did this: nothing new
    /// was appended and ``recorded`` are the first time's events.
    public var isReplay: Bool
    /// How many times the command was decided: 1 (0 for a replayed idempotent command). Commands
    /// are decided under the write lock and never lose a race, so there is no second attempt.
    public var attempts: Int
}

/// Runs commands against the event log: read the case, authorize, decide and append, as one unit
/// of work under the log's write lock (`DocketStore/EventStore/writeTogether(_:)`); the commands
/// of concurrent callers share one transaction and one sync to disk (group commit).
///
/// A command is decided on the case as it stands when its events are appended, so it never loses
/// a race to another writer; `retries` is kept for callers written when it could, and has nothing
/// left to retry.
public final class CaseService: Sendable {
    public let catalog: WorkflowCatalog
    public var store: any EventStore { catalog.store }
    package let clock: any WallClock
    /// The directory in force, for the authorizer.
    let directories: DirectoryService
    private let newCaseID: @Sendable () -> String
    /// Commands given at the same time share one transaction and one sync to disk.
    let groupCommit: GroupCommit

    /// A service running commands on the workflows and cases of `catalog`'s store.
    ///
    /// - Parameters:
    ///   - catalog: the deployed workflows and calendars, and the store the cases are kept in.
    ///   - clock: "now", for commands without an explicit business time and for `tick`.
    ///   - newCaseID: makes an id for a case opened without one.
    public init(catalog: WorkflowCatalog, clock: any WallClock = SystemWallClock(),
                newCaseID: @escaping @Sendable () -> String = CaseService.randomCaseID) {
        self.catalog = catalog
        self.clock = clock
        self.directories = DirectoryService(catalog: catalog, clock: clock)
        self.newCaseID = newCaseID
        self.groupCommit = GroupCommit(store: catalog.store)
    }

    /// A short random case id such as `c-3f9a1b2c4d5e`.
    public static func randomCaseID() -> String {
        "c-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    /// The group commit's write transactions so far and the commands they carried (for the
    /// server's metrics: commands per sync to disk).
    public var groupCommitCounts: (transactions: Int, commands: Int) { groupCommit.counts }

    // MARK: Reading

    /// The case's events, state and definition.
    ///
    /// - Throws: `DocketCore/Refusal` `unknown_case` when the log has no such case.
    public func load(_ caseID: String) throws -> LoadedCase {
        guard let loaded = try loadIfPresent(caseID) else { throw Refusal.unknownCase(caseID) }
        return loaded
    }

    /// ``load(_:)``, or nil when the log has no event of the case: one read where asking for the
    /// header first took two.
    private func loadIfPresent(_ caseID: String) throws -> LoadedCase? {
        try loaded(from: store.events(of: caseID))
    }

    /// The case these events (all of one case, in version order) tell; nil when there are none.
    func loaded(from events: [RecordedEvent]) throws -> LoadedCase? {
        guard let first = events.first else { return nil }
        guard let state = CaseState.replay(events.map(\.event)) else {
            throw Refusal.unknownCase(first.event.caseID)
        }
        let definition = try catalog.definition(first.event.workflowID, version: first.event.workflowVersion)
        return LoadedCase(events: events, state: state, definition: definition, context: try catalog.context(for: definition))
    }

    // MARK: Commands

    /// Opens a case of workflow `workflowID` at `version` (default: the newest deployed version).
    @discardableResult
    public func open(
        workflowID: String, version: Int? = nil, caseID: String? = nil,
        actor: String, role: String? = nil, onBehalfOf: String? = nil, data: [String: String] = [:],
        at: Timestamp? = nil, allowFuture: Bool = false, idempotencyKey: String? = nil, retries: Int = 0, principal: Principal? = nil
    ) throws -> CommandOutcome {
        if let caseID { try CommandInput.check(caseID: caseID) }
        try CommandInput.checkNames(actor: actor, role: role, onBehalfOf: onBehalfOf)
        try CommandInput.check(data: data)
        // A generated id is not part of the command: a retry with the same key generates another
        // one, and must still be recognised as the same command.
        let fingerprint = Fingerprint(command: "open", caseID: caseID, workflow: workflowID, version: version,
                                      actor: actor, role: role, onBehalfOf: onBehalfOf, data: data, at: at,
                                      allowFuture: allowFuture ? true : nil)
        let caseID = caseID ?? newCaseID()
        // Ids starting with `@` are the log's own streams (a directory's changes), never a case.
        guard !CaseID.isReserved(caseID) else {
            throw ServiceError(.invalidArgument, "case id '\(caseID)' starts with '@', which is reserved for the log's own streams; choose another id")
        }
        return try run(caseID: caseID, fingerprint: fingerprint, key: idempotencyKey, retries: retries, principal: principal,
                       at: at, allowFuture: allowFuture) { loaded in
            if let loaded {
                // Decide anyway, so the refusal is the engine's one (case already exists).
                return (.open(OpenCase(caseID: caseID, actor: actor, role: role, onBehalfOf: onBehalfOf, data: data, at: at ?? self.clock.now())), loaded.context)
            }
            let definition = try self.catalog.definition(workflowID, version: version)
            // The role decides who the case's applicant is and what the directory allows: none is assumed.
            guard role != nil else { throw CommandInput.roleRequired("opening a case of '\(workflowID)'", roles: definition.roles) }
            let command = OpenCase(caseID: caseID, actor: actor, role: role, onBehalfOf: onBehalfOf, data: data, at: at ?? self.clock.now())
            return (.open(command), try self.catalog.context(for: definition))
        }
    }

    /// Fires `event` on a case as `actor` in `role`.
    @discardableResult
    public func fire(
        caseID: String, event: String, actor: String, role: String?, onBehalfOf: String? = nil,
        documents: [String] = [], reason: String? = nil, branch: String? = nil, data: [String: String] = [:],
        at: Timestamp? = nil, allowFuture: Bool = false, idempotencyKey: String? = nil, retries: Int = 0, principal: Principal? = nil,
        requiredVersion: Int? = nil, attachments: [DocumentAttachment] = []
    ) throws -> CommandOutcome {
        var fingerprint = Fingerprint(command: "fire", caseID: caseID, event: event, actor: actor, role: role,
                                      onBehalfOf: onBehalfOf, documents: documents, reason: reason, branch: branch,
                                      data: data.isEmpty ? nil : data, at: at, allowFuture: allowFuture ? true : nil)
        if !attachments.isEmpty { fingerprint.attachments = attachments.map { "\($0.document)=\($0.sha256)" } }
        try CommandInput.checkNames(actor: actor, role: role, onBehalfOf: onBehalfOf)
        let texts: [(String?, String)] = [(event, "event"), (reason, "reason"), (branch, "branch")]
        for (text, what) in texts { try CommandInput.check(text, what) }
        for document in documents { try CommandInput.check(document, "document") }
        try CommandInput.check(data: data)
        return try run(caseID: caseID, fingerprint: fingerprint, key: idempotencyKey, retries: retries, principal: principal,
                       requiredVersion: requiredVersion, at: at, allowFuture: allowFuture) { loaded in
            guard let loaded else { throw Refusal.unknownCase(caseID) }
            guard let role else {
                let now = loaded.state.availableActions(in: loaded.definition).filter { $0.event == event && !$0.isVote }
                throw CommandInput.roleRequired("'\(event)'", roles: orderedRoles(now.flatMap(\.roles)))
            }
            let command = FireEvent(caseID: caseID, event: event, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                    documents: documents, reason: reason, branch: branch, data: data, at: at ?? self.clock.now(),
                                    attachments: attachments)
            return (.fire(command), loaded.context)
        }
    }

    /// Casts a panel member's vote on a case.
    @discardableResult
    public func vote(
        caseID: String, ballot: Ballot, actor: String, role: String?, onBehalfOf: String? = nil,
        reason: String? = nil, at: Timestamp? = nil, allowFuture: Bool = false, idempotencyKey: String? = nil, retries: Int = 0,
        principal: Principal? = nil, requiredVersion: Int? = nil
    ) throws -> CommandOutcome {
        let fingerprint = Fingerprint(command: "vote", caseID: caseID, event: ballot.rawValue, actor: actor, role: role,
                                      onBehalfOf: onBehalfOf, reason: reason, at: at, allowFuture: allowFuture ? true : nil)
        try CommandInput.checkNames(actor: actor, role: role, onBehalfOf: onBehalfOf)
        try CommandInput.check(reason, "reason")
        return try run(caseID: caseID, fingerprint: fingerprint, key: idempotencyKey, retries: retries, principal: principal,
                       requiredVersion: requiredVersion, at: at, allowFuture: allowFuture) { loaded in
            guard let loaded else { throw Refusal.unknownCase(caseID) }
            guard let role else {
                let now = loaded.state.availableActions(in: loaded.definition).filter(\.isVote)
                throw CommandInput.roleRequired("a vote", roles: orderedRoles(now.flatMap(\.roles)))
            }
            let command = CastVote(caseID: caseID, ballot: ballot, actor: actor, role: role, onBehalfOf: onBehalfOf,
                                   reason: reason, at: at ?? self.clock.now())
            return (.vote(command), loaded.context)
        }
    }

    /// Claims, releases or reassigns the work on a case (or one branch of it): see `ClaimCommand`.
    @discardableResult
    public func claim(
        caseID: String, action: ClaimCommand.Action, actor: String, role: String, person: String? = nil,
        branch: String? = nil, reason: String? = nil, at: Timestamp? = nil, idempotencyKey: String? = nil,
        principal: Principal? = nil, requiredVersion: Int? = nil
    ) throws -> CommandOutcome {
        let fingerprint = Fingerprint(command: action.rawValue, caseID: caseID, actor: actor, role: role, onBehalfOf: person,
                                      reason: reason, branch: branch, at: at)
        return try run(caseID: caseID, fingerprint: fingerprint, key: idempotencyKey, retries: 0, principal: principal,
                       requiredVersion: requiredVersion) { loaded in
            guard let loaded else { throw Refusal.unknownCase(caseID) }
            let command = ClaimCommand(caseID: caseID, action: action, actor: actor, role: role, person: person,
                                       branch: branch, reason: reason, at: at ?? self.clock.now())
            return (.claim(command), loaded.context)
        }
    }

    /// Records every breach of a case's limits due by `now` (default: the clock), each once.
    ///
    /// Safe to run twice or from two processes at once: a breach already recorded is not due
    /// again, and a racing tick loses the append and, re-deciding, finds nothing left to do.
    public func tick(caseID: String, now: Timestamp? = nil, principal: Principal? = nil) throws -> CommandOutcome {
        let now = now ?? clock.now()
        return try run(caseID: caseID, fingerprint: nil, key: nil, retries: 5, principal: principal) { loaded in
            guard let loaded else { throw Refusal.unknownCase(caseID) }
            return (.tick(Tick(caseID: caseID, now: now)), loaded.context)
        }
    }

    /// Cases whose breaches ``tick(caseIDs:now:principal:)`` appends in one transaction.
    public static let tickBatchSize = 256

    /// Ticks the cases `caseIDs`, in order (a closed case records nothing, so the caller may pass
    /// only the open ones, e.g. from the projection's open cases); returns the outcomes that
    /// recorded something.
    ///
    /// Each case is read and decided on its own, and the breaches of up to ``tickBatchSize`` cases
    /// are appended in one transaction, each at the version read: a first tick after a long
    /// holiday records hundreds of thousands of breaches, and one durable commit per case was
    /// most of its time. When another writer changed one of a batch's cases since it was read,
    /// nothing of the batch is written and its cases are ticked again one by one, with retries:
    /// every breach is still recorded exactly once.
    public func tick(caseIDs: [String], now: Timestamp? = nil, principal: Principal? = nil) throws -> [CommandOutcome] {
        let now = now ?? clock.now()
        var outcomes: [CommandOutcome] = []
        var start = 0
        while start < caseIDs.count {
            let batch = caseIDs[start..<min(start + Self.tickBatchSize, caseIDs.count)]
            start += batch.count
            var decided: [(loaded: LoadedCase, append: CaseAppend)] = []
            for caseID in batch {
                guard let loaded = try loadIfPresent(caseID) else { throw Refusal.unknownCase(caseID) }
                let events = try Engine.decide(loaded.state, .tick(Tick(caseID: caseID, now: now)), loaded.context)
                if !events.isEmpty {
                    decided.append((loaded, CaseAppend(caseID: caseID, expectedVersion: loaded.state.version, events: events,
                                                                        principal: principal)))
                }
            }
            guard !decided.isEmpty else { continue }
            do {
                let results = try store.append(batch: decided.map(\.append))
                for ((loaded, append), result) in zip(decided, results) {
                    guard let state = Self.fold(loaded.state, result.events) else { throw Refusal.unknownCase(append.caseID) }
                    outcomes.append(CommandOutcome(caseID: append.caseID, recorded: result.events, state: state,
                                                   definition: loaded.definition, isReplay: false, attempts: 1))
                }
            } catch let error as StoreError where error.code == .conflict {
                for (_, append) in decided {
                    let outcome = try tick(caseID: append.caseID, now: now, principal: principal)
                    if !outcome.recorded.isEmpty { outcomes.append(outcome) }
                }
            }
        }
        return outcomes
    }

    // MARK: The decide-append loop

    private func run(
        caseID: String, fingerprint: Fingerprint?, key: String?, retries: Int, principal: Principal?,
        requiredVersion: Int? = nil, at: Timestamp? = nil, allowFuture: Bool = false,
        command makeCommand: @escaping (LoadedCase?) throws -> (Command, EngineContext)
    ) throws -> CommandOutcome {
        let idempotency = try key.map { key in
            var fingerprint = fingerprint ?? Fingerprint(command: "tick", caseID: caseID)
            fingerprint.principal = principal?.recorded
            return try IdempotencyKey(key: key, command: fingerprint)
        }
        // The directory's file is read and parsed before the lock (it changes only by a deploy);
        // its change events are folded under it, with the case.
        let directory = try directories.deployedDirectory()
        // Read, decide and append under the write lock, in one transaction shared with the
        // commands that arrive at the same time: a command decided on what it read can never
        // lose a race, so `retries` has nothing left to retry.
        return try groupCommit.commit { log in
            if let idempotency, let earlier = try log.recordedResult(for: idempotency) {
                let id = earlier.events.first?.event.caseID ?? caseID
                guard let loaded = try self.loaded(from: log.events(of: id)) else { throw Refusal.unknownCase(id) }
                return CommandOutcome(caseID: id, recorded: earlier.events, state: loaded.state, definition: loaded.definition,
                                      isReplay: true, attempts: 0)
            }
            let loaded = try self.loaded(from: log.events(of: caseID))
            if let requiredVersion, let loaded, loaded.state.version != requiredVersion {
                throw StaleVersion(caseID: caseID, required: requiredVersion, actual: loaded.state.version)
            }
            let (command, context) = try makeCommand(loaded)
            // A mistyped year would lock the case until then: a time far ahead of the clock must be meant.
            let future = try BusinessTime.checkFuture(at, now: self.clock.now(), allowed: allowFuture, calendar: context.calendar)
            // Who may act: decided with the directory in force now (the recording time, not the
            // command's business time), before anything is decided or appended. A tick is Docket's own.
            if let directory, command.isPersons {
                let changes = try log.events(of: DirectoryStream.caseID(of: directory.name))
                let authorizer = Authorizer(directory: DirectoryState.fold(directory, changes.map { ($0.event, $0.position) }),
                                            now: self.clock.now())
                try authorizer.authorize(principal ?? Authorizer.inProcess, command, opening: loaded.flatMap { CaseSubject.correctedOpening(of: $0.events) },
                                         definition: context.definition)
            }
            var events = try Engine.decide(loaded?.state, command, context)
            if future { for i in events.indices { events[i].payload.futureAllowed = true } }
            if events.isEmpty {
                guard let loaded else { throw Refusal.unknownCase(caseID) }
                return CommandOutcome(caseID: caseID, recorded: [], state: loaded.state, definition: loaded.definition,
                                      isReplay: false, attempts: 1)
            }
            let result = try log.append(CaseAppend(caseID: caseID, expectedVersion: loaded?.state.version ?? 0, events: events,
                                                   idempotency: idempotency, principal: principal))
            guard let state = Self.fold(loaded?.state, result.events) else { throw Refusal.unknownCase(caseID) }
            return CommandOutcome(caseID: caseID, recorded: result.events, state: state,
                                  definition: loaded?.definition ?? context.definition, isReplay: result.isReplay, attempts: 1)
        }
    }

    private static func fold(_ state: CaseState?, _ recorded: [RecordedEvent]) -> CaseState? {
        var state = state
        for event in recorded { Engine.evolve(&state, event.event) }
        return state
    }
}

/// A command given on a version of the case (an HTTP `If-Match`) found the case at another one:
/// it changed since the caller read it, and nothing was appended.
public struct StaleVersion: DocketError, Sendable {
    public var caseID: String
    public var required: Int
    public var actual: Int
    public var errorCode: String { "precondition_failed" }
    public var kind: FailureKind { .conflict }
    public var description: String {
        "case \(caseID) is at version \(actual), not \(required): it changed since you read it; nothing was appended. "
            + "Read it again and decide again."
    }
}

/// What identifies a command for its idempotency key: everything the caller said, but not the
/// time Docket filled in, so that a retry minutes later is still the same command.
struct Fingerprint: Encodable {
    var command: String
    /// Nil for a case opened without an id (Docket generated one).
    var caseID: String?
    var workflow: String?
    var version: Int?
    var event: String?
    var actor: String?
    var role: String?
    var onBehalfOf: String?
    var documents: [String]?
    var reason: String?
    var branch: String?
    var data: [String: String]?
    var at: Timestamp?
    /// `--allow-future`, when given (absent otherwise, so keys recorded before it still match).
    var allowFuture: Bool?
    /// The files attached, as `document=sha256`.
    var attachments: [String]?
    /// Who gave the command: the same key from another principal is another command (refused as
    /// a reused key), so nobody learns another principal's answer by guessing its key.
    var principal: String?
}

/// Roles in first-seen order, each once.
private func orderedRoles(_ roles: [String]) -> [String] {
    var seen: Set<String> = []
    return roles.filter { seen.insert($0).inserted }
}
