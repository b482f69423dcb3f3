import DocketAnalytics
import DocketCore
import DocketStore
import Foundation
import GRDB

/// The analytics projection's tables, in the event log's SQLite file.
///
/// They are derived data owned by this code, not part of the log's migrations: created when
/// missing, dropped and rebuilt from the log when ``schemaVersion`` changes. `Docs/analytics.md`
/// describes every column. Durations are exact microseconds (`*_us`), times microseconds since the
/// epoch, like the log.
enum AnalyticsTables {
    /// Raised whenever the tables or the meaning of a column change: the projection is then rebuilt.
    static let schemaVersion = 1

    /// Every table, in creation order.
    static let names = [
        "analytics_meta", "analytics_calendars", "analytics_cases", "analytics_open_cases",
        "analytics_stays", "analytics_transitions", "analytics_breaches", "analytics_parties",
    ]

    static let createSQL = """
        CREATE TABLE analytics_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE analytics_calendars (
            workflow_id      TEXT    NOT NULL,
            workflow_version INTEGER NOT NULL,
            calendar         TEXT    NOT NULL,
            PRIMARY KEY (workflow_id, workflow_version)
        );
        CREATE TABLE analytics_cases (
            case_id                  TEXT PRIMARY KEY,
            position                 INTEGER NOT NULL,
            workflow_id              TEXT    NOT NULL,
            workflow_version         INTEGER NOT NULL,
            opened_at                INTEGER NOT NULL,
            decided_at               INTEGER NOT NULL,
            outcome                  TEXT    NOT NULL,
            final_state              TEXT    NOT NULL,
            channel                  TEXT,
            wall_us                  INTEGER NOT NULL,
            working_us               INTEGER NOT NULL,
            statutory_us             INTEGER NOT NULL,
            send_back_rounds         INTEGER NOT NULL,
            breaches                 INTEGER NOT NULL,
            clock_stops              INTEGER NOT NULL,
            clock_stopped_wall_us    INTEGER NOT NULL,
            clock_stopped_working_us INTEGER NOT NULL
        );
        CREATE INDEX analytics_cases_scope ON analytics_cases (workflow_id, workflow_version, opened_at);
        CREATE TABLE analytics_open_cases (
            case_id          TEXT PRIMARY KEY,
            workflow_id      TEXT    NOT NULL,
            workflow_version INTEGER NOT NULL,
            opened_at        INTEGER NOT NULL,
            channel          TEXT,
            progress         TEXT    NOT NULL
        );
        CREATE TABLE analytics_stays (
            position             INTEGER NOT NULL,
            ordinal              INTEGER NOT NULL,
            case_id              TEXT    NOT NULL,
            workflow_id          TEXT    NOT NULL,
            workflow_version     INTEGER NOT NULL,
            case_opened_at       INTEGER NOT NULL,
            channel              TEXT,
            state                TEXT    NOT NULL,
            region               TEXT,
            branch               TEXT,
            department           TEXT,
            role                 TEXT,
            on_behalf_of         TEXT,
            entered_at           INTEGER NOT NULL,
            left_at              INTEGER NOT NULL,
            exit                 TEXT,
            cancelled            INTEGER NOT NULL,
            breached             INTEGER NOT NULL,
            wall_us              INTEGER NOT NULL,
            working_us           INTEGER NOT NULL,
            statutory_us         INTEGER NOT NULL,
            waiting_wall_us      INTEGER,
            waiting_working_us   INTEGER,
            waiting_statutory_us INTEGER
        );
        CREATE INDEX analytics_stays_scope ON analytics_stays (workflow_id, workflow_version, case_opened_at);
        CREATE TABLE analytics_transitions (
            position         INTEGER NOT NULL,
            ordinal          INTEGER NOT NULL,
            case_id          TEXT    NOT NULL,
            workflow_id      TEXT    NOT NULL,
            workflow_version INTEGER NOT NULL,
            case_opened_at   INTEGER NOT NULL,
            channel          TEXT,
            transition       TEXT    NOT NULL,
            from_state       TEXT    NOT NULL,
            to_state         TEXT    NOT NULL,
            region           TEXT,
            branch           TEXT,
            role             TEXT,
            on_behalf_of     TEXT,
            department       TEXT,
            at               INTEGER NOT NULL,
            wall_us          INTEGER NOT NULL,
            working_us       INTEGER NOT NULL,
            statutory_us     INTEGER NOT NULL,
            send_back_round  INTEGER,
            trigger          TEXT
        );
        CREATE INDEX analytics_transitions_scope ON analytics_transitions (workflow_id, workflow_version, case_opened_at);
        CREATE TABLE analytics_breaches (
            position         INTEGER NOT NULL,
            ordinal          INTEGER NOT NULL,
            case_id          TEXT    NOT NULL,
            workflow_id      TEXT    NOT NULL,
            workflow_version INTEGER NOT NULL,
            case_opened_at   INTEGER NOT NULL,
            channel          TEXT,
            deadline         TEXT    NOT NULL,
            state            TEXT    NOT NULL,
            region           TEXT,
            branch           TEXT,
            department       TEXT,
            due_at           INTEGER NOT NULL,
            recorded_at      INTEGER NOT NULL,
            limit_text       TEXT
        );
        CREATE INDEX analytics_breaches_scope ON analytics_breaches (workflow_id, workflow_version, case_opened_at);
        CREATE TABLE analytics_parties (
            case_id TEXT NOT NULL,
            kind    TEXT NOT NULL,
            value   TEXT NOT NULL,
            PRIMARY KEY (kind, value, case_id)
        ) WITHOUT ROWID;
        """

