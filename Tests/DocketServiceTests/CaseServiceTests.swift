import DocketCore
import DocketService
import DocketStore
import Foundation
import Testing

@Suite struct CaseServiceTests {
    @Test func aCaseDrivenToApprovalHasItsWholeHistoryInTheLog() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        _ = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk")
        let done = try cases.fire(caseID: "P1", event: "approve", actor: "carol", role: "approver", documents: ["site_photos"])
        #expect(done.state.outcome == "approved")
        let events = try cases.store.events(of: "P1")
        #expect(events.map(\.event.type) == [.caseOpened, .transitionFired, .transitionFired])
        #expect(events.map(\.event.actor) == ["alice", "bob", "carol"])
    }

    @Test func approvingWithoutTheRequiredDocumentIsRefusedAndAppendsNothing() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        _ = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk")
        #expect {
            try cases.fire(caseID: "P1", event: "approve", actor: "carol", role: "approver")
        } throws: { ($0 as? Refusal)?.code == .documentsMissing && ($0 as? Refusal)?.missingDocuments == ["site_photos"] }
        #expect(try cases.store.header(of: "P1")?.version == 2)
    }

    @Test func theWrongRoleIsRefusedAndAppendsNothing() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        #expect {
            try cases.fire(caseID: "P1", event: "accept", actor: "carol", role: "approver")
        } throws: { ($0 as? Refusal)?.code == .roleNotAllowed }
        #expect(try cases.store.header(of: "P1")?.version == 1)
    }

    @Test func aStaleWriterGetsAConflictAndAppendsNothing() throws {
        let path = temporaryDatabase()
        let cases = try service(path: path)
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        let stale = try cases.load("P1")
        _ = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk")
        let events = try Engine.decide(stale.state, .fire(FireEvent(caseID: "P1", event: "accept", actor: "dan", role: "clerk", at: at("2020-02-10T10:00:00+08:00"))), stale.context)
        let other = try SQLiteEventStore(path: path)
        #expect { try other.append(events, to: "P1", expectedVersion: stale.state.version, idempotency: nil) }
            throws: { ($0 as? StoreError)?.code == .conflict }
        #expect(try other.events(of: "P1").count == 2)
    }

    @Test func racingWritersOnOneFileLetExactlyOneAcceptWin() throws {
        let path = temporaryDatabase()
        let opener = try service(path: path)
        _ = try opener.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        let results = Mutex<[Result<Int, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            let result = Result {
                let cases = CaseService(catalog: WorkflowCatalog(store: try SQLiteEventStore(path: path)))
                return try cases.fire(caseID: "P1", event: "accept", actor: "clerk-\(i)", role: "clerk", retries: 20).recorded.count
            }
            results.withLock { $0.append(result) }
        }
        let all = results.withLock { $0 }
        #expect(all.filter { (try? $0.get()) != nil }.count == 1)
        // Every loser re-read the case and was refused by the engine: accept is no longer allowed.
        #expect(all.allSatisfy { r in
            if case let .failure(e) = r { return (e as? Refusal)?.code == .eventNotAllowed } else { return true }
        })
        let store = try SQLiteEventStore(path: path)
        #expect(try store.events(of: "P1").map(\.version) == [1, 2])
        #expect(try store.verify().isOK)
    }

    @Test func aRetriedCommandWithTheSameKeyReturnsTheFirstResultAndAppendsNothing() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        let first = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk", idempotencyKey: "k-1")
        let retry = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk", idempotencyKey: "k-1")
        #expect(!first.isReplay)
        #expect(retry.isReplay)
        #expect(retry.recorded == first.recorded)
        #expect(try cases.store.events(of: "P1").count == 2)
    }

    @Test func theSameKeyForAnotherCommandIsRefused() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        _ = try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: "clerk", idempotencyKey: "k-1")
        #expect { try cases.fire(caseID: "P1", event: "reject", actor: "carol", role: "approver", idempotencyKey: "k-1") }
            throws: { ($0 as? StoreError)?.code == .idempotencyKeyReused }
        #expect(try cases.store.events(of: "P1").count == 2)
    }

    @Test func runningCasesStayOnTheVersionTheyStartedOn() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "OLD", actor: "alice", role: "applicant")
        let v2 = permitCheck.replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "requires: [site_photos]", with: "requires: [site_photos, fire_certificate]")
        _ = try Deployer(catalog: cases.catalog).deploy([ArtifactFile(path: "v2.yaml", text: v2)])
        let new = try cases.open(workflowID: "permit-check", caseID: "NEW", actor: "alice", role: "applicant")
        #expect(new.state.workflowVersion == 2)
        _ = try cases.fire(caseID: "OLD", event: "accept", actor: "bob", role: "clerk")
        let old = try cases.fire(caseID: "OLD", event: "approve", actor: "carol", role: "approver", documents: ["site_photos"])
        #expect(old.state.workflowVersion == 1)
        #expect(old.state.outcome == "approved")
        let pinned = try cases.open(workflowID: "permit-check", version: 1, caseID: "PINNED", actor: "alice", role: "applicant")
        #expect(pinned.state.workflowVersion == 1)
    }

    @Test func tickingTwiceRecordsEachBreachOnce() throws {
        let cases = try authorityService(clock: backFillingClock())
        _ = try cases.open(workflowID: "tolerant-acceptance", caseID: "TA", actor: "a", role: "applicant", at: at("2020-02-17T10:00:00+08:00"))
        _ = try cases.fire(caseID: "TA", event: "accept_on_commitment", actor: "c", role: "clerk",
                           documents: ["application_form", "main_materials", "commitment_letter"], at: at("2020-02-17T10:30:00+08:00"))
        let first = try cases.tick(caseID: "TA", now: at("2020-03-02T09:00:00+08:00"))
        let second = try cases.tick(caseID: "TA", now: at("2020-03-02T09:00:00+08:00"))
        #expect(first.recorded.contains { $0.event.type == .deadlineBreached })
        #expect(first.state.outcome == "revoked")
        #expect(second.recorded.isEmpty)
    }

    /// Tolerant acceptances accepted on commitment on 17 February whose materials never came:
    /// by 2 March each commitment has lapsed.
    func lapsedCommitments(_ count: Int) throws -> CaseService {
        let cases = try authorityService(clock: backFillingClock())
        for n in 0..<count {
            let id = "TA-\(n)"
            _ = try cases.open(workflowID: "tolerant-acceptance", caseID: id, actor: "a", role: "applicant", at: at("2020-02-17T10:00:00+08:00"))
            _ = try cases.fire(caseID: id, event: "accept_on_commitment", actor: "c", role: "clerk",
                               documents: ["application_form", "main_materials", "commitment_letter"], at: at("2020-02-17T10:30:00+08:00"))
        }
        return cases
    }

    /// More cases than one transaction takes: every breach is recorded, once, in the cases' order.
    @Test func tickingManyCasesRecordsEveryBreachOnceInBatches() throws {
        let count = CaseService.tickBatchSize + 3
        let cases = try lapsedCommitments(count)
        let ids = (0..<count).map { "TA-\($0)" }
        let first = try cases.tick(caseIDs: ids, now: at("2020-03-02T09:00:00+08:00"))
        #expect(first.map(\.caseID) == ids)
        #expect(first.allSatisfy { $0.state.outcome == "revoked" })
        #expect(try cases.tick(caseIDs: ids, now: at("2020-03-02T09:00:00+08:00")).isEmpty)
        let breaches = try ids.map { id in try cases.store.events(of: id).filter { $0.event.type == .deadlineBreached }.count }
        #expect(breaches.allSatisfy { $0 == 1 })
    }

    /// A case changed since its batch read it (here: the same case twice in one batch, so its
    /// second append expects the version the first one moved past) writes nothing of the batch;
    /// its cases are ticked again one by one and the breach is recorded once.
    @Test func aBatchWithAStaleCaseIsTickedAgainCaseByCase() throws {
        let cases = try lapsedCommitments(2)
        let outcomes = try cases.tick(caseIDs: ["TA-0", "TA-1", "TA-0"], now: at("2020-03-02T09:00:00+08:00"))
        #expect(outcomes.map(\.caseID) == ["TA-0", "TA-1"])
        for id in ["TA-0", "TA-1"] {
            #expect(try cases.store.events(of: id).filter { $0.event.type == .deadlineBreached }.count == 1)
        }
    }

    @Test func racingTicksRecordTheBreachOnce() throws {
        let path = temporaryDatabase()
        let cases = try authorityService(path: path, clock: backFillingClock())
        _ = try cases.open(workflowID: "tolerant-acceptance", caseID: "TA", actor: "a", role: "applicant", at: at("2020-02-17T10:00:00+08:00"))
        _ = try cases.fire(caseID: "TA", event: "accept_on_commitment", actor: "c", role: "clerk",
                           documents: ["application_form", "main_materials", "commitment_letter"], at: at("2020-02-17T10:30:00+08:00"))
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let racer = try? CaseService(catalog: WorkflowCatalog(store: SQLiteEventStore(path: path)))
            _ = try? racer?.tick(caseID: "TA", now: at("2020-03-02T09:00:00+08:00"))
        }
        let events = try cases.store.events(of: "TA")
        #expect(events.filter { $0.event.type == .deadlineBreached }.count == 1)
        #expect(events.filter { $0.event.payload.to == "revoked" }.count == 1)
    }

    @Test func theQingdaoReviewTakesTwoWorkingDaysFromAcceptanceToCertificate() throws {
        let cases = try authorityService()
        let calendar = try cases.catalog.calendar(named: "cn-2020")
        let accepted = at("2020-02-09T19:00:00+08:00")
        let issued = at("2020-02-12T09:00:00+08:00")
        #expect(accepted.microseconds(to: issued) == 62 * 3_600_000_000)
        #expect(calendar.workingMicroseconds(from: accepted, to: issued) == 2 * calendar.workingDayMicroseconds)
    }
}

/// A small lock-protected box for collecting results from concurrent work in tests.
final class Mutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
