import Foundation

/// The pages' charts, as inline SVG: pure functions from figures to markup.
///
/// Each chart is an `<svg role="img">` whose `<title>` names it and whose `aria-describedby`
/// names the table that holds its numbers (a screen reader reads the table; so does anyone who
/// wants the exact figure). Marks carry a `<title>` too, which browsers show as a tooltip without
/// any script.
package enum Charts {
    private static let width = 720.0
    private static let barColour = "#3b6ea5"
    private static let cumulativeColour = "#d9822b"
    private static let badColour = "#c0392b"

    private static func open(_ id: String, title: String, height: Double, describedBy: String) -> String {
        let e = HTML.escape
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(e(id))-title\" aria-describedby=\"\(e(describedBy))\" "
            + "font-family=\"system-ui, 'Noto Sans CJK SC', sans-serif\" font-size=\"11\">"
            + "<title id=\"\(e(id))-title\">\(e(title))</title>"
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A text no wider than about `cells` Latin characters (a Chinese character counts two), for
    /// labels inside a chart; the table beside it has the whole name.
    package static func clipped(_ text: String, cells: Int) -> String {
        var used = 0
        var out = ""
        for ch in text {
            let w = ch.unicodeScalars.first.map { $0.value >= 0x1100 ? 2 : 1 } ?? 1
            if used + w > cells - 1 { return out + "…" }
            used += w
            out.append(ch)
        }
        return out
    }

    /// A histogram of durations with its cumulative curve (right axis, 0-100%), and a limit drawn
    /// as a vertical line when given.
    package static func histogram(
        id: String, title: String, describedBy: String, counts: [Int], binSeconds: Double, style: DurationStyle,
        limit: (seconds: Double, label: String)? = nil
    ) -> String {
        let height = 250.0
        let left = 48.0, right = width - 48, top = 18.0, bottom = height - 40
        var out = open(id, title: title, height: height, describedBy: describedBy)
        let total = counts.reduce(0, +)
        guard total > 0, !counts.isEmpty, binSeconds > 0 else {
            return out + "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" text-anchor=\"middle\" fill=\"#5b6b7c\">no cases</text></svg>"
        }
        let maxCount = Double(counts.max() ?? 1)
        let barWidth = (right - left) / Double(counts.count)
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#889\"/>"
        // Left axis: cases; right axis: cumulative share.
        for step in 0...4 {
            let y = bottom - (bottom - top) * Double(step) / 4
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#e3e8ee\"/>"
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(y + 4))\" text-anchor=\"end\" fill=\"#5b6b7c\">\(Int((maxCount * Double(step) / 4).rounded()))</text>"
            out += "<text x=\"\(f(right + 4))\" y=\"\(f(y + 4))\" fill=\"\(cumulativeColour)\">\(step * 25)%</text>"
        }
        var cumulative = 0
        var points: [String] = ["\(f(left)),\(f(bottom))"]
        for (i, n) in counts.enumerated() {
            let x = left + Double(i) * barWidth
            let h = (bottom - top) * Double(n) / maxCount
            let from = style.text(Double(i) * binSeconds), to = style.text(Double(i + 1) * binSeconds)
            out += "<rect x=\"\(f(x + 0.5))\" y=\"\(f(bottom - h))\" width=\"\(f(max(1, barWidth - 1)))\" height=\"\(f(h))\" fill=\"\(barColour)\">"
                + "<title>\(HTML.escape("\(from) – \(to): \(HTML.count(n)) cases"))</title></rect>"
            cumulative += n
            points.append("\(f(x + barWidth)),\(f(bottom - (bottom - top) * Double(cumulative) / Double(total)))")
        }
        out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(cumulativeColour)\" stroke-width=\"2\"/>"
        // A few x labels: at most 8, on bin edges.
        let every = max(1, Int((Double(counts.count) / 8).rounded(.up)))
        for i in stride(from: 0, through: counts.count, by: every) {
            let x = left + Double(i) * barWidth
            out += "<line x1=\"\(f(x))\" y1=\"\(f(bottom))\" x2=\"\(f(x))\" y2=\"\(f(bottom + 4))\" stroke=\"#889\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" fill=\"#5b6b7c\">\(HTML.escape(style.text(Double(i) * binSeconds)))</text>"
        }
        out += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" fill=\"#5b6b7c\">\(HTML.escape(style.clockName))</text>"
        if let limit {
            let x = left + limit.seconds / binSeconds * barWidth
            if x <= right + 0.5 {
                out += "<line x1=\"\(f(x))\" y1=\"\(f(top - 6))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"\(badColour)\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
                let anchor = x > (left + right) / 2 ? "end" : "start"
                out += "<text x=\"\(f(x + (anchor == "end" ? -4 : 4)))\" y=\"\(f(top + 4))\" text-anchor=\"\(anchor)\" fill=\"\(badColour)\" font-weight=\"600\">\(HTML.escape(limit.label))</text>"
            }
        }
        return out + "</svg>"
    }

    /// One horizontal bar per row, longest first as given; `text` is printed at the bar's end.
    package static func bars(
        id: String, title: String, describedBy: String, rows: [(label: String, value: Double, text: String, bad: Bool)]
    ) -> String {
        let rowHeight = 20.0, labelWidth = 190.0, top = 6.0
        let height = max(40, top * 2 + rowHeight * Double(rows.count))
        var out = open(id, title: title, height: height, describedBy: describedBy)
        let maxValue = rows.map(\.value).max() ?? 0
        guard maxValue > 0 else {
            return out + "<text x=\"\(f(width / 2))\" y=\"24\" text-anchor=\"middle\" fill=\"#5b6b7c\">nothing recorded</text></svg>"
        }
        let barSpace = width - labelWidth - 110
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let w = max(1, barSpace * row.value / maxValue)
            out += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 14))\" text-anchor=\"end\">\(HTML.escape(clipped(row.label, cells: 30)))</text>"
            out += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(rowHeight - 6))\" fill=\"\(row.bad ? badColour : barColour)\">"
                + "<title>\(HTML.escape("\(row.label): \(row.text)"))</title></rect>"
            out += "<text x=\"\(f(labelWidth + w + 5))\" y=\"\(f(y + 14))\" fill=\"#1d2733\">\(HTML.escape(row.text))</text>"
        }
        return out + "</svg>"
    }

    /// Several series over the same labels (weeks), as lines with points and a legend.
    package static func lines(
        id: String, title: String, describedBy: String, labels: [String], series: [(name: String, colour: String, values: [Int])]
    ) -> String {
        let height = 240.0
        let left = 48.0, right = width - 16, top = 26.0, bottom = height - 36
        var out = open(id, title: title, height: height, describedBy: describedBy)
        let maxValue = Double(series.flatMap(\.values).max() ?? 0)
        guard !labels.isEmpty, maxValue > 0 else {
            return out + "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2))\" text-anchor=\"middle\" fill=\"#5b6b7c\">no cases</text></svg>"
        }
        let step = labels.count > 1 ? (right - left) / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { labels.count > 1 ? left + Double(i) * step : (left + right) / 2 }
        func y(_ v: Int) -> Double { bottom - (bottom - top) * Double(v) / maxValue }
        for k in 0...4 {
            let value = maxValue * Double(k) / 4
            let yy = bottom - (bottom - top) * Double(k) / 4
            out += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(right))\" y2=\"\(f(yy))\" stroke=\"#e3e8ee\"/>"
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(yy + 4))\" text-anchor=\"end\" fill=\"#5b6b7c\">\(Int(value.rounded()))</text>"
        }
        let every = max(1, Int((Double(labels.count) / 8).rounded(.up)))
        for i in stride(from: 0, to: labels.count, by: every) {
            out += "<text x=\"\(f(x(i)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" fill=\"#5b6b7c\">\(HTML.escape(labels[i]))</text>"
        }
        var legendX = left
        for s in series {
            out += "<rect x=\"\(f(legendX))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(s.colour)\"/>"
            out += "<text x=\"\(f(legendX + 16))\" y=\"16\">\(HTML.escape(s.name))</text>"
            legendX += 24 + Double(s.name.count) * 7
            let points = s.values.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element)))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"/>"
            for (i, v) in s.values.enumerated() {
                out += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3\" fill=\"\(s.colour)\"><title>\(HTML.escape("week of \(labels[i]): \(v) \(s.name)"))</title></circle>"
            }
        }
        return out + "</svg>"
    }

    /// A heat map of counts by weekday (rows, Monday first) and hour (columns).
    package static func heatmap(id: String, title: String, describedBy: String, counts: [[Int]]) -> String {
        let cellW = 26.0, cellH = 22.0, left = 44.0, top = 22.0
        let height = top + cellH * 7 + 28
        var out = open(id, title: title, height: height, describedBy: describedBy)
        let maxCount = Double(counts.flatMap { $0 }.max() ?? 0)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for hour in stride(from: 0, to: 24, by: 3) {
            out += "<text x=\"\(f(left + cellW * (Double(hour) + 0.5)))\" y=\"\(f(top - 6))\" text-anchor=\"middle\" fill=\"#5b6b7c\">\(hour):00</text>"
        }
        for (d, row) in counts.prefix(7).enumerated() {
            let y = top + Double(d) * cellH
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(days[d])</text>"
            for (h, n) in row.prefix(24).enumerated() {
                let t = maxCount > 0 ? Double(n) / maxCount : 0
                out += "<rect x=\"\(f(left + Double(h) * cellW))\" y=\"\(f(y))\" width=\"\(f(cellW - 1))\" height=\"\(f(cellH - 1))\" fill=\"\(heat(t))\">"
                    + "<title>\(days[d]) \(h):00–\(h):59: \(HTML.count(n)) cases</title></rect>"
            }
        }
        out += "<text x=\"\(f(left))\" y=\"\(f(height - 6))\" fill=\"#5b6b7c\">darker: more cases opened (most: \(Int(maxCount)) in one hour of the week)</text>"
        return out + "</svg>"
    }

    /// From pale (0) to dark blue (1).
    static func heat(_ t: Double) -> String {
        let a = (244.0, 247.0, 251.0), b = (8.0, 48.0, 107.0)
        let c = max(0, min(1, t))
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * c).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
