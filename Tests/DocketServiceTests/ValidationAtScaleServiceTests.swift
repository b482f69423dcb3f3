import DocketCore
import DocketService
import DocketStore
import DocketSynthetic
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// A command's cost does not grow with its workflow's size (issue 16): a definition is validated
/// once, when it is deployed; a command loads the deployed text (its hash checked) without running
/// the whole-graph checks again.
@Suite struct ValidationAtScaleServiceTests {
    static let at = Timestamp(seconds: 1_580_691_600)  // 2020-02-03 09:00 +08:00

    func deployed(_ text: String, store: any EventStore = InMemoryEventStore()) throws -> CaseService {
        let catalog = WorkflowCatalog(store: store)
        try Deployer(catalog: catalog).deploy([ArtifactFile(path: "synthetic.yaml", text: text)])
        return CaseService(catalog: WorkflowCatalog(store: store))
    }

    @Test func commandsOnAWorkflowOfThousandsOfStatesMoveTheCase() throws {
        let service = try deployed(SyntheticWorkflow.yaml(states: 3_000))
        try service.open(workflowID: "synthetic", caseID: "S-1", actor: "ann", role: "applicant", at: Self.at)
        for step in 1...10 {
            let outcome = try service.fire(caseID: "S-1", event: "advance", actor: "bo", role: "clerk", at: Self.at.adding(seconds: Int64(60 * step)))
            #expect(outcome.state.current.state == SyntheticWorkflow.state(step))
        }
        let back = try service.fire(caseID: "S-1", event: "send_back", actor: "cy", role: "approver", reason: "stamp missing",
                                    at: Self.at.adding(seconds: 3_600))
        #expect(back.state.current.state == SyntheticWorkflow.state(5))
        #expect(back.state.sendBackRounds == 1)
        // An event the state does not have is still refused: the definition is the real one.
        #expect(throws: Refusal.self) {
            try service.fire(caseID: "S-1", event: "reject", actor: "cy", role: "approver", reason: "no", at: Self.at.adding(seconds: 3_700))
        }
    }

    /// The checks ran at deploy: the command path loads the deployed text without them. A text put
    /// in the store without `deploy` (here one with a state nothing reaches) shows it: the
    /// deployer refuses it, a command uses it.
    @Test func theCommandPathDoesNotValidateAgain() throws {
        let text = SyntheticWorkflow.yaml(states: 20, plant: .unreachableState(after: 3))
        guard case let .failure(failure) = Deployer.validate([ArtifactFile(path: "synthetic.yaml", text: text)]) else {
            Issue.record("the planted problem was not found")
            return
        }
        #expect(failure.lines.contains { $0.contains("no transition reaches state 'orphan'") })
        let store = InMemoryEventStore()
        try store.deploy(.workflow, id: "synthetic", version: 1, content: text)
        let service = CaseService(catalog: WorkflowCatalog(store: store))
        try service.open(workflowID: "synthetic", caseID: "S-2", actor: "ann", role: "applicant", at: Self.at)
        let outcome = try service.fire(caseID: "S-2", event: "advance", actor: "bo", role: "clerk", at: Self.at.adding(seconds: 60))
        #expect(outcome.state.current.state == "s00001")
        #expect(outcome.definition.states.count == 24)
    }

    /// What the parser itself refuses (the text's shape) still makes a deployment unusable.
    @Test func aDeployedTextThatNoLongerParsesIsRefused() throws {
        let store = InMemoryEventStore()
        try store.deploy(.workflow, id: "broken", version: 1, content: "workflow: broken\nversion: 1\nroles: [clerk]\nstates: [oops]\ntransitions: []\n")
        #expect {
            try WorkflowCatalog(store: store).definition("broken")
        } throws: { error in
            (error as? ServiceError)?.code == .invalidDeployment && "\(error)".contains("no longer loads")
        }
    }

    /// A deployed text changed behind Docket's back is refused by its hash, before it is parsed.
    @Test func aTamperedDeploymentDecidesNothing() throws {
        try withTemporaryDirectory("validation-scale") { directory in
            let path = directory.path("log.sqlite")
            let service = try deployed(SyntheticWorkflow.yaml(states: 200), store: try SQLiteEventStore(path: path))
            try service.open(workflowID: "synthetic", caseID: "S-3", actor: "ann", role: "applicant", at: Self.at)
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "DROP TRIGGER definitions_refuse_update")
                // Still a valid definition: only the hash can tell.
                try db.execute(sql: "UPDATE definitions SET content = replace(content, 'roles: [approver], sends_back', 'roles: [clerk], sends_back')")
            }
            try queue.close()
            let fresh = CaseService(catalog: WorkflowCatalog(store: try SQLiteEventStore(path: path)))
            #expect {
                try fresh.fire(caseID: "S-3", event: "advance", actor: "bo", role: "clerk", at: Self.at.adding(seconds: 60))
            } throws: { error in
                (error as? ServiceError)?.code == .invalidDeployment && "\(error)".contains("does not match the hash")
            }
        }
    }
}
