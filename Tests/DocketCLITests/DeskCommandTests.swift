import DocketTestSupport
import Foundation
import Testing

/// The desk's day through the real binary: worklists, claiming, search, and `show` at a glance.
@Suite struct DeskCommandTests {
    /// Monday 2 March 2020, 09:00 in Beijing: a working day of `cn-2020`.
    static let monday = "2020-03-02T09:00:00+08:00"

    /// Joint-verification cases J1 (opened by clerk li.wei for ma.lin, window, rizhao) and J2
    /// (opened by huang.tao himself, online, qingdao), both accepted into verification; P1 a
    /// permit check waiting for a clerk.
    func desk() throws -> DocketBench {
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("start", "joint-verification", "--case", "J1", "--by", "li.wei", "--as", "clerk", "--on-behalf-of", "ma.lin",
                      "--data", "channel=window", "--data", "centre=rizhao", "--at", Self.monday)
        try docket.ok("start", "joint-verification", "--case", "J2", "--by", "huang.tao", "--as", "applicant",
                      "--data", "channel=online", "--data", "centre=qingdao", "--at", "2020-03-02T10:00:00+08:00")
        for (id, at) in [("J1", "2020-03-02T11:00:00+08:00"), ("J2", "2020-03-03T11:00:00+08:00")] {
            try docket.ok("fire", id, "accept", "--by", "chen.jing", "--as", "clerk", "--doc", "application_form", "--doc", "site_plan", "--at", at)
        }
        try docket.ok("start", "permit-check", "--case", "P1", "--by", "ma.lin", "--as", "applicant", "--at", "2020-03-04T09:00:00+08:00")
        return docket
    }

