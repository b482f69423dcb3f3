import DocketAnalytics
import DocketCore

/// The analytics projection's tables in the event log's SQLite file, each declared once: its
/// columns (name, SQL type, how a row fills the column and is read back from it), its key and its
/// index. `CREATE TABLE`, `INSERT` and `SELECT` are all built from these declarations, so a column
/// is named in one place and addressed by its place in ``AnalyticsTable/columns``, never by a
/// number written by hand.
///
/// They are derived data owned by `SQLiteProjectionStore`, not part of the log's migrations:
/// created when missing, dropped and rebuilt from the log when ``ProjectionSchema/version``
/// changes. `Docs/analytics.md` describes every column. Durations are exact microseconds
/// (`*_us`), times microseconds since the epoch, like the log.
///
/// The fact tables (cases, stays, transitions, breaches, parties) are narrow: names (workflows,
/// states, departments, roles, channels, ...) are small integers of ``names`` (`.name` columns),
/// and a case is its integer key in ``caseKeys``, so a row is a few dozen bytes of integers. Their
/// primary key is the workflow, its version and the log position, and they are `WITHOUT ROWID`:
/// the facts of one workflow version lie together in log order, a report reads them in one range
/// scan without an index lookup per row, and a batch appends at the end of each range. Each has
/// an index on `case_key`, for a correction that forgets one case's facts.
enum AnalyticsTables {
    /// Every name a fact table refers to, by a small integer (``Names``).
    static let names = AnalyticsTable<NameRow>(
        name: "analytics_names", blank: NameRow(id: 0, name: ""),
        columns: [
            .integer("id", { $0.id }, { $0.id = $1 }),
            .text("name", { $0.name }, { $0.name = $1 }),
        ],
        primaryKey: ["id"], uniqueIndexes: [["name"]])

    /// Each case's integer key, the `case_key` of the fact tables.
    static let caseKeys = AnalyticsTable<CaseKeyRow>(
        name: "analytics_case_keys", blank: CaseKeyRow(caseKey: 0, caseID: ""),
        columns: [
            .integer("case_key", { $0.caseKey }, { $0.caseKey = $1 }),
            .text("case_id", { $0.caseID }, { $0.caseID = $1 }),
        ],
        primaryKey: ["case_key"], uniqueIndexes: [["case_id"]])

    static let meta = AnalyticsTable<MetaRow>(
        name: "analytics_meta", blank: MetaRow(key: "", value: ""),
        columns: [
            .text("key", { $0.key }, { $0.key = $1 }),
            .text("value", { $0.value }, { $0.value = $1 }),
        ],
        primaryKey: ["key"])

    static let calendars = AnalyticsTable<CalendarRow>(
        name: "analytics_calendars", blank: CalendarRow(workflow: WorkflowKey(id: "", version: 0), calendar: ""),
        columns: [
            .text("workflow_id", { $0.workflow.id }, { $0.workflow.id = $1 }),
            .integer("workflow_version", { $0.workflow.version }, { $0.workflow.version = $1 }),
            .text("calendar", { $0.calendar }, { $0.calendar = $1 }),
        ],
        primaryKey: ["workflow_id", "workflow_version"])

    static let cases = AnalyticsTable<Numbered<CaseFact>>(
        name: "analytics_cases",
        blank: Numbered(CaseFact(
            position: 0, caseID: "", workflow: WorkflowKey(id: "", version: 0), openedAt: .zero, decidedAt: .zero,
            outcome: "", finalState: "", channel: nil, durations: .zero, sendBackRounds: 0, breaches: 0, clockStops: 0,
            clockStoppedWall: 0, clockStoppedWorking: 0)),
        columns: [
            .name("workflow_id", { $0.fact.workflow.id }, { $0.fact.workflow.id = $1 }),
            .integer("workflow_version", { $0.fact.workflow.version }, { $0.fact.workflow.version = $1 }),
            .time("opened_at", { $0.fact.openedAt }, { $0.fact.openedAt = $1 }),
            .integer("case_key", { $0.caseKey }, { $0.caseKey = $1 }),
            // The case's id is kept here too (one row a case): the report names provisional cases.
            .text("case_id", { $0.fact.caseID }, { $0.fact.caseID = $1 }),
            .integer("position", { $0.fact.position }, { $0.fact.position = $1 }),
            .time("decided_at", { $0.fact.decidedAt }, { $0.fact.decidedAt = $1 }),
            .name("outcome", { $0.fact.outcome }, { $0.fact.outcome = $1 }),
            .name("final_state", { $0.fact.finalState }, { $0.fact.finalState = $1 }),
            .optionalName("channel", { $0.fact.channel }, { $0.fact.channel = $1 }),
        ] + durationColumns({ $0.fact.durations }, { $1(&$0.fact.durations) }) + [
            .integer("send_back_rounds", { $0.fact.sendBackRounds }, { $0.fact.sendBackRounds = $1 }),
            .integer("breaches", { $0.fact.breaches }, { $0.fact.breaches = $1 }),
            .integer("clock_stops", { $0.fact.clockStops }, { $0.fact.clockStops = $1 }),
            .integer("clock_stopped_wall_us", { $0.fact.clockStoppedWall }, { $0.fact.clockStoppedWall = $1 }),
            .integer("clock_stopped_working_us", { $0.fact.clockStoppedWorking }, { $0.fact.clockStoppedWorking = $1 }),
        ] + statutoryStartColumns,
        primaryKey: ["workflow_id", "workflow_version", "position"], withoutRowID: true, uniqueIndexes: [["case_key"]])

