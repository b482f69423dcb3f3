import DocketTestSupport
import Foundation
import Testing

/// Only the roles a workflow declares for an event may fire it, and only the roles its
/// `assisted_handling` names may act for someone else, for the roles named there. Every refusal
/// exits 1, says who may, and appends nothing.
@Suite("Reliability: authorisation through the CLI", .requires(.sqlite3))
struct ReliabilityAuthorisationTests {
    /// Expects `docket arguments` to be refused with a message containing `reason`, appending nothing.
    func expectRefused(_ bench: DocketBench, _ arguments: [String], _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try bench.eventCount()
        let result = try bench.docket(arguments)
        #expect(result.status == 1, "\(arguments.joined(separator: " "))", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(reason), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(try bench.eventCount() == before, sourceLocation: sourceLocation)
    }

    /// A time while `Q-1`'s panel sits (its 3 working days run from 10 February 2020).
    let panelTime = "2020-02-10T15:00:00+08:00"

    /// The authority's flows, with expert review `Q-1` in panel review.
    func panel() throws -> DocketBench { try DocketBench.panelInSession.get().copy() }

    @Test func aRoleTheWorkflowDoesNotDeclareIsRefused() throws {
        let bench = try panel()
        try expectRefused(bench, ["start", "expert-review", "--case", "Q-2", "--by", "x", "--as", "janitor"],
                          "role 'janitor' is not declared in workflow 'expert-review'")
        try expectRefused(bench, ["vote", "Q-1", "approve", "--by", "x", "--as", "Expert", "--at", panelTime], "role 'Expert' is not declared")
    }

    @Test func aDeclaredRoleMayFireOnlyTheEventsDeclaredForIt() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try expectRefused(bench, ["fire", "P1", "accept", "--by", "carol", "--as", "approver"],
                          "role 'approver' may not fire 'accept'; it may be fired by: clerk")
        try expectRefused(bench, ["fire", "P1", "accept", "--by", "alice", "--as", "applicant"], "it may be fired by: clerk")
    }

    @Test func eventsOnlyDocketFiresAreRefusedToEveryRole() throws {
        let bench = try panel()
        try expectRefused(bench, ["fire", "Q-1", "panel_approved", "--by", "clerk-wang", "--as", "clerk", "--at", panelTime], "only Docket fires it")
    }

    @Test func aVoteIsCastOnlyByTheVotingRole() throws {
        let bench = try panel()
        try expectRefused(bench, ["vote", "Q-1", "approve", "--by", "approver-chen", "--as", "approver", "--at", panelTime],
                          "is cast by role 'expert', not 'approver'")
    }

    @Test func actingForOthersInAWorkflowWithoutAssistedHandlingIsRefused() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try expectRefused(bench, ["fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--on-behalf-of", "dan"],
                          "role 'clerk' may not act on behalf of others; this workflow allows no assisted handling")
    }

    @Test func aRoleMayActOnlyForTheRolesAssistedHandlingNames() throws {
        let bench = try panel()
        // The approver may act for no one.
        try expectRefused(bench, ["vote", "Q-1", "approve", "--by", "approver-chen", "--as", "approver", "--on-behalf-of", "expert-li", "--at", panelTime],
                          "role 'approver' may not act on behalf of others; assisted handling allows: clerk for applicant; secretary for expert")
        // The clerk may act for applicants, not for experts.
        try expectRefused(bench, ["vote", "Q-1", "approve", "--by", "clerk-wang", "--as", "clerk", "--on-behalf-of", "expert-li", "--at", panelTime],
                          "is cast by role 'expert', not 'clerk'")
        // The secretary records a vote only for someone: alone, a secretary is not an expert.
        try expectRefused(bench, ["vote", "Q-1", "approve", "--by", "secretary-zhou", "--as", "secretary", "--at", panelTime],
                          "is cast by role 'expert', not 'secretary'")
    }

    @Test func aDeclaredProxyIsRecordedWithWhoActedAndForWhom() throws {
        let bench = try panel()
        try bench.ok("vote", "Q-1", "approve", "--by", "secretary-zhou", "--as", "secretary", "--on-behalf-of", "expert-qian", "--at", panelTime)
        #expect(try bench.sqlite("SELECT actor || '|' || role || '|' || on_behalf_of FROM events WHERE type = 'vote_cast'")
            == "secretary-zhou|secretary|expert-qian")
        // The member the secretary voted for has voted: neither may vote for them again.
        try expectRefused(bench, ["vote", "Q-1", "reject", "--by", "expert-qian", "--as", "expert", "--at", panelTime], "'expert-qian' already voted approve")
        try expectRefused(bench, ["vote", "Q-1", "reject", "--by", "secretary-wu", "--as", "secretary", "--on-behalf-of", "expert-qian", "--at", panelTime],
                          "'expert-qian' already voted approve")
    }

    @Test func aClerkMayWithdrawAnApplicationForTheApplicant() throws {
        let bench = try DocketBench.workflowsDeployed.get().copy()
        try bench.ok("start", "expert-review", "--case", "Q-2", "--by", "clerk-wang", "--as", "clerk", "--on-behalf-of", "applicant-7")
        try expectRefused(bench, ["fire", "Q-2", "withdraw", "--by", "clerk-wang", "--as", "clerk"], "give on-behalf-of")
        try bench.ok("fire", "Q-2", "withdraw", "--by", "clerk-wang", "--as", "clerk", "--on-behalf-of", "applicant-7")
        #expect(try bench.sqlite("SELECT on_behalf_of FROM events WHERE case_id = 'Q-2' ORDER BY version") == "applicant-7\napplicant-7")
    }
}
