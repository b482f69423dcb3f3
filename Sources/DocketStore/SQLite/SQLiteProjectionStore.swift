import DocketAnalytics
import DocketCore
import Foundation
import GRDB

/// The analytics projection in the event log's own SQLite file (``AnalyticsTables``), with its
/// checkpoint in the log's `projection_checkpoints`: a write is one `BEGIN IMMEDIATE` transaction
/// of `SQLiteEventStore/write(_:)`, so the tables and the checkpoint commit together, and
/// writers in other processes wait their turn.
///
/// Facts go in many rows per statement (``MultiRowInsert``), bound through the SQLite C API
/// (``RawStatement``) on statements prepared once per transaction: one `INSERT` a row cost SQLite
/// a cursor opening and a seek per table and index for each row, and GRDB's `StatementArguments`
/// boxed two dozen values a row, together several times SQLite's own work of storing the row.
package final class SQLiteProjectionStore: ProjectionStore {
    /// The event log whose file holds the tables.
    package let sqlite: SQLiteEventStore

    package var log: any EventStore { sqlite }

    package var isReadOnly: Bool { sqlite.options.readOnly }

    /// The projection kept in `log`'s file.
    package init(log: SQLiteEventStore) {
        sqlite = log
    }

    package func read<T>(_ body: (any ProjectionReading) throws -> T) throws -> T {
        try sqlite.read { db in try body(Transaction(db, log: sqlite)) }
    }

    package func write<T>(_ body: (any ProjectionWriting) throws -> T) throws -> T {
        try sqlite.write { db in try body(Transaction(db, log: sqlite)) }
    }

    package func bulkWriting<T>(_ body: () throws -> T) throws -> T {
        try sqlite.bulkWriting(body)
    }

    /// One read or write transaction on the tables.
    private final class Transaction: ProjectionWriting {
        let db: Database
        let log: SQLiteEventStore
        /// Prepared on the first insert of the transaction.
        private var writer: FactWriter?
        /// Loaded on first use in the transaction.
        private var loadedNames: Names?
        /// Whether this transaction made sure `analytics_party_digests` exists (it may not, in a
        /// projection of schema 5 made before it).
        private var partyDigestsExist = false
        /// The stamp this transaction gives the cohorts whose facts it changes (``ReportCohort``):
        /// random, so that no stamp comes back after a clear or a rebuild, when a report that
        /// read the old one could otherwise keep a digest of facts no longer there.
        private lazy var cohortStamp = Int64.random(in: 1...Int64.max)

        init(_ db: Database, log: SQLiteEventStore) {
            self.db = db
            self.log = log
        }

        // MARK: Reading

        func installedVersion() throws -> Int? {
            guard try db.tableExists(AnalyticsTables.meta.name) else { return nil }
            var version: Int?
            try each(AnalyticsTables.meta, where: " WHERE key = ?", [.text(Self.schemaVersionKey)]) { row in
                version = Int(row.value)
            }
            return version
        }

        func checkpoint() throws -> Int64 {
            try log.checkpoint(named: ProjectionSchema.checkpointName, in: db)
        }

        func lastPosition() throws -> Int64 {
            try SQLiteEventStore.head(db).position
        }

        func recordedCalendars() throws -> [WorkflowKey: String] {
            guard try installedVersion() != nil else { return [:] }
            var result: [WorkflowKey: String] = [:]
            try each(AnalyticsTables.calendars) { result[$0.workflow] = $0.calendar }
            return result
        }

        func openCaseIDs(workflowID: String?) throws -> [String] {
            guard try installedVersion() == ProjectionSchema.version else { return [] }
            let workflow: Int64? = try workflowID.map { try names().existingID($0) ?? -1 }
            let statement = try db.cachedStatement(sql: """
                SELECT o.case_id FROM \(AnalyticsTables.openCases.name) a JOIN events o ON o.case_id = a.case_id AND o.version = 1
                WHERE ?1 IS NULL OR a.workflow_id = ?1
                ORDER BY o.position
                """)
            try statement.setArguments([workflow])
            return try String.fetchAll(statement)
        }

        func openCaseCount() throws -> Int {
            guard try installedVersion() != nil else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM \(AnalyticsTables.openCases.name)") ?? 0
        }

        func openCaseProgress(of caseIDs: [String]) throws -> [OpenCaseProgress] {
            guard try installedVersion() == ProjectionSchema.version else { return [] }
            let decoder = ProgressDecoder()
            var result: [OpenCaseProgress] = []
            var start = 0
            while start < caseIDs.count {
                let ids = caseIDs[start..<min(start + 500, caseIDs.count)]
                start += ids.count
                try each(AnalyticsTables.openCases, where: " WHERE case_id IN (\(databaseQuestionMarks(count: ids.count)))",
                         ids.map { .text($0) }) { row in
                    result.append(try decoder.decode(row.progress, caseID: row.summary.caseID))
                }
            }
            return result
        }

        func select(_ scope: ReportScope, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: nil, body)
        }

        func selectFacts(_ scope: ReportScope, after position: Int64, _ body: (ProjectionRow) throws -> Void) throws {
            try rows(scope, after: position, body)
        }

        /// The rows of `scope`: with `position`, only the facts after it and no open case.
        private func rows(_ scope: ReportScope, after position: Int64?, _ body: (ProjectionRow) throws -> Void) throws {
            guard try installedVersion() == ProjectionSchema.version else { return }
            let names = try names()
            // Each table is read in its primary key's order: one range scan of the workflow
            // version's rows (from the position, when given), no index lookup per row.
            let cohort = Filter(scope, names: names, openedColumn: "opened_at", parties: .tookPart)
            guard !cohort.empty else { return }
            // With a party filter and every case read (no `position`), the keys of the cases it
            // keeps: their breaches are the breaches it keeps, looked up here rather than probed
            // in SQL again (on the province, a department's workflow has 670,000 breaches, nearly
            // all of its cases').
            let breachesByKey = position == nil && scope.filtersByParty
            var partyCases: Set<Int64> = []
            var decided = cohort
            decided.after(position)
            try each(AnalyticsTables.cases, where: decided.sql(AnalyticsTables.cases), decided.arguments, names: names,
                     order: "workflow_id, workflow_version, position") { row in
                if breachesByKey { partyCases.insert(row.caseKey) }
                try body(.decided(row.fact))
            }
            if position == nil {
                try each(AnalyticsTables.openCaseSummaries, where: cohort.sql(AnalyticsTables.openCaseSummaries), cohort.arguments, names: names, order: "case_id") { row in
                    if breachesByKey { partyCases.insert(row.caseKey) }
                    try body(.open(row.summary))
                }
            }
            let factOrder = "workflow_id, workflow_version, position, ordinal"
            var cases = Filter(scope, names: names, openedColumn: "case_opened_at", parties: breachesByKey ? .ignored : .tookPart)
            cases.after(position)
            // Without their case's id (`forReport`): the table keeps only its key, and looking up
            // the id of every breached case was a good part of a filtered report's time.
            try each(AnalyticsTables.breaches, where: cases.sql(AnalyticsTables.breaches), cases.arguments, names: names, order: factOrder) { row in
                if !breachesByKey || partyCases.contains(row.caseKey) { try body(.breach(row.fact.forReport)) }
            }
            // Stays and transitions with only the columns a report reads (`forReport`): each
            // column and string read for millions of rows was a good part of a report's time.
            var direct = Filter(scope, names: names, openedColumn: "case_opened_at", parties: .direct)
            direct.after(position)
            try each(AnalyticsTables.staysForReport, where: direct.sql(AnalyticsTables.staysForReport), direct.arguments, names: names, order: factOrder) {
                try body(.stay($0.fact))
            }
            try each(AnalyticsTables.transitionsForReport, where: direct.sql(AnalyticsTables.transitionsForReport), direct.arguments, names: names, order: factOrder) {
                try body(.transition($0.fact))
            }
        }

        func selectOpenCases(_ scope: ReportScope, _ body: (OpenCaseSummary) throws -> Void) throws {
            guard try installedVersion() == ProjectionSchema.version else { return }
            let names = try names()
            let cohort = Filter(scope, names: names, openedColumn: "opened_at", parties: .tookPart)
            guard !cohort.empty else { return }
            try each(AnalyticsTables.openCaseSummaries, where: cohort.sql(AnalyticsTables.openCaseSummaries), cohort.arguments, names: names, order: "case_id") {
                try body($0.summary)
            }
        }

        func selectBreaches(_ scope: ReportScope, _ body: (BreachFact) throws -> Void) throws {
            guard try installedVersion() == ProjectionSchema.version else { return }
            let names = try names()
            let cases = Filter(scope, names: names, openedColumn: "case_opened_at", parties: .tookPart)
            guard !cases.empty else { return }
            try each(AnalyticsTables.breaches, where: cases.sql(AnalyticsTables.breaches), cases.arguments, names: names,
                     order: "workflow_id, workflow_version, position, ordinal") { try body($0.fact.forReport) }
        }

        func reportCohorts(workflowID: String?, version: Int?, measure: TimeMeasure, party: DigestedParty?) throws -> [ReportCohort] {
            guard try installedVersion() == ProjectionSchema.version else { return [] }
            let names = try names()
            var workflow: Int64?
            if let workflowID {
                guard let id = names.existingID(workflowID) else { return [] }
                workflow = id
            }
            var digest = "c.\(measure.rawValue)", join = ""
            var arguments: StatementArguments = [workflow, version]
            if let party {
                // No table yet: no party digest was ever kept.
                let kept = try db.tableExists(AnalyticsTables.partyDigests)
                digest = kept ? "d.digest" : "NULL"
                if kept {
                    join = """
                         LEFT JOIN \(AnalyticsTables.partyDigests) d ON d.workflow_id = c.workflow_id
                        AND d.workflow_version = c.workflow_version AND d.kind = ?3 AND d.value = ?4 AND d.measure = ?5
                        AND d.day = c.day AND d.stamp = c.stamp
                        """
                    arguments += [party.kind.rawValue, party.value, measure.rawValue]
                }
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.workflow_id, c.workflow_version, c.day, c.stamp, c.last_fact_position, \(digest) FROM \(AnalyticsTables.cohorts) c\(join)
                WHERE (?1 IS NULL OR c.workflow_id = ?1) AND (?2 IS NULL OR c.workflow_version = ?2)
                """, arguments: arguments)
            var cohorts: [ReportCohort] = []
            while let row = try rows.next() {
                let digest: Data? = row[5]
                cohorts.append(ReportCohort(
                    workflow: WorkflowKey(id: names.name(row[0]), version: row[1]), day: row[2], stamp: row[3],
                    lastFactPosition: row[4], digest: digest.map { [UInt8]($0) }))
            }
            return cohorts.sorted { ($0.workflow, $0.day) < ($1.workflow, $1.day) }
        }

        /// The names of the fact tables, loaded once per transaction.
        private func names() throws -> Names {
            if let loadedNames { return loadedNames }
            let names = try db.tableExists(AnalyticsTables.names.name) ? try Names(db) : Names()
            loadedNames = names
            return names
        }

        func worklist(_ query: WorkQuery) throws -> WorkPage {
            guard try installedVersion() == ProjectionSchema.version else { return WorkPage(items: [], total: 0) }
            var clauses: [String] = []
            var arguments: [Argument] = []
            if let workflow = query.workflowID { clauses.append("workflow_id = ?"); arguments.append(.text(workflow)) }
            if let department = query.department { clauses.append("department = ?"); arguments.append(.text(department)) }
            if let holder = query.holder { clauses.append("holder = ?"); arguments.append(.text(holder)) }
            if query.unheldOnly { clauses.append("holder IS NULL") }
            if let states = query.states {
                guard !states.isEmpty else { return WorkPage(items: [], total: 0) }
                // The few states a role acts in: `state IN` uses the index, the version check narrows.
                let names = Set(states.map(\.state)).sorted()
                clauses.append("state IN (\(databaseQuestionMarks(count: names.count)))")
                arguments += names.map { .text($0) }
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
                // One bound for the range the index can use, then each version's own.
                clauses.append("due_at <= ?")
                arguments.append(.integer(dueBy.values.max()!.microseconds))
                let keys = dueBy.keys.sorted()
                clauses.append("(" + keys.map { _ in "(workflow_id = ? AND workflow_version = ? AND due_at <= ?)" }.joined(separator: " OR ") + ")")
                for key in keys { arguments += [.text(key.id), .integer(Int64(key.version)), .integer(dueBy[key]!.microseconds)] }
            }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            let order = query.order == .urgent ? "due_at, entered_at, position, branch" : "entered_at, position, branch"
            var items: [DeskWorkItem] = []
            try each(AnalyticsTables.deskWork, where: filter, arguments, order: order + " LIMIT \(max(0, query.limit))") { items.append($0) }
            let count = try db.cachedStatement(sql: "SELECT count(*) FROM \(AnalyticsTables.deskWork.name)" + filter)
            let raw = RawStatement(count)
            defer { raw.reset() }
            bind(raw, arguments)
            var total = 0
            if try raw.step(db) { total = raw.int(0) }
            return WorkPage(items: items, total: total)
        }

        func searchCases(_ query: CaseQuery) throws -> [DeskCase] {
            var result: [DeskCase] = []
            try searchCases(query) { result.append($0) }
            return result
        }

        func searchCases(_ query: CaseQuery, _ body: (DeskCase) throws -> Void) throws {
            guard try installedVersion() == ProjectionSchema.version else { return }
            var clauses: [String] = []
            var arguments: [Argument] = []
            if let workflow = query.workflowID { clauses.append("workflow_id = ?"); arguments.append(.text(workflow)) }
            if let state = query.state {
                clauses.append("(state = ? OR case_id IN (SELECT case_id FROM \(AnalyticsTables.deskWork.name) WHERE state = ?))")
                arguments += [.text(state), .text(state)]
            }
            if let department = query.department {
                clauses.append("""
                    case_id IN (SELECT k.case_id FROM \(AnalyticsTables.parties.name) p JOIN \(AnalyticsTables.caseKeys.name) k
                    ON k.case_key = p.case_key WHERE p.kind = ? AND p.value = ?)
                    """)
                arguments += [.integer(try names().existingID(PartyFact.Kind.department.rawValue) ?? -1), .text(department)]
            }
            if let applicant = query.applicant { clauses.append("applicant = ?"); arguments.append(.text(applicant)) }
            if let channel = query.channel { clauses.append("channel = ?"); arguments.append(.text(channel)) }
            for (key, value) in query.data.sorted(by: { $0.key < $1.key }) {
                clauses.append("case_id IN (SELECT case_id FROM \(AnalyticsTables.deskData.name) WHERE key = ? AND value = ?)")
                arguments += [.text(key), .text(value)]
            }
            if let from = query.openedFrom { clauses.append("opened_at >= ?"); arguments.append(.integer(from.microseconds)) }
            if let before = query.openedBefore { clauses.append("opened_at < ?"); arguments.append(.integer(before.microseconds)) }
            if query.openOnly { clauses.append("outcome IS NULL") }
            if let at = query.overdueAt { clauses.append("next_due_at <= ?"); arguments.append(.integer(at.microseconds)) }
            if let by = query.breachDueBy { clauses.append("next_breach_at <= ?"); arguments.append(.integer(by.microseconds)) }
            if let after = query.afterPosition { clauses.append("position > ?"); arguments.append(.integer(after)) }
            let filter = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            // Overdue cases all have a due time: ordered by the index on it alone (without `IS NULL`
            // first), SQLite sorts only the cases due at one instant, so the first rows come at once.
            let soonest = query.overdueAt != nil ? "next_due_at, position" : "next_due_at IS NULL, next_due_at, position"
            let order = (query.soonestDueFirst ? soonest : "position") + (query.limit.map { " LIMIT \($0)" } ?? "")
            try each(AnalyticsTables.deskCases, where: filter, arguments, order: order, body)
        }

        func deskValues(_ field: DeskField, matching: String?, limit: Int) throws -> [String] {
            guard try installedVersion() == ProjectionSchema.version else { return [] }
            let (column, table, extra): (String, String, [Argument]) = switch field {
            case .applicant: ("applicant", AnalyticsTables.deskCases.name, [])
            case .channel: ("channel", AnalyticsTables.deskCases.name, [])
            case .dataKey: ("key", AnalyticsTables.deskData.name, [])
            case let .dataValue(key): ("value", AnalyticsTables.deskData.name, [.text(key)])
            }
            var clauses = ["\(column) IS NOT NULL"]
            if case .dataValue = field { clauses.append("key = ?") }
            var arguments = extra
            if let matching { clauses.append("\(column) = ?"); arguments.append(.text(matching)) }
            let statement = RawStatement(try db.cachedStatement(sql: "SELECT DISTINCT \(column) FROM \(table) WHERE "
                + clauses.joined(separator: " AND ") + " ORDER BY \(column) LIMIT \(max(0, limit))"))
            defer { statement.reset() }
            bind(statement, arguments)
            var values: [String] = []
            while try statement.step(db) { values.append(statement.string(0) ?? "") }
            return values
        }

        private func bind(_ statement: RawStatement, _ arguments: [Argument]) {
            for (index, argument) in arguments.enumerated() {
                switch argument {
                case let .text(value): statement.bind(Int32(index + 1), value)
                case let .integer(value): statement.bind(Int32(index + 1), value)
                }
            }
        }

        func contents() throws -> ProjectionContents {
            var contents = ProjectionContents()
            guard try installedVersion() != nil else { return contents }
            let decoder = ProgressDecoder()
            let names = try names()
            var ids: [Int64: String] = [:]
            try each(AnalyticsTables.caseKeys) { ids[$0.caseKey] = $0.caseID }
            func id(_ key: Int64) -> String { ids[key] ?? "" }
            func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
            contents.calendars = try recordedCalendars()
            try each(AnalyticsTables.cases, names: names) { contents.cases.append($0.fact) }
            contents.cases.sort { precedes($0.caseID, $1.caseID) }
            try each(AnalyticsTables.openCases, names: names, order: "case_id") {
                contents.openCases.append(try decoder.decode($0.progress, caseID: $0.summary.caseID))
            }
            try each(AnalyticsTables.stays, names: names, order: "position, ordinal") {
                var fact = $0.fact
                fact.caseID = id($0.caseKey)
                contents.stays.append(fact)
            }
            try each(AnalyticsTables.transitions, names: names, order: "position, ordinal") {
                var fact = $0.fact
                fact.caseID = id($0.caseKey)
                contents.transitions.append(fact)
            }
            try each(AnalyticsTables.breaches, names: names, order: "position, ordinal") {
                var fact = $0.fact
                fact.caseID = id($0.caseKey)
                contents.breaches.append(fact)
            }
            try each(AnalyticsTables.parties, names: names) {
                var fact = $0.fact
                fact.caseID = id($0.caseKey)
                contents.parties.append(fact)
            }
            contents.parties.sort { a, b in
                if a.kind != b.kind { return precedes(a.kind.rawValue, b.kind.rawValue) }
                if a.value != b.value { return precedes(a.value, b.value) }
                return precedes(a.caseID, b.caseID)
            }
            if try db.tableExists(AnalyticsTables.deskCases.name) {
                var updates: [String: DeskUpdate] = [:]
                var order: [String] = []
                try each(AnalyticsTables.deskCases, order: "case_id") {
                    updates[$0.caseID] = DeskUpdate(deskCase: $0, data: [:], work: [])
                    order.append($0.caseID)
                }
                try each(AnalyticsTables.deskData) { updates[$0.caseID]?.data[$0.key] = $0.value }
                try each(AnalyticsTables.deskWork, order: "case_id, branch") { updates[$0.caseID]?.work.append($0) }
                contents.desk = order.compactMap { updates[$0] }
            }
            return contents
        }

        /// Calls `body` with each row of `table` that `filter` (a `WHERE` clause or "") selects.
        private func each<Row>(
            _ table: AnalyticsTable<Row>, where filter: String = "", _ arguments: [Argument] = [], names: Names = Names(),
            order: String? = nil, _ body: (Row) throws -> Void
        ) throws {
            let statement = try db.cachedStatement(sql: table.select + filter + (order.map { " ORDER BY " + $0 } ?? ""))
            let rows = RawStatement(statement)
            defer { rows.reset() }
            for (index, argument) in arguments.enumerated() {
                switch argument {
                case let .text(value): rows.bind(Int32(index + 1), value)
                case let .integer(value): rows.bind(Int32(index + 1), value)
                }
            }
            while try rows.step(db) { try body(table.read(rows, names: names)) }
        }

        // MARK: Writing

        static let schemaVersionKey = "schema_version"

        func recreate() throws {
            for table in AnalyticsTables.all.reversed() where try db.tableExists(table.name) {
                try db.execute(sql: "DROP TABLE \(table.name)")
            }
            for table in AnalyticsTables.all { try db.execute(sql: table.create) }
            let insert = RawStatement(try db.cachedStatement(sql: AnalyticsTables.meta.insertHead("INSERT") + " VALUES (?, ?)"))
            AnalyticsTables.meta.bind(insert, offset: 0, MetaRow(key: Self.schemaVersionKey, value: String(ProjectionSchema.version)))
            try insert.execute(db)
            loadedNames = Names()
            writer = nil
        }

        func clear() throws {
            for table in AnalyticsTables.all where try table.name != AnalyticsTables.meta.name && db.tableExists(table.name) {
                try db.execute(sql: "DELETE FROM \(table.name)")
            }
            loadedNames = Names()
            writer = nil
        }

        func deleteFacts(of caseIDs: [String]) throws {
            // Each fact table has an index on case_key: a correction forgets its case's rows
            // without reading the table.
            var start = 0
            while start < caseIDs.count {
                let chunk = Array(caseIDs[start..<min(caseIDs.count, start + 500)])
                start += chunk.count
                let keys = "SELECT case_key FROM \(AnalyticsTables.caseKeys.name) WHERE case_id IN (\(databaseQuestionMarks(count: chunk.count)))"
                // Their cohorts first, while the facts still say which they are.
                let day = { (column: String) in "(\(column) - ((\(column) % 86400000000) + 86400000000) % 86400000000) / 86400000000" }
                let cohorts = [
                    (AnalyticsTables.cases.name, "opened_at"), (AnalyticsTables.stays.name, "case_opened_at"),
                    (AnalyticsTables.transitions.name, "case_opened_at"), (AnalyticsTables.breaches.name, "case_opened_at"),
                ].map { table, opened in
                    "SELECT workflow_id, workflow_version, \(day(opened)) FROM \(table) WHERE case_key IN (\(keys))"
                }.joined(separator: " UNION ")
                // (A cohort met here first gets its latest position when the refold writes its facts.)
                try db.execute(
                    sql: "INSERT INTO \(AnalyticsTables.cohorts) (workflow_id, workflow_version, day, stamp, last_fact_position) "
                        + "SELECT *, ?, 0 FROM (\(cohorts)) WHERE true " + forgetDigests,
                    arguments: StatementArguments([cohortStamp] + Array(repeating: chunk, count: 4).flatMap { $0 }.map { $0 as DatabaseValueConvertible }))
                for table in [AnalyticsTables.cases.name, AnalyticsTables.stays.name, AnalyticsTables.transitions.name,
                              AnalyticsTables.breaches.name, AnalyticsTables.parties.name] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE case_key IN (\(keys))", arguments: StatementArguments(chunk))
                }
            }
        }

        func keepDigest(_ digest: [UInt8], of cohort: ReportCohort, measure: TimeMeasure, party: DigestedParty?) throws {
            guard let workflow = try names().existingID(cohort.workflow.id) else { return }
            if let party {
                if !partyDigestsExist {
                    try db.execute(sql: AnalyticsTables.partyDigestsSQL)
                    partyDigestsExist = true
                }
                try db.execute(
                    sql: """
                        INSERT INTO \(AnalyticsTables.partyDigests) (workflow_id, workflow_version, day, kind, value, measure, stamp, digest)
                        SELECT workflow_id, workflow_version, day, ?, ?, ?, stamp, ? FROM \(AnalyticsTables.cohorts)
                        WHERE workflow_id = ? AND workflow_version = ? AND day = ? AND stamp = ?
                        ON CONFLICT (workflow_id, workflow_version, kind, value, measure, day)
                        DO UPDATE SET stamp = excluded.stamp, digest = excluded.digest
                        """,
                    arguments: [party.kind.rawValue, party.value, measure.rawValue, Data(digest),
                                workflow, cohort.workflow.version, cohort.day, cohort.stamp])
                return
            }
            try db.execute(
                sql: """
                    UPDATE \(AnalyticsTables.cohorts) SET \(measure.rawValue) = ?
                    WHERE workflow_id = ? AND workflow_version = ? AND day = ? AND stamp = ?
                    """,
                arguments: [Data(digest), workflow, cohort.workflow.version, cohort.day, cohort.stamp])
        }

        func saveCheckpoint(_ position: Int64) throws {
            try log.saveCheckpoint(named: ProjectionSchema.checkpointName, position: position, in: db)
        }

        func insert(_ facts: [ProjectionFact]) throws {
            try factWriter().insert(facts)
        }

        func saveOpenCases(_ updates: [OpenCaseUpdate]) throws {
            try factWriter().save(updates)
        }

        func saveDesk(_ updates: [DeskUpdate]) throws {
            guard !updates.isEmpty else { return }
            func prepared(_ sql: String) throws -> RawStatement { RawStatement(try db.cachedStatement(sql: sql)) }
            let forget = try [AnalyticsTables.deskCases.name, AnalyticsTables.deskData.name, AnalyticsTables.deskWork.name].map {
                try prepared("DELETE FROM \($0) WHERE case_id = ?")
            }
            func insert<Row>(_ table: AnalyticsTable<Row>) throws -> RawStatement {
                try prepared(table.insertHead("INSERT") + " VALUES (\(databaseQuestionMarks(count: table.columns.count)))")
            }
            let caseRow = try insert(AnalyticsTables.deskCases), dataRow = try insert(AnalyticsTables.deskData)
            let workRow = try insert(AnalyticsTables.deskWork)
            for update in updates {
                for statement in forget {
                    statement.bind(1, update.deskCase.caseID)
                    try statement.execute(db)
                }
                AnalyticsTables.deskCases.bind(caseRow, offset: 0, update.deskCase)
                try caseRow.execute(db)
                for (key, value) in update.data {
                    AnalyticsTables.deskData.bind(dataRow, offset: 0, DeskDataRow(caseID: update.deskCase.caseID, key: key, value: value))
                    try dataRow.execute(db)
                }
                for item in update.work {
                    AnalyticsTables.deskWork.bind(workRow, offset: 0, item)
                    try workRow.execute(db)
                }
            }
        }

        func recordCalendar(_ label: String, for workflow: WorkflowKey) throws {
            let table = AnalyticsTables.calendars
            let statement = RawStatement(try db.cachedStatement(sql: table.insertHead("INSERT")
                + " VALUES (?, ?, ?) ON CONFLICT (workflow_id, workflow_version) DO UPDATE SET calendar = excluded.calendar"))
            table.bind(statement, offset: 0, CalendarRow(workflow: workflow, calendar: label))
            try statement.execute(db)
        }

        private func factWriter() throws -> FactWriter {
            if let writer { return writer }
            let made = try FactWriter(db, names: try names(), cohortStamp: cohortStamp)
            writer = made
            return made
        }
    }

    /// A value a `WHERE` clause compares with.
    private enum Argument {
        case text(String)
        case integer(Int64)
    }

    /// The `WHERE` clause of one table for a report's scope (`Docs/analytics.md`, Selection).
    private struct Filter {
        var clauses: [String] = []
        var arguments: [Argument] = []
        /// True when a name the scope asks for is in no fact: nothing can match.
        var empty = false

        /// - Parameter parties: filter departments, roles and assisted parties through the cases
        ///   they took part in (case-level tables), through the row's own columns, or not at all.
        init(_ scope: ReportScope, names: Names, openedColumn: String, parties: PartyFilter) {
            func add(_ clause: String, _ values: Argument...) {
                clauses.append(clause)
                arguments += values
            }
            /// A name's number; a name no fact has matches nothing (-1 is nobody's number).
            func id(_ name: String) -> Argument { .integer(names.existingID(name) ?? -1) }
            if let workflow = scope.workflowID {
                if names.existingID(workflow) == nil { empty = true }
                add("workflow_id = ?", id(workflow))
            }
            if let version = scope.version { add("workflow_version = ?", .integer(Int64(version))) }
            if let from = scope.from { add("\(openedColumn) >= ?", .integer(from.microseconds)) }
            if let to = scope.to { add("\(openedColumn) < ?", .integer(to.microseconds)) }
            if let channel = scope.channel { add("channel = ?", id(channel)) }
            // A probe of the parties' key for each row read: materialising `case_key IN (SELECT
            // ...)` built a temporary index of the party's cases in every workflow (1.9 million
            // for the role `clerk` on the province) for each table, and took twice as long.
            let party = "EXISTS (SELECT 1 FROM \(AnalyticsTables.parties.name) p WHERE p.kind = ? AND p.value = ? AND p.case_key = \(Self.outerTable).case_key)"
            let filters: [(PartyFact.Kind, String, String?)] = [
                (.department, "department", scope.department), (.role, "role", scope.role),
                (.onBehalfOf, "on_behalf_of", scope.onBehalfOf),
            ]
            for case let (kind, column, value?) in filters {
                switch parties {
                case .tookPart: add(party, id(kind.rawValue), .text(value))
                case .direct where kind == .onBehalfOf: add("\(column) = ?", .text(value))  // kept as text: many, each used by few cases
                case .direct: add("\(column) = ?", id(value))
                case .ignored: break
                }
            }
        }

        /// How a filter by department, role or assisted party applies to a table.
        enum PartyFilter {
            /// To the rows of the cases the party took part in (`analytics_parties`).
            case tookPart
            /// To the rows whose own column names the party (stays and transitions).
            case direct
            /// Not in SQL: the caller selects the rows itself.
            case ignored
        }

        /// Only the rows at log positions after `position`, when given.
        mutating func after(_ position: Int64?) {
            guard let position else { return }
            clauses.append("position > ?")
            arguments.append(.integer(position))
        }

        /// The clause for the rows of `table`.
        func sql<Row>(_ table: AnalyticsTable<Row>) -> String {
            clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ").replacingOccurrences(of: Self.outerTable, with: table.name)
        }

        /// Stands for the table read in a clause that names it (the party filter's).
        private static let outerTable = "$outer"
    }
}

/// What a write that replaces some of a cohort's facts does to its row: a new stamp, no digests.
private let forgetDigests = """
    ON CONFLICT (workflow_id, workflow_version, day) DO UPDATE SET stamp = excluded.stamp, \
    wall = NULL, working = NULL, statutory = NULL
    """

/// Writes the facts and open cases of one batch inside the caller's transaction, on statements
/// prepared once for it.
private final class FactWriter {
    let db: Database
    let names: Names
    private let stays: MultiRowInsert
    private let transitions: MultiRowInsert
    private let breaches: MultiRowInsert
    private let cases: MultiRowInsert
    private let parties: MultiRowInsert
    private let saveOpenCase: RawStatement
    private let forgetOpenCase: RawStatement
    private let findCaseKey: RawStatement
    private let addCaseKey: RawStatement
    private let touchCohort: RawStatement
    private let cohortStamp: Int64
    /// The keys of the cases met in this transaction.
    private var caseKeys: [String: Int64] = [:]

    init(_ db: Database, names: Names, cohortStamp: Int64) throws {
        self.db = db
        self.names = names
        self.cohortStamp = cohortStamp
        touchCohort = RawStatement(try db.cachedStatement(
            sql: "INSERT INTO \(AnalyticsTables.cohorts) (workflow_id, workflow_version, day, stamp, last_fact_position) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (workflow_id, workflow_version, day) DO UPDATE SET "
                + "last_fact_position = max(last_fact_position, excluded.last_fact_position)"))
        func multiRow<Row>(_ table: AnalyticsTable<Row>, _ verb: String, then tail: String = "") -> MultiRowInsert {
            MultiRowInsert(db, table.insertHead(verb), columns: Int32(table.columns.count), then: tail)
        }
        stays = multiRow(AnalyticsTables.stays, "INSERT OR FAIL")
        transitions = multiRow(AnalyticsTables.transitions, "INSERT OR FAIL")
        breaches = multiRow(AnalyticsTables.breaches, "INSERT OR FAIL")
        cases = multiRow(AnalyticsTables.cases, "INSERT OR FAIL", then: "ON CONFLICT DO NOTHING")
        parties = multiRow(AnalyticsTables.parties, "INSERT OR IGNORE")
        let open = AnalyticsTables.openCases
        saveOpenCase = RawStatement(try db.cachedStatement(sql: open.insertHead("INSERT")
            + " VALUES (\(databaseQuestionMarks(count: open.columns.count)))"
            + " ON CONFLICT (case_id) DO UPDATE SET "
            + open.columns.dropFirst().map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")))
        forgetOpenCase = RawStatement(try db.cachedStatement(sql: "DELETE FROM \(open.name) WHERE case_id = ?"))
        findCaseKey = RawStatement(try db.cachedStatement(sql: "SELECT case_key FROM \(AnalyticsTables.caseKeys.name) WHERE case_id = ?"))
        addCaseKey = RawStatement(try db.cachedStatement(sql: "INSERT INTO \(AnalyticsTables.caseKeys.name) (case_id) VALUES (?)"))
    }

    /// The key of case `caseID`, given it when it has none.
    private func key(_ caseID: String) throws -> Int64 {
        if let known = caseKeys[caseID] { return known }
        findCaseKey.bind(1, caseID)
        let key: Int64
        if try findCaseKey.step(db) {
            key = findCaseKey.int64(0)
            findCaseKey.reset()
        } else {
            findCaseKey.reset()
            addCaseKey.bind(1, caseID)
            try addCaseKey.execute(db)
            key = db.lastInsertedRowID
        }
        caseKeys[caseID] = key
        return key
    }

    /// Writes `facts`, which are in log order: facts of the same kind at the same position are
    /// numbered 0, 1, ... in their `ordinal` column.
    func insert(_ facts: [ProjectionFact]) throws {
        var stayRows: [Numbered<StayFact>] = []
        var transitionRows: [Numbered<TransitionFact>] = []
        var breachRows: [Numbered<BreachFact>] = []
        var caseRows: [Numbered<CaseFact>] = []
        var partyRows: [Numbered<PartyFact>] = []
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
                stayRows.append(Numbered(f, ordinal: ordinals.stay, caseKey: try key(f.caseID)))
                ordinals.stay += 1
            case let .transition(f):
                at(f.position)
                transitionRows.append(Numbered(f, ordinal: ordinals.transition, caseKey: try key(f.caseID)))
                ordinals.transition += 1
            case let .breach(f):
                at(f.position)
                breachRows.append(Numbered(f, ordinal: ordinals.breach, caseKey: try key(f.caseID)))
                ordinals.breach += 1
            case let .decided(f):
                caseRows.append(Numbered(f, caseKey: try key(f.caseID)))
            case let .party(f): partyRows.append(Numbered(f, caseKey: try key(f.caseID)))
            }
        }
        let names = self.names
        try stays.insert(stayRows) { AnalyticsTables.stays.bind($0, offset: $1, $2, names: names) }
        try transitions.insert(transitionRows) { AnalyticsTables.transitions.bind($0, offset: $1, $2, names: names) }
        try breaches.insert(breachRows) { AnalyticsTables.breaches.bind($0, offset: $1, $2, names: names) }
        try cases.insert(caseRows) { AnalyticsTables.cases.bind($0, offset: $1, $2, names: names) }
        try parties.insert(partyRows) { AnalyticsTables.parties.bind($0, offset: $1, $2, names: names) }
        // The cohorts with new facts (a batch touches a few dozen), with their latest positions.
        for (cohort, last) in ReportCohort.latestPositions(of: facts) {
            touchCohort.bind(1, names.id(cohort.workflow.id))
            touchCohort.bind(2, Int64(cohort.workflow.version))
            touchCohort.bind(3, cohort.day)
            touchCohort.bind(4, cohortStamp)
            touchCohort.bind(5, last)
            try touchCohort.execute(db)
        }
        try names.save(db)
    }

    /// Saves the progress of cases still open, forgets decided ones.
    func save(_ updates: [OpenCaseUpdate]) throws {
        for update in updates {
            guard let encoded = update.progress else {
                forgetOpenCase.bind(1, update.caseID)
                try forgetOpenCase.execute(db)
                continue
            }
            let progress = encoded.progress
            var summary = progress.summary
            summary.caseID = update.caseID
            AnalyticsTables.openCases.bind(
                saveOpenCase, offset: 0, OpenCaseRow(caseKey: try key(update.caseID), summary: summary, progress: encoded.json), names: names)
            try saveOpenCase.execute(db)
        }
        try names.save(db)
    }
}
