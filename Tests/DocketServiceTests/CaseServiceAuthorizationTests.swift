import DocketCore
@testable import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Authorization wired into `CaseService`: every command is checked with the principal and the
/// directory in force at the recording time (the clock), before anything is decided or appended.
@Suite struct CaseServiceAuthorizationTests {
    let clock = ManualWallClock(at("2020-02-12T10:00:00+08:00"))
    let cases: CaseService
    let directories: DirectoryService

    init() throws {
        let catalog = WorkflowCatalog(store: InMemoryEventStore(clock: clock))
        let files = try ArtifactFile.expand([workflowsFolder]).map { try ArtifactFile(path: $0) }
            + [try ArtifactFile(path: Repository.shandongDirectory)]
        try Deployer(catalog: catalog, clock: clock).deploy(files)
        cases = CaseService(catalog: catalog, clock: clock)
        directories = DirectoryService(catalog: catalog, clock: clock)
    }

    static func jwt(_ id: String) -> Principal { Principal(method: .jwt, id: id) }

    func events(_ caseID: String) throws -> Int { try cases.store.events(of: caseID).count }

    @Test func aSignedInClerkActsInTheirRoleAndIsRefusedAnotherWithNothingAppended() throws {
        try cases.open(workflowID: "permit-check", caseID: "C-1", actor: "ma.lin", role: "applicant",
                       data: ["centre": "rizhao"], principal: Self.jwt("ma.lin"))
        let accepted = try cases.fire(caseID: "C-1", event: "accept", actor: "li.wei", role: "clerk", principal: Self.jwt("li.wei"))
        #expect(accepted.recorded.first?.principal?.recorded == "jwt:li.wei")
        #expect(throws: AccessDenied.self) {
            try cases.fire(caseID: "C-1", event: "approve", actor: "li.wei", role: "approver", documents: ["site_photos"], principal: Self.jwt("li.wei"))
        }
        #expect(throws: AccessDenied.self) {
            try cases.fire(caseID: "C-1", event: "approve", actor: "wang.fang", role: "approver", documents: ["site_photos"], principal: Self.jwt("li.wei"))
        }
        #expect(try events("C-1") == 2)
        try cases.fire(caseID: "C-1", event: "approve", actor: "wang.fang", role: "approver", documents: ["site_photos"], principal: Self.jwt("wang.fang"))
    }

    @Test func grantsAreCheckedAtTheRecordingTimeNotTheBusinessTime() throws {
        // Back-filled to before li.wei's grant (from 2019-03-01): recorded now, when he holds it.
        try cases.open(workflowID: "permit-check", caseID: "C-2", actor: "ma.lin", role: "applicant",
                       data: ["centre": "rizhao"], at: at("2019-01-15T09:00:00+08:00"))
        try cases.fire(caseID: "C-2", event: "accept", actor: "li.wei", role: "clerk", at: at("2019-01-20T09:00:00+08:00"))
        // zhou.qiang approved until 2020-06-29; recorded on 1 July, a March business time does not help.
        clock.set(at("2020-07-01T10:00:00+08:00"))
        do {
            try cases.fire(caseID: "C-2", event: "approve", actor: "zhou.qiang", role: "approver", documents: ["site_photos"],
                           at: at("2020-03-01T09:00:00+08:00"))
            Issue.record("someone who left approved")
        } catch let denied as AccessDenied {
            #expect(denied.code == .personLeft)
        }
        #expect(try events("C-2") == 2)
    }

    @Test func thePortalOpensOnlineCasesForApplicantsOnly() throws {
        let portal = Principal(method: .apiToken, id: "portal")
        let opened = try cases.open(workflowID: "permit-check", caseID: "C-3", actor: "huang.tao", role: "applicant",
                                    data: ["centre": "qingdao", "channel": "online"], principal: portal)
        #expect(opened.recorded.first?.principal?.recorded == "api_token:portal")
        #expect(throws: AccessDenied.self) {
            try cases.open(workflowID: "permit-check", caseID: "C-4", actor: "huang.tao", role: "applicant",
                           data: ["centre": "qingdao", "channel": "window"], principal: portal)
        }
        #expect(try events("C-4") == 0)
    }

    @Test func directoryChangesNeedDirectoryAdminAndTakeEffectAtOnce() throws {
        try cases.open(workflowID: "permit-check", caseID: "C-5", actor: "ma.lin", role: "applicant", data: ["centre": "rizhao"])
        try cases.fire(caseID: "C-5", event: "accept", actor: "li.wei", role: "clerk")
        let grant = DirectoryChange.grant(person: "liu.yang", role: "approver", scope: "rizhao", from: nil, until: nil)
        #expect(throws: AccessDenied.self) { try directories.change(grant, principal: Self.jwt("li.wei"), by: nil) }
        #expect(throws: AccessDenied.self) {
            try cases.fire(caseID: "C-5", event: "approve", actor: "liu.yang", role: "approver", documents: ["site_photos"])
        }
        let recorded = try directories.change(grant, principal: Self.jwt("zhang.min"), by: nil)
        #expect(recorded.caseID == "@directory:shandong" && recorded.actor == "zhang.min" && recorded.principal?.recorded == "jwt:zhang.min")
        try cases.fire(caseID: "C-5", event: "approve", actor: "liu.yang", role: "approver", documents: ["site_photos"])
        #expect(try cases.store.cases(workflowID: nil).map(\.caseID) == ["C-5"])
    }

    @Test func reservedCaseIdsAreRefused() {
        #expect(throws: ServiceError.self) {
            try cases.open(workflowID: "permit-check", caseID: "@directory:shandong", actor: "ma.lin", role: "applicant", data: ["centre": "rizhao"])
        }
    }
}
