import ArgumentParser
import DocketAnalytics
import DocketCore
import DocketInterop
import DocketPostgres
import DocketService
import DocketStore
import Foundation

/// `docket report`: how long approval takes, where cases wait, who holds them up.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Time to approval, dwell, bottlenecks, rework, breaches and open cases, from the event log.",
        discussion: """
            First brings the analytics projections up to date with the log (a progress bar on stderr \
            when that takes a while), then reports per workflow version: cases opened and decided; \
            time to approval and to decision on the wall clock, in working time on the workflow's \
            calendar and in statutory time (working time without stopped clocks); dwell per state and \
            branch with waiting and work; bottlenecks; transitions; rework; deadline breaches; clock \
            stops; open cases, overdue first. --from/--to select cases by when they were opened. \
            Tables show human durations (wd = one working day of the calendar); JSON and CSV give \
            seconds. --by picks the breakdown the table and CSV show; JSON always has everything. \
            --format html writes one self-contained page (inline SVG and CSS; with --out to a file): \
            distributions with the statutory limit, the state diagram coloured by dwell (laid out by \
            Graphviz's dot when installed), weeks, open cases, departments, roles, channels, arrivals, \
            each chart with its figures beside it (Docs/pages.md). \
            Every figure is defined in Docs/analytics.md.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Only this workflow.", valueName: "id"))
    var workflow: String?

    @Option(help: ArgumentHelp("Only this version of the workflow(s).", valueName: "n"))
    var version: Int?

    @Option(help: ArgumentHelp("Only cases opened at or after this time (ISO 8601; local time when no offset).", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Only cases opened before this time (ISO 8601; local time when no offset).", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("The breakdown to show (default: all of them; CSV: the summary).", valueName: "state|department|role|transition|channel"))
    var by: Breakdown?

    @Option(help: ArgumentHelp("The clock for dwell, bottlenecks, transitions and ages.", valueName: "wall|working|statutory"))
    var time: TimeMeasure = .working

    @OptionGroup var output: OutputOptions

    @OptionGroup var destination: OutputFileOptions

    @Option(help: ArgumentHelp("Only this department's stays and transitions, and cases that entered it.", valueName: "name"))
    var department: String?

    @Option(help: ArgumentHelp("Only stays this role held, transitions it fired, and cases it acted on.", valueName: "role"))
    var role: String?

    @Option(name: .customLong("on-behalf-of"), help: ArgumentHelp(
        "Only stays, transitions and cases where someone acted for this party.", valueName: "who"))
    var onBehalfOf: String?

    @Option(help: ArgumentHelp("Only cases opened on this channel (online, window, assisted, mail).", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp("Measure open cases' ages up to this time (default: now).", valueName: "time"))
    var now: String?

    typealias Breakdown = ReportBreakdown

    func run() throws {
        let store = try AnalyticsStore.open(storeOptions, readOnlyWhenUnwritable: true)
        let scope = try makeScope(WorkflowCatalog(store: store))
        try DeployedFilters.check(WorkflowCatalog(store: store), workflow: workflow, department: department, role: role)
        let calendars = try ProjectionCalendars.deployed(in: store)
        let projections = try AnalyticsStore.projections(of: store, calendars: calendars)
        let report = try ProjectionReporter(projections, calendars: calendars).report(scope)
        let catalog = WorkflowCatalog(store: store)
        switch try output.checked(csv: true, html: true) {
        case .json: try destination.emitJSON(ReportView(report, calendars: calendars))
        case .csv: try destination.emit(ReportCSV.text(report, by: by))
        case .table:
            try destination.emit(ReportRendering.table(report, by: by, calendars: calendars) { id, version in
                try? catalog.definition(id, version: version)
            })
        case .html:
            try destination.emit(ReportPage.make(
                ReportView(report, calendars: calendars), definition: { try? catalog.definition($0, version: $1) },
                layout: GraphvizLayout.installed()))
        }
    }

    private func makeScope(_ catalog: WorkflowCatalog) throws -> ReportScope {
        if let version, version < 1 { throw UsageFailure("--version \(version) is not a version: versions are 1, 2, ...") }
        func time(_ text: String?, _ option: String) throws -> Timestamp? {
            try text.map { try catalog.instant(of: BusinessTime($0, field: option), workflowID: workflow) }
        }
        let scope = ReportScope(
            workflowID: workflow, version: version, from: try time(from, "--from"),
            to: try time(to, "--to"), department: department, role: role,
            onBehalfOf: onBehalfOf, channel: channel, measure: self.time,
            asOf: try time(now, "--now") ?? SystemWallClock().now())
        if let from = scope.from, let to = scope.to, to <= from {
            throw UsageFailure("--to (\(to)) must be after --from (\(from))")
        }
        return scope
    }
}

/// Opening the log for the analytics commands, which never create one.
enum AnalyticsStore {
    /// The log at `options.path`; opened read-only, when `readOnlyWhenUnwritable` and this process
    /// may not write it (a read-only copy, a backup, a write-protected file).
    static func open(_ options: StoreOptions, readOnlyWhenUnwritable: Bool = false) throws -> any EventStore {
        if options.isPostgres { return try options.openPostgres(create: false) }
        try StoreOptions.requireLog(at: options.path)
        return try SQLiteEventStore(path: options.path, options: try options.openOptions(create: !readOnlyWhenUnwritable))
    }

    /// The one place that says which projection store goes with which log: SQLite's analytics
    /// tables in the log's file, PostgreSQL's in the log's database; `readOnly` when this process
    /// cannot write the log (a read-only copy, a standby), so the projection is read as it stands;
    /// `name` names the log in notes.
    static func keptProjections(of log: any EventStore) -> (store: any ProjectionStore, readOnly: Bool, name: String)? {
        if let store = log as? SQLiteEventStore {
            return (SQLiteProjectionStore(log: store), store.options.readOnly, store.path)
        }
        if let store = log as? PostgresEventStore {
            return (PostgresProjectionStore(log: store), store.isReadOnly, store.location.description)
        }
        return nil
    }

    /// The projections to report from: the log's own, caught up; on a log this process may not
    /// write, the log's own when they are current, else computed in memory from its events.
    /// Which one is said on stderr, so a report of a read-only copy is never mistaken for what
    /// it is not.
    static func projections(of log: any EventStore, calendars: ProjectionCalendars) throws -> any ProjectionStore {
        guard let kept = keptProjections(of: log) else {
            let memory = InMemoryProjectionStore(readingOnly: log)
            try ProjectionCatchUp.run(ProjectionUpdater(memory, calendars: calendars))
            return memory
        }
        let stored = kept.store
        guard kept.readOnly else {
            try ProjectionCatchUp.run(ProjectionUpdater(stored, calendars: calendars))
            return stored
        }
        if try ProjectionUpdater(stored, calendars: calendars).isCurrent() {
            Terminal.printError("note: \(kept.name) is read-only; its projections are up to date and used as they are")
            return stored
        }
        Terminal.printError("note: \(kept.name) is read-only and its projections are not up to date: "
            + "computed in memory from its \(try log.lastPosition()) events (nothing written)")
        let memory = InMemoryProjectionStore(readingOnly: log)
        try ProjectionCatchUp.run(ProjectionUpdater(memory, calendars: calendars))
        return memory
    }
}

// MARK: - Rendering

/// The tables of a ``ProcessReport``, for people (JSON is `ReportView`, CSV `ReportCSV`, in DocketService).
enum ReportRendering {
    /// How many open cases the table lists per section (JSON lists all).
    static let openCaseRows = 20

    // MARK: Table

    /// The tables; open cases' times in the zone of each workflow's calendar in `calendars`.
    ///
    /// `definitions` gives a workflow's definition (at a version, or the newest), for the titles
    /// shown beside the ids of the workflow and its states.
    static func table(_ report: ProcessReport, by: Report.Breakdown?, calendars: ProjectionCalendars,
                      definitions: (String, Int?) -> WorkflowDefinition? = { _, _ in nil }) -> String {
        guard !report.workflows.isEmpty else { return "no cases match (the log may be empty, or the filters exclude every case)" }
        let measure = report.scope.measure
        return report.workflows.map { section in
            // Without a calendar every second counts: figures are shown as what they are, wall-clock time.
            let noCalendar = section.calendarLayers.isEmpty
            let style = DurationStyle(measure: noCalendar && measure == .working ? .wall : measure,
                                      workingDay: noCalendar ? nil : section.workingDaySeconds)
            let definition = definitions(section.workflow, section.version)
            var parts = [header(section, style: style, title: definition?.title), summary(section, style: style)]
            if let limit = section.statutoryLimit { parts.append(statutoryLimit(limit)) }
            if by == nil || by == .state {
                parts.append(titled("dwell per state (\(style.clockName))", dwell(section, style: style, definition: definition)))
            }
            if by == nil {
                parts.append(titled("bottleneck states (\(style.clockName))", ranking(section.bottlenecks.states, noun: "state", style: style)))
            }
            if by == nil || by == .department {
                parts.append(titled("bottleneck departments (\(style.clockName))", ranking(section.bottlenecks.departments, noun: "department", style: style)))
            }
            if by == nil || by == .role {
                parts.append(titled("bottleneck roles (\(style.clockName))", ranking(section.bottlenecks.roles, noun: "role", style: style)))
            }
            if by == nil || by == .transition { parts.append(titled("transitions (\(style.clockName))", transitions(section, style: style))) }
            if by == nil || by == .channel { parts.append(titled("channels (time to decision, \(style.clockName))", channels(section, style: style))) }
            if by == nil {
                parts.append(rework(section))
                parts.append(titled("deadline breaches", breaches(section)))
                parts.append(clockStops(section))
                parts.append(titled("open cases (overdue first, then oldest in their state; age in \(style.clockName))",
                                    openCases(section, style: style,
                                              time: TimeText(calendar: calendars(WorkflowKey(id: section.workflow, version: section.version ?? 1)).calendar))))
            }
            return parts.joined(separator: "\n\n")
        }.joined(separator: "\n\n" + String(repeating: "=", count: 72) + "\n\n")
    }

    private static func titled(_ title: String, _ body: String) -> String { title + "\n" + body }

    private static func header(_ section: WorkflowReport, style: DurationStyle, title: String? = nil) -> String {
        let name = "\(section.workflow) " + (section.version.map { "v\($0)" } ?? "(all versions)") + (title.map { " \($0)" } ?? "")
        var calendar = "calendar: \(section.calendar)"
        if section.calendarLayers.isEmpty {
            calendar += ": every time below is wall-clock time (no working or statutory figures; import --calendar gives imported cases a calendar)"
        } else if let day = section.workingDaySeconds {
            calendar += " (working day \(Format.duration(seconds: day)))"
        }
        if let covers = section.calendarCovers { calendar += ", holidays known \(covers)" }
        let c = section.cases
        var counts = "\(c.opened) opened, \(c.approved) approved, \(c.rejected) rejected"
        for (outcome, n) in c.otherOutcomes.sorted(by: { $0.key < $1.key }) { counts += ", \(n) \(outcome)" }
        counts += ", \(c.open) open"
        var lines = [name, calendar, "cases: \(counts)"]
        let openProvisional = section.openCases.filter(\.provisional).count
        if let covers = section.calendarCovers, !section.provisionalCases.isEmpty || openProvisional > 0 {
            // Which figures rest on dates whose holidays are not known yet (Docs/calendars.md).
            var parts: [String] = []
            if !section.provisionalCases.isEmpty {
                let shown = section.provisionalCases.prefix(5).joined(separator: ", ")
                let more = section.provisionalCases.count > 5 ? ", ..." : ""
                parts.append("\(section.provisionalCases.count) decided case(s) (\(shown)\(more)): times to decision, dwell and transitions")
            }
            if openProvisional > 0 { parts.append("\(openProvisional) open case(s): ages and deadlines, marked below") }
            lines.append("provisional: the calendar covers \(covers); figures of " + parts.joined(separator: "; ")
                         + " need later or earlier dates and count them from the weekly hours alone")
        }
        return lines.joined(separator: "\n")
    }

    private static func summary(_ section: WorkflowReport, style: DurationStyle) -> String {
        var table = TextTable(["time to", "clock", "count", "mean", "p50", "p90", "p95", "max"], rightAligned: [2, 3, 4, 5, 6, 7])
        for (name, summaries) in [("approval", section.timeToApproval), ("decision", section.timeToDecision)] {
            for measure in section.calendarLayers.isEmpty ? [.wall] : TimeMeasure.allCases {
                let s = summaries[measure]
                let clock = DurationStyle(measure: measure, workingDay: section.workingDaySeconds)
                table.append([name, measure.rawValue, String(s.count), clock.text(s.mean), clock.text(s.p50), clock.text(s.p90),
                              clock.text(s.p95), clock.text(s.max)])
            }
        }
        return table.render()
    }

    /// The statutory limit's line: approved cases within it, counted as the engine's deadline
    /// counts (from the clock's start, less its stops).
    private static func statutoryLimit(_ limit: StatutoryLimitFigures) -> String {
        var line = "statutory limit \(limit.within): \(limit.approvedWithin) of \(limit.approved) approved cases within it (\(percent(limit.share)))"
        if limit.approvedClockNotStarted > 0 {
            line += "; \(limit.approvedClockNotStarted) approved before their statutory clock started, not counted"
        }
        return line
    }

    private static func dwell(_ section: WorkflowReport, style: DurationStyle, definition: WorkflowDefinition?) -> String {
        guard !section.dwell.isEmpty else { return "(no finished stays)" }
        var table = TextTable(["state", "stays", "total", "mean", "p50", "p90", "waiting", "work", "split"],
                              rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        for row in section.dwell {
            let s = row.summary
            table.append([row.label + (definition?.stateTitle(row.state).map { " \($0)" } ?? ""), String(s.count), style.text(s.total), style.text(s.mean), style.text(s.p50), style.text(s.p90),
                          row.splitStays > 0 ? style.text(row.waiting) : "-", row.splitStays > 0 ? style.text(row.work) : "-",
                          String(row.splitStays)])
        }
        return table.render()
    }

    private static func ranking(_ rows: [RankedRow], noun: String, style: DurationStyle) -> String {
        guard !rows.isEmpty else { return "(no finished stays)" }
        var table = TextTable(["#", noun, "total", "share", "stays", "mean"], rightAligned: [0, 2, 3, 4, 5])
        for (i, row) in rows.enumerated() {
            table.append([String(i + 1), row.name ?? "(none)", style.text(row.total), percent(row.share), String(row.stays),
                          style.text(row.mean)])
        }
        return table.render()
    }

    private static func transitions(_ section: WorkflowReport, style: DurationStyle) -> String {
        guard !section.transitions.isEmpty else { return "(no transitions)" }
        var table = TextTable(["from", "to", "count", "mean", "median", "min", "max", "sum", "stdev"],
                              rightAligned: [2, 3, 4, 5, 6, 7, 8])
        for row in section.transitions {
            let s = row.summary
            let prefix = [row.region, row.branch].compactMap { $0 }.map { $0 + "/" }.joined()
            table.append([prefix + row.from, prefix + row.to, String(s.count), style.text(s.mean), style.text(s.p50),
                          style.text(s.min), style.text(s.max), style.text(s.total), style.text(s.stdev)])
        }
        return table.render()
    }

    private static func channels(_ section: WorkflowReport, style: DurationStyle) -> String {
        guard !section.channels.isEmpty else { return "(no cases)" }
        var table = TextTable(["channel", "opened", "approved", "rejected", "open", "decided", "mean", "p50", "p90"],
                              rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        for row in section.channels {
            let c = row.cases, s = row.timeToDecision
            table.append([row.channel ?? "(none)", String(c.opened), String(c.approved), String(c.rejected), String(c.open),
                          String(s.count), style.text(s.mean), style.text(s.p50), style.text(s.p90)])
        }
        return table.render()
    }

    private static func rework(_ section: WorkflowReport) -> String {
        let r = section.rework
        var line = "rework: \(r.casesSentBack) of \(r.cases) cases sent back (\(percent(r.share))), \(r.rounds) rounds"
        if let mean = r.meanRounds { line += String(format: ", %.2f per case", mean) }
        line += ", at most \(r.maxRounds) in one case"
        let histogram = r.histogram.map { "\($0.rounds): \($0.cases)" }.joined(separator: ", ")
        return line + (histogram.isEmpty ? "" : "\n  cases by rounds: \(histogram)")
    }

    private static func breaches(_ section: WorkflowReport) -> String {
        guard !section.breaches.isEmpty else { return "(none recorded)" }
        var table = TextTable(["deadline", "state", "breaches", "cases"], rightAligned: [2, 3])
        for row in section.breaches { table.append([row.deadline, row.label, String(row.breaches), String(row.cases)]) }
        return table.render()
    }

    private static func clockStops(_ section: WorkflowReport) -> String {
        let c = section.clockStops
        var line = "clock stops: \(c.casesStopped) of \(c.decidedCases) decided cases stopped the statutory clock (\(c.stops) stops)"
        if c.casesStopped > 0 {
            let wall = DurationStyle(measure: .wall, workingDay: nil)
            let working = DurationStyle(measure: .working, workingDay: section.workingDaySeconds)
            line += "\n  stopped per case: wall mean \(wall.text(c.wall.mean)), p90 \(wall.text(c.wall.p90))"
            if !section.calendarLayers.isEmpty {
                line += "; working mean \(working.text(c.working.mean)), p90 \(working.text(c.working.p90)), total \(working.text(c.working.total))"
            }
        }
        return line
    }

    private static func openCases(_ section: WorkflowReport, style: DurationStyle, time: TimeText) -> String {
        guard !section.openCases.isEmpty else { return "(none)" }
        var table = TextTable(["case", "v", "state", "department", "since", "age", "overdue"], rightAligned: [1, 5])
        for row in section.openCases.prefix(openCaseRows) {
            var overdue = row.overdue ? "since " + (row.overdueSince.map { time($0) } ?? "?") : ""
            if row.clockStopped { overdue += overdue.isEmpty ? "clock stopped" : "; clock stopped" }
            // A figure that needs dates the calendar does not cover yet is marked, as in `show`.
            if row.provisional { overdue += overdue.isEmpty ? "provisional" : "; provisional" }
            table.append([row.caseID, String(row.version), row.state, row.department ?? "", time(row.since),
                          style.text(row.age), overdue])
        }
        let more = section.openCases.count - openCaseRows
        return table.render() + (more > 0 ? "\n... and \(more) more (--format json lists all)" : "")
    }

    private static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

}

extension TimeMeasure: ExpressibleByArgument {}

extension ReportBreakdown: ExpressibleByArgument {}