    /// The schema version the tables were created with, or `nil` when there are none.
    static func installedVersion(_ db: Database) throws -> Int? {
        guard try db.tableExists("analytics_meta") else { return nil }
        return try String.fetchOne(db, sql: "SELECT value FROM analytics_meta WHERE key = 'schema_version'").flatMap { Int($0) }
    }

    /// Drops every analytics table that exists.
    static func drop(_ db: Database) throws {
        for name in names.reversed() where try db.tableExists(name) {
            try db.execute(sql: "DROP TABLE \(name)")
        }
    }

    /// Creates the tables (which must not exist) and records the schema version.
    static func create(_ db: Database) throws {
        try db.execute(sql: createSQL)
        try db.execute(sql: "INSERT INTO analytics_meta (key, value) VALUES ('schema_version', ?)", arguments: [String(schemaVersion)])
    }

    /// Empties every table but the meta table: the state of a projection that has read nothing.
    static func clear(_ db: Database) throws {
        for name in names where name != "analytics_meta" {
            try db.execute(sql: "DELETE FROM \(name)")
        }
    }

    // MARK: Calendars

    /// The calendar label recorded for each workflow version the projection has counted on.
    static func recordedCalendars(_ db: Database) throws -> [WorkflowKey: String] {
        var result: [WorkflowKey: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT workflow_id, workflow_version, calendar FROM analytics_calendars") {
            result[WorkflowKey(id: row[0], version: row[1])] = row[2]
        }
        return result
    }