    func json(_ result: DocketBench.Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    // MARK: Worklists

    @Test func aDepartmentsWorklistListsItsBranchesMostUrgentFirstWithTheLimitThatApplies() throws {
        let docket = try desk()
        let result = try docket.ok("worklist", "--department", "fire", "--now", "2020-03-03T12:00:00+08:00", "--format", "json")
        let view = try #require(try json(result) as? [String: Any])
        let items = try #require(view["items"] as? [[String: Any]])
        #expect(view["total"] as? Int == 2)
        #expect(items.compactMap { $0["case_id"] as? String } == ["J1", "J2"])
        #expect(items.allSatisfy { $0["branch"] as? String == "fire" && $0["state"] as? String == "inspecting" })
        // Verification's own limit, 2 working days from 11:00 Monday: 11:00 Wednesday.
        #expect(items[0]["due_at"] as? String == "2020-03-04T11:00:00+08:00")
        #expect(items[0]["deadline"] as? String == "state")
        #expect(items[0]["applicant"] as? String == "ma.lin")
        // From 12:00 Tuesday to 11:00 Wednesday is 6 working hours on cn-2020 (7-hour days? the calendar's own).
        let left = try #require(items[0]["working_seconds_left"] as? Double)
        #expect(left > 0 && left < 2 * 24 * 3600)
        #expect(items[0]["overdue"] as? Bool == false)

        let table = try docket.ok("worklist", "--department", "fire", "--now", "2020-03-03T12:00:00+08:00")
        #expect(table.stdout.contains("fire: inspecting"))
        #expect(table.stdout.hasSuffix("2 item(s)\n"))
    }

    @Test func dueWithinCountsWorkingDaysOnTheWorkflowsCalendarAndKeepsOverdueWork() throws {
        let docket = try desk()
        // Tuesday 12:00: J1 is due Wednesday 11:00 (within 1 working day), J2 Thursday 11:00 (not).
        let soon = try docket.ok("worklist", "--department", "fire", "--due-within", "1d", "--now", "2020-03-03T12:00:00+08:00",
                                 "--format", "json")
        let items = try #require((try json(soon) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["case_id"] as? String } == ["J1"])
        // The next Monday both are overdue, and overdue work is due within any time.
        let late = try docket.ok("worklist", "--department", "fire", "--due-within", "0d", "--now", "2020-03-09T12:00:00+08:00")
        #expect(late.stdout.contains("overdue"))
        #expect(late.stdout.hasSuffix("2 item(s)\n"))
        let bad = try docket.docket("worklist", "--due-within", "soon")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--due-within 'soon' is not a working time"))
    }

    @Test func aRolesWorklistHasTheStatesItActsInAndUnknownFiltersListTheKnownOnes() throws {
        let docket = try desk()
        let clerk = try docket.ok("worklist", "--role", "clerk", "--format", "json")
        let items = try #require((try json(clerk) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["case_id"] as? String } == ["P1"])
        let health = try docket.ok("worklist", "--role", "health_inspector", "--sort", "oldest", "--format", "json")
        let healthItems = try #require((try json(health) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(healthItems.compactMap { $0["case_id"] as? String } == ["J1", "J2"])
        #expect(healthItems.allSatisfy { $0["branch"] as? String == "health" })

        let role = try docket.docket("worklist", "--role", "fire_inspectr")
        #expect(role.status == 1)
        #expect(role.stderr.hasPrefix("error: no role 'fire_inspectr' in any deployed workflow; roles: "))
        let department = try docket.docket("worklist", "--department", "fyre")
        #expect(department.status == 1)
        #expect(department.stderr.contains("departments: "))
        #expect(department.stderr.contains("fire"))
    }

    // MARK: Claiming

    @Test func aClaimedBranchIsTheClaimantsUntilReleasedOrReassignedAndEachStepIsInTheLog() throws {
        let docket = try desk()
        let at = "2020-03-02T14:00:00+08:00"
        try docket.ok("claim", "J1", "--branch", "fire", "--by", "liu.yang", "--as", "fire_inspector", "--at", at)
        // Claiming again is nothing new.
        let again = try docket.ok("claim", "J1", "--branch", "fire", "--by", "liu.yang", "--as", "fire_inspector", "--at", at)
        #expect(again.stdout.contains("already holds it: nothing appended"))
        // Another inspector may neither claim it nor work it.
        let claim = try docket.docket("claim", "J1", "--branch", "fire", "--by", "wu.gang", "--as", "fire_inspector", "--at", at)
        #expect(claim.status == 1)
        #expect(claim.stderr.hasPrefix("error: branch 'fire' of case 'J1' is held by liu.yang since 2020-03-02T"))
        #expect(claim.stderr.contains("ask them to release it, or a supervisor to reassign it"))
        let fire = try docket.docket("fire", "J1", "pass", "--branch", "fire", "--by", "wu.gang", "--as", "fire_inspector",
                                     "--doc", "fire_report", "--at", at)
        #expect(fire.status == 1)
        #expect(fire.stderr.contains("held by liu.yang"))
        let release = try docket.docket("release", "J1", "--branch", "fire", "--by", "wu.gang", "--as", "fire_inspector", "--at", at)
        #expect(release.status == 1)
        #expect(release.stderr.contains("only they release it, or a supervisor"))
        let reassign = try docket.docket("reassign", "J1", "--branch", "fire", "--to", "wu.gang", "--by", "wu.gang", "--as", "fire_inspector", "--at", at)
        #expect(reassign.status == 1)
        #expect(reassign.stderr.contains("reassigning work is for a supervisor"))
        // The other branches are not held.
        try docket.ok("fire", "J1", "pass", "--branch", "health", "--by", "wu.gang", "--as", "health_inspector", "--doc", "health_report", "--at", at)

        let mine = try docket.ok("worklist", "--mine", "--by", "liu.yang", "--format", "json")
        let items = try #require((try json(mine) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["case_id"] as? String } == ["J1"])
        #expect(items.first?["holder"] as? String == "liu.yang")
        let unclaimed = try docket.ok("worklist", "--department", "fire", "--unclaimed", "--format", "json")
        #expect(((try json(unclaimed) as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["case_id"] as? String } == ["J2"])

        // A supervisor reassigns it; the new holder works it.
        try docket.ok("reassign", "J1", "--branch", "fire", "--to", "wu.gang", "--by", "zhao.lei", "--reason", "liu.yang is on leave", "--at", at)
        let show = try docket.ok("show", "J1")
        #expect(show.stdout.contains("held by    wu.gang (branch fire) since 2020-03-02T14:00:00+08:00"))
        try docket.ok("fire", "J1", "pass", "--branch", "fire", "--by", "wu.gang", "--as", "fire_inspector", "--doc", "fire_report", "--at", at)
        let history = try docket.ok("history", "J1", "--format", "json")
        let types = ((try json(history) as? [[String: Any]]) ?? []).compactMap { $0["type"] as? String }
        #expect(types.contains("case_claimed"))
        #expect(types.contains("case_reassigned"))
        // The finished branch is no longer anyone's work.
        let after = try docket.ok("worklist", "--held-by", "wu.gang", "--format", "json")
        #expect(((try json(after) as? [String: Any])?["total"] as? Int) == 0)
        #expect(try docket.ok("verify").status == 0)
    }

    @Test func theHolderReleasesAndTheCaseIsFreeAgainAndTheApplicantIsNeverBlocked() throws {
        let docket = try desk()
        let at = "2020-03-04T10:00:00+08:00"
        try docket.ok("claim", "P1", "--by", "li.wei", "--as", "clerk", "--at", at)
        let refused = try docket.docket("fire", "P1", "accept", "--by", "chen.jing", "--as", "clerk", "--at", at)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("case 'P1' is held by li.wei"))
        let applicantRole = try docket.docket("claim", "P1", "--by", "ma.lin", "--as", "applicant", "--at", at)
        #expect(applicantRole.status == 1)
        #expect(applicantRole.stderr.contains("a claim is made in a staff role"))
        try docket.ok("release", "P1", "--by", "li.wei", "--as", "clerk", "--reason", "end of shift", "--at", at)
        let nothing = try docket.docket("release", "P1", "--by", "li.wei", "--as", "clerk", "--at", at)
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nobody holds case 'P1'"))
        try docket.ok("fire", "P1", "accept", "--by", "chen.jing", "--as", "clerk", "--at", at)
        // A claim ends when the case moves on: review starts unclaimed.
        #expect(try docket.ok("show", "P1").stdout.contains("held by    nobody"))
    }

