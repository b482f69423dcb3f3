import DocketCore
import DocketService
import DocketStore
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
}