    static func recordCalendar(_ label: String, for workflow: WorkflowKey, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO analytics_calendars (workflow_id, workflow_version, calendar) VALUES (?, ?, ?)
                ON CONFLICT (workflow_id, workflow_version) DO UPDATE SET calendar = excluded.calendar
                """,
            arguments: [workflow.id, workflow.version, label])
    }

    // MARK: Open cases

    /// The saved progress of open case `caseID` (`analytics_open_cases.progress`).
    static func decodeProgress(_ json: String, caseID: String, decoder: JSONDecoder) throws -> OpenCaseProgress {
        do {
            return try decoder.decode(OpenCaseProgress.self, from: Data(json.utf8))
        } catch {
            throw ServiceError(
                .progressUnreadable,
                "the saved analytics progress of open case '\(caseID)' cannot be read (\(error)); run `docket replay` to rebuild the projections")
        }
    }
}

/// Writes the facts of one batch into the analytics tables, inside the caller's transaction.
///
/// Rows go in many at a time (``MultiRowInsert``) and are bound through the SQLite C API
/// (``RawStatement``): one `INSERT` a row cost SQLite a cursor opening and a seek per table and
/// index for each row, and GRDB's `StatementArguments` boxed two dozen values a row, together
/// several times SQLite's own work of storing the row.
struct AnalyticsWriter {
    let db: Database
    private let stays: MultiRowInsert
    private let transitions: MultiRowInsert
    private let breaches: MultiRowInsert
    private let cases: MultiRowInsert
    private let parties: MultiRowInsert
    private let saveOpenCase: RawStatement
    private let forgetOpenCase: RawStatement

    init(_ db: Database) throws {
        self.db = db
        stays = MultiRowInsert(db, """
            INSERT OR FAIL INTO analytics_stays (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                state, region, branch, department, role, on_behalf_of, entered_at, left_at, exit, cancelled, breached,
                wall_us, working_us, statutory_us, waiting_wall_us, waiting_working_us, waiting_statutory_us)
            """, columns: 24)
        transitions = MultiRowInsert(db, """
            INSERT OR FAIL INTO analytics_transitions (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                transition, from_state, to_state, region, branch, role, on_behalf_of, department, at,
                wall_us, working_us, statutory_us, send_back_round, trigger)
            """, columns: 21)
        breaches = MultiRowInsert(db, """
            INSERT OR FAIL INTO analytics_breaches (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                deadline, state, region, branch, department, due_at, recorded_at, limit_text)
            """, columns: 15)
        cases = MultiRowInsert(db, """
            INSERT OR FAIL INTO analytics_cases (case_id, position, workflow_id, workflow_version, opened_at, decided_at, outcome,
                final_state, channel, wall_us, working_us, statutory_us, send_back_rounds, breaches, clock_stops,
                clock_stopped_wall_us, clock_stopped_working_us)
            """, columns: 17, then: "ON CONFLICT (case_id) DO NOTHING")
        parties = MultiRowInsert(db, "INSERT OR IGNORE INTO analytics_parties (case_id, kind, value)", columns: 3)
        saveOpenCase = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO analytics_open_cases (case_id, workflow_id, workflow_version, opened_at, channel, progress)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO UPDATE SET progress = excluded.progress
            """))
        forgetOpenCase = RawStatement(try db.cachedStatement(sql: "DELETE FROM analytics_open_cases WHERE case_id = ?"))
    }

    /// Writes `facts`, which are in log order: facts of the same kind at the same position are
    /// numbered 0, 1, ... in their `ordinal` column.
    func write(_ facts: [ProjectionFact]) throws {
        var stayRows: [(StayFact, Int)] = []
        var transitionRows: [(TransitionFact, Int)] = []
        var breachRows: [(BreachFact, Int)] = []
        var caseRows: [CaseFact] = []
        var partyRows: [PartyFact] = []
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
                stayRows.append((f, ordinals.stay))
                ordinals.stay += 1
            case let .transition(f):
                at(f.position)
                transitionRows.append((f, ordinals.transition))
                ordinals.transition += 1
            case let .breach(f):
                at(f.position)
                breachRows.append((f, ordinals.breach))
                ordinals.breach += 1
            case let .decided(f): caseRows.append(f)
            case let .party(f): partyRows.append(f)
            }
        }
        try stays.insert(stayRows) { s, c, row in
            let (f, ordinal) = row
            Self.bindFactColumns(s, c, f.position, ordinal, f.caseID, f.workflow, f.caseOpenedAt, f.channel)
            s.bind(c + 8, f.state)
            s.bind(c + 9, f.region)
            s.bind(c + 10, f.branch)
            s.bind(c + 11, f.department)
            s.bind(c + 12, f.role)
            s.bind(c + 13, f.onBehalfOf)
            s.bind(c + 14, f.enteredAt.microseconds)
            s.bind(c + 15, f.leftAt.microseconds)
            s.bind(c + 16, f.exit)
            s.bind(c + 17, f.cancelled)
            s.bind(c + 18, f.breached)
            s.bind(c + 19, f.durations.wall)
            s.bind(c + 20, f.durations.working)
            s.bind(c + 21, f.durations.statutory)
            s.bind(c + 22, f.waiting?.wall)
            s.bind(c + 23, f.waiting?.working)
            s.bind(c + 24, f.waiting?.statutory)
        }
        try transitions.insert(transitionRows) { s, c, row in
            let (f, ordinal) = row
            Self.bindFactColumns(s, c, f.position, ordinal, f.caseID, f.workflow, f.caseOpenedAt, f.channel)
            s.bind(c + 8, f.transition)
            s.bind(c + 9, f.from)
            s.bind(c + 10, f.to)
            s.bind(c + 11, f.region)
            s.bind(c + 12, f.branch)
            s.bind(c + 13, f.role)
            s.bind(c + 14, f.onBehalfOf)
            s.bind(c + 15, f.department)
            s.bind(c + 16, f.at.microseconds)
            s.bind(c + 17, f.durations.wall)
            s.bind(c + 18, f.durations.working)
            s.bind(c + 19, f.durations.statutory)
            s.bind(c + 20, f.sendBackRound)
            s.bind(c + 21, f.trigger)
        }
        try breaches.insert(breachRows) { s, c, row in
            let (f, ordinal) = row
            Self.bindFactColumns(s, c, f.position, ordinal, f.caseID, f.workflow, f.caseOpenedAt, f.channel)
            s.bind(c + 8, f.deadline)
            s.bind(c + 9, f.state)
            s.bind(c + 10, f.region)
            s.bind(c + 11, f.branch)
            s.bind(c + 12, f.department)
            s.bind(c + 13, f.dueAt.microseconds)
            s.bind(c + 14, f.recordedAt.microseconds)
            s.bind(c + 15, f.limit)
        }
        try cases.insert(caseRows) { s, c, f in
            s.bind(c + 1, f.caseID)
            s.bind(c + 2, f.position)
            s.bind(c + 3, f.workflow.id)
            s.bind(c + 4, f.workflow.version)
            s.bind(c + 5, f.openedAt.microseconds)
            s.bind(c + 6, f.decidedAt.microseconds)
            s.bind(c + 7, f.outcome)
            s.bind(c + 8, f.finalState)
            s.bind(c + 9, f.channel)
            s.bind(c + 10, f.durations.wall)
            s.bind(c + 11, f.durations.working)
            s.bind(c + 12, f.durations.statutory)
            s.bind(c + 13, f.sendBackRounds)
            s.bind(c + 14, f.breaches)
            s.bind(c + 15, f.clockStops)
            s.bind(c + 16, f.clockStoppedWall)
            s.bind(c + 17, f.clockStoppedWorking)
        }
        try parties.insert(partyRows) { s, c, f in
            s.bind(c + 1, f.caseID)
            s.bind(c + 2, f.kind.rawValue)
            s.bind(c + 3, f.value)
        }
    }

    /// Binds the seven columns that start every stay, transition and breach row: position,
    /// ordinal, case id, workflow id and version, case opening time, channel.
    private static func bindFactColumns(
        _ s: RawStatement, _ c: Int32, _ position: Int64, _ ordinal: Int, _ caseID: String, _ workflow: WorkflowKey,
        _ caseOpenedAt: Timestamp, _ channel: String?
    ) {
        s.bind(c + 1, position)
        s.bind(c + 2, ordinal)
        s.bind(c + 3, caseID)
        s.bind(c + 4, workflow.id)
        s.bind(c + 5, workflow.version)
        s.bind(c + 6, caseOpenedAt.microseconds)
        s.bind(c + 7, channel)
    }

    /// Saves the progress of a case still open (`json` is its ``OpenCaseProgressJSON``
    /// encoding), or forgets a decided one.
    func save(caseID: String, progress: OpenCaseProgress?, json: String?) throws {
        guard let progress, let json else {
            forgetOpenCase.bind(1, caseID)
            try forgetOpenCase.execute(db)
            return
        }
        let s = saveOpenCase
        s.bind(1, caseID)
        s.bind(2, progress.workflow.id)
        s.bind(3, progress.workflow.version)
        s.bind(4, progress.openedAt.microseconds)
        s.bind(5, progress.channel)
        s.bind(6, json)
        try s.execute(db)
    }
}