    static let openCases = AnalyticsTable<OpenCaseRow>(
        name: "analytics_open_cases",
        blank: OpenCaseRow(
            caseKey: 0,
            summary: OpenCaseSummary(
                caseID: "", workflow: WorkflowKey(id: "", version: 0), openedAt: .zero, channel: nil, whereabouts: "", department: nil,
                since: .zero, statutoryStartedAt: nil, clockStops: [], sendBackRounds: 0, overdueSince: nil),
            progress: ""),
        columns: [
            .text("case_id", { $0.summary.caseID }, { $0.summary.caseID = $1 }),
            .integer("case_key", { $0.caseKey }, { $0.caseKey = $1 }),
            .name("workflow_id", { $0.summary.workflow.id }, { $0.summary.workflow.id = $1 }),
            .integer("workflow_version", { $0.summary.workflow.version }, { $0.summary.workflow.version = $1 }),
            .time("opened_at", { $0.summary.openedAt }, { $0.summary.openedAt = $1 }),
            .optionalName("channel", { $0.summary.channel }, { $0.summary.channel = $1 }),
            // What a report shows (``OpenCaseSummary``), so that it need not decode the progress.
            .text("whereabouts", { $0.summary.whereabouts }, { $0.summary.whereabouts = $1 }),
            .optionalText("department_shown", { $0.summary.department }, { $0.summary.department = $1 }),
            .time("since", { $0.summary.since }, { $0.summary.since = $1 }),
            .optionalTime("statutory_started_at", { $0.summary.statutoryStartedAt }, { $0.summary.statutoryStartedAt = $1 }),
            .optionalText("clock_stops", { ClockStopsText.text($0.summary.clockStops) }, { $0.summary.clockStops = ClockStopsText.stops($1) }),
            .integer("send_back_rounds", { $0.summary.sendBackRounds }, { $0.summary.sendBackRounds = $1 }),
            .optionalTime("overdue_since", { $0.summary.overdueSince }, { $0.summary.overdueSince = $1 }),
            // The progress as JSON (``ProgressEncoder``).
            .text("progress", { $0.progress }, { $0.progress = $1 }),
        ],
        primaryKey: ["case_id"], scopeIndex: ["workflow_id", "workflow_version", "opened_at"])

    /// ``openCases`` without the progress, for a report (the progress is most of a row's bytes).
    static let openCaseSummaries = openCases.omitting(["progress"])

    /// ``stays`` with the columns a report reads (``StayFact/forReport``).
    static let staysForReport = stays.omitting([
        "ordinal", "case_key", "channel", "on_behalf_of", "entered_at", "left_at", "exit",
        "cancelled", "breached",
    ])

    /// ``transitions`` with the columns a report reads (``TransitionFact/forReport``).
    static let transitionsForReport = transitions.omitting([
        "ordinal", "case_key", "channel", "transition", "role", "on_behalf_of", "department", "at",
        "send_back_round", "trigger",
    ])

