import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

@Suite struct DeployerTests {
    @Test func theIssueExampleDeploysAndDeployingItAgainChangesNothing() throws {
        let catalog = WorkflowCatalog(store: try SQLiteEventStore(path: temporaryDatabase()))
        let first = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "permit-check.yaml", text: permitCheck)])
        let again = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "permit-check.yaml", text: permitCheck)])
        #expect(first.map(\.isNew) == [true])
        #expect(again.map(\.isNew) == [false])
    }

    @Test func aChangedFileUnderADeployedVersionIsRefusedAndNothingOfTheBatchIsDeployed() throws {
        let store = try SQLiteEventStore(path: temporaryDatabase())
        let catalog = WorkflowCatalog(store: store)
        _ = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "permit-check.yaml", text: permitCheck)])
        let other = permitCheck.replacingOccurrences(of: "workflow: permit-check", with: "workflow: other-check")
        let changed = permitCheck.replacingOccurrences(of: "Simple permit check", with: "Changed title")
        #expect { try Deployer(catalog: catalog).deploy([ArtifactFile(path: "other.yaml", text: other), ArtifactFile(path: "permit-check.yaml", text: changed)]) }
            throws: { ($0 as? StoreError)?.code == .definitionChanged }
        #expect(try store.deployments(.workflow).map(\.id) == ["permit-check"])
    }

    @Test func aWorkflowNamingAnUndeployedCalendarIsRefused() throws {
        let catalog = WorkflowCatalog(store: try SQLiteEventStore(path: temporaryDatabase()))
        let text = permitCheck.replacingOccurrences(of: "title: Simple permit check", with: "title: x\ncalendar: cn-2020")
        #expect { try Deployer(catalog: catalog).deploy([ArtifactFile(path: "p.yaml", text: text)]) }
            throws: { ($0 as? ValidationFailure)?.lines.first?.contains("calendar 'cn-2020'") == true }
    }

    @Test func everyFileInWorkflowsDeploysTogether() throws {
        let cases = try authorityService()
        let ids = Set(try cases.store.deployments(.workflow).map(\.id))
        #expect(ids.isSuperset(of: ["permit-check", "remote-video-inspection", "tolerant-acceptance", "joint-verification", "expert-review"]))
        #expect(try cases.store.deployments(.calendar).map(\.id).contains("cn-2020"))
    }

    @Test func validationReportsEveryProblemOfEveryFile() {
        let bad1 = permitCheck.replacingOccurrences(of: "to: approved", with: "to: aproved")
        let bad2 = "workflow: x\nversion: 1\nroles: [a]\nstates:\n  s: { initial: true, colour: red }\n"
        guard case let .failure(failure) = Deployer.validate([ArtifactFile(path: "one.yaml", text: bad1), ArtifactFile(path: "two.yaml", text: bad2)]) else {
            Issue.record("expected failures")
            return
        }
        #expect(failure.lines.contains { $0.hasPrefix("one.yaml:") && $0.contains("aproved") })
        #expect(failure.lines.contains { $0.hasPrefix("two.yaml:5:") && $0.contains("colour") })
    }

    @Test func anUnknownCalendarIsReportedAtItsValueWithTheNearestKnownOne() throws {
        let text = permitCheck.replacingOccurrences(of: "title: Simple permit check", with: "title: x\ncalendar: cn-202")
        let line = try #require(text.components(separatedBy: "\n").firstIndex(of: "calendar: cn-202")) + 1
        let reference = ArtifactFile(path: "calendars/cn-2020.yaml", text: try String(contentsOf: Repository.calendars.appendingPathComponent("cn-2020.yaml"), encoding: .utf8))
        // Not required (validate with nothing to check against): the name passes.
        #expect(throws: Never.self) { try Deployer.validate([ArtifactFile(path: "p.yaml", text: text)]).get() }
        guard case let .failure(failure) = Deployer.validate(
            [ArtifactFile(path: "p.yaml", text: text)], referenceCalendars: [reference],
            deployedCalendarNames: ["rizhao-2020"], requireCalendars: true) else {
            Issue.record("expected the unknown calendar to be reported")
            return
        }
        #expect(failure.lines == ["p.yaml:\(line):11: error: workflow 'permit-check' names calendar 'cn-202', which is neither deployed nor among the calendar files; did you mean 'cn-2020'? (known calendars: cn-2020, rizhao-2020)"])
        // A reference calendar resolves the name but is not itself returned as a validated file.
        let fixed = text.replacingOccurrences(of: "calendar: cn-202\n", with: "calendar: cn-2020\n")
        let validated = try Deployer.validate([ArtifactFile(path: "p.yaml", text: fixed)], referenceCalendars: [reference], requireCalendars: true).get()
        #expect(validated.map(\.id) == ["permit-check"])
    }

    /// permit-check at `version` with the named rules of `rules` (a subset of two).
    static func permitCheckText(version: Int, rules: [String]) -> String {
        let all = [
            "accepter-may-not-decide": "  - { rule: accepter-may-not-decide, once_fired: accept, may_not_fire: [approve, reject] }",
            "applicant-is-not-staff": "  - { rule: applicant-is-not-staff, applicant: true, may_not_act_as: staff }",
        ]
        var text = permitCheck.replacingOccurrences(of: "version: 1", with: "version: \(version)")
        if !rules.isEmpty { text += "\nseparation_of_duties:\n" + rules.compactMap { all[$0] }.joined(separator: "\n") }
        return text + "\n"
    }

    @Test func aNewVersionDroppingASeparationRuleIsDeployedWithAWarningNamingIt() throws {
        let catalog = WorkflowCatalog(store: try SQLiteEventStore(path: temporaryDatabase()))
        let v1 = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "v1.yaml", text: Self.permitCheckText(version: 1, rules: ["accepter-may-not-decide", "applicant-is-not-staff"]))])
        #expect(v1.flatMap(\.warnings).isEmpty)
        let v2 = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "v2.yaml", text: Self.permitCheckText(version: 2, rules: ["applicant-is-not-staff"]))])
        #expect(v2.map(\.previousVersion) == [1])
        #expect(v2.map(\.droppedRules) == [["accepter-may-not-decide"]])
        #expect(v2.flatMap(\.warnings) == ["workflow 'permit-check' v2 drops separation-of-duties rule 'accepter-may-not-decide' of v1"])
        // Deploying the same version again changes nothing and warns no more.
        let again = try Deployer(catalog: catalog).deploy([ArtifactFile(path: "v2.yaml", text: Self.permitCheckText(version: 2, rules: ["applicant-is-not-staff"]))])
        #expect(again.map(\.isNew) == [false])
        #expect(again.flatMap(\.warnings).isEmpty)
    }

    @Test func versionsDeployedTogetherAreComparedWithTheOneBelowEach() throws {
        let catalog = WorkflowCatalog(store: try SQLiteEventStore(path: temporaryDatabase()))
        let outcomes = try Deployer(catalog: catalog).deploy([
            ArtifactFile(path: "v3.yaml", text: Self.permitCheckText(version: 3, rules: [])),
            ArtifactFile(path: "v1.yaml", text: Self.permitCheckText(version: 1, rules: ["accepter-may-not-decide"])),
            ArtifactFile(path: "v2.yaml", text: Self.permitCheckText(version: 2, rules: ["accepter-may-not-decide", "applicant-is-not-staff"])),
        ])
        #expect(outcomes.map(\.artifact.version) == [3, 1, 2])
        #expect(outcomes.map(\.droppedRules) == [["accepter-may-not-decide", "applicant-is-not-staff"], [], []])
        #expect(outcomes.map(\.previousVersion) == [2, nil, 1])
    }
}
