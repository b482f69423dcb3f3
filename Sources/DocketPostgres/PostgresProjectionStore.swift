import DocketAnalytics
import DocketCore
import DocketStore
import Foundation
import PostgresNIO

/// The analytics projection in the log's own PostgreSQL database (``PostgresProjectionTables``),
/// with its checkpoint in the log's `projection_checkpoints`: the same contract as
/// `SQLiteProjectionStore` (the contract suite runs against both).
///
/// - A write is one READ COMMITTED transaction that first locks the projection's checkpoint row
///   (`SELECT ... FOR UPDATE`, the row inserted at 0 when missing): writers in any number of
///   processes and machines take turns, and what a write reads after the lock (the checkpoint
///   above all) stays so until it commits. A writer that waits longer than the log's lock timeout
///   gets ``StoreError/Code/locked``. A row lock rather than an advisory lock, as for the log's
///   head: `FOR UPDATE` exists on every PostgreSQL-compatible database.
/// - A read is one REPEATABLE READ read-only transaction: the projection and the log in one
///   snapshot.
/// - Facts are kept with the columns a report or a search filters and orders on, and the fact
///   itself as JSON; a batch goes in one `INSERT ... SELECT FROM json_populate_recordset(...)` per
///   table (one statement and one parameter for thousands of rows). Text columns are `COLLATE
///   "C"`: byte order, the order SQLite's `ORDER BY` gives, so both stores list alike.
package final class PostgresProjectionStore: ProjectionStore {
    /// The event log whose database holds the tables.
    package let postgres: PostgresEventStore

    package var log: any EventStore { postgres }

    package var isReadOnly: Bool { postgres.isReadOnly }

    /// The projection kept in `log`'s database.
    package init(log: PostgresEventStore) {
        postgres = log
    }

    package func read<T>(_ body: (any ProjectionReading) throws -> T) throws -> T {
        try postgres.read { session in try body(Transaction(session, log: postgres)) }
    }

    package func write<T>(_ body: (any ProjectionWriting) throws -> T) throws -> T {
        do {
            return try postgres.write { session in
                let transaction = Transaction(session, log: postgres)
                try transaction.takeWritersTurn()
                return try body(transaction)
            }
        } catch let error as StoreError where error.code == .locked {
            throw StoreError(.locked, "\(postgres.location): another process held the analytics projection too long (catching it up?); nothing was written. Retry the command. (\(error.message))")
        }
    }

    /// A value a query compares with.
    fileprivate enum Argument {
        case text(String)
        case integer(Int64)
    }

    /// One read or write transaction on the tables.
    private final class Transaction: ProjectionWriting {
        let session: PostgresSession
        let log: PostgresEventStore
        /// Known once asked in this transaction (a write that recreates sets it).
        private var knownVersion: Int??
        /// Cursors opened in this transaction, for unique names.
        private var cursors = 0
        /// Keys in the encoder's own order: a fact's JSON is only ever decoded, never compared.
        private let factEncoder = JSONEncoder()
        private let rowEncoder: JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return encoder
        }()
        private let decoder = JSONDecoder()
        /// The stamp this transaction gives the cohorts whose facts it changes (random, as SQLite's).
        private lazy var cohortStamp = Int64.random(in: 1...Int64.max)
        /// Whether this transaction made sure `analytics_party_digests` exists (it may not, in a
        /// projection of schema 5 made before it).
        private var partyDigestsExist = false

        init(_ session: PostgresSession, log: PostgresEventStore) {
            self.session = session
            self.log = log
        }

        /// Locks the checkpoint row, creating it at 0 when missing: writers take turns here.
        func takeWritersTurn() throws {
            try session.query("""
                INSERT INTO projection_checkpoints (projection, position) VALUES (\(ProjectionSchema.checkpointName), 0)
                ON CONFLICT (projection) DO NOTHING
                """)
            try session.query("SELECT position FROM projection_checkpoints WHERE projection = \(ProjectionSchema.checkpointName) FOR UPDATE")
        }

        // MARK: Queries

        /// Runs `sql`, whose `?`s are `arguments` in order.
        @discardableResult
        private func query(_ sql: String, _ arguments: [Argument] = []) throws -> [PostgresRow] {
            try session.query(Self.prepared(sql, arguments))
        }

        private static func prepared(_ sql: String, _ arguments: [Argument]) -> PostgresQuery {
            var text = ""
            var number = 0
            for character in sql {
                if character == "?" {
                    number += 1
                    text += "$\(number)"
                } else {
                    text.append(character)
                }
            }
            precondition(number == arguments.count, "\(number) placeholders for \(arguments.count) arguments")
            var binds = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument {
                case let .text(value): binds.append(value)
                case let .integer(value): binds.append(value)
                }
            }
            return PostgresQuery(unsafeSQL: text, binds: binds)
        }

        /// Calls `body` with each row `sql` selects, fetched through a cursor a page at a time:
        /// memory holds one page, however many rows there are.
        private func each(_ sql: String, _ arguments: [Argument] = [], _ body: (PostgresRow) throws -> Void) throws {
            cursors += 1
            let cursor = "docket_rows_\(cursors)"
            try query("DECLARE \(cursor) NO SCROLL CURSOR FOR " + sql, arguments)
            while true {
                let rows = try session.run("FETCH \(Self.page) FROM \(cursor)")
                for row in rows { try body(row) }
                if rows.count < Self.page { break }
            }
            try session.run("CLOSE \(cursor)")
        }

        static let page = 5_000

        /// Inserts `rows` (encoded as JSON objects whose keys are the table's columns) with `tail`
        /// (an `ON CONFLICT` clause) in one statement.
        private func insert<Row: Encodable>(_ rows: [Row], into table: String, _ tail: String = "") throws {
            var start = 0
            // Pages keep one parameter well under PostgreSQL's 1 GB limit for a value.
            while start < rows.count {
                let chunk = Array(rows[start..<min(rows.count, start + 20_000)])
                start += chunk.count
                let json = String(decoding: try rowEncoder.encode(chunk), as: UTF8.self)
                try query("INSERT INTO \(table) SELECT * FROM json_populate_recordset(NULL::\(table), ?::json) \(tail)", [.text(json)])
            }
        }

        private func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try factEncoder.encode(value), as: UTF8.self)
        }

        /// The JSON of the row's only column, decoded.
        private func decoded<T: Decodable>(_ type: T.Type, _ row: PostgresRow) throws -> T {
            let text = try row.decode(String.self)
            do {
                return try decoder.decode(type, from: Data(text.utf8))
            } catch {
                throw StoreError(.corrupt, "a row of the analytics projection in \(log.location) cannot be read (\(error)); run `docket replay` to rebuild the projections")
            }
        }

        // MARK: Reading

        func installedVersion() throws -> Int? {
            if let knownVersion { return knownVersion }
            let exists = try session.run("SELECT to_regclass('\(PostgresProjectionTables.meta)') IS NOT NULL").first?.decode(Bool.self) ?? false
            var version: Int?
            if exists {
                version = try query("SELECT value FROM \(PostgresProjectionTables.meta) WHERE key = ?", [.text(PostgresProjectionTables.versionKey)])
                    .first.flatMap { Int(try $0.decode(String.self)) }
            }
            knownVersion = .some(version)
            return version
        }

        private var current: Bool {
            get throws { try installedVersion() == ProjectionSchema.version }
        }

        func checkpoint() throws -> Int64 {
            try query("SELECT position FROM projection_checkpoints WHERE projection = ?", [.text(ProjectionSchema.checkpointName)])
                .first?.decode(Int64.self) ?? 0
        }

        func lastPosition() throws -> Int64 {
            try session.run("SELECT position FROM log_head").first?.decode(Int64.self) ?? 0
        }

        func recordedCalendars() throws -> [WorkflowKey: String] {
            guard try installedVersion() != nil else { return [:] }
            var result: [WorkflowKey: String] = [:]
            for row in try session.run("SELECT workflow_id, workflow_version, calendar FROM \(PostgresProjectionTables.calendars)") {
                let (id, version, calendar) = try row.decode((String, Int, String).self)
                result[WorkflowKey(id: id, version: version)] = calendar
            }
            return result
        }

        func openCaseIDs(workflowID: String?) throws -> [String] {
            guard try current else { return [] }
            var sql = """
                SELECT o.case_id FROM \(PostgresProjectionTables.openCases) a JOIN events o ON o.case_id = a.case_id AND o.version = 1
                """
            var arguments: [Argument] = []
            if let workflowID {
                sql += " WHERE a.workflow_id = ?"
                arguments.append(.text(workflowID))
            }
            var ids: [String] = []
            try each(sql + " ORDER BY o.position", arguments) { ids.append(try $0.decode(String.self)) }
            return ids
        }

        func openCaseCount() throws -> Int {
            guard try installedVersion() != nil else { return 0 }
            return try session.run("SELECT count(*) FROM \(PostgresProjectionTables.openCases)").first?.decode(Int.self) ?? 0
        }

        func openCaseProgress(of caseIDs: [String]) throws -> [OpenCaseProgress] {
            guard try current, !caseIDs.isEmpty else { return [] }
            let decoder = ProgressDecoder()
            var binds = PostgresBindings()
            binds.append(Array(Set(caseIDs)))
            return try session.query(PostgresQuery(
                unsafeSQL: "SELECT case_id, progress FROM \(PostgresProjectionTables.openCases) WHERE case_id = ANY($1::text[])", binds: binds)
            ).map { row in
                let (caseID, progress) = try row.decode((String, String).self)
                return try decoder.decode(progress, caseID: caseID)
            }
        }

        func select(_ scope: ReportScope, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: nil, body)
        }

        func selectFacts(_ scope: ReportScope, after position: Int64, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: position, body)
        }

        /// The rows of `scope`: with `position`, only the facts after it and no open case.
        private func rows(_ scope: ReportScope, after position: Int64?, _ body: (ProjectionRow) throws -> Void) throws {
            guard try current else { return }
            let factOrder = " ORDER BY workflow_id, workflow_version, position, ordinal"
            let cases = Filter(scope, openedColumn: "opened_at", parties: true)
            var decided = cases
            decided.after(position)
            try each("SELECT fact FROM \(PostgresProjectionTables.cases)" + decided.sql + " ORDER BY workflow_id, workflow_version, position",
                     decided.arguments) { try body(.decided(try decoded(CaseFact.self, $0))) }
            if position == nil {
                try each("SELECT summary FROM \(PostgresProjectionTables.openCases)" + cases.sql + " ORDER BY case_id",
                         cases.arguments) { try body(.open(try decoded(OpenCaseSummary.self, $0))) }
            }
            var facts = Filter(scope, openedColumn: "case_opened_at", parties: true)
            facts.after(position)
            try each("SELECT fact FROM \(PostgresProjectionTables.breaches)" + facts.sql + factOrder, facts.arguments) {
                try body(.breach(try decoded(BreachFact.self, $0).forReport))
            }
            // Breaches, stays and transitions come without their case's id, as the protocol says.
            var direct = Filter(scope, openedColumn: "case_opened_at", parties: false)
            direct.after(position)
            try each("SELECT fact FROM \(PostgresProjectionTables.stays)" + direct.sql + factOrder, direct.arguments) {
                try body(.stay(try decoded(StayFact.self, $0).forReport))
            }
            try each("SELECT fact FROM \(PostgresProjectionTables.transitions)" + direct.sql + factOrder, direct.arguments) {
                try body(.transition(try decoded(TransitionFact.self, $0).forReport))
            }
        }

        func selectOpenCases(_ scope: ReportScope, _ body: (OpenCaseSummary) throws -> Void) throws {
            guard try current else { return }
            let cases = Filter(scope, openedColumn: "opened_at", parties: true)
            try each("SELECT summary FROM \(PostgresProjectionTables.openCases)" + cases.sql + " ORDER BY case_id",
                     cases.arguments) { try body(try decoded(OpenCaseSummary.self, $0)) }
        }

        func selectBreaches(_ scope: ReportScope, _ body: (BreachFact) throws -> Void) throws {
            guard try current else { return }
            let facts = Filter(scope, openedColumn: "case_opened_at", parties: true)
            try each("SELECT fact FROM \(PostgresProjectionTables.breaches)" + facts.sql + " ORDER BY workflow_id, workflow_version, position, ordinal",
                     facts.arguments) { try body(try decoded(BreachFact.self, $0).forReport) }
        }

        func reportCohorts(workflowID: String?, version: Int?, measure: TimeMeasure, party: DigestedParty?) throws -> [ReportCohort] {
            guard try current else { return [] }
            var clauses: [String] = []
            var arguments: [Argument] = []
            var digest = "c.\(measure.rawValue)", join = ""
            if let party {
                let kept = try session.run("SELECT to_regclass('\(PostgresProjectionTables.partyDigests)') IS NOT NULL").first?.decode(Bool.self) ?? false
                // No table yet: no party digest was ever kept.
                digest = kept ? "d.digest" : "NULL::bytea"
                if kept {
                    join = " LEFT JOIN \(PostgresProjectionTables.partyDigests) d ON d.workflow_id = c.workflow_id"
                        + " AND d.workflow_version = c.workflow_version AND d.kind = ? AND d.value = ? AND d.measure = ?"
                        + " AND d.day = c.day AND d.stamp = c.stamp"
                    arguments += [.text(party.kind.rawValue), .text(party.value), .text(measure.rawValue)]
                }
            }
            if let workflowID { clauses.append("c.workflow_id = ?"); arguments.append(.text(workflowID)) }
            if let version { clauses.append("c.workflow_version = ?"); arguments.append(.integer(Int64(version))) }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            return try query("SELECT c.workflow_id, c.workflow_version, c.day, c.stamp, c.last_fact_position, \(digest) FROM "
                             + PostgresProjectionTables.cohorts + " c" + join + filter + " ORDER BY c.workflow_id, c.workflow_version, c.day", arguments).map { row in
                let (workflow, version, day, stamp, last, digest) = try row.decode((String, Int, Int64, Int64, Int64, Data?).self)
                return ReportCohort(workflow: WorkflowKey(id: workflow, version: version), day: day, stamp: stamp, lastFactPosition: last,
                                    digest: digest.map { [UInt8]($0) })
            }
        }

        func worklist(_ query: WorkQuery) throws -> WorkPage {
            guard try current else { return WorkPage(items: [], total: 0) }
            var clauses: [String] = []
            var arguments: [Argument] = []
            if let workflow = query.workflowID { clauses.append("workflow_id = ?"); arguments.append(.text(workflow)) }
            if let department = query.department { clauses.append("department = ?"); arguments.append(.text(department)) }
            if let holder = query.holder { clauses.append("holder = ?"); arguments.append(.text(holder)) }
            if query.unheldOnly { clauses.append("holder IS NULL") }
            if let states = query.states {
                guard !states.isEmpty else { return WorkPage(items: [], total: 0) }
                let pairs = states.sorted { ($0.workflow, $0.branch ?? "", $0.state) < ($1.workflow, $1.branch ?? "", $1.state) }
                clauses.append("(" + pairs.map { "(workflow_id = ? AND workflow_version = ? AND state = ? AND branch " + ($0.branch == nil ? "IS NULL)" : "= ?)") }
                    .joined(separator: " OR ") + ")")
                for pair in pairs {
                    arguments += [.text(pair.workflow.id), .integer(Int64(pair.workflow.version)), .text(pair.state)]
                    if let branch = pair.branch { arguments.append(.text(branch)) }
                }
            }
            if let dueBy = query.dueBy {
                guard !dueBy.isEmpty else { return WorkPage(items: [], total: 0) }
                let keys = dueBy.keys.sorted()
                clauses.append("(" + keys.map { _ in "(workflow_id = ? AND workflow_version = ? AND due_at <= ?)" }.joined(separator: " OR ") + ")")
                for key in keys { arguments += [.text(key.id), .integer(Int64(key.version)), .integer(dueBy[key]!.microseconds)] }
            }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            // As `WorkQuery.precedes`: no limit last, then longest waiting; a case-level item's
            // branch (none) as "".
            let order = (query.order == .urgent ? "due_at NULLS LAST, " : "") + "entered_at, position, COALESCE(branch, '')"
            let items = try self.query("SELECT item FROM \(PostgresProjectionTables.deskWork)" + filter + " ORDER BY " + order
                                       + " LIMIT \(max(0, query.limit))", arguments).map { try decoded(DeskWorkItem.self, $0) }
            let total = try self.query("SELECT count(*) FROM \(PostgresProjectionTables.deskWork)" + filter, arguments).first?.decode(Int.self) ?? 0
            return WorkPage(items: items, total: total)
        }

        func searchCases(_ query: CaseQuery) throws -> [DeskCase] {
            var result: [DeskCase] = []
            try searchCases(query) { result.append($0) }
            return result
        }

        func searchCases(_ query: CaseQuery, _ body: (DeskCase) throws -> Void) throws {
            guard try current else { return }
            var clauses: [String] = []
            var arguments: [Argument] = []
            if let workflow = query.workflowID { clauses.append("workflow_id = ?"); arguments.append(.text(workflow)) }
            if let state = query.state {
                clauses.append("(state = ? OR case_id IN (SELECT case_id FROM \(PostgresProjectionTables.deskWork) WHERE state = ?))")
                arguments += [.text(state), .text(state)]
            }
            if let department = query.department {
                clauses.append("case_id IN (SELECT case_id FROM \(PostgresProjectionTables.parties) WHERE kind = ? AND value = ?)")
                arguments += [.text(PartyFact.Kind.department.rawValue), .text(department)]
            }
            if let applicant = query.applicant { clauses.append("applicant = ?"); arguments.append(.text(applicant)) }
            if let channel = query.channel { clauses.append("channel = ?"); arguments.append(.text(channel)) }
            for (key, value) in query.data.sorted(by: { $0.key < $1.key }) {
                clauses.append("case_id IN (SELECT case_id FROM \(PostgresProjectionTables.deskData) WHERE key = ? AND value = ?)")
                arguments += [.text(key), .text(value)]
            }
            if let from = query.openedFrom { clauses.append("opened_at >= ?"); arguments.append(.integer(from.microseconds)) }
            if let before = query.openedBefore { clauses.append("opened_at < ?"); arguments.append(.integer(before.microseconds)) }
            if query.openOnly { clauses.append("outcome IS NULL") }
            if let at = query.overdueAt { clauses.append("next_due_at <= ?"); arguments.append(.integer(at.microseconds)) }
            if let by = query.breachDueBy { clauses.append("next_breach_at <= ?"); arguments.append(.integer(by.microseconds)) }
            if let after = query.afterPosition { clauses.append("position > ?"); arguments.append(.integer(after)) }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            let order = (query.soonestDueFirst ? "next_due_at NULLS LAST, position" : "position") + (query.limit.map { " LIMIT \(max(0, $0))" } ?? "")
            try each("SELECT desk_case FROM \(PostgresProjectionTables.deskCases)" + filter + " ORDER BY " + order, arguments) {
                try body(try decoded(DeskCase.self, $0))
            }
        }

        func deskValues(_ field: DeskField, matching: String?, limit: Int) throws -> [String] {
            guard try current else { return [] }
            let (column, table): (String, String) = switch field {
            case .applicant: ("applicant", PostgresProjectionTables.deskCases)
            case .channel: ("channel", PostgresProjectionTables.deskCases)
            case .dataKey: ("key", PostgresProjectionTables.deskData)
            case .dataValue: ("value", PostgresProjectionTables.deskData)
            }
            var clauses = ["\(column) IS NOT NULL"]
            var arguments: [Argument] = []
            if case let .dataValue(key) = field { clauses.append("key = ?"); arguments.append(.text(key)) }
            if let matching { clauses.append("\(column) = ?"); arguments.append(.text(matching)) }
            return try query("SELECT DISTINCT \(column) FROM \(table) WHERE " + clauses.joined(separator: " AND ")
                             + " ORDER BY \(column) LIMIT \(max(0, limit))", arguments).map { try $0.decode(String.self) }
        }

        func contents() throws -> ProjectionContents {
            var contents = ProjectionContents()
            guard try installedVersion() != nil else { return contents }
            let progress = ProgressDecoder()
            contents.calendars = try recordedCalendars()
            try each("SELECT fact FROM \(PostgresProjectionTables.cases) ORDER BY case_id") { contents.cases.append(try decoded(CaseFact.self, $0)) }
            try each("SELECT case_id, progress FROM \(PostgresProjectionTables.openCases) ORDER BY case_id") { row in
                let (caseID, json) = try row.decode((String, String).self)
                contents.openCases.append(try progress.decode(json, caseID: caseID))
            }
            try each("SELECT fact FROM \(PostgresProjectionTables.stays) ORDER BY position, ordinal") { contents.stays.append(try decoded(StayFact.self, $0)) }
            try each("SELECT fact FROM \(PostgresProjectionTables.transitions) ORDER BY position, ordinal") {
                contents.transitions.append(try decoded(TransitionFact.self, $0))
            }
            try each("SELECT fact FROM \(PostgresProjectionTables.breaches) ORDER BY position, ordinal") {
                contents.breaches.append(try decoded(BreachFact.self, $0))
            }
            try each("SELECT case_id, kind, value FROM \(PostgresProjectionTables.parties) ORDER BY kind, value, case_id") { row in
                let (caseID, kind, value) = try row.decode((String, String, String).self)
                guard let kind = PartyFact.Kind(rawValue: kind) else {
                    throw StoreError(.corrupt, "the analytics projection in \(log.location) holds a party of unknown kind '\(kind)'; run `docket replay` to rebuild the projections")
                }
                contents.parties.append(PartyFact(caseID: caseID, kind: kind, value: value))
            }
            var updates: [String: DeskUpdate] = [:]
            var order: [String] = []
            try each("SELECT desk_case FROM \(PostgresProjectionTables.deskCases) ORDER BY case_id") {
                let deskCase = try decoded(DeskCase.self, $0)
                updates[deskCase.caseID] = DeskUpdate(deskCase: deskCase, data: [:], work: [])
                order.append(deskCase.caseID)
            }
            try each("SELECT case_id, key, value FROM \(PostgresProjectionTables.deskData)") { row in
                let (caseID, key, value) = try row.decode((String, String, String).self)
                updates[caseID]?.data[key] = value
            }
            try each("SELECT item FROM \(PostgresProjectionTables.deskWork) ORDER BY case_id, branch NULLS FIRST") {
                let item = try decoded(DeskWorkItem.self, $0)
                updates[item.caseID]?.work.append(item)
            }
            contents.desk = order.compactMap { updates[$0] }
            return contents
        }

        // MARK: Writing

        func recreate() throws {
            for table in PostgresProjectionTables.all.reversed() { try session.run("DROP TABLE IF EXISTS \(table)") }
            for statement in PostgresProjectionTables.create { try session.run(statement) }
            try query("INSERT INTO \(PostgresProjectionTables.meta) (key, value) VALUES (?, ?)",
                      [.text(PostgresProjectionTables.versionKey), .text(String(ProjectionSchema.version))])
            knownVersion = .some(ProjectionSchema.version)
        }

        func clear() throws {
            // DELETE, not TRUNCATE: a reader's older snapshot still sees the rows it began with.
            // A projection of schema 5 may not have this table yet (it is made when first used).
            try session.run(PostgresProjectionTables.partyDigestsSQL)
            for table in PostgresProjectionTables.all where table != PostgresProjectionTables.meta {
                try session.run("DELETE FROM \(table)")
            }
        }

        func saveCheckpoint(_ position: Int64) throws {
            let last = try lastPosition()
            guard position >= 0, position <= last else {
                throw StoreError(
                    .invalidArgument,
                    "checkpoint '\(ProjectionSchema.checkpointName)' cannot be set to position \(position): the log holds positions 0...\(last).")
            }
            try query("""
                INSERT INTO projection_checkpoints (projection, position) VALUES (?, ?)
                ON CONFLICT (projection) DO UPDATE SET position = excluded.position
                """, [.text(ProjectionSchema.checkpointName), .integer(position)])
        }

        /// What a write that replaces some of a cohort's facts does to it: a new stamp, no digests.
        private static let forgetDigests = """
            ON CONFLICT (workflow_id, workflow_version, day) DO UPDATE SET stamp = excluded.stamp, \
            wall = NULL, working = NULL, statutory = NULL
            """

        func deleteFacts(of caseIDs: [String]) throws {
            guard !caseIDs.isEmpty else { return }
            var binds = PostgresBindings()
            binds.append(caseIDs)
            // Their cohorts first, while the facts still say which they are.
            let day = { (column: String) in "floor(\(column)::numeric / 86400000000)::bigint" }
            let cohorts = [
                (PostgresProjectionTables.cases, "opened_at"), (PostgresProjectionTables.stays, "case_opened_at"),
                (PostgresProjectionTables.transitions, "case_opened_at"), (PostgresProjectionTables.breaches, "case_opened_at"),
            ].map { table, opened in
                "SELECT workflow_id, workflow_version, \(day(opened)) AS day FROM \(table) WHERE case_id = ANY($1::text[])"
            }.joined(separator: " UNION ")
            var stamped = binds
            stamped.append(cohortStamp)
            try session.query(PostgresQuery(
                unsafeSQL: "INSERT INTO \(PostgresProjectionTables.cohorts) (workflow_id, workflow_version, day, stamp, last_fact_position) "
                    + "SELECT workflow_id, workflow_version, day, $2, 0 FROM (\(cohorts)) AS touched " + Self.forgetDigests,
                binds: stamped))
            for table in [PostgresProjectionTables.cases, PostgresProjectionTables.stays, PostgresProjectionTables.transitions,
                          PostgresProjectionTables.breaches, PostgresProjectionTables.parties] {
                try session.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE case_id = ANY($1::text[])", binds: binds))
            }
        }

        func insert(_ facts: [ProjectionFact]) throws {
            var stays: [FactRow] = [], transitions: [FactRow] = [], breaches: [FactRow] = []
            var cases: [CaseRow] = [], parties: [PartyRow] = []
            var position: Int64 = -1
            var ordinals = (stay: 0, transition: 0, breach: 0)
            func at(_ factPosition: Int64) {
                if factPosition != position {
                    position = factPosition
                    ordinals = (0, 0, 0)
                }
            }
            for fact in facts {
                switch fact {
                case let .stay(f):
                    at(f.position)
                    stays.append(FactRow(f, ordinal: ordinals.stay, department: f.department, role: f.role, onBehalfOf: f.onBehalfOf,
                                         fact: try json(f)))
                    ordinals.stay += 1
                case let .transition(f):
                    at(f.position)
                    transitions.append(FactRow(f, ordinal: ordinals.transition, department: f.department, role: f.role,
                                               onBehalfOf: f.onBehalfOf, fact: try json(f)))
                    ordinals.transition += 1
                case let .breach(f):
                    at(f.position)
                    breaches.append(FactRow(f, ordinal: ordinals.breach, department: f.department, role: nil, onBehalfOf: nil,
                                            fact: try json(f)))
                    ordinals.breach += 1
                case let .decided(f):
                    cases.append(CaseRow(
                        caseId: f.caseID, workflowId: f.workflow.id, workflowVersion: f.workflow.version, position: f.position,
                        openedAt: f.openedAt.microseconds, channel: f.channel, fact: try json(f)))
                case let .party(f):
                    parties.append(PartyRow(caseId: f.caseID, kind: f.kind.rawValue, value: f.value))
                }
            }
            try insert(stays, into: PostgresProjectionTables.stays)
            try insert(transitions, into: PostgresProjectionTables.transitions)
            try insert(breaches, into: PostgresProjectionTables.breaches)
            try insert(cases, into: PostgresProjectionTables.cases, "ON CONFLICT (case_id) DO NOTHING")
            try insert(parties, into: PostgresProjectionTables.parties, "ON CONFLICT DO NOTHING")
            // The cohorts with new facts, with their latest positions.
            let touched = Array(ReportCohort.latestPositions(of: facts))
            guard !touched.isEmpty else { return }
            var binds = PostgresBindings()
            binds.append(touched.map(\.key.workflow.id))
            binds.append(touched.map { Int64($0.key.workflow.version) })
            binds.append(touched.map(\.key.day))
            binds.append(touched.map(\.value))
            binds.append(cohortStamp)
            try session.query(PostgresQuery(
                unsafeSQL: "INSERT INTO \(PostgresProjectionTables.cohorts) (workflow_id, workflow_version, day, last_fact_position, stamp) "
                    + "SELECT w, v, d, p, $5 FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS t(w, v, d, p) "
                    + "ON CONFLICT (workflow_id, workflow_version, day) DO UPDATE SET "
                    + "last_fact_position = greatest(\(PostgresProjectionTables.cohorts).last_fact_position, excluded.last_fact_position)",
                binds: binds))
        }

        func keepDigest(_ digest: [UInt8], of cohort: ReportCohort, measure: TimeMeasure, party: DigestedParty?) throws {
            var binds = PostgresBindings()
            try binds.append(Data(digest))
            binds.append(cohort.workflow.id)
            binds.append(Int64(cohort.workflow.version))
            binds.append(cohort.day)
            binds.append(cohort.stamp)
            if let party {
                if !partyDigestsExist {
                    try session.run(PostgresProjectionTables.partyDigestsSQL)
                    partyDigestsExist = true
                }
                binds.append(party.kind.rawValue)
                binds.append(party.value)
                binds.append(measure.rawValue)
                try session.query(PostgresQuery(
                    unsafeSQL: "INSERT INTO \(PostgresProjectionTables.partyDigests) "
                        + "(workflow_id, workflow_version, day, kind, value, measure, stamp, digest) "
                        + "SELECT workflow_id, workflow_version, day, $6, $7, $8, stamp, $1 FROM \(PostgresProjectionTables.cohorts) "
                        + "WHERE workflow_id = $2 AND workflow_version = $3 AND day = $4 AND stamp = $5 "
                        + "ON CONFLICT (workflow_id, workflow_version, kind, value, measure, day) "
                        + "DO UPDATE SET stamp = excluded.stamp, digest = excluded.digest",
                    binds: binds))
                return
            }
            try session.query(PostgresQuery(
                unsafeSQL: "UPDATE \(PostgresProjectionTables.cohorts) SET \(measure.rawValue) = $1 "
                    + "WHERE workflow_id = $2 AND workflow_version = $3 AND day = $4 AND stamp = $5",
                binds: binds))
        }

        func saveOpenCases(_ updates: [OpenCaseUpdate]) throws {
            guard !updates.isEmpty else { return }
            // The last update of each case counts (one statement may not change a row twice).
            var last: [String: EncodedProgress?] = [:]
            // `.some`: assigning a bare nil would remove the key instead of recording the decision.
            for update in updates { last[update.caseID] = .some(update.progress) }
            var binds = PostgresBindings()
            binds.append(Array(last.keys))
            try session.query(PostgresQuery(
                unsafeSQL: "DELETE FROM \(PostgresProjectionTables.openCases) WHERE case_id = ANY($1::text[])", binds: binds))
            let rows = try last.compactMap { caseID, encoded -> OpenCaseRow? in
                guard let encoded else { return nil }
                let progress = encoded.progress
                var summary = progress.summary
                summary.caseID = caseID
                return OpenCaseRow(caseId: caseID, workflowId: progress.workflow.id, workflowVersion: progress.workflow.version,
                                   openedAt: progress.openedAt.microseconds, channel: progress.channel, summary: try json(summary),
                                   progress: encoded.json)
            }
            try insert(rows, into: PostgresProjectionTables.openCases)
        }

        func saveDesk(_ updates: [DeskUpdate]) throws {
            guard !updates.isEmpty else { return }
            var last: [String: DeskUpdate] = [:]
            for update in updates { last[update.deskCase.caseID] = update }
            var binds = PostgresBindings()
            binds.append(Array(last.keys))
            for table in [PostgresProjectionTables.deskCases, PostgresProjectionTables.deskData, PostgresProjectionTables.deskWork] {
                try session.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE case_id = ANY($1::text[])", binds: binds))
            }
            var cases: [DeskCaseRow] = [], data: [DeskDataRow] = [], work: [DeskWorkRow] = []
            for update in last.values {
                let c = update.deskCase
                cases.append(DeskCaseRow(
                    caseId: c.caseID, position: c.position, workflowId: c.workflow.id, state: c.state, applicant: c.applicant,
                    channel: c.channel, openedAt: c.openedAt.microseconds, outcome: c.outcome, nextDueAt: c.nextDueAt?.microseconds,
                    nextBreachAt: c.nextBreachAt?.microseconds, deskCase: try json(c)))
                for (key, value) in update.data { data.append(DeskDataRow(caseId: c.caseID, key: key, value: value)) }
                for item in update.work {
                    work.append(DeskWorkRow(
                        caseId: item.caseID, branch: item.branch, position: item.position, workflowId: item.workflow.id,
                        workflowVersion: item.workflow.version, state: item.state, department: item.department, holder: item.holder,
                        dueAt: item.dueAt?.microseconds, enteredAt: item.enteredAt.microseconds, item: try json(item)))
                }
            }
            try insert(cases, into: PostgresProjectionTables.deskCases)
            try insert(data, into: PostgresProjectionTables.deskData)
            try insert(work, into: PostgresProjectionTables.deskWork)
        }

        func recordCalendar(_ label: String, for workflow: WorkflowKey) throws {
            try query("""
                INSERT INTO \(PostgresProjectionTables.calendars) (workflow_id, workflow_version, calendar) VALUES (?, ?, ?)
                ON CONFLICT (workflow_id, workflow_version) DO UPDATE SET calendar = excluded.calendar
                """, [.text(workflow.id), .integer(Int64(workflow.version)), .text(label)])
        }
    }

    /// The `WHERE` clause of one table for a report's scope (`Docs/analytics.md`, Selection).
    private struct Filter {
        var clauses: [String] = []
        var arguments: [Argument] = []

        /// - Parameter parties: filter departments, roles and assisted parties through the cases
        ///   they took part in (case-level tables) rather than through the row's own columns.
        init(_ scope: ReportScope, openedColumn: String, parties: Bool) {
            if let workflow = scope.workflowID { clauses.append("workflow_id = ?"); arguments.append(.text(workflow)) }
            if let version = scope.version { clauses.append("workflow_version = ?"); arguments.append(.integer(Int64(version))) }
            if let from = scope.from { clauses.append("\(openedColumn) >= ?"); arguments.append(.integer(from.microseconds)) }
            if let to = scope.to { clauses.append("\(openedColumn) < ?"); arguments.append(.integer(to.microseconds)) }
            if let channel = scope.channel { clauses.append("channel = ?"); arguments.append(.text(channel)) }
            let filters: [(PartyFact.Kind, String, String?)] = [
                (.department, "department", scope.department), (.role, "role", scope.role), (.onBehalfOf, "on_behalf_of", scope.onBehalfOf),
            ]
            for case let (kind, column, value?) in filters {
                if parties {
                    clauses.append("case_id IN (SELECT case_id FROM \(PostgresProjectionTables.parties) WHERE kind = ? AND value = ?)")
                    arguments += [.text(kind.rawValue), .text(value)]
                } else {
                    clauses.append("\(column) = ?")
                    arguments.append(.text(value))
                }
            }
        }

        /// Only the rows at log positions after `position`, when given.
        mutating func after(_ position: Int64?) {
            guard let position else { return }
            clauses.append("position > ?")
            arguments.append(.integer(position))
        }

        var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
    }
}

