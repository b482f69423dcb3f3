import DocketTestSupport
import Foundation
import Testing

/// `tick` and `cases --open/--overdue` look only at the cases the analytics projection holds as
/// open (caught up first), so millions of closed cases are not read; they must still find every
/// open case, including those opened since the projection last ran.
@Suite(.requires(.sqlite3)) struct OpenCaseCommandTests {
    /// Three remote video inspections on 2 March 2020 (a Monday): R1 accepted at 09:00 (one
    /// working hour to book the call), R2 withdrawn (closed), R3 opened only.
    func threeCases() throws -> DocketBench {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        for id in ["R1", "R2", "R3"] {
            try #require(docket.docket("start", "remote-video-inspection", "--case", id, "--by", "app-\(id)", "--as", "applicant",
                                    "--at", "2020-03-02T08:30:00+08:00").status == 0)
        }
        try #require(docket.docket("fire", "R1", "accept", "--by", "clerk-li", "--as", "clerk", "--doc", "application_form",
                                "--doc", "premises_floor_plan", "--at", "2020-03-02T09:00:00+08:00").status == 0)
        try #require(docket.docket("fire", "R2", "withdraw", "--by", "app-R2", "--as", "applicant",
                                "--at", "2020-03-02T09:10:00+08:00").status == 0)
        return docket
    }

    @Test func casesOpenListsTheOpenCasesInTheOrderTheyWereOpened() throws {
        let docket = try threeCases()
        let result = try docket.docket("cases", "--open", "--json", "--now", "2020-03-02T09:30:00+08:00")
        #expect(result.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.compactMap { $0["case_id"] as? String } == ["R1", "R3"])
    }

    @Test func tickRecordsTheBreachOfAnOpenCaseOnceAndCasesOverdueListsIt() throws {
        let docket = try threeCases()
        // The projection reads the log now; the case opened after it must still be found.
        #expect(try docket.docket("report", "--format", "json").status == 0)
        try #require(docket.docket("start", "remote-video-inspection", "--case", "R4", "--by", "app-R4", "--as", "applicant",
                                "--at", "2020-03-02T08:40:00+08:00").status == 0)
        try #require(docket.docket("fire", "R4", "accept", "--by", "clerk-li", "--as", "clerk", "--doc", "application_form",
                                "--doc", "premises_floor_plan", "--at", "2020-03-02T09:05:00+08:00").status == 0)

        let first = try docket.docket("tick", "--now", "2020-03-02T11:00:00+08:00")
        #expect(first.status == 0)
        #expect(first.stdout.contains("R1  #"))
        #expect(first.stdout.contains("R4  #"))
        #expect(first.stdout.contains("on 2 case(s)"))
        let again = try docket.docket("tick", "--now", "2020-03-02T11:00:00+08:00")
        #expect(again.stdout.contains("0 event(s) recorded on 0 case(s)"))
        #expect(try docket.sqlite("SELECT count(*) FROM events WHERE type = 'deadline_breached'")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "2")

        let overdue = try docket.docket("cases", "--overdue", "--json", "--now", "2020-03-02T11:00:00+08:00")
        let rows = try JSONSerialization.jsonObject(with: Data(overdue.stdout.utf8)) as? [[String: Any]]
        #expect(Set(rows?.compactMap { $0["case_id"] as? String } ?? []) == ["R1", "R4"])
    }
}
