import DocketTestSupport
import Foundation
import Testing

/// The real `docket` binary driven as a user (or a script) would, through ``DocketBench``.
@Suite(.serialized, .requires(.sqlite3)) struct ProcessTests {
    @Test func aCaseDrivenByTheCLIShowsItsFullHistoryAndIsInTheSQLiteFile() throws {
        let docket = DocketBench()
        try docket.permitCaseInReview()
        let approve = try docket.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos")
        #expect(approve.status == 0)
        let history = try docket.docket("history", "P1")
        #expect(history.stdout.contains("accept: submitted → review"))
        #expect(history.stdout.contains("approve: review → approved"))
        #expect(try docket.sqlite("SELECT group_concat(type, ',') FROM (SELECT type FROM events WHERE case_id = 'P1' ORDER BY version)")
            == "case_opened,transition_fired,transition_fired")
        let json = try docket.docket("show", "P1", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["outcome"] as? String == "approved")
    }

    @Test func approvingWithoutTheDocumentExitsOneAndAppendsNothing() throws {
        let docket = DocketBench()
        try docket.permitCaseInReview()
        let result = try docket.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("site_photos"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "2")
    }

    @Test func theWrongRoleExitsOneAndAppendsNothing() throws {
        let docket = DocketBench()
        try docket.permitCaseInReview()
        let result = try docket.docket("fire", "P1", "approve", "--by", "bob", "--as", "clerk", "--doc", "site_photos")
        #expect(result.status == 1)
        #expect(result.stderr.contains("approver"))
        #expect(try docket.sqlite("SELECT count(*) FROM events") == "2")
    }

    @Test func twoProcessesFiringAtOneCaseAtOnceLetExactlyOneWin() throws {
        let docket = DocketBench()
        try docket.permitCaseInReview()
        // Eight processes race to decide the same case; only one decision can be recorded.
        let racers = try (0..<8).map { i in
            try docket.start(["fire", "P1", i % 2 == 0 ? "approve" : "reject", "--by", "approver-\(i)", "--as", "approver", "--doc", "site_photos"])
        }
        let statuses = try racers.map { try $0.wait().status }
        #expect(statuses.filter { $0 == 0 }.count == 1)
        // Losers either lost the append (3, conflict) or read the decided case (1, closed).
        #expect(statuses.allSatisfy { [0, 1, 3].contains($0) })
        #expect(try docket.sqlite("SELECT count(*) FROM events WHERE case_id = 'P1'") == "3")
        #expect(try docket.docket("verify").status == 0)
    }

    @Test func verifyCatchesAPayloadEditedBehindDocketsBack() throws {
        let docket = DocketBench()
        try docket.permitCaseInReview()
        #expect(try docket.docket("verify").status == 0)
        _ = try docket.sqlite("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET payload = json_set(payload, '$.to', 'approved') WHERE position = 2;
            """)
        let result = try docket.docket("verify")
        #expect(result.status == 1)
        #expect(result.stderr.contains("position 2"))
    }

    @Test func aDefinitionWithErrorsIsReportedAtFileLineColumn() throws {
        let docket = DocketBench()
        let file = docket.directory.appendingPathComponent("broken.yaml")
        try """
            workflow: broken
            version: 1
            roles: [clerk]
            states:
              open: { initial: true }
              done: { final: true, outcome: approved }
            transitions:
              - { event: finish, from: open, to: finished, roles: [clerk] }
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try docket.docket("validate", file.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file.path):8:"))
        #expect(result.stderr.contains(": error: "))
    }

    @Test func aValidDefinitionPrintsAOneLineSummary() throws {
        let result = try DocketBench().docket("validate", DocketBench.workflows + "/permit-check.yaml")
        #expect(result.status == 0)
        #expect(result.stdout.contains("permit-check v1"))
    }

    @Test func readingACaseFromAMissingDatabaseIsAnError() throws {
        let result = try DocketBench().docket("show", "P1")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: no event log"))
    }

    @Test func theDemoRunsToTheReportAndItsLogVerifies() throws {
        let docket = DocketBench()
        let result = try docket.docket("demo", "--db", docket.database, "--cases", "40", "--workflows", DocketBench.workflows)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("62 wall-clock hours, 2 working days"))
        #expect(try docket.docket("verify", "--db", docket.database).status == 0)
    }
}
