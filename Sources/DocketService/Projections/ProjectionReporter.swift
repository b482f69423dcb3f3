import DocketAnalytics
import DocketCore
import DocketStore
import Foundation
import GRDB

/// Builds `docket report` from the analytics tables (bring them up to date first with
/// ``ProjectionUpdater/catchUp(batchSize:progress:)``).
///
/// The selection happens in SQL, the figures in ``ReportBuilder``. Which facts each filter keeps is
/// defined in `Docs/analytics.md`: `from`/`to`, workflow, version and channel select cases; the
/// department, role and on-behalf-of filters keep stays and transitions that match directly, and
/// cases (with their breaches) in which a match took part.
public struct ProjectionReporter {
    private let store: SQLiteEventStore
    private let calendars: ProjectionCalendars

    /// A reporter on `store`'s analytics tables, naming the calendars `calendars` resolves.
    public init(store: SQLiteEventStore, calendars: ProjectionCalendars) {
        self.store = store
        self.calendars = calendars
    }

    /// The report of `scope`, read in one consistent snapshot.
    public func report(_ scope: ReportScope) throws -> ProcessReport {
        var builder = ReportBuilder(scope: scope, calendars: { calendars($0) })
        try store.read { db in
            guard try AnalyticsTables.installedVersion(db) == AnalyticsTables.schemaVersion else { return }
            let caseScope = Filter(scope, openedColumn: "opened_at", parties: true)
            try Self.each(db, "SELECT \(Self.caseColumns) FROM analytics_cases", caseScope, order: "position") {
                builder.add(Self.caseFact($0))
            }
            let decoder = JSONDecoder()
            try Self.each(db, "SELECT case_id, progress FROM analytics_open_cases", caseScope, order: "case_id") {
                builder.add(try AnalyticsTables.decodeProgress($0[1], caseID: $0[0], decoder: decoder))
            }
            try Self.each(db, "SELECT \(Self.breachColumns) FROM analytics_breaches", Filter(scope, openedColumn: "case_opened_at", parties: true),
                          order: "position, ordinal") {
                builder.add(Self.breachFact($0))
            }
            let direct = Filter(scope, openedColumn: "case_opened_at", parties: false)
            try Self.each(db, "SELECT \(Self.stayColumns) FROM analytics_stays", direct, order: "position, ordinal") {
                builder.add(Self.stayFact($0))
            }
            try Self.each(db, "SELECT \(Self.transitionColumns) FROM analytics_transitions", direct, order: "position, ordinal") {
                builder.add(Self.transitionFact($0))
            }
        }
        return builder.build()
    }

    /// A WHERE clause for one table.
    private struct Filter {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []

        /// - Parameter parties: filter departments, roles and assisted parties through the cases
        ///   they took part in (case-level tables) rather than through the row's own columns.
        init(_ scope: ReportScope, openedColumn: String, parties: Bool) {
            func add(_ clause: String, _ values: (any DatabaseValueConvertible)?...) {
                clauses.append(clause)
                arguments += values
            }
            if let workflow = scope.workflowID { add("workflow_id = ?", workflow) }
            if let version = scope.version { add("workflow_version = ?", version) }
            if let from = scope.from { add("\(openedColumn) >= ?", from.microseconds) }
            if let to = scope.to { add("\(openedColumn) < ?", to.microseconds) }
            if let channel = scope.channel { add("channel = ?", channel) }
            let party = "case_id IN (SELECT case_id FROM analytics_parties WHERE kind = ? AND value = ?)"
            if let department = scope.department {
                parties ? add(party, PartyFact.Kind.department.rawValue, department) : add("department = ?", department)
            }
            if let role = scope.role {
                parties ? add(party, PartyFact.Kind.role.rawValue, role) : add("role = ?", role)
            }
            if let onBehalfOf = scope.onBehalfOf {
                parties ? add(party, PartyFact.Kind.onBehalfOf.rawValue, onBehalfOf) : add("on_behalf_of = ?", onBehalfOf)
            }
        }

