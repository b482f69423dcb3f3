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
///
/// Rows are bound through the SQLite C API (``RawStatement``) on statements prepared once per
/// batch: with GRDB's `StatementArguments` the boxing of two dozen values a row cost more than
/// SQLite's insert itself.
struct AnalyticsWriter {
    let db: Database
    /// Facts of the same kind at the same position are numbered 0, 1, ... (`ordinal`).
    private var lastPosition: Int64 = -1
    private var ordinals: (stay: Int, transition: Int, breach: Int) = (0, 0, 0)
    private let insertStay: RawStatement
    private let insertTransition: RawStatement
    private let insertBreach: RawStatement
    private let insertCase: RawStatement
    private let insertParty: RawStatement

    init(_ db: Database) throws {
        self.db = db
        insertStay = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO analytics_stays (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                state, region, branch, department, role, on_behalf_of, entered_at, left_at, exit, cancelled, breached,
                wall_us, working_us, statutory_us, waiting_wall_us, waiting_working_us, waiting_statutory_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
        insertTransition = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO analytics_transitions (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                transition, from_state, to_state, region, branch, role, on_behalf_of, department, at,
                wall_us, working_us, statutory_us, send_back_round, trigger)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
        insertBreach = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO analytics_breaches (position, ordinal, case_id, workflow_id, workflow_version, case_opened_at, channel,
                deadline, state, region, branch, department, due_at, recorded_at, limit_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """))
        insertCase = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO analytics_cases (case_id, position, workflow_id, workflow_version, opened_at, decided_at, outcome,
                final_state, channel, wall_us, working_us, statutory_us, send_back_rounds, breaches, clock_stops,
                clock_stopped_wall_us, clock_stopped_working_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO NOTHING
            """))
        insertParty = RawStatement(try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO analytics_parties (case_id, kind, value) VALUES (?, ?, ?)"))
    }

    private mutating func startPosition(_ position: Int64) {
        if position != lastPosition {
            lastPosition = position
            ordinals = (0, 0, 0)
        }
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
        startPosition(f.position)
        let s = insertStay
        s.bind(1, f.position)
        s.bind(2, ordinals.stay)
        ordinals.stay += 1
        s.bind(3, f.caseID)
        s.bind(4, f.workflow.id)
        s.bind(5, f.workflow.version)
        s.bind(6, f.caseOpenedAt.microseconds)
        s.bind(7, f.channel)
        s.bind(8, f.state)
        s.bind(9, f.region)
        s.bind(10, f.branch)
        s.bind(11, f.department)
        s.bind(12, f.role)
        s.bind(13, f.onBehalfOf)
        s.bind(14, f.enteredAt.microseconds)
        s.bind(15, f.leftAt.microseconds)
        s.bind(16, f.exit)
        s.bind(17, f.cancelled)
        s.bind(18, f.breached)
        s.bind(19, f.durations.wall)
        s.bind(20, f.durations.working)
        s.bind(21, f.durations.statutory)
        s.bind(22, f.waiting?.wall)
        s.bind(23, f.waiting?.working)
        s.bind(24, f.waiting?.statutory)
        try s.execute(db)
    }

    private mutating func write(_ f: TransitionFact) throws {
        startPosition(f.position)
        let s = insertTransition
        s.bind(1, f.position)
        s.bind(2, ordinals.transition)
        ordinals.transition += 1
        s.bind(3, f.caseID)
        s.bind(4, f.workflow.id)
        s.bind(5, f.workflow.version)
        s.bind(6, f.caseOpenedAt.microseconds)
        s.bind(7, f.channel)
        s.bind(8, f.transition)
        s.bind(9, f.from)
        s.bind(10, f.to)
        s.bind(11, f.region)
        s.bind(12, f.branch)
        s.bind(13, f.role)
        s.bind(14, f.onBehalfOf)
        s.bind(15, f.department)
        s.bind(16, f.at.microseconds)
        s.bind(17, f.durations.wall)
        s.bind(18, f.durations.working)
        s.bind(19, f.durations.statutory)
        s.bind(20, f.sendBackRound)
        s.bind(21, f.trigger)
        try s.execute(db)
    }

    private mutating func write(_ f: BreachFact) throws {
        startPosition(f.position)
        let s = insertBreach
        s.bind(1, f.position)
        s.bind(2, ordinals.breach)
        ordinals.breach += 1
        s.bind(3, f.caseID)
        s.bind(4, f.workflow.id)
        s.bind(5, f.workflow.version)
        s.bind(6, f.caseOpenedAt.microseconds)
        s.bind(7, f.channel)
        s.bind(8, f.deadline)
        s.bind(9, f.state)
        s.bind(10, f.region)
        s.bind(11, f.branch)
        s.bind(12, f.department)
        s.bind(13, f.dueAt.microseconds)
        s.bind(14, f.recordedAt.microseconds)
        s.bind(15, f.limit)
        try s.execute(db)
    }

    private func write(_ f: CaseFact) throws {
        let s = insertCase
        s.bind(1, f.caseID)
        s.bind(2, f.position)
        s.bind(3, f.workflow.id)
        s.bind(4, f.workflow.version)
        s.bind(5, f.openedAt.microseconds)
        s.bind(6, f.decidedAt.microseconds)
        s.bind(7, f.outcome)
        s.bind(8, f.finalState)
        s.bind(9, f.channel)
        s.bind(10, f.durations.wall)
        s.bind(11, f.durations.working)
        s.bind(12, f.durations.statutory)
        s.bind(13, f.sendBackRounds)
        s.bind(14, f.breaches)
        s.bind(15, f.clockStops)
        s.bind(16, f.clockStoppedWall)
        s.bind(17, f.clockStoppedWorking)
        try s.execute(db)
    }

    private func write(_ f: PartyFact) throws {
        let s = insertParty
        s.bind(1, f.caseID)
        s.bind(2, f.kind.rawValue)
        s.bind(3, f.value)
        try s.execute(db)
    }

    /// Saves the progress of a case still open (`json` is its ``OpenCaseProgressJSON``
    /// encoding), or forgets a decided one.
    func save(caseID: String, progress: OpenCaseProgress?, json: String?) throws {
        guard let progress, let json else {
            try db.cachedStatement(sql: "DELETE FROM analytics_open_cases WHERE case_id = ?").execute(arguments: [caseID])
            return
        }
        try db.cachedStatement(sql: """
            INSERT INTO analytics_open_cases (case_id, workflow_id, workflow_version, opened_at, channel, progress)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (case_id) DO UPDATE SET progress = excluded.progress
            """).execute(arguments: [
            caseID, progress.workflow.id, progress.workflow.version, progress.openedAt.microseconds, progress.channel, json,
        ])
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