    static let stays = AnalyticsTable<Numbered<StayFact>>(
        name: "analytics_stays",
        blank: Numbered(StayFact(
            position: 0, caseID: "", workflow: WorkflowKey(id: "", version: 0), caseOpenedAt: .zero, channel: nil,
            state: "", region: nil, branch: nil, department: nil, role: nil, onBehalfOf: nil, enteredAt: .zero,
            leftAt: .zero, exit: nil, cancelled: false, breached: false, durations: .zero, waiting: nil)),
        columns: factColumns() + [
            .name("state", { $0.fact.state }, { $0.fact.state = $1 }),
            .optionalName("region", { $0.fact.region }, { $0.fact.region = $1 }),
            .optionalName("branch", { $0.fact.branch }, { $0.fact.branch = $1 }),
            .optionalName("department", { $0.fact.department }, { $0.fact.department = $1 }),
            .optionalName("role", { $0.fact.role }, { $0.fact.role = $1 }),
            .optionalText("on_behalf_of", { $0.fact.onBehalfOf }, { $0.fact.onBehalfOf = $1 }),
            .time("entered_at", { $0.fact.enteredAt }, { $0.fact.enteredAt = $1 }),
            .time("left_at", { $0.fact.leftAt }, { $0.fact.leftAt = $1 }),
            .optionalName("exit", { $0.fact.exit }, { $0.fact.exit = $1 }),
            .bool("cancelled", { $0.fact.cancelled }, { $0.fact.cancelled = $1 }),
            .bool("breached", { $0.fact.breached }, { $0.fact.breached = $1 }),
        ] + durationColumns({ $0.fact.durations }, { $1(&$0.fact.durations) }) + [
            // NULL when no work start split the stay; the three are NULL together.
            .optionalInteger("waiting_wall_us", { $0.fact.waiting?.wall }, { row, value in
                row.fact.waiting = value.map { Durations(wall: $0, working: 0, statutory: 0) }
            }),
            .optionalInteger("waiting_working_us", { $0.fact.waiting?.working }, { row, value in
                if let value { row.fact.waiting?.working = value }
            }),
            .optionalInteger("waiting_statutory_us", { $0.fact.waiting?.statutory }, { row, value in
                if let value { row.fact.waiting?.statutory = value }
            }),
        ] + attributedColumns,
        primaryKey: factKey, withoutRowID: true, indexes: [["case_key"]])

    static let transitions = AnalyticsTable<Numbered<TransitionFact>>(
        name: "analytics_transitions",
        blank: Numbered(TransitionFact(
            position: 0, caseID: "", workflow: WorkflowKey(id: "", version: 0), caseOpenedAt: .zero, channel: nil,
            transition: "", from: "", to: "", region: nil, branch: nil, role: nil, onBehalfOf: nil, department: nil,
            at: .zero, durations: .zero, sendBackRound: nil, trigger: nil)),
        columns: factColumns() + [
            .name("transition", { $0.fact.transition }, { $0.fact.transition = $1 }),
            .name("from_state", { $0.fact.from }, { $0.fact.from = $1 }),
            .name("to_state", { $0.fact.to }, { $0.fact.to = $1 }),
            .optionalName("region", { $0.fact.region }, { $0.fact.region = $1 }),
            .optionalName("branch", { $0.fact.branch }, { $0.fact.branch = $1 }),
            .optionalName("role", { $0.fact.role }, { $0.fact.role = $1 }),
            .optionalText("on_behalf_of", { $0.fact.onBehalfOf }, { $0.fact.onBehalfOf = $1 }),
            .optionalName("department", { $0.fact.department }, { $0.fact.department = $1 }),
            .time("at", { $0.fact.at }, { $0.fact.at = $1 }),
        ] + durationColumns({ $0.fact.durations }, { $1(&$0.fact.durations) }) + [
            .optionalInteger("send_back_round", { $0.fact.sendBackRound.map(Int64.init) }, { $0.fact.sendBackRound = $1.map(Int.init) }),
            .optionalName("trigger", { $0.fact.trigger }, { $0.fact.trigger = $1 }),
        ],
        primaryKey: factKey, withoutRowID: true, indexes: [["case_key"]])

    static let breaches = AnalyticsTable<Numbered<BreachFact>>(
        name: "analytics_breaches",
        blank: Numbered(BreachFact(
            position: 0, caseID: "", workflow: WorkflowKey(id: "", version: 0), caseOpenedAt: .zero, channel: nil,
            deadline: "", state: "", region: nil, branch: nil, department: nil, dueAt: .zero, recordedAt: .zero, limit: nil)),
        columns: factColumns() + [
            .name("deadline", { $0.fact.deadline }, { $0.fact.deadline = $1 }),
            .name("state", { $0.fact.state }, { $0.fact.state = $1 }),
            .optionalName("region", { $0.fact.region }, { $0.fact.region = $1 }),
            .optionalName("branch", { $0.fact.branch }, { $0.fact.branch = $1 }),
            .optionalName("department", { $0.fact.department }, { $0.fact.department = $1 }),
            .time("due_at", { $0.fact.dueAt }, { $0.fact.dueAt = $1 }),
            .time("recorded_at", { $0.fact.recordedAt }, { $0.fact.recordedAt = $1 }),
            .optionalName("limit_text", { $0.fact.limit }, { $0.fact.limit = $1 }),
            .bool("first_in_case", { $0.fact.firstInCase }, { $0.fact.firstInCase = $1 }),
        ],
        primaryKey: factKey, withoutRowID: true, indexes: [["case_key"]])

    static let parties = AnalyticsTable<Numbered<PartyFact>>(
        name: "analytics_parties", blank: Numbered(PartyFact(caseID: "", kind: .department, value: "")),
        columns: [
            .name("kind", { $0.fact.kind.rawValue }, { $0.fact.kind = PartyFact.Kind(rawValue: $1) ?? .department }),
            .text("value", { $0.fact.value }, { $0.fact.value = $1 }),
            .integer("case_key", { $0.caseKey }, { $0.caseKey = $1 }),
        ],
        primaryKey: ["kind", "value", "case_key"], withoutRowID: true, indexes: [["case_key"]])

