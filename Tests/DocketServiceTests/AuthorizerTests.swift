import DocketCore
@testable import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// Who may act: the authorizer's allow/deny matrix over the shipped directory
/// (`Directories/shandong.yaml`), checked at the recording time.
@Suite struct AuthorizerTests {
    static let shandong: Directory = {
        let text = try! String(contentsOfFile: Repository.shandongDirectory, encoding: .utf8)
        return try! DirectoryLoader.load(text: text, file: "shandong.yaml")
    }()
    static let permit = try! DefinitionLoader.load(text: permitCheck, file: "permit-check.yaml").get()
    static let expertReview: WorkflowDefinition = {
        let text = try! String(contentsOfFile: Repository.workflow("expert-review.yaml"), encoding: .utf8)
        return try! DefinitionLoader.load(text: text, file: "expert-review.yaml").get()
    }()

    static let operatorPrincipal = Principal(method: .operatingSystem, id: "root")
    static func jwt(_ id: String) -> Principal { Principal(method: .jwt, id: id) }

    /// An authorizer with the shipped directory (and `changes`) in force at noon, Shanghai, on `date`.
    static func authorizer(on date: String = "2020-02-12", changes: [DirectoryChange] = []) -> Authorizer {
        var state = DirectoryState(shandong)
        let now = at("\(date)T12:00:00+08:00")
        for change in changes { state.apply(try! state.decide(change, actor: "zhang.min", at: now)) }
        return Authorizer(directory: state, now: now)
    }

    static let rizhaoCase = CaseSubject(caseID: "C-1", scope: "rizhao", applicant: "ma.lin", channel: "window")
    static let qingdaoCase = CaseSubject(caseID: "C-2", scope: "qingdao", applicant: "ma.lin", channel: "window")
    static let onlineCase = CaseSubject(caseID: "C-3", scope: "rizhao.licensing", applicant: "ma.lin", channel: "online")

    func denial(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> AccessDenied? {
        do {
            try body()
            Issue.record("expected a refusal", sourceLocation: sourceLocation)
            return nil
        } catch let error as AccessDenied {
            #expect(error.kind == .forbidden || error.code == .scopeMissing, sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected AccessDenied, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: Roles in scopes

    @Test func aRoleHeldInTheCasesScopeOrAboveIsAllowed() throws {
        let authorizer = Self.authorizer()
        try authorizer.authorize(Self.operatorPrincipal, CaseAct(actor: "li.wei", role: "clerk"), on: Self.rizhaoCase, definition: Self.permit)
        try authorizer.authorize(Self.operatorPrincipal, CaseAct(actor: "wang.fang", role: "approver"), on: Self.onlineCase, definition: Self.permit)
        try authorizer.authorize(Self.jwt("li.wei"), CaseAct(actor: "li.wei", role: "clerk"), on: Self.rizhaoCase, definition: Self.permit)
    }

    @Test func aRoleNotHeldIsRefusedNamingTheMissingGrantAndWhatIsHeld() {
        let denied = denial { try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "li.wei", role: "approver"), on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.code == .roleNotHeld)
        #expect(denied?.description == "li.wei holds no approver role in scope rizhao on 2020-02-12; held: clerk in rizhao")
    }

    @Test func aRoleHeldInAnotherScopeIsRefused() {
        let denied = denial { try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "wang.fang", role: "approver"), on: Self.qingdaoCase, definition: Self.permit) }
        #expect(denied?.code == .roleNotHeld)
    }

    @Test func anExpiredGrantIsRefused() throws {
        let expert = CaseAct(actor: "sun.li", role: "expert")
        try Self.authorizer(on: "2021-12-31").authorize(Self.operatorPrincipal, expert, on: Self.qingdaoCase, definition: Self.expertReview)
        let denied = denial { try Self.authorizer(on: "2022-01-01").authorize(Self.operatorPrincipal, expert, on: Self.qingdaoCase, definition: Self.expertReview) }
        #expect(denied?.code == .roleNotHeld)
    }