/// The text an open case's progress is saved as in `analytics_open_cases`.
struct OpenCaseProgressJSON {
    private let encoder: JSONEncoder

    init() {
        // Sorted keys: the same progress is the same text on every run (JSONEncoder's own key order
        // is not stable), so a caught-up projection and a rebuilt one compare equal row by row.
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    func encode(_ progress: OpenCaseProgress) throws -> String {
        String(decoding: try encoder.encode(progress), as: UTF8.self)
    }
}

/// Inserts rows into one table up to ``rowsPerStatement`` at a time, as
/// `INSERT ... VALUES (...), (...), ...`: SQLite then opens the table's and indexes' cursors once
/// per statement instead of once per row. Rows are inserted in the order given.
///
/// Write the statements `INSERT OR FAIL` (or `OR IGNORE`): with the default `ABORT` a statement
/// of many rows keeps a journal of every page it touches to undo its earlier rows when a later
/// one fails, which costs more than the inserts. A failure still throws, and the caller's
/// transaction is rolled back whole.
struct MultiRowInsert {
    /// Rows per statement: 32 rows of the widest table (24 columns) bind 768 parameters, far
    /// below SQLite's limit of 32,766.
    static let rowsPerStatement = 32

    private let db: Database
    private let head: String
    private let tail: String
    private let columns: Int32
    /// The SQL of a statement of ``rowsPerStatement`` rows, built once.
    private let fullSQL: String