    /// Every case, as a search lists it (the desk's; see `DeskCase`).
    static let deskCases = AnalyticsTable<DeskCase>(
        name: "analytics_desk_cases",
        blank: DeskCase(caseID: "", position: 0, workflow: WorkflowKey(id: "", version: 0), openedAt: .zero, openedBy: "",
                        applicant: nil, channel: nil, state: "", whereabouts: "", outcome: nil, nextDueAt: nil, holder: nil),
        columns: [
            .text("case_id", { $0.caseID }, { $0.caseID = $1 }),
            .integer("position", { $0.position }, { $0.position = $1 }),
            .text("workflow_id", { $0.workflow.id }, { $0.workflow.id = $1 }),
            .integer("workflow_version", { $0.workflow.version }, { $0.workflow.version = $1 }),
            .time("opened_at", { $0.openedAt }, { $0.openedAt = $1 }),
            .text("opened_by", { $0.openedBy }, { $0.openedBy = $1 }),
            .optionalText("applicant", { $0.applicant }, { $0.applicant = $1 }),
            .optionalText("channel", { $0.channel }, { $0.channel = $1 }),
            .text("state", { $0.state }, { $0.state = $1 }),
            .text("whereabouts", { $0.whereabouts }, { $0.whereabouts = $1 }),
            .optionalText("outcome", { $0.outcome }, { $0.outcome = $1 }),
            .optionalTime("next_due_at", { $0.nextDueAt }, { $0.nextDueAt = $1 }),
            .optionalText("holder", { $0.holder }, { $0.holder = $1 }),
            .optionalTime("next_breach_at", { $0.nextBreachAt }, { $0.nextBreachAt = $1 }),
        ],
        primaryKey: ["case_id"],
        indexes: [["position"], ["state", "position"], ["applicant", "position"], ["channel", "opened_at"], ["opened_at"],
                  ["workflow_id", "position"], ["next_due_at"], ["next_breach_at"]])

    /// The data each case was opened with, one row a key (the desk's search by data).
    static let deskData = AnalyticsTable<DeskDataRow>(
        name: "analytics_desk_data", blank: DeskDataRow(caseID: "", key: "", value: ""),
        columns: [
            .text("key", { $0.key }, { $0.key = $1 }),
            .text("value", { $0.value }, { $0.value = $1 }),
            .text("case_id", { $0.caseID }, { $0.caseID = $1 }),
        ],
        primaryKey: ["key", "value", "case_id"], withoutRowID: true, indexes: [["case_id"]])

    /// The work waiting on open cases: one row per case-level state or running branch (see `DeskWorkItem`).
    static let deskWork = AnalyticsTable<DeskWorkItem>(
        name: "analytics_desk_work",
        blank: DeskWorkItem(caseID: "", position: 0, workflow: WorkflowKey(id: "", version: 0), region: nil, branch: nil, state: "",
                            department: nil, enteredAt: .zero, holder: nil, heldSince: nil, dueAt: nil, deadline: nil,
                            openedAt: .zero, applicant: nil),
        columns: [
            .text("case_id", { $0.caseID }, { $0.caseID = $1 }),
            .integer("position", { $0.position }, { $0.position = $1 }),
            .text("workflow_id", { $0.workflow.id }, { $0.workflow.id = $1 }),
            .integer("workflow_version", { $0.workflow.version }, { $0.workflow.version = $1 }),
            .optionalText("region", { $0.region }, { $0.region = $1 }),
            .optionalText("branch", { $0.branch }, { $0.branch = $1 }),
            .text("state", { $0.state }, { $0.state = $1 }),
            .optionalText("department", { $0.department }, { $0.department = $1 }),
            .time("entered_at", { $0.enteredAt }, { $0.enteredAt = $1 }),
            .optionalText("holder", { $0.holder }, { $0.holder = $1 }),
            .optionalTime("held_since", { $0.heldSince }, { $0.heldSince = $1 }),
            // Work with no limit sorts last: its due time is kept as the largest integer, so the
            // urgent order is the index's order (NULL would sort first).
            .integer("due_at", { $0.dueAt?.microseconds ?? Int64.max }, { $0.dueAt = $1 == Int64.max ? nil : Timestamp(microseconds: $1) }),
            .optionalText("deadline", { $0.deadline }, { $0.deadline = $1 }),
            .time("opened_at", { $0.openedAt }, { $0.openedAt = $1 }),
            .optionalText("applicant", { $0.applicant }, { $0.applicant = $1 }),
        ],
        // The worklists' filters, each followed by an order's columns, so the first page is read
        // off the index without sorting every match.
        indexes: [["case_id"],
                  ["department", "due_at", "entered_at", "position", "branch"], ["holder", "due_at", "entered_at", "position", "branch"],
                  ["state", "due_at", "entered_at", "position", "branch"], ["due_at", "entered_at", "position", "branch"],
                  ["department", "entered_at", "position", "branch"], ["entered_at", "position", "branch"]])