    @Test func aRevokedGrantIsRefusedFromTheRevocationOn() throws {
        let revoke = DirectoryChange.revoke(person: "wang.fang", role: "approver", scope: "rizhao", from: CalendarDate(parsing: "2020-02-12")!)
        let approve = CaseAct(actor: "wang.fang", role: "approver")
        try Self.authorizer(on: "2020-02-11", changes: [revoke]).authorize(Self.operatorPrincipal, approve, on: Self.rizhaoCase, definition: Self.permit)
        let denied = denial { try Self.authorizer(on: "2020-02-12", changes: [revoke]).authorize(Self.operatorPrincipal, approve, on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.description == "wang.fang holds no approver role in scope rizhao on 2020-02-12; held: reviewer in rizhao, analyst in rizhao")
    }

    @Test func aPersonWhoHasLeftIsRefused() throws {
        let approve = CaseAct(actor: "zhou.qiang", role: "approver")
        try Self.authorizer(on: "2020-06-29").authorize(Self.operatorPrincipal, approve, on: Self.rizhaoCase, definition: Self.permit)
        let denied = denial { try Self.authorizer(on: "2020-06-30").authorize(Self.operatorPrincipal, approve, on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.code == .personLeft)
    }

    @Test func anUnknownPersonIsRefusedWithASuggestion() {
        let denied = denial { try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "li.wie", role: "clerk"), on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.code == .unknownPerson)
        #expect(denied?.description.contains("did you mean 'li.wei'?") == true)
    }

    @Test func aSignedInPersonActsOnlyAsThemselves() {
        let denied = denial { try Self.authorizer().authorize(Self.jwt("li.wei"), CaseAct(actor: "wang.fang", role: "approver"), on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.code == .actorMismatch)
    }

    @Test func aCaseWithoutAUnitOfTheDirectoryIsRefusedAtOpening() {
        let subject = CaseSubject(caseID: "C-9", actor: "ma.lin", role: "applicant", onBehalfOf: nil, data: ["centre": "rizao"])
        let denied = denial { try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "ma.lin", role: "applicant", isOpening: true), on: subject, definition: Self.permit) }
        #expect(denied?.code == .scopeMissing)
        #expect(denied?.kind == .invalidInput)
        #expect(denied?.description.contains("did you mean 'rizhao'?") == true)
    }

    // MARK: Applicants and acting for them

    @Test func onlyTheCasesApplicantActsAsApplicant() throws {
        try Self.authorizer().authorize(Self.jwt("ma.lin"), CaseAct(actor: "ma.lin", role: "applicant"), on: Self.rizhaoCase, definition: Self.permit)
        let denied = denial { try Self.authorizer().authorize(Self.jwt("huang.tao"), CaseAct(actor: "huang.tao", role: "applicant"), on: Self.rizhaoCase, definition: Self.permit) }
        #expect(denied?.code == .notTheApplicant)
    }

