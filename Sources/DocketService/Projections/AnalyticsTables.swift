import DocketAnalytics
import DocketCore
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

    /// Every persisted open case.
    static func openCases(_ db: Database) throws -> [OpenCaseProgress] {
        let decoder = JSONDecoder()
        var result: [OpenCaseProgress] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT case_id, progress FROM analytics_open_cases ORDER BY case_id")
        while let row = try rows.next() {
            result.append(try decodeProgress(row[1], caseID: row[0], decoder: decoder))
        }
        return result
    }

    static func decodeProgress(_ json: String, caseID: String, decoder: JSONDecoder) throws -> OpenCaseProgress {
        do {
            return try decoder.decode(OpenCaseProgress.self, from: Data(json.utf8))
        } catch {
            throw ProjectionError(
                .progressUnreadable,
                "the saved analytics progress of open case '\(caseID)' cannot be read (\(error)); run `docket replay` to rebuild the projections")
        }
    }
}

/// Writes the facts of one batch into the analytics tables, inside the caller's transaction.
struct AnalyticsWriter {
    let db: Database
    private let encoder: JSONEncoder
    /// Facts of the same kind at the same position are numbered 0, 1, ... (`ordinal`).
    private var lastPosition: Int64 = -1
    private var ordinals: [Int] = [0, 0, 0]

    init(_ db: Database) {
        self.db = db
        // Sorted keys: the same progress is the same text on every run (JSONEncoder's own key order
        // is not stable), so a caught-up projection and a rebuilt one compare equal row by row.
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    private mutating func ordinal(_ kind: Int, at position: Int64) -> Int {
        if position != lastPosition {
            lastPosition = position
            ordinals = [0, 0, 0]
        }
        defer { ordinals[kind] += 1 }
        return ordinals[kind]
    }

    mutating func write(_ facts: [ProjectionFact]) throws {
        for fact in facts {
            switch fact {
            case let .stay(f): try write(f)
            case let .transition(f): try write(f)
            case let .decided(f): try write(f)
            case let .breach(f): try write(f)
            case let .party(f): try write(f)
            }
        }
    }

    private mutating func write(_ f: StayFact) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO analytics_stays (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                state, region, branch, department, role, on_behalf_of, entered_at, left_at, exit, cancelled, breached,
                wall_us, working_us, statutory_us, waiting_wall_us, waiting_working_us, waiting_statutory_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.setUncheckedArguments([
            f.position, ordinal(0, at: f.position), f.caseID, f.workflow.id, f.workflow.version, f.caseOpenedAt.microseconds,
            f.channel, f.state, f.region, f.branch, f.department, f.role, f.onBehalfOf, f.enteredAt.microseconds,
            f.leftAt.microseconds, f.exit, f.cancelled, f.breached, f.durations.wall, f.durations.working,
            f.durations.statutory, f.waiting?.wall, f.waiting?.working, f.waiting?.statutory,
        ])
        try statement.execute()
    }

    private mutating func write(_ f: TransitionFact) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO analytics_transitions (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                transition, from_state, to_state, region, branch, role, on_behalf_of, department, at,
                wall_us, working_us, statutory_us, send_back_round, trigger)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.setUncheckedArguments([
            f.position, ordinal(1, at: f.position), f.caseID, f.workflow.id, f.workflow.version, f.caseOpenedAt.microseconds,
            f.channel, f.transition, f.from, f.to, f.region, f.branch, f.role, f.onBehalfOf, f.department, f.at.microseconds,
            f.durations.wall, f.durations.working, f.durations.statutory, f.sendBackRound, f.trigger,
        ])
        try statement.execute()
    }

    private mutating func write(_ f: BreachFact) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO analytics_breaches (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                deadline, state, region, branch, department, due_at, recorded_at, limit_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.setUncheckedArguments([
            f.position, ordinal(2, at: f.position), f.caseID, f.workflow.id, f.workflow.version, f.caseOpenedAt.microseconds,
            f.channel, f.deadline, f.state, f.region, f.branch, f.department, f.dueAt.microseconds, f.recordedAt.microseconds,
            f.limit,
        ])
        try statement.execute()
    }

    private func write(_ f: CaseFact) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO analytics_cases (case_id, position, workflow_id, workflow_version, opened_at, decided_at, outcome,
                final_state, channel, wall_us, working_us, statutory_us, send_back_rounds, breaches, clock_stops,
                clock_stopped_wall_us, clock_stopped_working_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO NOTHING
            """)
        statement.setUncheckedArguments([
            f.caseID, f.position, f.workflow.id, f.workflow.version, f.openedAt.microseconds, f.decidedAt.microseconds,
            f.outcome, f.finalState, f.channel, f.durations.wall, f.durations.working, f.durations.statutory,
            f.sendBackRounds, f.breaches, f.clockStops, f.clockStoppedWall, f.clockStoppedWorking,
        ])
        try statement.execute()
    }

    private func write(_ f: PartyFact) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO analytics_parties (case_id, kind, value) VALUES (?, ?, ?)")
        statement.setUncheckedArguments([f.caseID, f.kind.rawValue, f.value])
        try statement.execute()
    }

    /// Saves the progress of a case still open, or forgets a decided one.
    func save(caseID: String, progress: OpenCaseProgress?) throws {
        guard let progress else {
            try db.cachedStatement(sql: "DELETE FROM analytics_open_cases WHERE case_id = ?").execute(arguments: [caseID])
            return
        }
        let json = String(decoding: try encoder.encode(progress), as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT INTO analytics_open_cases (case_id, workflow_id, workflow_version, opened_at, channel, progress)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO UPDATE SET progress = excluded.progress
            """).execute(arguments: [
            caseID, progress.workflow.id, progress.workflow.version, progress.openedAt.microseconds, progress.channel, json,
        ])
    }
}