    /// When a decided case's statutory clock started (NULL: it never did) and the wall-clock time
    /// it ran.
    private static let statutoryStartColumns: [AnalyticsColumn<Numbered<CaseFact>>] = [
        .optionalTime("statutory_started_at", { $0.fact.statutoryStartedAt }, { $0.fact.statutoryStartedAt = $1 }),
        .integer("statutory_wall_us", { $0.fact.statutoryWall }, { $0.fact.statutoryWall = $1 }),
    ]

    /// A stay's part of its case's time in a parallel state; NULL (all of it) elsewhere. The three
    /// are NULL together.
    private static let attributedColumns: [AnalyticsColumn<Numbered<StayFact>>] = [
        .optionalInteger("attributed_wall_us", { $0.fact.attributed?.wall }, { row, value in
            row.fact.attributed = value.map { Durations(wall: $0, working: 0, statutory: 0) }
        }),
        .optionalInteger("attributed_working_us", { $0.fact.attributed?.working }, { row, value in
            if let value { row.fact.attributed?.working = value }
        }),
        .optionalInteger("attributed_statutory_us", { $0.fact.attributed?.statutory }, { row, value in
            if let value { row.fact.attributed?.statutory = value }
        }),
    ]

    /// Every table's name and `CREATE` statements, in creation order.
    static let all: [(name: String, create: String)] = [
        (meta.name, meta.createSQL), (calendars.name, calendars.createSQL), (names.name, names.createSQL),
        (caseKeys.name, caseKeys.createSQL), (cases.name, cases.createSQL),
        (openCases.name, openCases.createSQL), (stays.name, stays.createSQL), (transitions.name, transitions.createSQL),
        (breaches.name, breaches.createSQL), (parties.name, parties.createSQL),
        (deskCases.name, deskCases.createSQL), (deskData.name, deskData.createSQL), (deskWork.name, deskWork.createSQL),
        (cohorts, cohortsSQL), (partyDigests, partyDigestsSQL),
    ]

    /// The report cohorts (``ReportCohort``: a workflow version's cases opened on one UTC day,
    /// `day` counting from 1970-01-01) and their digests on each clock (`ReportDigest`), `NULL`
    /// until a report keeps one; `stamp` changes whenever some of the cohort's facts are replaced
    /// (a correction's refold), and that forgets its digests; `last_fact_position` is its latest
    /// fact's log position. A few rows a day: read and written through GRDB.
    static let cohorts = "analytics_cohorts"

    private static let cohortsSQL = """
        CREATE TABLE analytics_cohorts (
            workflow_id INTEGER NOT NULL,
            workflow_version INTEGER NOT NULL,
            day INTEGER NOT NULL,
            stamp INTEGER NOT NULL,
            last_fact_position INTEGER NOT NULL,
            wall BLOB,
            working BLOB,
            statutory BLOB,
            PRIMARY KEY (workflow_id, workflow_version, day)
        );
        """

    /// The digests of one department's or role's facts in a cohort (`DigestedParty`), on a clock
    /// (`measure`), at the cohort's `stamp` when it was kept: one whose stamp is no longer the
    /// cohort's is read as none, and replaced when a report keeps a new one. Added after schema 5
    /// was released: a projection of that schema gets the table when a report first keeps a party
    /// digest (``partyDigestsSQL`` creates it only when missing), so no rebuild is needed. A rowid
    /// table, as `analytics_cohorts`: its rows are digests of up to a megabyte.
    static let partyDigests = "analytics_party_digests"

    static let partyDigestsSQL = """
        CREATE TABLE IF NOT EXISTS analytics_party_digests (
            workflow_id INTEGER NOT NULL,
            workflow_version INTEGER NOT NULL,
            day INTEGER NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            measure TEXT NOT NULL,
            stamp INTEGER NOT NULL,
            digest BLOB NOT NULL,
            PRIMARY KEY (workflow_id, workflow_version, kind, value, measure, day)
        );
        """

    /// The three columns of a ``Durations`` (`wall_us`, `working_us`, `statutory_us`); `modify`
    /// hands the row's durations to a change.
    private static func durationColumns<Row>(
        _ get: @escaping @Sendable (inout Row) -> Durations, _ modify: @escaping @Sendable (inout Row, (inout Durations) -> Void) -> Void
    ) -> [AnalyticsColumn<Row>] {
        [
            .integer("wall_us", { get(&$0).wall }, { row, value in modify(&row) { $0.wall = value } }),
            .integer("working_us", { get(&$0).working }, { row, value in modify(&row) { $0.working = value } }),
            .integer("statutory_us", { get(&$0).statutory }, { row, value in modify(&row) { $0.statutory = value } }),
        ]
    }