// The rows of the tables as `json_populate_recordset` reads them (keys in snake case: the columns).

private struct FactRow: Encodable {
    var position: Int64
    var ordinal: Int
    var caseId: String
    var workflowId: String
    var workflowVersion: Int
    var caseOpenedAt: Int64
    var channel: String?
    var department: String?
    var role: String?
    var onBehalfOf: String?
    var fact: String

    /// The row of `scoped` (its cohort columns), numbered `ordinal` at its position, with its
    /// filter columns and its JSON.
    init(_ scoped: some CaseScopedFact, ordinal: Int, department: String?, role: String?, onBehalfOf: String?, fact: String) {
        position = scoped.position
        self.ordinal = ordinal
        caseId = scoped.caseID
        workflowId = scoped.workflow.id
        workflowVersion = scoped.workflow.version
        caseOpenedAt = scoped.caseOpenedAt.microseconds
        channel = scoped.channel
        self.department = department
        self.role = role
        self.onBehalfOf = onBehalfOf
        self.fact = fact
    }
}

private struct CaseRow: Encodable {
    var caseId: String
    var workflowId: String
    var workflowVersion: Int
    var position: Int64
    var openedAt: Int64
    var channel: String?
    var fact: String
}

private struct PartyRow: Encodable {
    var caseId: String
    var kind: String
    var value: String
}

private struct OpenCaseRow: Encodable {
    var caseId: String
    var workflowId: String
    var workflowVersion: Int
    var openedAt: Int64
    var channel: String?
    /// ``OpenCaseSummary`` as JSON: what a report reads of an open case.
    var summary: String
    var progress: String
}

private struct DeskCaseRow: Encodable {
    var caseId: String
    var position: Int64
    var workflowId: String
    var state: String
    var applicant: String?
    var channel: String?
    var openedAt: Int64
    var outcome: String?
    var nextDueAt: Int64?
    var nextBreachAt: Int64?
    var deskCase: String
}

private struct DeskDataRow: Encodable {
    var caseId: String
    var key: String
    var value: String
}

private struct DeskWorkRow: Encodable {
    var caseId: String
    var branch: String?
    var position: Int64
    var workflowId: String
    var workflowVersion: Int
    var state: String
    var department: String?
    var holder: String?
    var dueAt: Int64?
    var enteredAt: Int64
    var item: String
}
