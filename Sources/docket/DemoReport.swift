import DocketCore
import DocketService
import Foundation

/// The report at the end of the demo (replaced by `docket report` once projections land).
enum DemoReport {
    static func print(session: Session) throws {
        var table = TextTable(["workflow", "opened", "approved", "rejected", "other", "open", "p50 to decision", "p90 to decision"], rightAligned: [1, 2, 3, 4, 5, 6, 7])
        var byWorkflow: [String: (opened: Int, approved: Int, rejected: Int, other: Int, open: Int, durations: [Double])] = [:]
        for header in try session.store.cases(workflowID: nil) {
            let loaded = try session.cases.load(header.caseID)
            let s = loaded.state
            var row = byWorkflow[s.workflowID] ?? (0, 0, 0, 0, 0, [])
            row.opened += 1
            switch s.outcome {
            case nil: row.open += 1
            case "approved": row.approved += 1
            case "rejected": row.rejected += 1
            default: row.other += 1
            }
            if let closed = s.closedAt { row.durations.append(Double(s.openedAt.microseconds(to: closed)) / 1_000_000) }
            byWorkflow[s.workflowID] = row
        }
        for (id, row) in byWorkflow.sorted(by: { $0.key < $1.key }) {
            let sorted = row.durations.sorted()
            func q(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                let rank = p * Double(sorted.count - 1)
                let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
                return Format.duration(seconds: sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo)))
            }
            table.append([id, String(row.opened), String(row.approved), String(row.rejected), String(row.other), String(row.open), q(0.5), q(0.9)])
        }
        Swift.print(table.render())
    }
}