    /// The primary key of the stays, transitions and breaches: a workflow version's facts in log
    /// order. New facts go at the end of their workflow version's range, so a batch writes few
    /// pages (a key by the case's opening time would scatter each batch over the whole table).
    private static let factKey = ["workflow_id", "workflow_version", "position", "ordinal"]

    /// The seven columns that start every stay, transition and breach row: workflow id and
    /// version, case opening time, position, ordinal (of the facts of one kind at one position),
    /// case key, channel.
    private static func factColumns<Fact: CaseScopedFact>() -> [AnalyticsColumn<Numbered<Fact>>] {
        [
            .name("workflow_id", { $0.fact.workflow.id }, { $0.fact.workflow.id = $1 }),
            .integer("workflow_version", { $0.fact.workflow.version }, { $0.fact.workflow.version = $1 }),
            .time("case_opened_at", { $0.fact.caseOpenedAt }, { $0.fact.caseOpenedAt = $1 }),
            .integer("position", { $0.fact.position }, { $0.fact.position = $1 }),
            .integer("ordinal", { $0.ordinal }, { $0.ordinal = $1 }),
            .integer("case_key", { $0.caseKey }, { $0.caseKey = $1 }),
            .optionalName("channel", { $0.fact.channel }, { $0.fact.channel = $1 }),
        ]
    }
}

// MARK: - Rows

/// A setting of the projection (`schema_version`).
struct MetaRow: Sendable {
    var key: String
    var value: String
}

/// The calendar a workflow version was counted on.
struct CalendarRow: Sendable {
    var workflow: WorkflowKey
    var calendar: String
}

/// A name of ``AnalyticsTables/names``.
struct NameRow: Sendable {
    var id: Int64
    var name: String
}

/// A case's key in ``AnalyticsTables/caseKeys``.
struct CaseKeyRow: Sendable {
    var caseKey: Int64
    var caseID: String
}

/// An open case: what a report shows of it (with its cohort columns) and its progress as JSON.
struct OpenCaseRow: Sendable {
    var caseKey: Int64
    var summary: OpenCaseSummary
    var progress: String
}

/// An open case's clock stops in one column: `stopped-resumed` in microseconds, comma-separated,
/// `resumed` empty while stopped; `NULL` for none (most cases).
enum ClockStopsText {
    static func text(_ stops: [ClockStopInterval]) -> String? {
        guard !stops.isEmpty else { return nil }
        return stops.map { "\($0.stoppedAt.microseconds)-" + ($0.resumedAt.map { String($0.microseconds) } ?? "") }.joined(separator: ",")
    }

    /// The stops `text` holds (what ``text(_:)`` wrote; an interval it could not have written
    /// reads as no stop). Read byte by byte: a report reads the stops of every open case (76,602
    /// of joint-verification's on the province), and splitting strings was 7 % of its time.
    static func stops(_ text: String?) -> [ClockStopInterval] {
        guard let text else { return [] }
        var stops: [ClockStopInterval] = []
        for interval in text.utf8.split(separator: UInt8(ascii: ",")) {
            guard let dash = interval.firstIndex(of: UInt8(ascii: "-")),
                  let stopped = microseconds(interval[..<dash]) else { continue }
            let resumed = interval[interval.index(after: dash)...]
            if resumed.isEmpty {
                stops.append(ClockStopInterval(stoppedAt: Timestamp(microseconds: stopped), resumedAt: nil))
            } else if let resumedAt = microseconds(resumed) {
                stops.append(ClockStopInterval(stoppedAt: Timestamp(microseconds: stopped), resumedAt: Timestamp(microseconds: resumedAt)))
            }
        }
        return stops
    }

    /// The number `digits` write (decimal digits only, at most 18: no overflow), or `nil`.
    private static func microseconds(_ digits: Substring.UTF8View.SubSequence) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}

/// One key of the data a case was opened with.
struct DeskDataRow: Sendable {
    var caseID: String
    var key: String
    var value: String
}

/// A fact with its case's key and its `ordinal` among the facts of its kind at its position.
struct Numbered<Fact: Sendable>: Sendable {
    var fact: Fact
    var ordinal: Int
    var caseKey: Int64

    init(_ fact: Fact, ordinal: Int = 0, caseKey: Int64 = 0) {
        self.fact = fact
        self.ordinal = ordinal
        self.caseKey = caseKey
    }
}


extension Timestamp {
    fileprivate static let zero = Timestamp(microseconds: 0)
}

// MARK: - Declaring tables

