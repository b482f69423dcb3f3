import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What every ``EventStore`` promises. Each test runs against every implementation; a new
/// implementation (PostgreSQL) joins by adding a case to ``StoreKind``.
@Suite("EventStore contract")
struct EventStoreContractTests {
    // MARK: Appending

    @Test(arguments: StoreKind.allCases)
    func newCaseGetsVersionsFromOneAndPositionsFromOne(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let result = try store.openAndAccept("C-1")
        #expect(result.events.map(\.version) == [1, 2])
        #expect(result.events.map(\.position) == [1, 2])
        #expect(result.isReplay == false)
    }

    /// Units written together: each commits or fails on its own, and a unit's own error (a
    /// refusal, not the store's) reaches its caller as it was thrown, alone or in a group.
    @Test(arguments: StoreKind.allCases)
    func unitsWrittenTogetherFailAloneWithTheirOwnErrors(_ kind: StoreKind) throws {
        struct Refused: Error, Equatable { var caseID: String }
        let store = try kind.make().store
        func opening(_ caseID: String) -> (any LogTransaction) throws -> Int {
            { log in
                guard try log.events(of: caseID).isEmpty else { throw Refused(caseID: caseID) }
                return try log.append(CaseAppend(caseID: caseID, expectedVersion: 0, events: [Sample.opened(caseID)])).events.count
            }
        }
        // A unit that appended and then refused is undone alone.
        let appendsThenRefuses: (any LogTransaction) throws -> Int = { log in
            _ = try log.append(CaseAppend(caseID: "C-9", expectedVersion: 0, events: [Sample.opened("C-9")]))
            throw Refused(caseID: "C-9")
        }
        let group = try store.writeTogether([opening("C-1"), appendsThenRefuses, opening("C-2"), opening("C-1")])
        #expect(try group[0].get() == 1)
        #expect(throws: Refused(caseID: "C-9")) { try group[1].get() }
        #expect(try group[2].get() == 1)
        #expect(throws: Refused(caseID: "C-1")) { try group[3].get() }
        #expect(try store.events(of: "C-9").isEmpty)
        let alone = try store.writeTogether([opening("C-2")])
        #expect(throws: Refused(caseID: "C-2")) { try alone[0].get() }
        #expect(try store.writeTogether([opening("C-3")]).map { try $0.get() } == [1])
        #expect(try store.lastPosition() == 3)
        #expect(try store.verify().isOK)
    }

    @Test(arguments: StoreKind.allCases)
    func positionsContinueAcrossCasesInAppendOrder(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        let third = try store.append([Sample.fired("C-1", "approve", from: "review", to: "approved")], to: "C-1", expectedVersion: 2)
        #expect(third.events.map(\.position) == [4])
        #expect(third.events.map(\.version) == [3])
        #expect(try store.lastPosition() == 4)
    }

    @Test(arguments: StoreKind.allCases)
    func eventsReadBackExactlyAsAppendedInVersionOrder(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let appended = [Sample.opened("C-1"), Sample.accepted("C-1")]
        try store.append(appended, to: "C-1", expectedVersion: 0)
        try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        let read = try store.events(of: "C-1")
        #expect(read.map(\.event) == appended)
        #expect(read.map(\.version) == [1, 2])
    }

    @Test(arguments: StoreKind.allCases)
    func oneAppendIsRecordedAtOneInstantOfTheInjectedClock(_ kind: StoreKind) throws {
        let fixture = try kind.make(clock: SteppingClock(start: Timestamp(seconds: 1_600_000_000)))
        let result = try fixture.store.openAndAccept("C-1")
        #expect(result.events.map(\.recordedAt) == [Timestamp(seconds: 1_600_000_000), Timestamp(seconds: 1_600_000_000)])
    }

    @Test(arguments: StoreKind.allCases)
    func eventsOfAnUnknownCaseAreEmpty(_ kind: StoreKind) throws {
        #expect(try kind.make().store.events(of: "nope").isEmpty)
    }

