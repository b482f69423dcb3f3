import DocketTestSupport
import Foundation
import Testing

/// The pages (`report --format html`, `analyze --format html`) and `graph --format svg`, looked
/// at as a person would: each page is opened in headless Chromium, which must report nothing on
/// its console, must draw something (the screenshot is not one colour), and must show the JSON's
/// figures (every `data-field` of the rendered DOM is compared with the JSON document).
@Suite("pages in a browser", .serialized, .requires(.docketBinary, .chromium, .graphviz, .chineseFont, .tool("python3")))
struct PagesTests {
    /// A workflow named in Chinese, with Chinese states, roles and departments and a statutory limit.
    static let chineseWorkflow = """
        workflow: 营业执照审批
        version: 1
        title: 营业执照审批（个体工商户）
        roles: [申请人, 窗口受理员, 审批员]
        statutory_limit: { within: 3 working days }
        states:
          已提交:   { initial: true }
          受理审查: { department: 政务服务中心 }
          已批准:   { final: true, outcome: approved }
          不予批准: { final: true, outcome: rejected }
        transitions:
          - { event: 受理, from: 已提交,   to: 受理审查, roles: [窗口受理员] }
          - { event: 批准, from: 受理审查, to: 已批准,   roles: [审批员] }
          - { event: 驳回, from: 受理审查, to: 不予批准, roles: [审批员] }

        """

    /// Deploys the Chinese workflow and drives eight cases through it (one still open, one with
    /// a case id full of markup characters).
    static func chineseLog(_ bench: DocketBench) throws {
        let file = bench.file("营业执照审批.yaml", chineseWorkflow)
        try bench.ok("deploy", file)
        for i in 1...8 {
            let id = i == 8 ? "案<8>&\"x\"" : "案-\(i)"
            let day = String(format: "%02d", i + 1)
            try bench.ok("start", "营业执照审批", "--case", id, "--by", "张三", "--as", "申请人", "--data", "channel=\(i % 3 == 0 ? "window" : "online")",
                         "--at", "2020-03-\(day)T09:\(10 + i):00+08:00")
            try bench.ok("fire", id, "受理", "--by", "李四", "--as", "窗口受理员", "--at", "2020-03-\(day)T1\(i % 6):00:00+08:00")
            if i < 7 {
                try bench.ok("fire", id, i % 4 == 0 ? "驳回" : "批准", "--by", "王五", "--as", "审批员",
                             "--at", "2020-03-\(String(format: "%02d", i + 1 + i % 5))T16:00:00+08:00")
            }
        }
    }

    // MARK: The report page

