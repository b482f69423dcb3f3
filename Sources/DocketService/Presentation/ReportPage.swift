import DocketAnalytics
import DocketCore
import Foundation

/// `docket report --format html` and `GET /v1/reports/process` with `Accept: text/html`: the
/// process report as one self-contained page a supervisor reads at a glance.
///
/// The page is a pure function of the JSON view (``ReportView``) and the state diagrams laid out
/// beforehand (``make(_:definition:layout:)``), so its figures are the JSON's: each table cell
/// that shows a figure names its place in the section's JSON object in `data-field`.
package enum ReportPage {
    /// A state diagram as laid out, or why there is none.
    package enum Diagram: Sendable {
        case svg(String)
        case missing(String)
    }

    /// How many open cases the page lists per section (the JSON lists all).
    package static let openCaseRows = 100
    /// How many open cases the age chart draws.
    package static let openCaseBars = 25

    /// The page of `report`, the state diagram of each version section laid out by `layout`
    /// (`nil`: Graphviz is missing), on the definition `definition` returns.
    package static func make(
        _ report: ReportView, definition: (String, Int) -> WorkflowDefinition?, layout: (any GraphLayout)?
    ) -> String {
        var diagrams: [Int: Diagram] = [:]
        var sources: [(index: Int, dot: String)] = []
        for (index, section) in report.workflows.enumerated() {
            guard let version = section.version else { continue }
            guard layout != nil else {
                diagrams[index] = .missing(GraphvizLayout.missingNote)
                continue
            }
            guard let d = definition(section.workflow, version) else {
                diagrams[index] = .missing("The definition of \(section.workflow) v\(version) is not deployed: no diagram.")
                continue
            }
            sources.append((index, WorkflowGraph.dot(d, overlay: overlay(section))))
        }
        if let layout, !sources.isEmpty {
            // One dot process per diagram, as many at once as there are cores.
            let laidOut = LaidOut(count: sources.count)
            let graphs = sources.map(\.dot)
            DispatchQueue.concurrentPerform(iterations: graphs.count) { i in
                do {
                    laidOut.set(i, .svg(try layout.svg(fromDOT: graphs[i])))
                } catch {
                    laidOut.set(i, .missing("The diagram could not be laid out: \(error)"))
                }
            }
            for (i, source) in sources.enumerated() { diagrams[source.index] = laidOut.get(i) }
        }
        return html(report, diagrams: diagrams)
    }

    /// Diagrams laid out concurrently, each written once by its own iteration.
    private final class LaidOut: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var diagrams: [Diagram?]

        init(count: Int) { diagrams = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ diagram: Diagram) { lock.withLock { diagrams[i] = diagram } }
        func get(_ i: Int) -> Diagram { lock.withLock { diagrams[i] } ?? .missing("The diagram was not laid out.") }
    }

    /// The report's figures drawn on its workflow's diagram: dwell per state, transitions.
    package static func overlay(_ w: ReportView.WorkflowView) -> WorkflowGraph.Overlay {
        let style = DurationStyle(measure: w.shown(.working), workingDay: w.workingDaySeconds)
        var states: [String: WorkflowGraph.Overlay.State] = [:]
        var shares = Dictionary(w.bottlenecks.states.map { ($0.name ?? "", $0.share) }, uniquingKeysWith: { a, _ in a })
        // A parallel state accounts for its branches' time (the ranking shares it among them).
        for row in w.dwell where row.region == nil {
            let branches = w.dwell.filter { $0.region == row.state }
            if !branches.isEmpty { shares[row.label] = (shares[row.label] ?? 0) + branches.reduce(0) { $0 + (shares[$1.label] ?? 0) } }
        }
        for row in w.dwell {
            states[row.label] = .init(
                share: shares[row.label] ?? 0,
                text: "mean \(style.text(row.summary.mean)) · \(HTML.count(row.summary.count)) stays · \(HTML.percent(shares[row.label] ?? 0))")
        }
        var transitions: [String: WorkflowGraph.Overlay.Transition] = [:]
        for row in w.transitions {
            let prefix = [row.region, row.branch].compactMap { $0 }
            let key = WorkflowGraph.Overlay.key(from: (prefix + [row.from]).joined(separator: "/"), to: (prefix + [row.to]).joined(separator: "/"))
            transitions[key] = .init(count: row.summary.count, text: "\(HTML.count(row.summary.count))× · mean \(style.text(row.summary.mean))")
        }
        return WorkflowGraph.Overlay(states: states, transitions: transitions)
    }

    /// The page.
    package static func html(_ report: ReportView, diagrams: [Int: Diagram]) -> String {
        let scope = report.scope
        var filters: [String] = []
        if let w = scope.workflow { filters.append("workflow \(w)" + (scope.version.map { " v\($0)" } ?? "")) }
        if let from = scope.from { filters.append("opened from \(from)") }
        if let to = scope.to { filters.append("opened before \(to)") }
        if let d = scope.department { filters.append("department \(d)") }
        if let r = scope.role { filters.append("role \(r)") }
        if let o = scope.onBehalfOf { filters.append("on behalf of \(o)") }
        if let c = scope.channel { filters.append("channel \(c)") }
        let subtitle = "Cases " + (filters.isEmpty ? "of every workflow" : filters.joined(separator: ", "))
            + " · dwell, transitions and ages on \(scope.time) time · open cases' ages as of \(scope.asOf)"
        var body = ""
        if report.workflows.isEmpty {
            body += "<p class=\"warn\">No cases match: the log may be empty, or the filters exclude every case.</p>"
        } else {
            body += "<nav class=\"toc\" aria-label=\"Workflows\">"
            for (i, w) in report.workflows.enumerated() {
                body += "<a href=\"#w\(i)\">\(HTML.escape(name(w)))</a>"
            }
            body += "</nav>"
        }
        for (index, section) in report.workflows.enumerated() {
            body += workflow(section, index: index, measure: TimeMeasure(rawValue: scope.time) ?? .working, diagram: diagrams[index])
        }
        body += "<p class=\"note\">Every figure is defined in Docs/analytics.md; the same figures as JSON: "
            + "<code>docket report --format json</code> (or <code>GET /v1/reports/process</code>).</p>"
        return HTML.page(title: "Docket report", heading: "Process report", subtitle: subtitle, body: body)
    }

    private static func name(_ w: ReportView.WorkflowView) -> String {
        "\(w.workflow) " + (w.version.map { "v\($0)" } ?? "(all versions)")
    }

    private static func workflow(_ w: ReportView.WorkflowView, index: Int, measure: TimeMeasure, diagram: Diagram?) -> String {
        let p = "w\(index)"
        let style = DurationStyle(measure: w.shown(measure), workingDay: w.workingDaySeconds)
        var out = "<section class=\"workflow\" id=\"\(p)\" data-index=\"\(index)\" data-workflow=\"\(HTML.escape(w.workflow))\""
            + (w.version.map { " data-version=\"\($0)\"" } ?? "") + ">"
        out += "<h2>\(HTML.escape(name(w)))</h2>"
        var calendar = "calendar: \(w.calendar)"
        if let day = w.workingDaySeconds { calendar += " (working day \(Format.duration(seconds: day)))" }
        if !w.hasCalendar {
            calendar += w.statutoryLimit == nil
                ? ": no calendar, so every time is wall-clock time (no working or statutory figures)"
                : ": no calendar, so every time is wall-clock time (statutory time: the wall clock from the clock's start, less stopped clocks)"
        }
        out += "<p class=\"note\">\(HTML.escape(calendar))</p>"
        out += kpis(w, style: style)
        out += approval(w, prefix: p)
        out += waiting(w, prefix: p, style: style, diagram: diagram)
        out += weeks(w, prefix: p)
        out += openCases(w, prefix: p, style: style)
        out += departments(w, prefix: p, style: style)
        out += channels(w, prefix: p, style: style)
        out += arrivals(w, prefix: p)
        out += other(w, prefix: p)
        return out + "</section>"
    }

    private static func kpi(_ value: String, _ label: String, field: String? = nil, raw: String? = nil, tone: String? = nil) -> String {
        var attributes = ""
        if let field { attributes += " data-field=\"\(field)\"" }
        if let raw { attributes += " data-value=\"\(raw)\"" }
        return "<div class=\"kpi\(tone.map { " " + $0 } ?? "")\"><b\(attributes)>\(HTML.escape(value))</b><span>\(HTML.escape(label))</span></div>"
    }

    private static func kpis(_ w: ReportView.WorkflowView, style: DurationStyle) -> String {
        let c = w.cases
        var out = "<div class=\"kpis\">"
        out += kpi(HTML.count(c.opened), "cases opened", field: "cases.opened", raw: String(c.opened))
        out += kpi(HTML.count(c.approved), "approved", field: "cases.approved", raw: String(c.approved))
        out += kpi(HTML.count(c.rejected), "rejected", field: "cases.rejected", raw: String(c.rejected))
        out += kpi(HTML.count(c.open), "open", field: "cases.open", raw: String(c.open))
        let overdue = w.openCases.filter(\.overdue).count
        out += kpi(HTML.count(overdue), "open and overdue", tone: overdue > 0 ? "bad" : "ok")
        let clock = w.shown(.working)
        let working = DurationStyle(measure: clock, workingDay: w.workingDaySeconds)
        if let p50 = w.timeToApproval[clock]?.p50 {
            out += kpi(working.text(p50), "median time to approval (\(clock.rawValue))", field: "time_to_approval.\(clock.rawValue).p50", raw: HTML.number(p50))
        }
        if let limit = w.statutoryLimit {
            out += kpi(HTML.percent(limit.share), "approved within \(limit.within)", field: "statutory_limit.share", raw: HTML.number(limit.share),
                       tone: limit.share >= 0.95 ? "ok" : "bad")
        }
        return out + "</div>"
    }

    private static func approval(_ w: ReportView.WorkflowView, prefix p: String) -> String {
        var out = "<h3>Time to approval</h3>"
        if let limit = w.statutoryLimit {
            out += "<p>Statutory limit <b>\(HTML.escape(limit.within))</b> (\(limit.clock == .wall ? "wall clock" : "statutory time")): "
                + "<b data-field=\"statutory_limit.approved_within\" data-value=\"\(limit.approvedWithin)\">\(HTML.count(limit.approvedWithin))</b> of "
                + "<b data-field=\"statutory_limit.approved\" data-value=\"\(limit.approved)\">\(HTML.count(limit.approved))</b> approved cases within it "
                + "(\(HTML.percent(limit.share))), counted from the statutory clock's start, less its stops."
                + (limit.approvedClockNotStarted > 0
                    ? " <span data-field=\"statutory_limit.approved_clock_not_started\" data-value=\"\(limit.approvedClockNotStarted)\">"
                        + "\(HTML.count(limit.approvedClockNotStarted))</span> approved cases closed before their clock started and are not counted."
                    : "")
                + "</p>"
        } else {
            out += "<p class=\"note\">This workflow has no statutory limit (or its versions' limits differ).</p>"
        }
        for clock in w.clocks {
            guard let histogram = w.approvalHistograms[clock], let s = w.timeToApproval[clock] else { continue }
            let style = DurationStyle(measure: clock, workingDay: w.workingDaySeconds)
            let id = "\(p)-approval-\(clock.rawValue)"
            var limit: (seconds: Double, label: String)?
            if let l = w.statutoryLimit, l.clock == clock {
                limit = (l.seconds, "limit \(l.within): \(HTML.percent(l.share)) within")
            }
            let title = "Time to approval, \(style.clockName): cases per bin of \(style.text(histogram.binSeconds)), and the cumulative share"
            let chart = Charts.histogram(id: id + "-chart", title: title, describedBy: id, counts: histogram.counts,
                                         binSeconds: histogram.binSeconds, style: style, limit: limit)
            var cumulative = 0
            let total = histogram.counts.reduce(0, +)
            let rows: [[HTML.Cell]] = histogram.counts.enumerated().map { i, n in
                cumulative += n
                return [HTML.Cell(style.text(Double(i) * histogram.binSeconds)), HTML.Cell(style.text(Double(i + 1) * histogram.binSeconds)),
                        .count(n, field: "approval_histograms.\(clock.rawValue).counts.\(i)"),
                        .share(total > 0 ? Double(cumulative) / Double(total) : 0)]
            }
            let summary = "count \(HTML.count(s.count)), mean \(style.text(s.mean)), median \(style.text(s.p50)), p90 \(style.text(s.p90)), max \(style.text(s.max))"
            out += "<h4>\(HTML.escape(style.clockName.capitalized))</h4>"
            out += HTML.figure(chart: chart, table: HTML.table(
                id: id, caption: "Approved cases by time to approval (\(style.clockName))",
                headers: ["from", "to", "cases", "cumulative"], rows: rows, note: summary))
        }
        let summaryRows: [[HTML.Cell]] = [("approval", w.timeToApproval, "time_to_approval"), ("decision", w.timeToDecision, "time_to_decision")]
            .flatMap { name, summaries, key in
                w.clocks.compactMap { clock -> [HTML.Cell]? in
                    guard let s = summaries[clock] else { return nil }
                    let style = DurationStyle(measure: clock, workingDay: w.workingDaySeconds)
                    let f = "\(key).\(clock.rawValue)"
                    return [HTML.Cell(name), HTML.Cell(clock.rawValue), .count(s.count, field: f + ".count"),
                            .duration(s.mean, style, field: f + ".mean"), .duration(s.p50, style, field: f + ".p50"),
                            .duration(s.p90, style, field: f + ".p90"), .duration(s.p95, style, field: f + ".p95"),
                            .duration(s.max, style, field: f + ".max")]
                }
            }
        out += HTML.table(id: "\(p)-summary", caption: "Time to approval and to decision on each clock",
                          headers: ["time to", "clock", "cases", "mean", "median", "p90", "p95", "max"], rows: summaryRows)
        return out
    }

    private static func waiting(_ w: ReportView.WorkflowView, prefix p: String, style: DurationStyle, diagram: Diagram?) -> String {
        var out = "<h3>Where cases wait: the process map</h3>"
        let dwellID = "\(p)-dwell"
        switch diagram {
        case let .svg(svg)?:
            out += "<p class=\"legend\">States coloured by their share of the cases' time (\(HTML.escape(style.clockName))):"
                + "<i style=\"background:#ffffff\"></i>none<i style=\"background:\(WorkflowGraph.dwellColour(0.5))\"></i>half the largest"
                + "<i style=\"background:\(WorkflowGraph.dwellColour(1))\"></i>the largest; transitions as thick as they were frequent, "
                + "dashed where never taken; hexagons are votes, dashed boxes the branches of a parallel state.</p>"
            out += "<div class=\"diagram\">" + labelled(svg, title: "State diagram of \(name(w)) with dwell and transitions", describedBy: dwellID) + "</div>"
        case let .missing(note)?:
            out += "<p class=\"warn\">\(HTML.escape(note))</p>"
        case nil:
            out += "<p class=\"note\">The all-versions section has no single diagram: see each version's.</p>"
        }
        let dwellRows: [[HTML.Cell]] = w.dwell.enumerated().map { i, row in
            let f = "dwell.\(i)"
            return [HTML.Cell(row.label), .count(row.summary.count, field: f + ".summary.count"),
                    .duration(row.summary.total, style, field: f + ".summary.total"), .duration(row.summary.mean, style, field: f + ".summary.mean"),
                    .duration(row.summary.p90, style, field: f + ".summary.p90"),
                    row.splitStays > 0 ? .duration(row.waiting, style, field: f + ".waiting") : HTML.Cell("-", numeric: true)]
        }
        out += HTML.table(id: dwellID, caption: "Dwell per state (\(style.clockName))",
                          headers: ["state", "stays", "total", "mean", "p90", "waiting"], rows: dwellRows)
        let transitionRows: [[HTML.Cell]] = w.transitions.enumerated().map { i, row in
            let prefix = [row.region, row.branch].compactMap { $0 }.map { $0 + "/" }.joined()
            let f = "transitions.\(i).summary"
            return [HTML.Cell(prefix + row.from), HTML.Cell(prefix + row.to), .count(row.summary.count, field: f + ".count"),
                    .duration(row.summary.mean, style, field: f + ".mean"), .duration(row.summary.p50, style, field: f + ".p50"),
                    .duration(row.summary.max, style, field: f + ".max")]
        }
        out += HTML.table(id: "\(p)-transitions", caption: "Transitions, most frequent first (\(style.clockName))",
                          headers: ["from", "to", "taken", "mean", "median", "max"], rows: transitionRows)
        return out
    }

    /// Dot's `<svg>` with the accessible name and description the page's charts have.
    private static func labelled(_ svg: String, title: String, describedBy: String) -> String {
        guard let open = svg.range(of: "<svg") else { return svg }
        return svg.replacingCharacters(in: open, with: "<svg role=\"img\" aria-label=\"\(HTML.escape(title))\" aria-describedby=\"\(describedBy)\"")
    }

    private static func weeks(_ w: ReportView.WorkflowView, prefix p: String) -> String {
        var out = "<h3>Week by week</h3>"
        let id = "\(p)-weeks"
        let labels = w.weeks.map { String($0.week.dropFirst(5)) }
        let chart = Charts.lines(
            id: id + "-chart", title: "Cases opened, decided and deadline breaches per week", describedBy: id, labels: labels,
            series: [("opened", "#3b6ea5", w.weeks.map(\.opened)), ("decided", "#2e7d4f", w.weeks.map(\.decided)),
                     ("breaches", "#c0392b", w.weeks.map(\.breaches))])
        let rows: [[HTML.Cell]] = w.weeks.enumerated().map { i, week in
            [HTML.Cell(week.week), .count(week.opened, field: "weeks.\(i).opened"), .count(week.decided, field: "weeks.\(i).decided"),
             .count(week.breaches, field: "weeks.\(i).breaches")]
        }
        out += HTML.figure(chart: chart, table: HTML.table(id: id, caption: "Per week (from Monday, in the workflow's time zone)",
                                                           headers: ["week of", "opened", "decided", "breaches"], rows: rows))
        return out
    }

    private static func openCases(_ w: ReportView.WorkflowView, prefix p: String, style: DurationStyle) -> String {
        var out = "<h3>Open cases, overdue first</h3>"
        let id = "\(p)-open"
        let bars = w.openCases.prefix(openCaseBars).map { row in
            (label: row.caseID, value: row.age, text: style.text(row.age) + (row.overdue ? " overdue" : ""), bad: row.overdue)
        }
        let chart = Charts.bars(id: id + "-chart", title: "Open cases' ages in their current state (\(style.clockName)), overdue in red",
                                describedBy: id, rows: Array(bars))
        let rows: [[HTML.Cell]] = w.openCases.prefix(openCaseRows).enumerated().map { i, row in
            [HTML.Cell(row.caseID, field: "open_cases.\(i).case_id", value: row.caseID), HTML.Cell(row.state), HTML.Cell(row.department ?? ""),
             .duration(row.age, style, field: "open_cases.\(i).age"),
             HTML.Cell(row.overdue ? "since " + (row.overdueSince.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "?") : (row.clockStopped ? "clock stopped" : ""), cssClass: row.overdue ? "overdue" : nil)]
        }
        let more = w.openCases.count - openCaseRows
        out += HTML.figure(chart: chart, table: HTML.table(
            id: id, caption: "Open cases (age in \(style.clockName))", headers: ["case", "state", "department", "age", "overdue"], rows: rows,
            note: more > 0 ? "… and \(HTML.count(more)) more: docket report --format json lists them all." : nil))
        return out
    }

    private static func ranking(_ rows: [RankedRow], prefix p: String, key: String, noun: String, style: DurationStyle) -> String {
        let id = "\(p)-\(key)"
        let chart = Charts.bars(
            id: id + "-chart", title: "Where the time goes by \(noun) (\(style.clockName)), share of the cases' time", describedBy: id,
            rows: rows.prefix(20).map { (label: $0.name ?? "(none)", value: $0.total, text: "\(style.text($0.total)) · \(HTML.percent($0.share))", bad: false) })
        let cells: [[HTML.Cell]] = rows.enumerated().map { i, row in
            let f = "bottlenecks.\(key).\(i)"
            return [HTML.Cell(row.name ?? "(none)"), .duration(row.total, style, field: f + ".total"), .share(row.share, field: f + ".share"),
                    .count(row.stays, field: f + ".stays"), .duration(row.mean, style, field: f + ".mean")]
        }
        return HTML.figure(chart: chart, table: HTML.table(id: id, caption: "By \(noun)", headers: [noun, "total", "share", "stays", "mean"], rows: cells))
    }

    private static func departments(_ w: ReportView.WorkflowView, prefix p: String, style: DurationStyle) -> String {
        "<h3>Departments and roles: where the working time goes</h3>"
            + ranking(w.bottlenecks.departments, prefix: p, key: "departments", noun: "department", style: style)
            + ranking(w.bottlenecks.roles, prefix: p, key: "roles", noun: "role", style: style)
    }

    private static func channels(_ w: ReportView.WorkflowView, prefix p: String, style: DurationStyle) -> String {
        let id = "\(p)-channels"
        let total = max(1, w.cases.opened)
        let chart = Charts.bars(
            id: id + "-chart", title: "Cases opened by channel, with their share", describedBy: id,
            rows: w.channels.map { (label: $0.channel ?? "(not given)", value: Double($0.cases.opened),
                                    text: "\(HTML.count($0.cases.opened)) · \(HTML.percent(Double($0.cases.opened) / Double(total)))", bad: false) })
        let rows: [[HTML.Cell]] = w.channels.enumerated().map { i, row in
            let f = "channels.\(i)"
            return [HTML.Cell(row.channel ?? "(not given)"), .count(row.cases.opened, field: f + ".cases.opened"),
                    .share(Double(row.cases.opened) / Double(total)), .count(row.cases.approved, field: f + ".cases.approved"),
                    .count(row.cases.open, field: f + ".cases.open"), .duration(row.timeToDecision.p50, style, field: f + ".time_to_decision.p50")]
        }
        return "<h3>Channels</h3>" + HTML.figure(chart: chart, table: HTML.table(
            id: id, caption: "Channels (time to decision on \(style.clockName))",
            headers: ["channel", "opened", "share", "approved", "open", "median decision"], rows: rows))
    }

    private static func arrivals(_ w: ReportView.WorkflowView, prefix p: String) -> String {
        let id = "\(p)-arrivals"
        let chart = Charts.heatmap(id: id + "-chart", title: "Cases opened by weekday and hour", describedBy: id, counts: w.arrivals)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let rows: [[HTML.Cell]] = w.arrivals.enumerated().map { d, hours in
            [HTML.Cell(days[min(d, 6)])] + hours.enumerated().map { h, n in .count(n, field: "arrivals.\(d).\(h)") }
        }
        return "<h3>Arrivals by weekday and hour</h3>" + HTML.figure(chart: chart, table: HTML.table(
            id: id, caption: "Cases opened, by weekday (rows) and hour (columns), in the workflow's time zone",
            headers: ["day"] + (0..<24).map { String($0) }, rows: rows))
    }

    private static func other(_ w: ReportView.WorkflowView, prefix p: String) -> String {
        var out = "<h3>Breaches, rework, stopped clocks</h3>"
        let breachRows: [[HTML.Cell]] = w.breaches.enumerated().map { i, row in
            [HTML.Cell(row.deadline), HTML.Cell(row.label), .count(row.breaches, field: "breaches.\(i).breaches"),
             .count(row.cases, field: "breaches.\(i).cases")]
        }
        out += HTML.table(id: "\(p)-breaches", caption: "Deadline breaches", headers: ["deadline", "state", "breaches", "cases"], rows: breachRows)
        let r = w.rework
        out += HTML.table(id: "\(p)-rework", caption: "Send-back rounds", headers: ["rounds", "cases"],
                          rows: r.histogram.enumerated().map { i, h in [.count(h.rounds), .count(h.cases, field: "rework.histogram.\(i).cases")] },
                          note: "\(r.casesSentBack) of \(r.cases) cases sent back (\(HTML.percent(r.share))).")
        let c = w.clockStops
        out += "<p>Clock stops: <span data-field=\"clock_stops.cases_stopped\" data-value=\"\(c.casesStopped)\">\(HTML.count(c.casesStopped))</span> of "
            + "\(HTML.count(c.decidedCases)) decided cases stopped the statutory clock (\(HTML.count(c.stops)) stops).</p>"
        return out
    }
}
