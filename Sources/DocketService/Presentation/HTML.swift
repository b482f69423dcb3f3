import Foundation

/// The building blocks of Docket's pages: escaping, the page shell with its one stylesheet, and
/// tables whose cells say which JSON figure they show.
///
/// A page is one self-contained file: inline CSS and SVG, no fonts, scripts or styles from
/// elsewhere, readable with scripting off (a government intranet has no CDN, and some browsers
/// there run without scripts). Every text that came from a user (case ids, workflow, state,
/// department and role names, activities of an imported log) goes through ``escape(_:)``.
package enum HTML {
    /// `text` safe in element content and in double- or single-quoted attribute values.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline cannot appear in an HTML document.
                if c.value < 0x20 && c != "\t" && c != "\n" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// A whole number for people: `1,234,567`.
    package static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A share (0...1) for people: `87.5%`.
    package static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    /// An exact number for `data-value` (what the JSON has): integers without a fraction.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// One table cell: its text, and where the figure is in the JSON (`data-field`, relative to
    /// the section's JSON object) with the exact value (`data-value`) when the text rounds it.
    package struct Cell {
        package var text: String
        package var field: String?
        package var value: String?
        package var numeric: Bool
        package var cssClass: String?

        package init(_ text: String, field: String? = nil, value: String? = nil, numeric: Bool = false, cssClass: String? = nil) {
            self.text = text
            self.field = field
            self.value = value
            self.numeric = numeric
            self.cssClass = cssClass
        }

        /// A count, with the JSON field it is.
        package static func count(_ n: Int, field: String? = nil) -> Cell {
            Cell(HTML.count(n), field: field, value: String(n), numeric: true)
        }

        /// A duration in seconds, shown in `style`'s human units.
        package static func duration(_ seconds: Double?, _ style: DurationStyle, field: String? = nil) -> Cell {
            Cell(style.text(seconds), field: seconds == nil ? nil : field, value: seconds.map(HTML.number), numeric: true)
        }

        /// A share (0...1) as a percentage.
        package static func share(_ share: Double, field: String? = nil) -> Cell {
            Cell(HTML.percent(share), field: field, value: HTML.number(share), numeric: true)
        }

        var html: String {
            var attributes = ""
            var classes: [String] = []
            if numeric { classes.append("n") }
            if let cssClass { classes.append(cssClass) }
            if !classes.isEmpty { attributes += " class=\"\(classes.joined(separator: " "))\"" }
            if let field { attributes += " data-field=\"\(escape(field))\"" }
            if let value { attributes += " data-value=\"\(escape(value))\"" }
            return "<td\(attributes)>\(escape(text))</td>"
        }
    }

    /// A table of figures; `id` is what a chart's `aria-describedby` names.
    package static func table(id: String, caption: String, headers: [String], rows: [[Cell]], note: String? = nil) -> String {
        var out = "<table id=\"\(escape(id))\"><caption>\(escape(caption))</caption><thead><tr>"
        for h in headers { out += "<th scope=\"col\">\(escape(h))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for cell in row { out += cell.html }
            out += "</tr>"
        }
        if rows.isEmpty { out += "<tr><td colspan=\"\(headers.count)\">(none)</td></tr>" }
        out += "</tbody></table>"
        if let note { out += "<p class=\"note\">\(escape(note))</p>" }
        return out
    }

    /// A chart with its figures beside it: the chart names the table with `aria-describedby`.
    package static func figure(chart: String, table: String) -> String {
        "<div class=\"figure\"><div class=\"chart\">\(chart)</div><div class=\"figures\">\(table)</div></div>"
    }

    /// The whole page.
    package static func page(title: String, heading: String, subtitle: String, body: String, style: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="docket">
        <title>\(escape(title))</title>
        <style>\(stylesheet)\(style)</style>
        </head><body>
        <header><h1>\(escape(heading))</h1><p class="sub">\(escape(subtitle))</p></header>
        <main>
        \(body)
        </main>
        </body></html>

        """
    }

    /// The one stylesheet. System fonts only (Noto CJK where the OS has it for Chinese names).
    static let stylesheet = """
        :root{--ink:#1d2733;--muted:#5b6b7c;--line:#d5dde6;--bar:#3b6ea5;--cum:#d9822b;--bad:#c0392b;--ok:#2e7d4f;--paper:#fff;--band:#f3f6f9}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;color:var(--ink);background:var(--band)}
        header{background:#22384f;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}.sub{margin:4px 0 0;color:#cfd9e3}
        main{padding:8px 24px 40px;max-width:1400px}
        section.workflow{background:var(--paper);border:1px solid var(--line);border-radius:6px;margin:18px 0;padding:4px 20px 16px}
        h2{font-size:19px;margin:14px 0 4px}h3{font-size:16px;margin:22px 0 6px;border-top:1px solid var(--line);padding-top:12px}
        .kpis{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}.kpi{background:var(--band);border-radius:6px;padding:8px 14px;min-width:130px}
        .kpi b{display:block;font-size:20px}.kpi span{color:var(--muted);font-size:12px}.kpi.bad b{color:var(--bad)}.kpi.ok b{color:var(--ok)}
        .figure{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.chart{flex:2 1 520px;min-width:0}.figures{flex:1 1 320px;max-height:420px;overflow:auto}
        .chart svg{max-width:100%;height:auto;display:block}
        table{border-collapse:collapse;font-size:12.5px;width:100%}caption{text-align:left;font-weight:600;padding:2px 0 4px}
        th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}th{background:var(--band);position:sticky;top:0}
        td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.overdue{color:var(--bad);font-weight:600}
        .note{color:var(--muted);font-size:12px;margin:4px 0}.warn{background:#fff4e5;border:1px solid #f0c36d;padding:8px 12px;border-radius:4px}
        .diagram svg{max-width:100%;height:auto}.diagram{overflow:auto;border:1px solid var(--line);border-radius:4px;padding:6px;background:#fff}
        .legend{font-size:12px;color:var(--muted)}.legend i{display:inline-block;width:12px;height:12px;margin:0 4px -2px 10px;border:1px solid #999}
        .paths input{position:absolute;opacity:0}.paths label{display:inline-block;padding:3px 10px;margin:0 4px 6px 0;border:1px solid var(--line);border-radius:12px;cursor:pointer;background:#fff}
        .paths .map{display:none}
        nav.toc a{margin-right:12px}
        @media print{body{background:#fff}.figures{max-height:none}}
        """
}
