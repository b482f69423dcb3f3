import DocketAnalytics
import DocketCore
import Foundation

/// `docket analyze LOG --format html`: an imported or foreign log's process map (the
/// directly-follows graph with frequency and performance), its variants and its case durations,
/// with the figures of `docket analyze --format json`.
///
/// The map can be narrowed to the paths of the 1, 3, 5, 10 ... most frequent variants, as Disco's
/// and pm4py's path sliders do; the choice works without scripting (radio buttons and CSS), each
/// level laid out beforehand.
package enum AnalyzePage {
    /// How many of the most frequent variants each level of the map shows (`nil`: all paths).
    package static let levels: [Int?] = [1, 3, 5, 10, 20, nil]
    /// How many directly-follows edges the table lists (the JSON lists all).
    package static let edgeRows = 200

    /// The page of `report` (read from `log`), the maps laid out by `layout` (`nil`: Graphviz is missing).
    package static func make(_ report: ProcessMiningReport, log: String, layout: (any GraphLayout)?,
                             working: WorkingDurationFigures? = nil) -> String {
        var maps: [(label: String, diagram: ReportPage.Diagram)] = []
        var seen = Set<Int>()
        for level in levels {
            let variants = level.map { Array(report.variants.prefix($0)) }
            // A level that shows what the previous one showed is left out.
            let shown = variants?.count ?? Int.max
            if let level, level >= report.variantCount { continue }
            guard seen.insert(shown).inserted else { continue }
            let label = level.map { "top \($0) variant\($0 == 1 ? "" : "s")" } ?? "all paths"
            guard let layout else {
                maps.append((label, .missing(GraphvizLayout.missingNote)))
                break
            }
            do {
                maps.append((label, .svg(try layout.svg(fromDOT: dot(report, variants: variants)))))
            } catch {
                maps.append((label, .missing("The map could not be laid out: \(error)")))
            }
        }
        return html(report, log: log, maps: maps, working: working)
    }

    /// The directly-follows graph as DOT: the edges the given variants walk (all edges for `nil`),
    /// each labelled with its frequency and mean time over the whole log.
    package static func dot(_ report: ProcessMiningReport, variants: [ProcessMiningReport.Variant]?) -> String {
        let e = WorkflowGraph.dotEscaped
        var pairs: Set<[String]>?
        var starts = Set<String>(), ends = Set<String>()
        if let variants {
            var set = Set<[String]>()
            for v in variants {
                for (a, b) in zip(v.activities, v.activities.dropFirst()) { set.insert([a, b]) }
                if let first = v.activities.first { starts.insert(first) }
                if let last = v.activities.last { ends.insert(last) }
            }
            pairs = set
        } else {
            starts = Set(report.performanceDFG.startActivities.map(\.activity))
            ends = Set(report.performanceDFG.endActivities.map(\.activity))
        }
        let edges = report.performanceDFG.edges.filter { pairs?.contains([$0.source, $0.target]) ?? true }
        var activities = starts.union(ends)
        for edge in edges { activities.insert(edge.source); activities.insert(edge.target) }
        let ids = Dictionary(uniqueKeysWithValues: activities.sorted().enumerated().map { ($0.element, "a\($0.offset)") })
        let maxCount = max(1, edges.map(\.count).max() ?? 1)
        let maxMean = max(1, edges.map(\.mean).max() ?? 1)
        let startCounts = Dictionary(report.performanceDFG.startActivities.map { ($0.activity, $0.cases) }, uniquingKeysWith: +)
        let endCounts = Dictionary(report.performanceDFG.endActivities.map { ($0.activity, $0.cases) }, uniquingKeysWith: +)
        var out = ["digraph dfg {", "    rankdir=TB; fontname=\"Noto Sans CJK SC,sans-serif\";",
                   "    node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3f8\", fontname=\"Noto Sans CJK SC,sans-serif\", fontsize=11];",
                   "    edge [fontname=\"Noto Sans CJK SC,sans-serif\", fontsize=9];",
                   "    start [shape=circle, label=\"\", width=0.25, style=filled, fillcolor=\"#2e7d4f\"];",
                   "    end [shape=doublecircle, label=\"\", width=0.2, style=filled, fillcolor=\"#c0392b\"];"]
        for activity in activities.sorted() {
            out.append("    \(ids[activity] ?? "x") [label=\"\(e(activity))\", tooltip=\"\(e(activity))\"];")
        }
        for s in starts.sorted() {
            out.append("    start -> \(ids[s] ?? "x") [style=dashed, color=\"#2e7d4f\", label=\"\(startCounts[s] ?? 0)\"];")
        }
        for s in ends.sorted() {
            out.append("    \(ids[s] ?? "x") -> end [style=dashed, color=\"#c0392b\", label=\"\(endCounts[s] ?? 0)\"];")
        }
        for edge in edges {
            let width = 1 + 5 * Double(edge.count) / Double(maxCount)
            let colour = WorkflowGraph.dwellColour(0.25 + 0.75 * edge.mean / maxMean)
            let label = "\(HTML.count(edge.count))× · mean \(Format.duration(seconds: edge.mean))"
            out.append("    \(ids[edge.source] ?? "x") -> \(ids[edge.target] ?? "x") [label=\"\(e(label))\", penwidth=\(String(format: "%.2f", width)), color=\"\(colour)\"];")
        }
        out.append("}")
        return out.joined(separator: "\n")
    }

    /// The page.
    package static func html(_ r: ProcessMiningReport, log: String, maps: [(label: String, diagram: ReportPage.Diagram)],
                             working: WorkingDurationFigures? = nil) -> String {
        let wall = DurationStyle(measure: .wall, workingDay: nil)
        var body = "<section class=\"workflow\" id=\"log\" data-index=\"0\">"
        body += "<h2>\(HTML.escape((log as NSString).lastPathComponent))</h2>"
        if let first = r.firstTimestamp, let last = r.lastTimestamp {
            body += "<p class=\"note\">from \(first.iso8601(offsetSeconds: 0)) to \(last.iso8601(offsetSeconds: 0)) (UTC)</p>"
        }
        body += "<div class=\"kpis\">"
        for (value, label, field) in [(r.caseCount, "cases", "n_cases"), (r.eventCount, "events", "n_events"),
                                      (r.activityCount, "activities", "n_activities"), (r.variantCount, "variants", "n_variants")] {
            body += "<div class=\"kpi\"><b data-field=\"\(field)\" data-value=\"\(value)\">\(HTML.count(value))</b><span>\(label)</span></div>"
        }
        if let d = r.caseDuration {
            body += "<div class=\"kpi\"><b data-field=\"case_duration_s.median\" data-value=\"\(HTML.number(d.median))\">\(HTML.escape(wall.text(d.median)))</b><span>median case duration</span></div>"
        }
        // Working time only on a calendar the user named (`--calendar`): without one there is none.
        if let working, let d = working.caseDuration {
            let text = Format.workingTime(seconds: d.median, workingDaySeconds: working.workingDaySeconds)
            body += "<div class=\"kpi\"><b data-field=\"case_duration_working_s.median\" data-value=\"\(HTML.number(d.median))\">\(HTML.escape(text))</b><span>median working time (\(HTML.escape(working.calendar)))</span></div>"
        }
        body += "</div>"

        // The process map, one level visible at a time.
        body += "<h3>Process map: directly-follows graph (frequency and mean time)</h3>"
        body += "<p class=\"legend\">Edges as thick as they are frequent and as red as they are slow (mean time between the two activities); "
            + "the green dot is where cases start, the red one where they end. Figures are over the whole log at every level.</p>"
        var style = ""
        body += "<div class=\"paths\">"
        for (i, map) in maps.enumerated() {
            body += "<input type=\"radio\" name=\"paths\" id=\"paths\(i)\"\(i == maps.count - 1 ? " checked" : "")><label for=\"paths\(i)\">\(HTML.escape(map.label))</label>"
            style += "#paths\(i):checked~.maps .map\(i){display:block}#paths\(i):checked+label{background:#22384f;color:#fff}"
        }
        body += "<div class=\"maps\">"
        for (i, map) in maps.enumerated() {
            body += "<div class=\"map map\(i) diagram\">"
            switch map.diagram {
            case let .svg(svg):
                body += svg.replacingOccurrences(of: "<svg", with: "<svg role=\"img\" aria-label=\"Process map, \(HTML.escape(map.label))\" aria-describedby=\"edges\"",
                                                 options: [], range: svg.range(of: "<svg"))
            case let .missing(note): body += "<p class=\"warn\">\(HTML.escape(note))</p>"
            }
            body += "</div>"
        }
        body += "</div></div>"
        let edges = r.performanceDFG.edges
        let edgeCells: [[HTML.Cell]] = edges.prefix(edgeRows).enumerated().map { i, edge in
            let f = "performance_dfg.edges.\(i)"
            return [HTML.Cell(edge.source), HTML.Cell(edge.target), .count(edge.count, field: f + ".count"),
                    .duration(edge.mean, wall, field: f + ".mean_s"), .duration(edge.median, wall, field: f + ".median_s"),
                    .duration(edge.sum, wall, field: f + ".sum_s")]
        }
        body += HTML.table(id: "edges", caption: "Directly-follows edges", headers: ["from", "to", "count", "mean", "median", "total"],
                           rows: edgeCells, note: edges.count > edgeRows ? "… and \(edges.count - edgeRows) more in the JSON." : nil)

        // Variants.
        body += "<h3>Variants</h3>"
        let variantChart = Charts.bars(
            id: "variants-chart", title: "Cases per variant, the most frequent first", describedBy: "variants",
            rows: r.variants.prefix(15).enumerated().map { i, v in
                (label: "#\(i + 1) (\(v.activities.count) steps)", value: Double(v.cases),
                 text: "\(HTML.count(v.cases)) · \(HTML.percent(Double(v.cases) / Double(max(1, r.caseCount))))", bad: false)
            })
        let variantCells: [[HTML.Cell]] = r.variants.enumerated().map { i, v in
            [.count(i + 1), .count(v.cases, field: "variants_top.\(i).cases"), .share(Double(v.cases) / Double(max(1, r.caseCount))),
             HTML.Cell(v.activities.joined(separator: " → "))]
        }
        body += HTML.figure(chart: variantChart, table: HTML.table(
            id: "variants", caption: "The \(r.variants.count) most frequent of \(HTML.count(r.variantCount)) variants",
            headers: ["#", "cases", "share", "activities"], rows: variantCells))

        // Case durations.
        body += "<h3>Case duration</h3>"
        let histogram = r.caseDurationHistogram
        let chart = Charts.histogram(
            id: "durations-chart", title: "Cases per bin of \(wall.text(histogram.binSeconds)) of duration, and the cumulative share",
            describedBy: "durations", counts: histogram.counts, binSeconds: histogram.binSeconds, style: wall)
        var cumulative = 0
        let total = histogram.counts.reduce(0, +)
        let rows: [[HTML.Cell]] = histogram.counts.enumerated().map { i, n in
            cumulative += n
            return [HTML.Cell(wall.text(Double(i) * histogram.binSeconds)), HTML.Cell(wall.text(Double(i + 1) * histogram.binSeconds)),
                    .count(n, field: "case_duration_histogram.counts.\(i)"), .share(total > 0 ? Double(cumulative) / Double(total) : 0)]
        }
        let summary = r.caseDuration.map { d in
            "median \(wall.text(d.median)), mean \(wall.text(d.mean)), p90 \(wall.text(d.p90)), max \(wall.text(d.max))"
        }
        body += HTML.figure(chart: chart, table: HTML.table(id: "durations", caption: "Cases by duration (first to last event)",
                                                            headers: ["from", "to", "cases", "cumulative"], rows: rows, note: summary))
        body += "</section>"
        body += "<p class=\"note\">The same figures as JSON: <code>docket analyze LOG --format json</code> (pm4py 2.7's semantics, Docs/interop.md).</p>"
        return HTML.page(title: "Docket analysis: \((log as NSString).lastPathComponent)", heading: "Process analysis",
                         subtitle: "\(log) · \(HTML.count(r.caseCount)) cases", body: body, style: style)
    }
}

/// Case durations in working time on the calendar `analyze --calendar` named.
package struct WorkingDurationFigures: Sendable {
    /// The calendar, as `weekdays v1` or `rizhao-2020 v1 on cn-2020 v1`.
    package var calendar: String
    /// One working day of it, in seconds.
    package var workingDaySeconds: Double
    /// The cases' working durations; `nil` for an empty log.
    package var caseDuration: DistributionSummary?

    package init(calendar: String, workingDaySeconds: Double, caseDuration: DistributionSummary?) {
        self.calendar = calendar
        self.workingDaySeconds = workingDaySeconds
        self.caseDuration = caseDuration
    }
}