/// One column of an analytics table: its name and SQL type, how a row fills it when inserted,
/// and how a row read back takes its value.
struct AnalyticsColumn<Row>: Sendable {
    let name: String
    /// `INTEGER NOT NULL`, `TEXT`, ...
    let type: String
    /// Binds the column's value of a row to a statement parameter (1-based); the row is `inout`
    /// only to be passed by address, never changed.
    let bind: @Sendable (RawStatement, Int32, inout Row, Names) -> Void
    /// Sets the row's field from a result column (0-based).
    let read: @Sendable (RawStatement, Int32, inout Row, Names) -> Void

    static func integer(_ name: String, _ get: @escaping @Sendable (inout Row) -> Int64, _ set: @escaping @Sendable (inout Row, Int64) -> Void) -> Self {
        Self(name: name, type: "INTEGER NOT NULL", bind: { s, i, row, _ in s.bind(i, get(&row)) }, read: { s, c, row, _ in set(&row, s.int64(c)) })
    }

    static func integer(_ name: String, _ get: @escaping @Sendable (inout Row) -> Int, _ set: @escaping @Sendable (inout Row, Int) -> Void) -> Self {
        Self(name: name, type: "INTEGER NOT NULL", bind: { s, i, row, _ in s.bind(i, get(&row)) }, read: { s, c, row, _ in set(&row, s.int(c)) })
    }

    static func optionalInteger(_ name: String, _ get: @escaping @Sendable (inout Row) -> Int64?, _ set: @escaping @Sendable (inout Row, Int64?) -> Void) -> Self {
        Self(name: name, type: "INTEGER", bind: { s, i, row, _ in s.bind(i, get(&row)) },
             read: { s, c, row, _ in set(&row, s.isNull(c) ? nil : s.int64(c)) })
    }

    static func bool(_ name: String, _ get: @escaping @Sendable (inout Row) -> Bool, _ set: @escaping @Sendable (inout Row, Bool) -> Void) -> Self {
        Self(name: name, type: "INTEGER NOT NULL", bind: { s, i, row, _ in s.bind(i, get(&row)) }, read: { s, c, row, _ in set(&row, s.int64(c) != 0) })
    }

    static func time(_ name: String, _ get: @escaping @Sendable (inout Row) -> Timestamp, _ set: @escaping @Sendable (inout Row, Timestamp) -> Void) -> Self {
        Self(name: name, type: "INTEGER NOT NULL", bind: { s, i, row, _ in s.bind(i, get(&row).microseconds) },
             read: { s, c, row, _ in set(&row, Timestamp(microseconds: s.int64(c))) })
    }

    static func optionalTime(_ name: String, _ get: @escaping @Sendable (inout Row) -> Timestamp?, _ set: @escaping @Sendable (inout Row, Timestamp?) -> Void) -> Self {
        Self(name: name, type: "INTEGER", bind: { s, i, row, _ in s.bind(i, get(&row)?.microseconds) },
             read: { s, c, row, _ in set(&row, s.isNull(c) ? nil : Timestamp(microseconds: s.int64(c))) })
    }

    static func text(_ name: String, _ get: @escaping @Sendable (inout Row) -> String, _ set: @escaping @Sendable (inout Row, String) -> Void) -> Self {
        Self(name: name, type: "TEXT NOT NULL", bind: { s, i, row, _ in s.bind(i, get(&row)) }, read: { s, c, row, _ in set(&row, s.string(c) ?? "") })
    }

    static func optionalText(_ name: String, _ get: @escaping @Sendable (inout Row) -> String?, _ set: @escaping @Sendable (inout Row, String?) -> Void) -> Self {
        Self(name: name, type: "TEXT", bind: { s, i, row, _ in s.bind(i, get(&row)) }, read: { s, c, row, _ in set(&row, s.string(c)) })
    }

    /// A name kept as its integer in ``AnalyticsTables/names`` (``Names``).
    static func name(_ name: String, _ get: @escaping @Sendable (inout Row) -> String, _ set: @escaping @Sendable (inout Row, String) -> Void) -> Self {
        Self(name: name, type: "INTEGER NOT NULL", bind: { s, i, row, names in s.bind(i, names.id(get(&row))) },
             read: { s, c, row, names in set(&row, names.name(s.int64(c))) })
    }

    /// An optional name, NULL for none.
    static func optionalName(_ name: String, _ get: @escaping @Sendable (inout Row) -> String?, _ set: @escaping @Sendable (inout Row, String?) -> Void) -> Self {
        Self(name: name, type: "INTEGER", bind: { s, i, row, names in s.bind(i, get(&row).map { names.id($0) }) },
             read: { s, c, row, names in set(&row, s.isNull(c) ? nil : names.name(s.int64(c))) })
    }
}

