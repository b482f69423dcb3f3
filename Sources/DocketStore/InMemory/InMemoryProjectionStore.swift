import DocketAnalytics
import DocketCore
import Foundation

/// The analytics projection in memory, beside an ``InMemoryEventStore``, for tests: the same
/// promises as `SQLiteProjectionStore` (both pass the contract suite). The checkpoint is the
/// event store's, so `verify` sees it as it sees SQLite's.
///
/// Thread-safe: reads and writes hold one lock, so writes are serialised; a write works on a copy
/// and replaces the state only when its closure returns, so a throwing write changes nothing.
/// Progress is kept encoded, as SQLite keeps it, so it reads back through the same decoder.
package final class InMemoryProjectionStore: ProjectionStore, @unchecked Sendable {
    // @unchecked: `state` is only touched while holding `lock`.
    private let lock = NSLock()
    private var state = State()
    /// The event log the projection follows.
    package let log: any EventStore

    /// Never: the projection is this process's own memory, whatever the log.
    package var isReadOnly: Bool { false }
    /// Whether the checkpoint is saved in the log (an ``InMemoryEventStore``), or only here (a
    /// log this process may not write: a read-only copy, a backup).
    private let savesCheckpointInLog: Bool
    /// The checkpoint, when it is not saved in the log.
    private var ownCheckpoint: Int64 = 0

    /// An empty projection (none created yet) of `log`.
    package init(log: InMemoryEventStore) {
        self.log = log
        savesCheckpointInLog = true
    }

    /// An empty projection of a log it never writes to, its checkpoint kept in memory: the
    /// reports of a read-only copy of a log, computed from its events.
    package init(readingOnly log: any EventStore) {
        self.log = log
        savesCheckpointInLog = false
    }

    /// Which of a cohort's digests.
    fileprivate struct DigestKey: Hashable {
        var measure: TimeMeasure
        var party: DigestedParty?
    }

    fileprivate struct State {
        /// `nil` until created.
        var version: Int?
        var calendars: [WorkflowKey: String] = [:]
        var cases: [String: CaseFact] = [:]
        var openCases: [String: EncodedProgress] = [:]
        var stays: [StayFact] = []
        var transitions: [TransitionFact] = []
        var breaches: [BreachFact] = []
        var parties: Set<PartyFact> = []
        /// The desk's rows, by case id.
        var desk: [String: DeskUpdate] = [:]
        /// Report cohorts: their stamps and kept digests, by clock and party (`nil`: whole cases).
        var cohorts: [ReportCohort.Key: (stamp: Int64, lastFactPosition: Int64, digests: [DigestKey: [UInt8]])] = [:]
        /// The checkpoint a write saved, committed to the log with it.
        var savedCheckpoint: Int64?
    }

    package func read<T>(_ body: (any ProjectionReading) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        // The log's own lock is taken for each of its reads; appends may land between two of them,
        // which a reader of the projection only notices as a later `lastPosition()`.
        return try body(Transaction(state, log: log, checkpoint: savesCheckpointInLog ? nil : ownCheckpoint))
    }

    package func write<T>(_ body: (any ProjectionWriting) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let transaction = Transaction(state, log: log, checkpoint: savesCheckpointInLog ? nil : ownCheckpoint)
        let result = try body(transaction)
        if let checkpoint = transaction.state.savedCheckpoint {
            if savesCheckpointInLog {
                try log.saveCheckpoint(named: ProjectionSchema.checkpointName, position: checkpoint)
            } else {
                ownCheckpoint = checkpoint
            }
        }
        transaction.state.savedCheckpoint = nil
        state = transaction.state
        return result
    }

    /// A copy of the state, read and changed by one transaction.
    private final class Transaction: ProjectionWriting {
        var state: State
        let log: any EventStore
        /// The checkpoint kept in memory, when the log does not keep it.
        let ownCheckpoint: Int64?
        /// The stamp this transaction gives the cohorts whose facts it changes (random, as SQLite's).
        lazy var cohortStamp = Int64.random(in: 1...Int64.max)

        init(_ state: State, log: any EventStore, checkpoint: Int64?) {
            self.state = state
            self.log = log
            ownCheckpoint = checkpoint
        }

        // MARK: Reading

        func installedVersion() throws -> Int? { state.version }

        func checkpoint() throws -> Int64 {
            try state.savedCheckpoint ?? ownCheckpoint ?? log.checkpoint(named: ProjectionSchema.checkpointName)
        }

        func lastPosition() throws -> Int64 { try log.lastPosition() }

        func recordedCalendars() throws -> [WorkflowKey: String] { state.calendars }

        func openCaseIDs(workflowID: String?) throws -> [String] {
            guard !state.openCases.isEmpty else { return [] }
            return try log.cases(workflowID: workflowID).map(\.caseID).filter { state.openCases[$0] != nil }
        }

        func openCaseCount() throws -> Int { state.openCases.count }

        func openCaseProgress(of caseIDs: [String]) throws -> [OpenCaseProgress] {
            let decoder = ProgressDecoder()
            return try Set(caseIDs).compactMap { id in try state.openCases[id].map { try decoder.decode($0.json, caseID: id) } }
        }

        func select(_ scope: ReportScope, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: nil, body)
        }

        func selectFacts(_ scope: ReportScope, after position: Int64, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: position, body)
        }

        /// The rows of `scope`: with `position`, only the facts after it and no open case.
        private func rows(_ scope: ReportScope, after position: Int64?, _ body: (ProjectionRow) throws -> Void) throws {
            guard state.version == ProjectionSchema.version else { return }
            let after = position ?? Int64.min
            let parties = state.parties
            /// Whether case `caseID` took part as every party filter of the scope asks.
            func tookPart(_ caseID: String) -> Bool {
                for (kind, value) in scope.partyFilters where !parties.contains(PartyFact(caseID: caseID, kind: kind, value: value)) {
                    return false
                }
                return true
            }
            /// Whether the row's own department, role and on-behalf-of match.
            func matches(department: String?, role: String?, onBehalfOf: String?) -> Bool {
                (scope.department.map { $0 == department } ?? true) && (scope.role.map { $0 == role } ?? true)
                    && (scope.onBehalfOf.map { $0 == onBehalfOf } ?? true)
            }
            // The order SQLite's primary keys give (see the protocol).
            func byCohort<Fact: CohortOrdered>(_ facts: [Fact]) -> [Fact] {
                facts.enumerated().sorted { a, b in
                    let x = a.element, y = b.element
                    if x.workflow.id != y.workflow.id { return precedes(x.workflow.id, y.workflow.id) }
                    if x.workflow.version != y.workflow.version { return x.workflow.version < y.workflow.version }
                    return a.offset < b.offset
                }.map(\.element)
            }
            for fact in byCohort(state.cases.values.sorted(by: { $0.position < $1.position }))
            where fact.position > after && scope.selectsCase(fact.workflow, openedAt: fact.openedAt, channel: fact.channel) && tookPart(fact.caseID) {
                try body(.decided(fact))
            }
            if position == nil { try openCases(scope, tookPart: tookPart) { try body(.open($0)) } }
            for fact in byCohort(state.breaches)
            where fact.position > after && scope.selectsCase(fact.workflow, openedAt: fact.caseOpenedAt, channel: fact.channel) && tookPart(fact.caseID) {
                try body(.breach(fact.forReport))
            }
            for fact in byCohort(state.stays)
            where fact.position > after && scope.selectsCase(fact.workflow, openedAt: fact.caseOpenedAt, channel: fact.channel)
                && matches(department: fact.department, role: fact.role, onBehalfOf: fact.onBehalfOf) {
                try body(.stay(fact.forReport))
            }
            for fact in byCohort(state.transitions)
            where fact.position > after && scope.selectsCase(fact.workflow, openedAt: fact.caseOpenedAt, channel: fact.channel)
                && matches(department: fact.department, role: fact.role, onBehalfOf: fact.onBehalfOf) {
                try body(.transition(fact.forReport))
            }
        }

        func selectOpenCases(_ scope: ReportScope, _ body: (OpenCaseSummary) throws -> Void) throws {
            guard state.version == ProjectionSchema.version else { return }
            let parties = state.parties
            try openCases(scope, tookPart: { caseID in
                scope.partyFilters.allSatisfy { parties.contains(PartyFact(caseID: caseID, kind: $0.0, value: $0.1)) }
            }, body)
        }

        /// The open cases of `scope`'s cohort in which the parties took part, by case id.
        private func openCases(_ scope: ReportScope, tookPart: (String) -> Bool, _ body: (OpenCaseSummary) throws -> Void) throws {
            let decoder = ProgressDecoder()
            for (caseID, encoded) in state.openCases.sorted(by: { precedes($0.key, $1.key) }) {
                let progress = encoded.progress
                guard scope.selectsCase(progress.workflow, openedAt: progress.openedAt, channel: progress.channel),
                      tookPart(caseID)
                else { continue }
                // What the other stores keep beside the progress, from the progress as saved.
                try body(try decoder.decode(encoded.json, caseID: caseID).summary)
            }
        }

        func selectBreaches(_ scope: ReportScope, _ body: (BreachFact) throws -> Void) throws {
            try rows(scope, after: Int64.min) { row in
                if case let .breach(fact) = row { try body(fact) }
            }
        }

        func reportCohorts(workflowID: String?, version: Int?, measure: TimeMeasure, party: DigestedParty?) throws -> [ReportCohort] {
            guard state.version == ProjectionSchema.version else { return [] }
            return state.cohorts.compactMap { id, kept in
                if let workflowID, id.workflow.id != workflowID { return nil }
                if let version, id.workflow.version != version { return nil }
                return ReportCohort(workflow: id.workflow, day: id.day, stamp: kept.stamp, lastFactPosition: kept.lastFactPosition,
                                    digest: kept.digests[DigestKey(measure: measure, party: party)])
            }.sorted { ($0.workflow, $0.day) < ($1.workflow, $1.day) }
        }

        func worklist(_ query: WorkQuery) throws -> WorkPage {
            guard state.version == ProjectionSchema.version else { return WorkPage(items: [], total: 0) }
            let selected = state.desk.values.flatMap(\.work).filter(query.selects).sorted(by: query.precedes)
            return WorkPage(items: Array(selected.prefix(max(0, query.limit))), total: selected.count)
        }

        func searchCases(_ query: CaseQuery) throws -> [DeskCase] {
            guard state.version == ProjectionSchema.version else { return [] }
            let found = state.desk.values.filter { update in
                let c = update.deskCase
                if let workflow = query.workflowID, c.workflow.id != workflow { return false }
                if let wanted = query.state, c.state != wanted, !update.work.contains(where: { $0.state == wanted }) { return false }
                if let department = query.department,
                   !state.parties.contains(PartyFact(caseID: c.caseID, kind: .department, value: department)) { return false }
                if let applicant = query.applicant, c.applicant != applicant { return false }
                if let channel = query.channel, c.channel != channel { return false }
                if query.data.contains(where: { update.data[$0.key] != $0.value }) { return false }
                if let from = query.openedFrom, c.openedAt < from { return false }
                if let before = query.openedBefore, c.openedAt >= before { return false }
                if query.openOnly, c.outcome != nil { return false }
                if let at = query.overdueAt { guard let due = c.nextDueAt, due <= at else { return false } }
                if let by = query.breachDueBy { guard let due = c.nextBreachAt, due <= by else { return false } }
                if let after = query.afterPosition, c.position <= after { return false }
                return true
            }.map(\.deskCase).sorted { a, b in
                if query.soonestDueFirst, a.nextDueAt != b.nextDueAt {
                    guard let x = a.nextDueAt else { return false }
                    guard let y = b.nextDueAt else { return true }
                    return x < y
                }
                return a.position < b.position
            }
            return query.limit.map { Array(found.prefix($0)) } ?? found
        }

        func deskValues(_ field: DeskField, matching: String?, limit: Int) throws -> [String] {
            guard state.version == ProjectionSchema.version else { return [] }
            var values: Set<String> = []
            for update in state.desk.values {
                switch field {
                case .applicant: if let v = update.deskCase.applicant { values.insert(v) }
                case .channel: if let v = update.deskCase.channel { values.insert(v) }
                case .dataKey: values.formUnion(update.data.keys)
                case let .dataValue(key): if let v = update.data[key] { values.insert(v) }
                }
            }
            if let matching { values = values.contains(matching) ? [matching] : [] }
            return Array(values.sorted(by: precedes).prefix(max(0, limit)))
        }

        func contents() throws -> ProjectionContents {
            var contents = ProjectionContents()
            guard state.version != nil else { return contents }
            contents.desk = state.desk.sorted { precedes($0.key, $1.key) }.map { key, update in
                var update = update
                // SQLite's `ORDER BY branch`: NULL (the case-level state) first.
                update.work.sort { a, b in
                    switch (a.branch, b.branch) {
                    case (nil, .some): true
                    case let (x?, y?): precedes(x, y)
                    default: false
                    }
                }
                return update
            }
            let decoder = ProgressDecoder()
            contents.calendars = state.calendars
            contents.cases = state.cases.values.sorted { precedes($0.caseID, $1.caseID) }
            contents.openCases = try state.openCases.sorted { precedes($0.key, $1.key) }.map { try decoder.decode($0.value.json, caseID: $0.key) }
            contents.stays = state.stays
            contents.transitions = state.transitions
            contents.breaches = state.breaches
            contents.parties = state.parties.sorted { a, b in
                if a.kind != b.kind { return precedes(a.kind.rawValue, b.kind.rawValue) }
                if a.value != b.value { return precedes(a.value, b.value) }
                return precedes(a.caseID, b.caseID)
            }
            return contents
        }

        // MARK: Writing

        func recreate() throws {
            let checkpoint = state.savedCheckpoint
            state = State(version: ProjectionSchema.version)
            state.savedCheckpoint = checkpoint
        }

        func clear() throws {
            let version = state.version, checkpoint = state.savedCheckpoint
            state = State(version: version)
            state.savedCheckpoint = checkpoint
        }

        func saveCheckpoint(_ position: Int64) throws {
            let last = try log.lastPosition()
            guard position >= 0, position <= last else {
                throw StoreError(
                    .invalidArgument,
                    "checkpoint '\(ProjectionSchema.checkpointName)' cannot be set to position \(position): the log holds positions 0...\(last).")
            }
            state.savedCheckpoint = position
        }

        func insert(_ facts: [ProjectionFact]) throws {
            for fact in facts {
                switch fact {
                case let .stay(f): state.stays.append(f)
                case let .transition(f): state.transitions.append(f)
                case let .breach(f): state.breaches.append(f)
                case let .decided(f): if state.cases[f.caseID] == nil { state.cases[f.caseID] = f }
                case let .party(f): state.parties.insert(f)
                }
            }
            for (key, last) in ReportCohort.latestPositions(of: facts) {
                if state.cohorts[key] == nil { state.cohorts[key] = (cohortStamp, last, [:]) }
                state.cohorts[key]!.lastFactPosition = max(state.cohorts[key]!.lastFactPosition, last)
            }
        }

        /// A change that replaces some of the facts of the cohort of a case of `workflow` opened at
        /// `openedAt`: a new stamp, no digests.
        private func replace(_ workflow: WorkflowKey, _ openedAt: Timestamp) {
            let key = ReportCohort.Key(workflow: workflow, openedAt: openedAt)
            state.cohorts[key] = (cohortStamp, state.cohorts[key]?.lastFactPosition ?? 0, [:])
        }

        func keepDigest(_ digest: [UInt8], of cohort: ReportCohort, measure: TimeMeasure, party: DigestedParty?) throws {
            guard state.cohorts[cohort.key]?.stamp == cohort.stamp else { return }
            state.cohorts[cohort.key]?.digests[DigestKey(measure: measure, party: party)] = digest
        }

        func deleteFacts(of caseIDs: [String]) throws {
            let forgotten = Set(caseIDs)
            for caseID in forgotten {
                if let fact = state.cases[caseID] { replace(fact.workflow, fact.openedAt) }
            }
            for fact in state.stays where forgotten.contains(fact.caseID) { replace(fact.workflow, fact.caseOpenedAt) }
            for fact in state.transitions where forgotten.contains(fact.caseID) { replace(fact.workflow, fact.caseOpenedAt) }
            for fact in state.breaches where forgotten.contains(fact.caseID) { replace(fact.workflow, fact.caseOpenedAt) }
            state.stays.removeAll { forgotten.contains($0.caseID) }
            state.transitions.removeAll { forgotten.contains($0.caseID) }
            state.breaches.removeAll { forgotten.contains($0.caseID) }
            state.parties = state.parties.filter { !forgotten.contains($0.caseID) }
            for caseID in caseIDs { state.cases[caseID] = nil }
        }

        func saveOpenCases(_ updates: [OpenCaseUpdate]) throws {
            for update in updates { state.openCases[update.caseID] = update.progress }
        }

        func saveDesk(_ updates: [DeskUpdate]) throws {
            for update in updates { state.desk[update.deskCase.caseID] = update }
        }

        func recordCalendar(_ label: String, for workflow: WorkflowKey) throws {
            state.calendars[workflow] = label
        }
    }
}

extension ReportScope {
    /// The department, role and on-behalf-of filters the scope sets.
    var partyFilters: [(PartyFact.Kind, String)] {
        [(PartyFact.Kind.department, department), (.role, role), (.onBehalfOf, onBehalfOf)].compactMap { kind, value in
            value.map { (kind, $0) }
        }
    }
}

/// SQLite's order of text (byte by byte of the UTF-8), which `ORDER BY` on a text column gives.
private func precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// The facts a report selects, grouped by workflow version.
private protocol CohortOrdered {
    var workflow: WorkflowKey { get }
}

extension CaseFact: CohortOrdered {}
extension StayFact: CohortOrdered {}
extension TransitionFact: CohortOrdered {}
extension BreachFact: CohortOrdered {}
