/// The analytics projection's tables in the log's PostgreSQL database, for
/// ``PostgresProjectionStore``.
///
/// Like SQLite's `analytics_*` tables, they are derived data, not part of the log's migrations:
/// `ProjectionWriting.recreate()` drops and creates them at ``ProjectionSchema/version``, and a
/// newer Docket whose projection differs rebuilds them from the log. (A migration would have to
/// follow every change of the fold; a rebuild is what a change of the projection needs anyway.)
///
/// Each fact table keeps the columns a report filters on and orders by, and the fact itself as
/// JSON (`fact`): a report decodes the fact it selects, and a change of a fact's fields needs no
/// new column. Text is `COLLATE "C"` (byte order, as SQLite orders text). The stays, transitions
/// and breaches are keyed by their position and their number among the facts of that position;
/// an index on the workflow version and the position gives a report's order (by workflow version,
/// then in log order), one on `case_id` lets a correction forget a case's facts.
enum PostgresProjectionTables {
    static let meta = "analytics_meta"
    static let calendars = "analytics_calendars"
    static let cases = "analytics_cases"
    static let openCases = "analytics_open_cases"
    static let stays = "analytics_stays"
    static let transitions = "analytics_transitions"
    static let breaches = "analytics_breaches"
    static let parties = "analytics_parties"
    static let deskCases = "analytics_desk_cases"
    static let deskData = "analytics_desk_data"
    static let deskWork = "analytics_desk_work"
    /// Report cohorts and their digests (`ReportCohort`), as SQLite's `analytics_cohorts`.
    static let cohorts = "analytics_cohorts"

    /// The digests of one department's or role's facts in a cohort, as SQLite's
    /// `analytics_party_digests`: added after schema 5 was released, so created when missing
    /// (``partyDigestsSQL``) by the first report that keeps one, without a rebuild.
    static let partyDigests = "analytics_party_digests"

    static let partyDigestsSQL = """
        CREATE TABLE IF NOT EXISTS \(partyDigests) (
            workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL, day bigint NOT NULL,
            kind text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL, measure text COLLATE "C" NOT NULL,
            stamp bigint NOT NULL, digest bytea NOT NULL,
            PRIMARY KEY (workflow_id, workflow_version, kind, value, measure, day))
        """

    /// Every table, in the order they are created.
    static let all = [meta, calendars, cases, openCases, stays, transitions, breaches, parties, deskCases, deskData, deskWork, cohorts, partyDigests]

    /// The key of `meta` that holds the projection's version.
    static let versionKey = "schema_version"

    private static func factTable(_ name: String, extra: String) -> [String] {
        [
            """
            CREATE TABLE \(name) (
                position         bigint  NOT NULL,
                ordinal          integer NOT NULL,
                case_id          text    COLLATE "C" NOT NULL,
                workflow_id      text    COLLATE "C" NOT NULL,
                workflow_version integer NOT NULL,
                case_opened_at   bigint  NOT NULL,
                channel          text    COLLATE "C",
                \(extra)
                fact             text    NOT NULL,
                PRIMARY KEY (position, ordinal)
            )
            """,
            "CREATE INDEX \(name)_by_version ON \(name) (workflow_id, workflow_version, position, ordinal)",
            "CREATE INDEX \(name)_by_case ON \(name) (case_id)",
        ]
    }

    /// The statements that create every table, empty.
    static let create: [String] = [
        "CREATE TABLE \(meta) (key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL)",
        """
        CREATE TABLE \(calendars) (
            workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL, calendar text NOT NULL,
            PRIMARY KEY (workflow_id, workflow_version))
        """,
        """
        CREATE TABLE \(cases) (
            case_id text COLLATE "C" PRIMARY KEY, workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL,
            position bigint NOT NULL, opened_at bigint NOT NULL, channel text COLLATE "C", fact text NOT NULL)
        """,
        "CREATE INDEX \(cases)_by_version ON \(cases) (workflow_id, workflow_version, position)",
        """
        CREATE TABLE \(openCases) (
            case_id text COLLATE "C" PRIMARY KEY, workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL,
            opened_at bigint NOT NULL, channel text COLLATE "C", summary text NOT NULL, progress text NOT NULL)
        """,
    ] + factTable(stays, extra: "department text COLLATE \"C\", role text COLLATE \"C\", on_behalf_of text COLLATE \"C\",")
        + factTable(transitions, extra: "department text COLLATE \"C\", role text COLLATE \"C\", on_behalf_of text COLLATE \"C\",")
        + factTable(breaches, extra: "department text COLLATE \"C\", role text COLLATE \"C\", on_behalf_of text COLLATE \"C\",")
        + [
            """
            CREATE TABLE \(parties) (
                kind text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL, case_id text COLLATE "C" NOT NULL,
                PRIMARY KEY (kind, value, case_id))
            """,
            "CREATE INDEX \(parties)_by_case ON \(parties) (case_id)",
            """
            CREATE TABLE \(deskCases) (
                case_id text COLLATE "C" PRIMARY KEY, position bigint NOT NULL, workflow_id text COLLATE "C" NOT NULL,
                state text COLLATE "C" NOT NULL, applicant text COLLATE "C", channel text COLLATE "C", opened_at bigint NOT NULL,
                outcome text COLLATE "C", next_due_at bigint, next_breach_at bigint, desk_case text NOT NULL)
            """,
            "CREATE INDEX \(deskCases)_by_position ON \(deskCases) (position)",
            "CREATE INDEX \(deskCases)_by_due ON \(deskCases) (next_due_at, position) WHERE next_due_at IS NOT NULL",
            "CREATE INDEX \(deskCases)_by_breach ON \(deskCases) (next_breach_at) WHERE next_breach_at IS NOT NULL",
            """
            CREATE TABLE \(deskData) (
                case_id text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL,
                PRIMARY KEY (case_id, key))
            """,
            "CREATE INDEX \(deskData)_by_value ON \(deskData) (key, value)",
            """
            CREATE TABLE \(deskWork) (
                case_id text COLLATE "C" NOT NULL, branch text COLLATE "C", position bigint NOT NULL,
                workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL, state text COLLATE "C" NOT NULL,
                department text COLLATE "C", holder text COLLATE "C", due_at bigint, entered_at bigint NOT NULL, item text NOT NULL)
            """,
            "CREATE INDEX \(deskWork)_by_case ON \(deskWork) (case_id)",
            "CREATE INDEX \(deskWork)_by_state ON \(deskWork) (state)",
            "CREATE INDEX \(deskWork)_by_due ON \(deskWork) (due_at, entered_at, position)",
            """
            CREATE TABLE \(cohorts) (
                workflow_id text COLLATE "C" NOT NULL, workflow_version integer NOT NULL, day bigint NOT NULL, stamp bigint NOT NULL,
                last_fact_position bigint NOT NULL, wall bytea, working bytea, statutory bytea,
                PRIMARY KEY (workflow_id, workflow_version, day))
            """,
            partyDigestsSQL,
        ]
}
