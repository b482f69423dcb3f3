import ArgumentParser
import DocketCore
import DocketInterop
import DocketService
import DocketStore
import Foundation
import Testing
@testable import docket

/// The one output convention: `--format`, one JSON style, tables measured in terminal cells.
@Suite struct OutputConventionTests {
    @Test func jsonIsTheSynonymOfFormatJSON() throws {
        let show = try #require(try Docket.parseAsRoot(["show", "P1", "--json"]) as? Show)
        #expect(show.output.chosen == .json)
        let history = try #require(try Docket.parseAsRoot(["history", "P1", "--format", "json"]) as? History)
        #expect(history.output.chosen == .json)
        #expect(try history.output.isJSON())
    }

    @Test func csvIsRefusedByACommandWithoutRows() throws {
        let history = try #require(try Docket.parseAsRoot(["history", "P1", "--format", "csv"]) as? History)
        #expect(throws: UsageFailure.self) { try history.output.isJSON() }
        let report = try #require(try Docket.parseAsRoot(["report", "--format", "csv"]) as? Report)
        #expect(try report.output.checked(csv: true) == .csv)
    }

    @Test func jsonAndAnotherFormatContradict() {
        #expect(throws: (any Error).self) { try Docket.parseAsRoot(["report", "--json", "--format", "csv"]) }
    }

    @Test func chineseNamesAlignInTerminalCells() {
        var table = TextTable(["name", "role"])
        table.append(["王秘书", "secretary"])
        table.append(["li", "expert"])
        let lines = table.render().split(separator: "\n").map(String.init)
        // The role column starts in the same terminal column on every line.
        let starts = lines.map { line -> Int in
            let name = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            let rest = line.dropFirst(name.count).prefix { $0 == " " }.count
            return name.terminalWidth + rest
        }
        #expect(Set(starts).count == 1, "\(lines)")
        #expect("王秘书".terminalWidth == 6)
        #expect("e\u{301}".terminalWidth == 1)
    }

    @Test func aTableLineEndsAtItsLastCharacter() {
        var table = TextTable(["case", "days", "note"], rightAligned: [1])
        table.append(["P-1", "3", "waiting for the applicant"])
        table.append(["P-22", "12", ""])
        table.append(["王秘书", "1", "审批"])
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "case    days  note",
            "------  ----  -------------------------",
            "P-1        3  waiting for the applicant",
            "P-22      12",
            "王秘书     1  审批",
        ])
    }

    @Test func everyJSONKeyIsSnakeCaseAndDataKeysAreKeptAsWritten() throws {
        struct Probe: Encodable {
            var caseID = "P-1"
            var workflowVersion = 2
            var data = ["riskLevel": "high", "Register request": "x"]
            var ratio = Double.nan
        }
        let text = try JSONOutput.text(Probe())
        #expect(text.contains("\"case_id\""))
        #expect(text.contains("\"workflow_version\""))
        #expect(text.contains("\"riskLevel\""))
        #expect(text.contains("\"Register request\""))
        #expect(text.contains("\"nan\""))
    }

    @Test func theVerifyViewUsesTheOneStyle() throws {
        let report = VerifyReport(eventCount: 3, caseCount: 1, deploymentCount: 2, headPosition: 3, headHash: "ab",
                                  problems: [], problemsTruncated: false)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONOutput.data(VerifyView(report))) as? [String: Any])
        #expect(object["event_count"] as? Int == 3)
        #expect(object["head_hash"] as? String == "ab")
        #expect(object["ok"] as? Bool == true)
    }

    @Test func aCSVFieldIsQuotedOnlyWhenItMustBe() {
        #expect(CSVField.text("plain") == "plain")
        #expect(CSVField.text("a,b") == "\"a,b\"")
        #expect(CSVField.text("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVField.text("two\nlines") == "\"two\nlines\"")
        #expect(CSVField.text(" padded") == "\" padded\"")
        #expect(CSVField.text("padded\t") == "\"padded\t\"")
        #expect(CSVField.text("审批") == "审批")
    }
}

/// The one error model: every error a door reports has a snake_case code and a kind, and one
/// table maps kinds to exit codes.
@Suite struct ErrorModelTests {
    static func isSnakeCase(_ code: String) -> Bool {
        code.wholeMatch(of: /[a-z][a-z0-9]*(_[a-z0-9]+)*/) != nil
    }

    @Test func everyCodeIsSpelledInSnakeCase() {
        var codes: [String] = []
        codes += Refusal.Code.allCases.map(\.rawValue)
        codes += StoreError.Code.allCases.map(\.rawValue)
        codes += ServiceError.Code.allCases.map(\.rawValue)
        codes += [LogReadError(.unreadableFile, file: "f", message: "m").errorCode,
                  LogWriteError(.writeFailed, file: "f", message: "m").errorCode,
                  UsageFailure("m").errorCode]
        #expect(codes.count > 40)
        for code in codes { #expect(Self.isSnakeCase(code), "\(code)") }
    }

    @Test func kindsMapToTheDocumentedExitCodes() {
        #expect(ExitStatus.of(.invalidInput) == 1)
        #expect(ExitStatus.of(.notFound) == 1)
        #expect(ExitStatus.of(.refused) == 1)
        #expect(ExitStatus.of(.conflict) == 3)
        #expect(ExitStatus.of(.unavailable) == 4)
    }

    @Test func errorsOfEveryLayerReachTheirExitCode() {
        #expect(CLIFailure(Refusal.unknownCase("X")).exitCode == 1)
        #expect(CLIFailure(StoreError(.conflict, "lost")).exitCode == 3)
        #expect(CLIFailure(StoreError(.conflict, "lost")).message.contains("pass --retry N"))
        #expect(CLIFailure(StoreError(.diskFull, "full")).exitCode == 4)
        #expect(CLIFailure(ServiceError(.retriesExhausted, "again")).exitCode == 3)
        #expect(CLIFailure(ServiceError(.progressUnreadable, "replay")).exitCode == 4)
        #expect(CLIFailure(UsageFailure("bad")).message == "error: bad")
    }
}