/// An analytics table: its columns, in order, with its key and its index.
struct AnalyticsTable<Row: Sendable>: Sendable {
    let name: String
    /// A row every column of which is then read (``read(_:)``).
    let blank: Row
    let columns: [AnalyticsColumn<Row>]
    let primaryKey: [String]
    let withoutRowID: Bool
    /// The columns of the index reports select by, if any.
    let scopeIndex: [String]
    /// Further indexes (the desk's filters, the facts' case keys), each a list of columns.
    let indexes: [[String]]
    /// Unique indexes, each a list of columns.
    let uniqueIndexes: [[String]]
    /// Every column's `bind`, chained into one closure, and every column's `read` likewise. A
    /// closure calls the closures it captured without retaining them, where a loop over an array
    /// of closures would retain and release each one for each row (the replay binds millions of
    /// values).
    private let bindAll: @Sendable (RawStatement, Int32, inout Row, Names) -> Void
    private let readAll: @Sendable (RawStatement, inout Row, Names) -> Void

    init(
        name: String, blank: Row, columns: [AnalyticsColumn<Row>], primaryKey: [String] = [], withoutRowID: Bool = false,
        scopeIndex: [String] = [], indexes: [[String]] = [], uniqueIndexes: [[String]] = []
    ) {
        self.indexes = indexes
        self.uniqueIndexes = uniqueIndexes
        self.name = name
        self.blank = blank
        self.columns = columns
        self.primaryKey = primaryKey
        self.withoutRowID = withoutRowID
        self.scopeIndex = scopeIndex
        var bindAll: @Sendable (RawStatement, Int32, inout Row, Names) -> Void = { _, _, _, _ in }
        var readAll: @Sendable (RawStatement, inout Row, Names) -> Void = { _, _, _ in }
        for (index, column) in columns.enumerated() {
            let parameter = Int32(index + 1), resultColumn = Int32(index)
            let bindBefore = bindAll, bind = column.bind
            bindAll = { statement, offset, row, names in
                bindBefore(statement, offset, &row, names)
                bind(statement, offset + parameter, &row, names)
            }
            let readBefore = readAll, read = column.read
            readAll = { statement, row, names in
                readBefore(statement, &row, names)
                read(statement, resultColumn, &row, names)
            }
        }
        self.bindAll = bindAll
        self.readAll = readAll
    }

    /// `CREATE TABLE` (and `CREATE INDEX`).
    var createSQL: String {
        let width = columns.map(\.name.count).max() ?? 0
        var lines = columns.map { "    " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + " " + $0.type }
        if !primaryKey.isEmpty { lines.append("    PRIMARY KEY (\(primaryKey.joined(separator: ", ")))") }
        var sql = "CREATE TABLE \(name) (\n" + lines.joined(separator: ",\n") + "\n)" + (withoutRowID ? " WITHOUT ROWID" : "") + ";"
        if !scopeIndex.isEmpty {
            sql += "\nCREATE INDEX \(name)_scope ON \(name) (\(scopeIndex.joined(separator: ", ")));"
        }
        for index in indexes {
            sql += "\nCREATE INDEX \(name)_\(index.joined(separator: "_")) ON \(name) (\(index.joined(separator: ", ")));"
        }
        for index in uniqueIndexes {
            sql += "\nCREATE UNIQUE INDEX \(name)_\(index.joined(separator: "_")) ON \(name) (\(index.joined(separator: ", ")));"
        }
        return sql
    }

    /// The column names, in order, comma-separated.
    var columnList: String { columns.map(\.name).joined(separator: ", ") }

    /// `verb INTO table (columns)`, e.g. for ``MultiRowInsert``.
    func insertHead(_ verb: String) -> String { "\(verb) INTO \(name) (\(columnList))" }

    /// The same table with the columns `names` left out of ``select`` (reading leaves the blank's
    /// values): for reading, never for creating or inserting.
    func omitting(_ names: Set<String>) -> AnalyticsTable {
        precondition(names.isSubset(of: columns.map(\.name)), "omitting a column \(name) does not have")
        return AnalyticsTable(name: name, blank: blank, columns: columns.filter { !names.contains($0.name) }, primaryKey: primaryKey,
                       withoutRowID: withoutRowID, scopeIndex: scopeIndex, indexes: indexes, uniqueIndexes: uniqueIndexes)
    }

    /// `SELECT columns FROM table`: read each row with ``read(_:)``.
    var select: String { "SELECT \(columnList) FROM \(name)" }

    /// Binds `row`'s columns to parameters `offset + 1 ... offset + columns.count`; names are
    /// bound as their numbers in `names`, which numbers the new ones.
    func bind(_ statement: RawStatement, offset: Int32, _ row: Row, names: Names = Names()) {
        // The columns take the row `inout`, that is by address: a closure taking a large struct by
        // value would copy the whole row (and retain its strings) for each column.
        var row = row
        bindAll(statement, offset, &row, names)
    }

    /// The row at `statement`'s cursor, from a statement that selected ``columnList``; names are
    /// read back through `names`.
    func read(_ statement: RawStatement, names: Names = Names()) -> Row {
        var row = blank
        readAll(statement, &row, names)
        return row
    }
}
