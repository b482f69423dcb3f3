import DocketAnalytics
import DocketCore

/// The process report (`report --format json`, `GET /v1/reports/...`): the figures of
/// `DocketAnalytics/ProcessReport` with their instants written in the workflows' time zones.
/// Durations are seconds.
package struct ReportView: Encodable, Sendable {
    /// What the report covers; its times are in the zone of the one workflow asked for (UTC when
    /// the report spans several).
    package struct ScopeView: Encodable, Sendable {
        package var workflow: String?
        package var version: Int?
        package var from: String?
        package var to: String?
        package var department: String?
        package var role: String?
        package var onBehalfOf: String?
        package var channel: String?
        /// The clock of dwell, bottlenecks, transitions and ages: `wall`, `working` or `statutory`.
        package var time: String
        package var asOf: String
    }

    /// A case still open at the report's `as_of`.
    package struct OpenCaseView: Encodable, Sendable {
        package var caseID: String
        package var version: Int
        package var state: String
        package var department: String?
        package var openedAt: String
        package var since: String
        /// Seconds on the scope's clock.
        package var age: Double
        package var overdue: Bool
        package var overdueSince: String?
        package var clockStopped: Bool
        package var channel: String?
        /// The age or deadline needs dates outside the calendar's coverage: it may change when
        /// those dates' holidays are deployed.
        package var provisional: Bool
    }

    /// Summaries on each clock that applies: working time only on a calendar (absent without one:
    /// every second would count, and the figures would only repeat the wall clock's as if a
    /// calendar applied); statutory time on a calendar or where the workflow states a statutory
    /// limit (without a calendar it is the wall clock from the clock's start, less stopped clocks).
    package struct ClockSummariesView: Encodable, Sendable {
        package var wall: DurationSummary
        package var working: DurationSummary?
        package var statutory: DurationSummary?

        package init(_ m: MeasuredSummaries, hasCalendar: Bool, hasStatutoryLimit: Bool) {
            wall = m.wall
            working = hasCalendar ? m.working : nil
            statutory = hasCalendar || hasStatutoryLimit ? m.statutory : nil
        }

        /// The summary on `measure`'s clock, `nil` where it does not apply.
        package subscript(measure: TimeMeasure) -> DurationSummary? {
            switch measure {
            case .wall: wall
            case .working: working
            case .statutory: statutory
            }
        }
    }

    /// Histograms on each clock that applies, as ``ClockSummariesView``.
    package struct ClockHistogramsView: Encodable, Sendable {
        package var wall: DurationHistogram
        package var working: DurationHistogram?
        package var statutory: DurationHistogram?

        package init(_ m: MeasuredHistograms, hasCalendar: Bool, hasStatutoryLimit: Bool) {
            wall = m.wall
            working = hasCalendar ? m.working : nil
            statutory = hasCalendar || hasStatutoryLimit ? m.statutory : nil
        }

        package subscript(measure: TimeMeasure) -> DurationHistogram? {
            switch measure {
            case .wall: wall
            case .working: working
            case .statutory: statutory
            }
        }
    }

    /// One workflow (version) of the report.
    package struct WorkflowView: Encodable, Sendable {
        package var workflow: String
        package var version: Int?
        package var calendar: String
        package var calendarLayers: [CalendarVersion]
        /// Whether the workflow counts on a business calendar. Without one, times are wall-clock
        /// only: `working_day_seconds`, and the working and statutory summaries and histograms, are absent.
        package var hasCalendar: Bool
        package var workingDaySeconds: Double?
        package var cases: CaseCounts
        package var timeToApproval: ClockSummariesView
        package var timeToDecision: ClockSummariesView
        package var dwell: [DwellRow]
        package var bottlenecks: Bottlenecks
        package var transitions: [TransitionRow]
        package var rework: Rework
        package var breaches: [BreachRow]
        package var clockStops: ClockStopFigures
        /// Written without JSONEncoder: a workflow may have hundreds of thousands.
        @JSONTextList package var openCases: [OpenCaseView]
        package var channels: [ChannelRow]
        /// The dates the calendar knows holidays for (`2019-01-01 to 2026-12-31`); nil when it
        /// states none (the weekly hours hold for every date).
        package var calendarCovers: String?
        /// Decided cases whose figures need dates outside ``calendarCovers``: provisional.
        package var provisionalCases: [String]
        package var approvalHistograms: ClockHistogramsView
        package var statutoryLimit: StatutoryLimitFigures?
        package var weeks: [WeekRow]
        /// Cases opened by weekday (Monday first) and hour, in the workflow's time zone.
        package var arrivals: [[Int]]

        /// The clocks figures are given on: all three on a calendar; without one the wall clock, and
        /// statutory time where the workflow states a statutory limit.
        package var clocks: [TimeMeasure] {
            hasCalendar ? TimeMeasure.allCases : statutoryLimit == nil ? [.wall] : [.wall, .statutory]
        }

        /// The clock a figure asked for on `measure` is shown on: without a calendar, working time is
        /// wall-clock time (statutory time stays what it is: the wall clock without stopped clocks).
        package func shown(_ measure: TimeMeasure) -> TimeMeasure { !hasCalendar && measure == .working ? .wall : measure }
    }

    package var scope: ScopeView
    package var workflows: [WorkflowView]

    /// The report, each workflow's times in the zone of the calendar `calendars` gives it.
    package init(_ report: ProcessReport, calendars: ProjectionCalendars) {
        func time(of workflow: String, _ version: Int?) -> TimeText {
            TimeText(calendar: calendars(WorkflowKey(id: workflow, version: version ?? 1)).calendar)
        }
        let scope = report.scope
        let scopeTime = scope.workflowID.map { time(of: $0, scope.version) } ?? TimeText(calendar: nil)
        self.scope = ScopeView(
            workflow: scope.workflowID, version: scope.version, from: scope.from.map { scopeTime($0) },
            to: scope.to.map { scopeTime($0) }, department: scope.department, role: scope.role,
            onBehalfOf: scope.onBehalfOf, channel: scope.channel, time: scope.measure.rawValue, asOf: scopeTime(scope.asOf))
        workflows = report.workflows.map { w in
            let time = time(of: w.workflow, w.version)
            let hasCalendar = !w.calendarLayers.isEmpty
            return WorkflowView(
                workflow: w.workflow, version: w.version, calendar: w.calendar, calendarLayers: w.calendarLayers,
                hasCalendar: hasCalendar, workingDaySeconds: hasCalendar ? w.workingDaySeconds : nil, cases: w.cases,
                timeToApproval: ClockSummariesView(w.timeToApproval, hasCalendar: hasCalendar, hasStatutoryLimit: w.statutoryLimit != nil),
                timeToDecision: ClockSummariesView(w.timeToDecision, hasCalendar: hasCalendar, hasStatutoryLimit: w.statutoryLimit != nil), dwell: w.dwell, bottlenecks: w.bottlenecks, transitions: w.transitions,
                rework: w.rework, breaches: w.breaches, clockStops: w.clockStops,
                openCases: w.openCases.map { row in
                    OpenCaseView(
                        caseID: row.caseID, version: row.version, state: row.state, department: row.department,
                        openedAt: time(row.openedAt), since: time(row.since), age: row.age, overdue: row.overdue,
                        overdueSince: row.overdueSince.map { time($0) }, clockStopped: row.clockStopped, channel: row.channel,
                        provisional: row.provisional)
                },
                channels: w.channels, calendarCovers: w.calendarCovers, provisionalCases: w.provisionalCases,
                approvalHistograms: ClockHistogramsView(w.approvalHistograms, hasCalendar: hasCalendar, hasStatutoryLimit: w.statutoryLimit != nil), statutoryLimit: w.statutoryLimit,
                weeks: w.weeks, arrivals: w.arrivals)
        }
    }
}

extension ReportView.OpenCaseView: JSONTextWriting {
    /// The fields as JSONEncoder names and sorts them.
    package func write(to text: inout JSONText) {
        text.beginObject()
        text.field("age", age)
        text.field("case_id", caseID)
        text.field("channel", channel)
        text.field("clock_stopped", clockStopped)
        text.field("department", department)
        text.field("opened_at", openedAt)
        text.field("overdue", overdue)
        text.field("overdue_since", overdueSince)
        text.field("provisional", provisional)
        text.field("since", since)
        text.field("state", state)
        text.field("version", version)
        text.endObject()
    }
}