        var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }
    }

    private static func each(_ db: Database, _ select: String, _ filter: Filter, order: String, _ body: (Row) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: select + filter.sql + " ORDER BY " + order,
                                       arguments: StatementArguments(filter.arguments))
        while let row = try rows.next() { try body(row) }
    }

    // MARK: Rows to facts

    private static func workflow(_ row: Row, _ id: Int, _ version: Int) -> WorkflowKey {
        WorkflowKey(id: row[id], version: row[version])
    }

    private static func time(_ row: Row, _ index: Int) -> Timestamp { Timestamp(microseconds: row[index]) }

    private static func durations(_ row: Row, _ index: Int) -> Durations {
        Durations(wall: row[index], working: row[index + 1], statutory: row[index + 2])
    }

    static let caseColumns = """
        position, case_id, workflow_id, workflow_version, opened_at, decided_at, outcome, final_state, channel,
        wall_us, working_us, statutory_us, send_back_rounds, breaches, clock_stops, clock_stopped_wall_us, clock_stopped_working_us
        """

    static func caseFact(_ row: Row) -> CaseFact {
        CaseFact(
            position: row[0], caseID: row[1], workflow: workflow(row, 2, 3), openedAt: time(row, 4), decidedAt: time(row, 5),
            outcome: row[6], finalState: row[7], channel: row[8], durations: durations(row, 9), sendBackRounds: row[12],
            breaches: row[13], clockStops: row[14], clockStoppedWall: row[15], clockStoppedWorking: row[16])
    }

    static let stayColumns = """
        position, case_id, workflow_id, workflow_version, case_opened_at, channel, state, region, branch, department, role,
        on_behalf_of, entered_at, left_at, exit, cancelled, breached, wall_us, working_us, statutory_us,
        waiting_wall_us, waiting_working_us, waiting_statutory_us
        """

    static func stayFact(_ row: Row) -> StayFact {
        let waitingWall: Int64? = row[20]
        return StayFact(
            position: row[0], caseID: row[1], workflow: workflow(row, 2, 3), caseOpenedAt: time(row, 4), channel: row[5],
            state: row[6], region: row[7], branch: row[8], department: row[9], role: row[10], onBehalfOf: row[11],
            enteredAt: time(row, 12), leftAt: time(row, 13), exit: row[14], cancelled: row[15], breached: row[16],
            durations: durations(row, 17), waiting: waitingWall.map { _ in durations(row, 20) })
    }

    static let transitionColumns = """
        position, case_id, workflow_id, workflow_version, case_opened_at, channel, transition, from_state, to_state, region,
        branch, role, on_behalf_of, department, at, wall_us, working_us, statutory_us, send_back_round, trigger
        """

    static func transitionFact(_ row: Row) -> TransitionFact {
        TransitionFact(
            position: row[0], caseID: row[1], workflow: workflow(row, 2, 3), caseOpenedAt: time(row, 4), channel: row[5],
            transition: row[6], from: row[7], to: row[8], region: row[9], branch: row[10], role: row[11], onBehalfOf: row[12],
            department: row[13], at: time(row, 14), durations: durations(row, 15), sendBackRound: row[18], trigger: row[19])
    }

    static let breachColumns = """
        position, case_id, workflow_id, workflow_version, case_opened_at, channel, deadline, state, region, branch,
        department, due_at, recorded_at, limit_text
        """

    static func breachFact(_ row: Row) -> BreachFact {
        BreachFact(
            position: row[0], caseID: row[1], workflow: workflow(row, 2, 3), caseOpenedAt: time(row, 4), channel: row[5],
            deadline: row[6], state: row[7], region: row[8], branch: row[9], department: row[10], dueAt: time(row, 11),
            recordedAt: time(row, 12), limit: row[13])
    }
}