    @Test func theChineseWorkflowsReportPageShowsItsNamesAndTheJSONsFigures() throws {
        let bench = DocketBench()
        try Self.chineseLog(bench)
        let now = ["--now", "2020-03-20T12:00:00+08:00"]
        let json = try bench.ok(["report", "--format", "json"] + now).stdout
        let page = bench.directory.appendingPathComponent("report.html").path
        try bench.ok(["report", "--format", "html", "--out", page] + now)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        // The markup in a case id is text.
        #expect(html.contains("案&lt;8&gt;&amp;&quot;x&quot;"))

        let load = try HeadlessBrowser.load(page)
        #expect(load.consoleMessages.isEmpty, "console: \(load.consoleMessages)")
        // The Chinese names are in the laid-out diagram (dot's SVG text) and in the tables.
        for name in ["营业执照审批", "受理审查", "政务服务中心", "窗口受理员"] { #expect(load.dom.contains(name), "\(name) not on the page") }
        #expect(load.dom.contains("class=\"graph\""), "no Graphviz diagram on the page")
        let compared = try Self.compareFigures(dom: load.dom, json: json, sections: "workflows")
        #expect(compared >= 150, "only \(compared) figures compared")
        #expect(load.dom.contains(#"data-field="statutory_limit.approved""#))

        let png = bench.directory.appendingPathComponent("report.png").path
        try HeadlessBrowser.screenshot(page, to: png)
        #expect(try HeadlessBrowser.distinctColours(png) > 16, "the screenshot is (nearly) blank")
    }

    @Test func theDemosReportPageShowsEveryWorkflowsFigures() throws {
        let bench = DocketBench()
        let db = bench.directory.appendingPathComponent("demo.sqlite").path
        try bench.ok("demo", "--db", db, "--cases", "120", "--workflows", DocketBench.workflows,
                     "--directory", Repository.shandongDirectory)
        let now = ["--db", db, "--now", "2020-04-01T00:00:00+08:00"]
        let json = try bench.ok(["report", "--format", "json"] + now).stdout
        let page = bench.directory.appendingPathComponent("demo.html").path
        try bench.ok(["report", "--format", "html", "--out", page] + now)
        let load = try HeadlessBrowser.load(page)
        #expect(load.consoleMessages.isEmpty, "console: \(load.consoleMessages)")
        let sections = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])["workflows"] as? [Any]
        #expect(load.dom.components(separatedBy: "<section class=\"workflow\"").count - 1 == sections?.count)
        // Parallel branches and votes are drawn as what they are.
        #expect(load.dom.contains("∥"))
        #expect(load.dom.contains("vote: "))
        let compared = try Self.compareFigures(dom: load.dom, json: json, sections: "workflows")
        #expect(compared >= 1000, "only \(compared) figures compared")
        let png = bench.directory.appendingPathComponent("demo.png").path
        try HeadlessBrowser.screenshot(page, to: png)
        #expect(try HeadlessBrowser.distinctColours(png) > 16, "the screenshot is (nearly) blank")
    }

    @Test func withoutGraphvizThePageSaysSoAndStillHasEveryTable() throws {
        let bench = DocketBench()
        try Self.chineseLog(bench)
        bench.environment["DOCKET_DOT"] = bench.directory.appendingPathComponent("no-such-dot").path
        let page = bench.directory.appendingPathComponent("report.html").path
        try bench.ok("report", "--format", "html", "--out", page, "--now", "2020-03-20T12:00:00+08:00")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("Graphviz (dot) is not installed"))
        #expect(!html.contains("class=\"graph\""))
        #expect(html.contains(#"id="w0-dwell""#))
        #expect(html.contains(#"data-field="dwell.0.summary.count""#))
        // And the diagram on its own says what is missing, with exit 4.
        let svg = try bench.docket(["graph", "营业执照审批", "--format", "svg"])
        #expect(svg.status == 4)
        #expect(svg.stderr.contains("Graphviz"))
    }

    // MARK: The analysis page

    @Test func theAnalysisPageOfAForeignLogHasItsMapVariantsAndDurations() throws {
        let bench = DocketBench()
        var csv = "case_id,activity,timestamp\n"
        let paths = [["申请", "受理", "审核", "办结"], ["申请", "受理", "补正", "受理", "审核", "办结"], ["申请", "受理", "驳回"]]
        for c in 0..<30 {
            let path = paths[c % 7 == 0 ? 2 : c % 3 == 0 ? 1 : 0]
            for (i, activity) in path.enumerated() {
                csv += "C\(c),\(activity),2021-05-\(String(format: "%02d", 1 + c % 20)) \(String(format: "%02d", 8 + i + c % 3)):\(String(format: "%02d", (c * 7) % 60)):00\n"
            }
        }
        let log = bench.file("工单.csv", csv)
        let json = try bench.ok("analyze", log, "--format", "json").stdout
        let page = bench.directory.appendingPathComponent("analyze.html").path
        try bench.ok("analyze", log, "--format", "html", "--out", page)
        let load = try HeadlessBrowser.load(page)
        #expect(load.consoleMessages.isEmpty, "console: \(load.consoleMessages)")
        #expect(load.dom.contains("补正"))
        // One map per level that differs: top 1, top 3 (all three variants) is all paths, so two.
        #expect(load.dom.components(separatedBy: "type=\"radio\"").count - 1 == 2)
        #expect(load.dom.components(separatedBy: "class=\"graph\"").count - 1 == 2)
        let compared = try Self.compareFigures(dom: load.dom, json: json, sections: nil)
        #expect(compared >= 20, "only \(compared) figures compared")
        let png = bench.directory.appendingPathComponent("analyze.png").path
        try HeadlessBrowser.screenshot(page, to: png)
        #expect(try HeadlessBrowser.distinctColours(png) > 16, "the screenshot is (nearly) blank")
    }

    // MARK: graph --format svg

    @Test func theGraphAsSVGWithTheOverlay() throws {
        let bench = DocketBench()
        try Self.chineseLog(bench)
        let plain = try bench.ok("graph", "营业执照审批", "--format", "svg").stdout
        #expect(plain.hasPrefix("<svg"))
        #expect(plain.contains("受理审查"))
        #expect(!plain.contains("×"))
        let out = bench.directory.appendingPathComponent("map.svg").path
        try bench.ok("graph", "营业执照审批", "--format", "svg", "--overlay", "--out", out)
        let overlay = try String(contentsOfFile: out, encoding: .utf8)
        #expect(overlay.contains("stays"))
        // 8 cases were accepted: the edge 已提交 → 受理审查 says so.
        #expect(overlay.contains("受理") && overlay.contains("8×"))
        let mermaid = try bench.docket(["graph", "营业执照审批", "--overlay"])
        #expect(mermaid.status == 1)
        // A command without a page refuses --format html.
        let cases = try bench.docket(["cases", "--format", "html"])
        #expect(cases.status == 1)
        #expect(cases.stderr.contains("no HTML page"))
    }

    // MARK: Comparing the DOM with the JSON

    /// Compares every `data-field`/`data-value` of `dom` with the value at that path of the JSON
    /// (inside `sections[data-index]` of each `<section>` when `sections` is given, else the whole
    /// document), and each count's text with its value; returns how many figures were compared.
    static func compareFigures(dom: String, json: String, sections: String?, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let parts = dom.components(separatedBy: "<section class=\"workflow\"").dropFirst()
        let field = try NSRegularExpression(pattern: #"data-field="([^"]+)" data-value="([^"]*)"[^>]*>([^<]*)<"#)
        let index = try NSRegularExpression(pattern: #"data-index="(\d+)""#)
        var compared = 0
        for part in parts {
            let text = part as NSString
            var base: Any = root
            if let sections {
                let match = try #require(index.firstMatch(in: part, range: NSRange(location: 0, length: text.length)))
                let i = try #require(Int(text.substring(with: match.range(at: 1))))
                base = try #require(((root as? [String: Any])?[sections] as? [Any])?[i], sourceLocation: sourceLocation)
            }
            for match in field.matches(in: part, range: NSRange(location: 0, length: text.length)) {
                let path = text.substring(with: match.range(at: 1))
                let value = unescape(text.substring(with: match.range(at: 2)))
                let shown = unescape(text.substring(with: match.range(at: 3)))
                let expected = try #require(lookup(base, path), "\(path) is not in the JSON", sourceLocation: sourceLocation)
                if let number = expected as? NSNumber, !(expected is String) {
                    let got = try #require(Double(value), "\(path): \(value) is not a number", sourceLocation: sourceLocation)
                    #expect(abs(got - number.doubleValue) <= 1e-9 * max(1, abs(number.doubleValue)),
                            "\(path): the page says \(value), the JSON \(number)", sourceLocation: sourceLocation)
                    if Int(value) != nil, !shown.isEmpty, shown.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) {
                        #expect(shown.replacingOccurrences(of: ",", with: "") == value, "\(path): shown as \(shown)", sourceLocation: sourceLocation)
                    }
                } else {
                    #expect("\(expected)" == value, "\(path): the page says \(value), the JSON \(expected)", sourceLocation: sourceLocation)
                }
                compared += 1
            }
        }
        return compared
    }

    private static func lookup(_ value: Any, _ path: String) -> Any? {
        var current: Any? = value
        for key in path.split(separator: ".") {
            if let i = Int(key), let array = current as? [Any] {
                current = i < array.count ? array[i] : nil
            } else {
                current = (current as? [String: Any])?[String(key)]
            }
        }
        return current
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
