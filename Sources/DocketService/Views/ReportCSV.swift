import DocketAnalytics
import DocketInterop

/// The breakdowns of `docket report` (`--by`, `GET /v1/reports?by=`).
package enum ReportBreakdown: String, CaseIterable, Sendable {
    case state, department, role, transition, channel
}

/// `docket report`'s CSV (`--format csv`, and `GET /v1/reports` with `Accept: text/csv`): one
/// table, RFC 4180 fields through `CSVField`.
package enum ReportCSV {
    /// One table: the summary per section, or the `by` breakdown; durations in seconds.
    package static func text(_ report: ProcessReport, by: ReportBreakdown?) -> String {
        var rows: [[String]] = []
        let m = report.scope.measure
        // Without a calendar working time is wall-clock time, and is named so (Docs/analytics.md, Clocks).
        func clock(_ s: WorkflowReport) -> TimeMeasure { s.calendarLayers.isEmpty && m == .working ? .wall : m }
        func seconds(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        func summaryCells(_ s: DurationSummary) -> [String] {
            [String(s.count), seconds(s.mean), seconds(s.p50), seconds(s.p90), seconds(s.p95), seconds(s.max)]
        }
        switch by {
        case nil:
            let columns = ["count", "mean_s", "p50_s", "p90_s", "p95_s", "max_s"]
            rows.append(["workflow", "version", "calendar", "time", "opened", "approved", "rejected", "other_decided", "open"]
                        + columns.map { "approval_" + $0 } + columns.map { "decision_" + $0 })
            for s in report.workflows {
                let c = s.cases
                rows.append([s.workflow, s.version.map(String.init) ?? "", s.calendar, clock(s).rawValue, String(c.opened),
                             String(c.approved), String(c.rejected), String(c.decided - c.approved - c.rejected), String(c.open)]
                            + summaryCells(s.timeToApproval[clock(s)]) + summaryCells(s.timeToDecision[clock(s)]))
            }
        case .state?:
            rows.append(["workflow", "version", "time", "region", "branch", "state", "stays", "total_s", "mean_s", "p50_s", "p90_s",
                         "waiting_s", "work_s", "split_stays"])
            for s in report.workflows {
                for d in s.dwell {
                    rows.append([s.workflow, s.version.map(String.init) ?? "", clock(s).rawValue, d.region ?? "", d.branch ?? "", d.state,
                                 String(d.summary.count), seconds(d.summary.total), seconds(d.summary.mean), seconds(d.summary.p50),
                                 seconds(d.summary.p90), seconds(d.waiting), seconds(d.work), String(d.splitStays)])
                }
            }
        case .department?, .role?:
            let noun = by == .department ? "department" : "role"
            rows.append(["workflow", "version", "time", "rank", noun, "total_s", "share", "stays", "mean_s"])
            for s in report.workflows {
                for (i, r) in (by == .department ? s.bottlenecks.departments : s.bottlenecks.roles).enumerated() {
                    rows.append([s.workflow, s.version.map(String.init) ?? "", clock(s).rawValue, String(i + 1), r.name ?? "",
                                 seconds(r.total), String(r.share), String(r.stays), seconds(r.mean)])
                }
            }
        case .transition?:
            rows.append(["workflow", "version", "time", "region", "branch", "from", "to", "count", "mean_s", "median_s", "min_s",
                         "max_s", "sum_s", "stdev_s"])
            for s in report.workflows {
                for t in s.transitions {
                    let x = t.summary
                    rows.append([s.workflow, s.version.map(String.init) ?? "", clock(s).rawValue, t.region ?? "", t.branch ?? "", t.from, t.to,
                                 String(x.count), seconds(x.mean), seconds(x.p50), seconds(x.min), seconds(x.max), seconds(x.total),
                                 seconds(x.stdev)])
                }
            }
        case .channel?:
            rows.append(["workflow", "version", "time", "channel", "opened", "approved", "rejected", "open", "decided",
                         "decision_mean_s", "decision_p50_s", "decision_p90_s"])
            for s in report.workflows {
                for c in s.channels {
                    rows.append([s.workflow, s.version.map(String.init) ?? "", clock(s).rawValue, c.channel ?? "", String(c.cases.opened),
                                 String(c.cases.approved), String(c.cases.rejected), String(c.cases.open),
                                 String(c.timeToDecision.count), seconds(c.timeToDecision.mean), seconds(c.timeToDecision.p50),
                                 seconds(c.timeToDecision.p90)])
                }
            }
        }
        return rows.map { $0.map(CSVField.text).joined(separator: ",") + "\n" }.joined()
    }
}
