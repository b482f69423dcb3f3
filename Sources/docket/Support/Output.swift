import DocketCore
import Foundation

/// A plain-text table with aligned columns, for people; machines get `--json`.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned (numbers, durations).
    var rightAligned: Set<Int> = []

    init(_ headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return rightAligned.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

enum Format {
    /// A duration in human units: `45 s`, `12 min`, `3 h 05 min`, `2 d 14 h`.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let negative = seconds < 0
        let s = abs(seconds)
        let text: String
        if s < 60 {
            text = s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
        } else if s < 3600 {
            text = "\(Int(s / 60)) min"
        } else if s < 86_400 {
            let minutes = Int(s / 60)
            text = String(format: "%d h %02d min", minutes / 60, minutes % 60)
        } else {
            let hours = Int(s / 3600)
            text = "\(hours / 24) d \(hours % 24) h"
        }
        return negative ? "-" + text : text
    }
}