    @Test func actingForSomeoneOnlyWhereTheDefinitionAllowsAndOnlyForTheCasesApplicant() throws {
        let clerkFor = { (who: String) in CaseAct(actor: "chen.jing", role: "clerk", onBehalfOf: who) }
        try Self.authorizer().authorize(Self.operatorPrincipal, clerkFor("ma.lin"), on: Self.qingdaoCase, definition: Self.expertReview)
        let notTheApplicant = denial { try Self.authorizer().authorize(Self.operatorPrincipal, clerkFor("huang.tao"), on: Self.qingdaoCase, definition: Self.expertReview) }
        #expect(notTheApplicant?.code == .proxyNotAllowed)
        let notAllowed = denial { try Self.authorizer().authorize(Self.operatorPrincipal, clerkFor("ma.lin"), on: Self.qingdaoCase, definition: Self.permit) }
        #expect(notAllowed?.code == .proxyNotAllowed)
        // A secretary records the vote of an expert who holds the role in the case's scope.
        try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "chen.jing", role: "secretary", onBehalfOf: "sun.li"), on: Self.qingdaoCase, definition: Self.expertReview)
    }

    @Test func thePortalActsForApplicantsOnTheOnlineChannelOnly() throws {
        let portal = Principal(method: .apiToken, id: "portal")
        try Self.authorizer().authorize(portal, CaseAct(actor: "ma.lin", role: "applicant"), on: Self.onlineCase, definition: Self.permit)
        let opening = CaseSubject(caseID: "C-4", actor: "huang.tao", role: "applicant", onBehalfOf: nil, data: ["centre": "qingdao", "channel": "online"])
        try Self.authorizer().authorize(portal, CaseAct(actor: "huang.tao", role: "applicant", isOpening: true), on: opening, definition: Self.permit)
        #expect(denial { try Self.authorizer().authorize(portal, CaseAct(actor: "ma.lin", role: "applicant"), on: Self.rizhaoCase, definition: Self.permit) }?.code == .serviceNotAllowed)
        #expect(denial { try Self.authorizer().authorize(portal, CaseAct(actor: "li.wei", role: "clerk"), on: Self.onlineCase, definition: Self.permit) }?.code == .serviceNotAllowed)
        #expect(denial { try Self.authorizer().authorize(Self.operatorPrincipal, CaseAct(actor: "portal", role: "applicant"), on: Self.onlineCase, definition: Self.permit) }?.code == .actorMismatch)
    }

    // MARK: Administration

    @Test func administrativeCommandsNeedAnAdministeringRole() throws {
        let authorizer = Self.authorizer()
        try authorizer.authorize(Self.operatorPrincipal, administer: .deployer, by: "zhang.min")
        try authorizer.authorize(Self.operatorPrincipal, administer: .directoryAdmin, by: "zhang.min", in: "rizhao")
        try authorizer.authorize(Self.jwt("zhang.min"), administer: .directoryAdmin, by: nil)
        #expect(denial { try authorizer.authorize(Self.operatorPrincipal, administer: .deployer, by: nil) }?.code == .administratorMissing)
        #expect(denial { try authorizer.authorize(Self.operatorPrincipal, administer: .deployer, by: "li.wei") }?.description
            == "li.wei holds no deployer role in scope shandong on 2020-02-12; held: clerk in rizhao")
        #expect(denial { try authorizer.authorize(Self.jwt("li.wei"), administer: .directoryAdmin, by: "zhang.min") }?.code == .actorMismatch)
    }

    @Test func theFirstDirectoryIsDeployedByTheOperatorOnly() throws {
        let none = Authorizer(directory: nil, now: at("2020-02-12T12:00:00+08:00"))
        try none.authorizeFirstDirectory(Self.operatorPrincipal)
        #expect(throws: AccessDenied.self) { try none.authorizeFirstDirectory(Self.jwt("zhang.min")) }
    }

    @Test func withoutADirectoryEverythingIsAllowedAsBefore() throws {
        let none = Authorizer(directory: nil, now: at("2020-02-12T12:00:00+08:00"))
        try none.authorize(Self.jwt("anyone"), CaseAct(actor: "someone.else", role: "approver"), on: Self.rizhaoCase, definition: Self.permit)
        try none.authorize(Self.operatorPrincipal, administer: .deployer, by: nil)
        #expect(none.mayRead(Self.jwt("anyone"), Self.rizhaoCase))
    }

    // MARK: Reads

    @Test func readsFollowTheApplicantTheScopeAndTheAuditorAndAnalystRoles() {
        let authorizer = Self.authorizer()
        #expect(authorizer.mayRead(Self.jwt("ma.lin"), Self.rizhaoCase))
        #expect(!authorizer.mayRead(Self.jwt("huang.tao"), Self.rizhaoCase))
        #expect(authorizer.mayRead(Self.jwt("li.wei"), Self.onlineCase))  // rizhao covers rizhao.licensing
        #expect(!authorizer.mayRead(Self.jwt("li.wei"), Self.qingdaoCase))
        #expect(authorizer.mayRead(Self.jwt("zhang.min"), Self.qingdaoCase))  // auditor
        // The portal: the cases it acted on for its applicants, not every online case.
        var viaPortal = Self.onlineCase
        viaPortal.actedBy = ["portal", "li.wei"]
        #expect(authorizer.mayRead(Principal(method: .apiToken, id: "portal"), viaPortal))
        #expect(!authorizer.mayRead(Principal(method: .apiToken, id: "portal"), Self.onlineCase))
        #expect(!authorizer.mayRead(Principal(method: .apiToken, id: "portal"), Self.rizhaoCase))
        #expect(authorizer.mayReadReports(Self.jwt("wang.fang")))
        #expect(!authorizer.mayReadReports(Self.jwt("li.wei")))
        #expect(authorizer.mayReadWholeLog(Self.jwt("zhang.min")))
        #expect(!authorizer.mayReadWholeLog(Self.jwt("wang.fang")))
    }
}

extension AuthorizerTests {
    @Test func aCaseOpenedBeforeTheDirectoryBelongsToTheRootUnit() throws {
        let old = CaseSubject(caseID: "C-0", scope: nil, applicant: "ma.lin", channel: nil)
        let authorizer = Self.authorizer()
        #expect(denial { try authorizer.authorize(Self.operatorPrincipal, CaseAct(actor: "li.wei", role: "clerk"), on: old, definition: Self.permit) }?.description
            == "li.wei holds no clerk role in scope shandong on 2020-02-12; held: clerk in rizhao")
        try authorizer.authorize(Self.operatorPrincipal, CaseAct(actor: "ma.lin", role: "applicant"), on: old, definition: Self.permit)
    }
}