    /// - Parameters:
    ///   - head: the statement up to `VALUES`, e.g. `INSERT INTO t (a, b)`.
    ///   - columns: the number of columns each row binds.
    ///   - tail: what follows the rows, e.g. an `ON CONFLICT` clause.
    init(_ db: Database, _ head: String, columns: Int32, then tail: String = "") {
        self.db = db
        self.head = head
        self.columns = columns
        self.tail = tail
        fullSQL = Self.sql(head, columns: columns, rows: Self.rowsPerStatement, tail)
    }

    /// Inserts `rows`; `bind` binds one row's columns at `offset + 1 ... offset + columns`.
    func insert<Row>(_ rows: [Row], bind: (RawStatement, Int32, Row) -> Void) throws {
        var start = 0
        while start < rows.count {
            let end = min(start + Self.rowsPerStatement, rows.count)
            let statement = try self.statement(rows: end - start)
            var offset: Int32 = 0
            for row in rows[start..<end] {
                bind(statement, offset, row)
                offset += columns
            }
            try statement.execute(db)
            start = end
        }
    }

    /// The statement for `rows` rows, prepared once per connection (GRDB caches it by its SQL).
    private func statement(rows: Int) throws -> RawStatement {
        let sql = rows == Self.rowsPerStatement ? fullSQL : Self.sql(head, columns: columns, rows: rows, tail)
        return RawStatement(try db.cachedStatement(sql: sql))
    }

    private static func sql(_ head: String, columns: Int32, rows: Int, _ tail: String) -> String {
        let tuple = "(" + Array(repeating: "?", count: Int(columns)).joined(separator: ", ") + ")"
        return head + " VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ") + " " + tail
    }
}