    // MARK: Optimistic concurrency

    @Test(arguments: StoreKind.allCases)
    func staleExpectedVersionIsAConflictNamingBothVersions(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.fired("C-1", "reject", from: "review", to: "rejected")], to: "C-1", expectedVersion: 1)
        }
        #expect(error?.code == .conflict)
        #expect(error?.expectedVersion == 1)
        #expect(error?.actualVersion == 2)
        #expect(error?.caseID == "C-1")
        #expect(error?.message.contains("version 2") == true)
        #expect(error?.message.contains("expected version 1") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func conflictAppendsNothing(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        _ = try? store.append([Sample.fired("C-1", "reject", from: "review", to: "rejected")], to: "C-1", expectedVersion: 1)
        #expect(try store.lastPosition() == 2)
        #expect(try store.events(of: "C-1").count == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func openingAnExistingCaseIsAConflict(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        }
        #expect(error?.code == .conflict)
        #expect(error?.actualVersion == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func expectingAVersionOfAMissingCaseIsAConflict(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.accepted("C-9")], to: "C-9", expectedVersion: 1)
        }
        #expect(error?.code == .conflict)
        #expect(error?.actualVersion == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func negativeExpectedVersionIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: -1)
        }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: All or nothing, and pinning

    @Test(arguments: StoreKind.allCases)
    func anAppendWithOneBadEventAppendsNone(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-1"), Sample.accepted("C-1"), Sample.accepted("C-2")], to: "C-1", expectedVersion: 0)
        }
        #expect(error?.code == .invalidEvent)
        #expect(try store.lastPosition() == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func anEventOnAnotherWorkflowVersionThanTheCaseIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("C-1", version: 1)], to: "C-1", expectedVersion: 0)
        let error = #expect(throws: StoreError.self) {
            try store.append(
                [Sample.fired("C-1", "accept", from: "submitted", to: "review", version: 2)], to: "C-1", expectedVersion: 1)
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.message.contains("pinned to 'permit-check' version 1") == true)
    }

    // MARK: Idempotency

    @Test(arguments: StoreKind.allCases)
    func retryWithTheSameKeyReturnsTheFirstResultAndAppendsNothing(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        let key = IdempotencyKey(key: "K-1", fingerprint: "fire C-1 accept")
        let first = try store.append([Sample.accepted("C-1")], to: "C-1", expectedVersion: 1, idempotency: key)
        // The retry decided again from a newer state: another expected version, another time.
        let retry = try store.append(
            [Sample.fired("C-1", "accept", from: "submitted", to: "review", at: Sample.day.adding(seconds: 9999))],
            to: "C-1", expectedVersion: 2, idempotency: key)
        #expect(retry.isReplay)
        #expect(retry.events == first.events)
        #expect(try store.lastPosition() == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func theSameKeyForADifferentCommandIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0, idempotency: IdempotencyKey(key: "K-1", fingerprint: "start C-1"))
        let error = #expect(throws: StoreError.self) {
            try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0, idempotency: IdempotencyKey(key: "K-1", fingerprint: "start C-2"))
        }
        #expect(error?.code == .idempotencyKeyReused)
        #expect(error?.message.contains("K-1") == true)
        #expect(try store.lastPosition() == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aKeyIsNotRecordedWhenItsAppendConflicts(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        let key = IdempotencyKey(key: "K-1", fingerprint: "fire C-1 approve")
        let approve = Sample.fired("C-1", "approve", from: "review", to: "approved")
        _ = try? store.append([approve], to: "C-1", expectedVersion: 1, idempotency: key)
        let retry = try store.append([approve], to: "C-1", expectedVersion: 2, idempotency: key)
        #expect(retry.isReplay == false)
        #expect(retry.events.map(\.version) == [3])
    }

    @Test(arguments: StoreKind.allCases)
    func recordedResultAnswersARetryBeforeItIsDecided(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let key = IdempotencyKey(key: "K-1", fingerprint: "start C-1")
        #expect(try store.recordedResult(for: key) == nil)
        let first = try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0, idempotency: key)
        #expect(try store.recordedResult(for: key) == AppendResult(events: first.events, isReplay: true))
    }

    @Test(arguments: StoreKind.allCases)
    func aCommandThatAppendedNothingReplaysAsNothing(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let key = IdempotencyKey(key: "K-0", fingerprint: "noop")
        try store.append([], to: "C-1", expectedVersion: 0, idempotency: key)
        let retry = try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0, idempotency: key)
        #expect(retry == AppendResult(events: [], isReplay: true))
        #expect(try store.lastPosition() == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func fingerprintsOfEqualCommandsAreEqualAndOfOthersDiffer(_ kind: StoreKind) throws {
        struct Fire: Encodable { var caseID: String; var event: String; var documents: [String] }
        let a = try IdempotencyKey(key: "K", command: Fire(caseID: "C-1", event: "approve", documents: ["site_photos"]))
        let b = try IdempotencyKey(key: "K", command: Fire(caseID: "C-1", event: "approve", documents: ["site_photos"]))
        let c = try IdempotencyKey(key: "K", command: Fire(caseID: "C-1", event: "reject", documents: []))
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
    }

    // MARK: Batches

    @Test(arguments: StoreKind.allCases)
    func aBatchAppendsManyCasesWithConsecutivePositions(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let batch = (1...3).map { CaseAppend(caseID: "C-\($0)", expectedVersion: 0, events: [Sample.opened("C-\($0)"), Sample.accepted("C-\($0)")]) }
        let results = try store.append(batch: batch)
        #expect(results.map { $0.events.map(\.position) } == [[1, 2], [3, 4], [5, 6]])
        #expect(try store.cases().map(\.caseID) == ["C-1", "C-2", "C-3"])
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchWithOneConflictAppendsNothing(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("C-2")], to: "C-2", expectedVersion: 0)
        let batch = [
            CaseAppend(caseID: "C-1", expectedVersion: 0, events: [Sample.opened("C-1")]),
            CaseAppend(caseID: "C-2", expectedVersion: 0, events: [Sample.opened("C-2")]),
        ]
        let error = #expect(throws: StoreError.self) { try store.append(batch: batch) }
        #expect(error?.code == .conflict)
        #expect(error?.caseID == "C-2")
        #expect(try store.lastPosition() == 1)
        #expect(try store.header(of: "C-1") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchMayAppendToOneCaseTwice(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let results = try store.append(batch: [
            CaseAppend(caseID: "C-1", expectedVersion: 0, events: [Sample.opened("C-1")]),
            CaseAppend(caseID: "C-1", expectedVersion: 1, events: [Sample.accepted("C-1")]),
        ])
        #expect(results.flatMap { $0.events.map(\.version) } == [1, 2])
    }

    // MARK: Reading

    @Test(arguments: StoreKind.allCases)
    func headerNamesTheWorkflowTheCurrentVersionAndTheOpeningTime(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        #expect(try store.header(of: "C-1") == CaseHeader(
            caseID: "C-1", workflowID: "permit-check", workflowVersion: 1, version: 2, openedAt: Sample.day))
        #expect(try store.header(of: "C-2") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func casesOfAWorkflowAreListedInOpeningOrder(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.append([Sample.opened("B", workflow: "expert-review")], to: "B", expectedVersion: 0)
        try store.append([Sample.opened("A")], to: "A", expectedVersion: 0)
        try store.append([Sample.opened("C")], to: "C", expectedVersion: 0)
        try store.append([Sample.accepted("A")], to: "A", expectedVersion: 1)
        #expect(try store.cases(workflowID: "permit-check").map(\.caseID) == ["A", "C"])
        #expect(try store.cases().map(\.caseID) == ["B", "A", "C"])
        #expect(try store.cases(workflowID: "permit-check").map(\.version) == [2, 1])
    }

    @Test(arguments: StoreKind.allCases)
    func pagesAfterAPositionComeInPositionOrder(_ kind: StoreKind) throws {
        let store = try kind.make().store
        for i in 1...4 { try store.openAndAccept("C-\(i)") }
        #expect(try store.events(after: 3, limit: 2).map(\.position) == [4, 5])
        #expect(try store.events(after: 7, limit: 10).map(\.position) == [8])
        #expect(try store.events(after: 8, limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func aPageLimitBeyondTheLogReturnsTheRest(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        #expect(try store.events(after: 1, limit: Int.max).map(\.position) == [2])
    }

    @Test(arguments: StoreKind.allCases)
    func scanVisitsEveryLaterEventOnceInOrder(_ kind: StoreKind) throws {
        let store = try kind.make().store
        for i in 1...5 { try store.openAndAccept("C-\(i)") }
        var seen: [Int64] = []
        let last = try store.scan(after: 3, batchSize: 2) { seen.append($0.position) }
        #expect(seen == Array(4...10))
        #expect(last == 10)
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyLogEndsAtPositionZero(_ kind: StoreKind) throws {
        let store = try kind.make().store
        #expect(try store.lastPosition() == 0)
        #expect(try store.scan { _ in } == 0)
    }

    // MARK: Hash chain

    @Test(arguments: StoreKind.allCases)
    func eachEventChainsToThePreviousOneFromGenesis(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        try store.openAndAccept("C-2")
        var events: [RecordedEvent] = []
        try store.scan { events.append($0) }
        #expect(events.first?.prevHash == String(repeating: "0", count: 64))
        for (previous, next) in zip(events, events.dropFirst()) {
            #expect(next.prevHash == previous.hash)
        }
        #expect(Set(events.map(\.hash)).count == events.count)
    }

    /// Pins the canonical encoding of Docs/store.md: any implementation must produce this hash
    /// for this event at position 1 recorded at 2020-03-02T00:00:00Z by principal `jwt:li.wei`
    /// (encoding 2, the one every new event is written with).
    @Test(arguments: StoreKind.allCases)
    func theFirstEventHashesToTheDocumentedValue(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let result = try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0, idempotency: nil,
                                      principal: Principal(method: .jwt, id: "li.wei"))
        #expect(result.events.first?.hash == EncodingVector.firstEventHash)
        #expect(result.events.first?.principal?.recorded == "jwt:li.wei")
        #expect(try store.events(of: "C-1").first?.principal == Principal(method: .jwt, id: "li.wei"))
    }

    /// An event recorded without a principal is still encoding 2: the principal is hashed as null.
    @Test(arguments: StoreKind.allCases)
    func anEventWithoutAPrincipalHashesItAsNull(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let result = try store.append([Sample.opened("C-1")], to: "C-1", expectedVersion: 0)
        #expect(result.events.first?.hash == EncodingVector.firstEventHashWithoutPrincipal)
        #expect(result.events.first?.principal == nil)
    }

    // MARK: Deploying

    @Test(arguments: StoreKind.allCases)
    func deployingStoresTheContentAndItsSHA256(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let result = try store.deploy(.workflow, id: "permit-check", version: 1, content: "permit-check\n")
        #expect(result.isNew)
        #expect(result.deployment.contentHash == "7d985bd9c0d08aa2cf4c3a65cf15aea8565d2e5ef405bdd4b43e26a7b396c9ea")
        #expect(try store.deployment(.workflow, id: "permit-check", version: 1) == result.deployment)
    }

    @Test(arguments: StoreKind.allCases)
    func deployingTheSameContentAgainIsANoOp(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let first = try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        let again = try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        #expect(again == DeployResult(deployment: first.deployment, isNew: false))
    }

    @Test(arguments: StoreKind.allCases)
    func deployingChangedContentUnderADeployedVersionIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        let error = #expect(throws: StoreError.self) {
            try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition + "\n# changed\n")
        }
        #expect(error?.code == .definitionChanged)
        #expect(error?.message.contains("new version") == true)
        #expect(try store.deployment(.workflow, id: "permit-check", version: 1)?.content == Sample.definition)
    }

    @Test(arguments: StoreKind.allCases)
    func latestDeploymentIsTheHighestVersion(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.deploy(.workflow, id: "permit-check", version: 2, content: "v2")
        try store.deploy(.workflow, id: "permit-check", version: 10, content: "v10")
        try store.deploy(.workflow, id: "permit-check", version: 3, content: "v3")
        #expect(try store.latestDeployment(.workflow, id: "permit-check")?.version == 10)
        #expect(try store.latestDeployment(.workflow, id: "other") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func workflowsAndCalendarsAreSeparateAndListedByIdThenVersion(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.deploy(.workflow, id: "b", version: 1, content: "b1")
        try store.deploy(.workflow, id: "a", version: 2, content: "a2")
        try store.deploy(.workflow, id: "a", version: 1, content: "a1")
        try store.deploy(.calendar, id: "a", version: 1, content: "shandong-2020")
        #expect(try store.deployments(.workflow).map { "\($0.id)@\($0.version)" } == ["a@1", "a@2", "b@1"])
        #expect(try store.deployments(.calendar).map(\.content) == ["shandong-2020"])
    }

    @Test(arguments: StoreKind.allCases)
    func deployingVersionZeroIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        let error = #expect(throws: StoreError.self) { try store.deploy(.calendar, id: "cn", version: 0, content: "x") }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: Checkpoints

    @Test(arguments: StoreKind.allCases)
    func aCheckpointStartsAtZeroAndKeepsWhatWasSaved(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        #expect(try store.checkpoint(named: "time-to-approval") == 0)
        try store.saveCheckpoint(named: "time-to-approval", position: 2)
        #expect(try store.checkpoint(named: "time-to-approval") == 2)
        #expect(try store.checkpoint(named: "dwell") == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func aCheckpointBeyondTheEndOfTheLogIsRefused(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.openAndAccept("C-1")
        let error = #expect(throws: StoreError.self) { try store.saveCheckpoint(named: "dwell", position: 3) }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: Verifying

    @Test(arguments: StoreKind.allCases)
    func anIntactLogVerifiesWithItsCounts(_ kind: StoreKind) throws {
        let store = try kind.make().store
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        try store.openAndAccept("C-1")
        try store.openAndAccept("C-2")
        let report = try store.verify()
        #expect(report.isOK)
        #expect(report.eventCount == 4)
        #expect(report.caseCount == 2)
        #expect(report.deploymentCount == 1)
        #expect(report.headPosition == 4)
        #expect(report.headHash == (try store.events(of: "C-2").last?.hash))
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyLogVerifies(_ kind: StoreKind) throws {
        let report = try kind.make().store.verify()
        #expect(report.isOK)
        #expect(report.headPosition == 0)
    }
}

enum EncodingVector {
    /// SHA-256 of the canonical encoding of `Sample.opened("C-1")` at position 1, after genesis,
    /// recorded at 2020-03-02T00:00:00Z (Docs/store.md shows the bytes).
    /// Encoding 2 (tag `docket.event.v2`), principal `jwt:li.wei`.
    static let firstEventHash = "5d1d9bb43ff7ba100cc09cf35c5436b5865174762c91a76659cb0fa09ce606f7"
    /// Encoding 2, no principal.
    static let firstEventHashWithoutPrincipal = "03551a74e1291080cd9f6815223dc53c9073b6a4e5076ca54b9de97eb13eb492"
    /// Encoding 1 (tag `docket.event.v1`), what logs written before encoding 2 hold.
    static let firstEventHashV1 = "e097f5bca4b6799508a1d3c97e16e95e1a7da633e8e6a9aac12ab23d8818ad2a"
}