    @Test func withADirectoryClaimsNeedTheRoleAndOnlyASupervisorReassignsToStaff() throws {
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("deploy", Repository.shandongDirectory)
        try docket.ok("start", "permit-check", "--case", "R1", "--by", "ma.lin", "--as", "applicant", "--data", "centre=rizhao")
        // A claim is authorized like any command: liu.yang holds no clerk role.
        let noRole = try docket.docket("claim", "R1", "--by", "liu.yang", "--as", "clerk")
        #expect(noRole.status == 1)
        #expect(noRole.stderr.contains("liu.yang holds no clerk role in scope rizhao"))
        try docket.ok("claim", "R1", "--by", "li.wei", "--as", "clerk")
        // Reassigning needs a supervisor grant from the directory.
        let notSupervisor = try docket.docket("reassign", "R1", "--to", "wang.fang", "--by", "wang.fang")
        #expect(notSupervisor.status == 1)
        #expect(notSupervisor.stderr.contains("wang.fang holds no supervisor role in scope rizhao"))
        try docket.ok("directory", "grant", "wang.fang", "--role", "supervisor", "--scope", "rizhao", "--from", "2019-01-01", "--by", "zhang.min")
        let toApplicant = try docket.docket("reassign", "R1", "--to", "huang.tao", "--by", "wang.fang")
        #expect(toApplicant.status == 1)
        #expect(toApplicant.stderr.contains("huang.tao is not a present member of staff"))
        let toLeaver = try docket.docket("reassign", "R1", "--to", "zhou.qiang", "--by", "wang.fang")
        #expect(toLeaver.status == 1)
        try docket.ok("reassign", "R1", "--to", "li.wei", "--by", "wang.fang")  // already li.wei's: nothing new
        try docket.ok("release", "R1", "--by", "wang.fang", "--as", "supervisor", "--reason", "back to the pool")
        #expect(try docket.ok("show", "R1").stdout.contains("held by    nobody"))
        #expect(try docket.ok("verify").status == 0)
    }

    // MARK: Search

