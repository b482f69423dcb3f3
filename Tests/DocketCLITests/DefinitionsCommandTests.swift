import DocketTestSupport
import Foundation
import Testing

/// Issue 16, "Definitions", through the real binary: declared case data refused at `start` and
/// `fire` with nothing appended, a route on the data, a statutory clock started by either
/// acceptance, Chinese titles in `show`, `cases` and `graph`, and `validate` at the positions.
@Suite struct DefinitionsCommandTests {
    static let workflow = "food-licence-change"

    func deployed() throws -> DocketBench {
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        return docket
    }

    /// `LINE:COLUMN` of the first `text` in `file`.
    static func position(of text: String, in file: String) throws -> String {
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains(text) })
        let column = lines[line].distance(from: lines[line].startIndex, to: try #require(lines[line].range(of: text)).lowerBound) + 1
        return "\(line + 1):\(column)"
    }

    @Test func badDataAtStartAndFireIsRefusedAndAppendsNothing() throws {
        let docket = try deployed()
        let start = try docket.docket("start", Self.workflow, "--case", "F1", "--by", "ann", "--as", "applicant",
                                      "--data", "centre=rizhao", "--data", "chnage=name")
        #expect(start.status == 1)
        #expect(start.stderr == "error: data field 'chnage' is not declared by workflow 'food-licence-change'; did you mean 'change'?; opening a case of workflow 'food-licence-change' needs data field change (one of name, address, category): give --data change=VALUE\n")
        #expect(try docket.eventCount() == 0)
        try docket.ok("start", Self.workflow, "--case", "F1", "--by", "ann", "--as", "applicant", "--data", "centre=rizhao",
                      "--data", "change=address", "--data", "floor_area=420", "--at", "2020-03-02T09:00:00+08:00")
        try docket.ok("fire", "F1", "accept", "--by", "liu", "--as", "clerk", "--doc", "application_form", "--at", "2020-03-02T09:30:00+08:00")
        let before = try docket.eventCount()
        let enumValue = try docket.docket("fire", "F1", "assess", "--by", "sun", "--as", "assessor", "--data", "risk=hihg", "--at", "2020-03-03T09:00:00+08:00")
        #expect(enumValue.status == 1)
        #expect(enumValue.stderr == "error: data field 'risk' must be one of low, medium, high (did you mean 'high'?), not 'hihg'\n")
        let missing = try docket.docket("fire", "F1", "assess", "--by", "sun", "--as", "assessor", "--at", "2020-03-03T09:00:00+08:00")
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: 'assess' needs data field risk (one of low, medium, high): give --data risk=VALUE\n")
        #expect(try docket.eventCount() == before)
        // Low risk, but a move to 420 m²: the second route, to the site inspection.
        let routed = try docket.ok("fire", "F1", "assess", "--by", "sun", "--as", "assessor", "--data", "risk=low", "--at", "2020-03-03T10:00:00+08:00")
        #expect(routed.stdout.contains("assessment → site_inspection"), "\(routed.stdout)")
        #expect(routed.stdout.contains("+data: risk=low"), "\(routed.stdout)")
    }

    @Test func showCasesAndGraphCarryTheChineseTitlesAndTheTablesAlign() throws {
        let docket = try deployed()
        try docket.ok("start", Self.workflow, "--case", "F2", "--by", "ann", "--as", "applicant", "--data", "centre=rizhao",
                      "--data", "change=name", "--at", "2020-03-02T09:00:00+08:00")
        try docket.ok("fire", "F2", "accept_on_commitment", "--by", "liu", "--as", "clerk", "--doc", "application_form",
                      "--doc", "commitment_letter", "--at", "2020-03-02T09:30:00+08:00")
        try docket.ok("start", "permit-check", "--case", "P-1", "--by", "bo", "--as", "applicant")
        let show = try docket.ok("show", "F2")
        #expect(show.stdout.contains("workflow   food-licence-change v1 食品经营许可变更"), "\(show.stdout)")
        #expect(show.stdout.contains("state      awaiting_materials 容缺待补"), "\(show.stdout)")
        #expect(show.stdout.contains("next       supply_materials (applicant; requires missing_materials)  补齐材料"), "\(show.stdout)")
        // The statutory clock started on accept_on_commitment (and stands still while materials are owed).
        #expect(show.stdout.contains("deadline   statutory limit: 10 working days, due (clock stopped)"), "\(show.stdout)")
        let json = try docket.ok("show", "F2", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "awaiting_materials")
        #expect(object["state_title"] as? String == "容缺待补")
        #expect(object["workflow_title"] as? String == "食品经营许可变更")
        #expect((object["allowed"] as? [[String: Any]])?.first?["title"] as? String == "补齐材料")

        let cases = try docket.ok("cases")
        let lines = cases.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let row = try #require(lines.first { $0.hasPrefix("F2") })
        let other = try #require(lines.first { $0.hasPrefix("P-1") })
        #expect(row.contains("awaiting_materials 容缺待补"))
        // The column after the state starts at the same terminal cell in every row: each Chinese
        // character takes two cells.
        func cells(_ text: Substring) -> Int {
            text.unicodeScalars.reduce(0) { $0 + ((0x4E00...0x9FFF).contains($1.value) ? 2 : 1) }
        }
        func openedColumn(_ line: String) throws -> Int {
            cells(line[..<(try #require(line.range(of: "opened"))).lowerBound])
        }
        let dates = [row, other].compactMap { line in line.range(of: #"\d{4}-\d{2}-\d{2}T"#, options: .regularExpression).map { cells(line[..<$0.lowerBound]) } }
        #expect(dates.count == 2 && dates[0] == dates[1], "\(cases.stdout)")
        #expect(try openedColumn(header) == dates.first, "\(cases.stdout)")
        let casesJSON = try docket.ok("cases", "--json")
        #expect(casesJSON.stdout.contains("容缺待补"))

        let graph = try docket.ok("graph", Self.workflow)
        #expect(graph.stdout.contains("site_inspection 现场核查"))
        #expect(graph.stdout.contains("assess (审查意见) [assessor] when risk is high"))
        #expect(graph.stdout.contains("when change is address and floor_area at least 300"))
    }

    @Test func validateReportsDataAndRouteErrorsAtTheirPositionsAndWarnsOfAClockThatNeverStarts() throws {
        let docket = DocketBench()
        let original = try String(contentsOfFile: Repository.workflow("food-licence-change.yaml"), encoding: .utf8)
        let broken = original
            .replacingOccurrences(of: "when: { risk: high }", with: "when: { risk: hihg }")
            .replacingOccurrences(of: "floor_area: { at_least: 300 }", with: "flor_area: { at_least: 300 }")
        let file = docket.file("food.yaml", broken)
        let result = try docket.docket("validate", file)
        #expect(result.status == 1)
        #expect(result.stderr == """
            \(file):\(try Self.position(of: "hihg", in: file)): error: 'hihg' is not a value of 'risk': expected one of low, medium, high (did you mean 'high'?)
            \(file):\(try Self.position(of: "flor_area", in: file)): error: 'when' tests field 'flor_area', which 'data' does not declare; did you mean 'floor_area'?

            """)
        // Version 1 of tolerant acceptance: the clock starts on accept only.
        let single = docket.file("single.yaml", original.replacingOccurrences(of: "starts_on: [accept, accept_on_commitment]", with: "starts_on: accept"))
        let warned = try docket.docket("validate", single)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.hasPrefix("\(single):\(try Self.position(of: "starts_on: accept", in: single).split(separator: ":")[0]):"))
        #expect(warned.stderr.contains("warning: the statutory clock never starts on the path submitted -accept_on_commitment-> awaiting_materials -supply_materials-> assessment"), "\(warned.stderr)")
        #expect(warned.stdout.contains("ok: food-licence-change v1 \"食品经营许可变更\""))
        // The shipped workflows carry no such warning.
        let shipped = try docket.docket("validate", DocketBench.workflows)
        #expect(shipped.status == 0)
        #expect(!shipped.stderr.contains("warning"), "\(shipped.stderr)")
    }

    @Test func theDemoRoutesOnDataRefusesBadDataAndStartsTheClockOnAcceptanceOnCommitment() throws {
        let bench = DocketBench()
        let result = try bench.docket("demo", "--db", bench.database, "--cases", "8", "--workflows", DocketBench.workflows)
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("== 4b. A food licence change"))
        #expect(out.contains("refused (invalid_data): 'assess' needs data field risk (one of low, medium, high): give --data risk=VALUE"))
        #expect(out.contains("refused (invalid_data): data field 'risk' must be one of low, medium, high (did you mean 'high'?), not 'hihg'"))
        #expect(out.contains("assess: assessment → site_inspection +data: risk=high"))
        #expect(out.contains("assess: assessment → decision +data: risk=low"))
        #expect(out.contains("FL-2020-0302: risk high → site_inspection 现场核查 (食品经营许可变更); next: inspect (核查完毕)"))
        // Accepted on commitment on Monday 09:30, the clock started and stopped at once, and ran
        // from Tuesday 10:00, when the materials came: ten working days of 7 hours from then.
        #expect(out.contains("the statutory clock started on accept_on_commitment (starts_on: [accept, accept_on_commitment]) and stood still while materials were owed: 10 working days, due 2020-03-17T10:00:00+08:00"), "\(out)")
        #expect(out.contains("tolerant-acceptance v2"))
    }

    @Test func aSimulationMakesUpTheRequiredDataAndTakesEveryRoute() throws {
        let bench = try deployed()
        try bench.ok("simulate", Self.workflow, "--cases", "60")
        let routes = try bench.sqlite("SELECT DISTINCT json_extract(payload, '$.to') FROM events WHERE json_extract(payload, '$.transition') = 'assess' ORDER BY 1")
        #expect(routes == "decision\nsite_inspection")
    }
}
