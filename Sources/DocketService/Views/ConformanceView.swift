/// How well a log fits a workflow (`conform`).
package struct ConformanceView: Encodable, Sendable {
    package struct DeviationView: Encodable, Sendable {
        package var kind: String
        package var description: String
        package var event: String?
        package var activity: String?
        package var state: String?
        package var missing: [String]?
        package var detail: String?
        package var cases: Int
        package var occurrences: Int
        package var exampleCases: [String]
    }

    package var log: String
    package var workflow: String
    package var workflowVersion: Int
    package var traces: Int
    package var fittingTraces: Int
    package var fittingShare: Double
    /// Fitting traces of cases running when the log was written (Docket's export says where).
    package var runningTraces: Int
    /// Traces of other workflows, left out.
    package var otherWorkflowTraces: Int
    /// The calendar the deadlines ran on, and where it was read (`null`: the workflow names none).
    package var calendar: String?
    package var calendarSource: String?
    package var events: Int
    package var replayedEvents: Int
    package var deviations: [DeviationView]

    package init(_ r: ConformanceReport, log: String, calendar: String? = nil, calendarSource: String? = nil) {
        self.log = log
        self.calendar = calendar
        self.calendarSource = calendarSource
        runningTraces = r.runningTraces
        otherWorkflowTraces = r.otherWorkflowTraces
        workflow = r.workflowID
        workflowVersion = r.workflowVersion
        traces = r.traces
        fittingTraces = r.fittingTraces
        fittingShare = r.fittingShare
        events = r.events
        replayedEvents = r.replayedEvents
        deviations = r.entries.map { e in
            DeviationView(kind: e.deviation.kind.rawValue, description: e.deviation.description, event: e.deviation.event,
                          activity: e.deviation.activity, state: e.deviation.state,
                          missing: e.deviation.missing.isEmpty ? nil : e.deviation.missing, detail: e.deviation.detail,
                          cases: e.cases, occurrences: e.occurrences, exampleCases: e.exampleCases)
        }
    }
}