    @Test func casesAreFoundByApplicantDataChannelOpeningTimeAndDepartment() throws {
        let docket = try desk()
        func ids(_ arguments: String...) throws -> [String] {
            let result = try docket.ok(["cases"] + arguments + ["--format", "json"])
            return ((try json(result) as? [[String: Any]]) ?? []).compactMap { $0["case_id"] as? String }
        }
        // ma.lin's cases: the one a clerk opened for her, and the one she opened herself.
        #expect(try ids("--applicant", "ma.lin") == ["J1", "P1"])
        #expect(try ids("--applicant", "huang.tao") == ["J2"])
        #expect(try ids("--applicant", "ma.lin", "--workflow", "permit-check", "--state", "approved") == [])
        #expect(try ids("--data", "centre=rizhao") == ["J1"])
        #expect(try ids("--data", "centre=qingdao", "--data", "channel=online") == ["J2"])
        #expect(try ids("--channel", "window") == ["J1"])
        #expect(try ids("--opened-from", "2020-03-02T09:30:00+08:00", "--opened-before", "2020-03-04T00:00:00+08:00") == ["J2"])
        #expect(try ids("--department", "fire") == ["J1", "J2"])
        #expect(try ids("--state", "inspecting") == ["J1", "J2"])
        #expect(try ids("--state", "submitted") == ["P1"])
        #expect(try ids("--workflow", "permit-check", "--open") == ["P1"])
        let department = try docket.docket("cases", "--department", "fyre")
        #expect(department.status == 1)
        #expect(department.stderr.contains("error: no department 'fyre' in any deployed workflow; departments: "))
        let applicant = try docket.docket("cases", "--applicant", "li.wei")
        #expect(applicant.status == 1)
        #expect(applicant.stderr.contains("error: no case has applicant 'li.wei'"))
        let channel = try docket.docket("cases", "--channel", "windwo")
        #expect(channel.stderr == "error: no case was opened on channel 'windwo'; channels: online, window\n")
        let key = try docket.docket("cases", "--data", "center=rizhao")
        #expect(key.stderr == "error: no case was opened with data 'center'; data keys: centre, channel\n")
        let value = try docket.docket("cases", "--data", "centre=rizaho")
        #expect(value.stderr == "error: no case was opened with centre=rizaho; values of centre: qingdao, rizhao\n")
        let bad = try docket.docket("cases", "--data", "centre")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--data 'centre' is not KEY=VALUE"))
    }

    // MARK: Show

    @Test func showGivesTheApplicantWhoActsForThemTheWorkingTimeLeftAndTheDocumentsOwed() throws {
        let docket = try desk()
        let show = try docket.ok("show", "J1", "--now", "2020-03-03T12:00:00+08:00")
        #expect(show.stdout.contains("applicant  ma.lin, opened for them by li.wei"))
        #expect(show.stdout.contains("of working time left"))
        #expect(show.stdout.contains("still owed "))
        #expect(show.stdout.contains("health_report"))
        let late = try docket.ok("show", "J1", "--now", "2020-03-09T12:00:00+08:00", "--format", "json")
        let view = try #require(try json(late) as? [String: Any])
        let desk = try #require(view["desk"] as? [String: Any])
        #expect(desk["applicant"] as? String == "ma.lin")
        #expect(desk["acting_for"] as? String == "li.wei")
        let left = try #require(desk["working_seconds_left"] as? [Any])
        #expect(left.contains { ($0 as? Double).map { $0 < 0 } ?? false })
        #expect(view["overdue"] as? Bool == true)
        let bad = try docket.docket("show", "J1", "--now", "yesterday")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--now 'yesterday' is not an ISO 8601 time"))
    }

    @Test func showGivesTheVoteTallyAndWhoHasVoted() throws {
        let docket = DocketBench()
        try docket.ok("deploy", DocketBench.workflows)
        try docket.ok("start", "expert-review", "--case", "E1", "--by", "ma.lin", "--as", "applicant", "--at", Self.monday)
        try docket.ok("fire", "E1", "accept", "--by", "chen.jing", "--as", "clerk", "--doc", "application_form", "--doc", "technical_dossier",
                      "--at", "2020-03-02T10:00:00+08:00")
        try docket.ok("fire", "E1", "convene_panel", "--by", "chen.jing", "--as", "clerk", "--at", "2020-03-02T11:00:00+08:00")
        try docket.ok("vote", "E1", "approve", "--by", "expert.a", "--as", "expert", "--at", "2020-03-02T12:00:00+08:00")
        try docket.ok("vote", "E1", "reject", "--by", "expert.b", "--as", "expert", "--at", "2020-03-02T13:00:00+08:00")
        let show = try docket.ok("show", "E1", "--now", "2020-03-02T14:00:00+08:00")
        #expect(show.stdout.contains("vote       1 approve, 1 reject (approved at 3, rejected at 3); voted: expert.a approve, expert.b reject; 3 seat(s) still to vote"))
        let view = try #require(try json(try docket.ok("show", "E1", "--format", "json")) as? [String: Any])
        let vote = try #require((view["desk"] as? [String: Any])?["vote"] as? [String: Any])
        #expect(vote["approvals"] as? Int == 1)
        #expect(vote["seats_open"] as? Int == 3)
    }
}
