import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// The service's side of issue 15's desk input, on a clock the test sets: the ten-minute bound on
/// business times ahead of the clock, wall-clock times read in the workflow's zone, the checks
/// every command's text passes (for the CLI and the API alike), and the shipped files.
@Suite struct DeskInputServiceTests {
    /// The authority's workflows on a clock at 2020-03-02T09:00:00+08:00 (a Monday).
    func cases() throws -> (CaseService, ManualWallClock) {
        let store = try SQLiteEventStore(path: temporaryDatabase())
        let catalog = WorkflowCatalog(store: store)
        _ = try Deployer(catalog: catalog).deploy(try ArtifactFile.expand([workflowsFolder]).map { try ArtifactFile(path: $0) })
        let clock = ManualWallClock(at("2020-03-02T09:00:00+08:00"))
        return (CaseService(catalog: catalog, clock: clock), clock)
    }

    @Test func tenMinutesAheadOfTheClockIsAcceptedAndASecondMoreIsRefused() throws {
        let (cases, _) = try cases()
        let edge = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant",
                                  at: at("2020-03-02T09:10:00+08:00"))
        #expect(edge.recorded.allSatisfy { $0.event.payload.futureAllowed == nil })
        #expect(throws: ServiceError.self) {
            try cases.open(workflowID: "permit-check", caseID: "P2", actor: "alice", role: "applicant", at: at("2020-03-02T09:10:01+08:00"))
        }
        #expect(throws: Refusal.self) { try cases.load("P2") }
        let allowed = try cases.open(workflowID: "permit-check", caseID: "P2", actor: "alice", role: "applicant",
                                     at: at("2020-03-02T09:10:01+08:00"), allowFuture: true)
        #expect(!allowed.recorded.isEmpty && allowed.recorded.allSatisfy { $0.event.payload.futureAllowed == true })
        // The field is hashed and read back as written.
        #expect(try cases.store.events(of: "P2").allSatisfy { $0.event.payload.futureAllowed == true })
    }

    @Test func theAllowanceIsPartOfTheIdempotentCommand() throws {
        let (cases, clock) = try cases()
        let first = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant",
                                   at: at("2020-03-05T09:00:00+08:00"), allowFuture: true, idempotencyKey: "k1")
        // Later, when the time is no longer in the future, the retry is still the same command.
        clock.set(at("2020-03-06T09:00:00+08:00"))
        let retry = try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant",
                                   at: at("2020-03-05T09:00:00+08:00"), allowFuture: true, idempotencyKey: "k1")
        #expect(retry.isReplay)
        #expect(retry.recorded.map(\.position) == first.recorded.map(\.position))
    }

    @Test func aWallClockTimeIsReadInTheCalendarsZoneAndAnExactOneAsWritten() throws {
        let (cases, _) = try cases()
        let beijing = try cases.instant(of: BusinessTime("2020-03-02T09:00", field: "--at"), workflowID: "remote-video-inspection")
        #expect(beijing == at("2020-03-02T09:00:00+08:00"))
        let utc = try cases.instant(of: BusinessTime("2020-03-02T09:00", field: "--at"), workflowID: "permit-check")
        #expect(utc == at("2020-03-02T09:00:00Z"))
        let exact = try cases.instant(of: BusinessTime("2020-03-02T09:00:00-05:00", field: "--at"), workflowID: "remote-video-inspection")
        #expect(exact == at("2020-03-02T14:00:00Z"))
        #expect(throws: ServiceError.self) { try BusinessTime("2020-13-02T09:00", field: "--at") }
        // Across workflows in different zones a wall-clock time is refused, not guessed.
        #expect(throws: ServiceError.self) { try cases.catalog.instant(of: BusinessTime("2020-03-02T09:00", field: "--now")) }
        #expect(try cases.catalog.instant(of: BusinessTime("2020-03-02T09:00Z", field: "--now")) == at("2020-03-02T09:00:00Z"))
    }

    @Test func controlCharactersBidiOverridesAndBlankIdsAreRefusedBeforeAnythingIsDecided() throws {
        let (cases, _) = try cases()
        let bad: [() throws -> CommandOutcome] = [
            { try cases.open(workflowID: "permit-check", caseID: "\u{1B}[2J", actor: "alice", role: "applicant") },
            { try cases.open(workflowID: "permit-check", caseID: " \u{3000} ", actor: "alice", role: "applicant") },
            { try cases.open(workflowID: "permit-check", caseID: "P1 ", actor: "alice", role: "applicant") },
            { try cases.open(workflowID: "permit-check", caseID: "P1", actor: "al\u{2067}ice", role: "applicant") },
            { try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", data: ["note": "a\nb"]) },
            { try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant", data: ["no\u{7F}te": "x"]) },
        ]
        for command in bad { #expect(throws: ServiceError.self) { try command() } }
        #expect(try cases.store.lastPosition() == 0)
        // Chinese, emoji and ordinary punctuation are text, not control.
        try cases.open(workflowID: "permit-check", caseID: "案件-😀-1", actor: "李伟", role: "applicant", data: ["channel": "窗口 (window)"])
        #expect(throws: ServiceError.self) {
            try cases.fire(caseID: "案件-😀-1", event: "accept", actor: "li.wei", role: "clerk", reason: "ok\u{202E}")
        }
        #expect(throws: ServiceError.self) {
            try cases.fire(caseID: "案件-😀-1", event: "accept", actor: "li.wei", role: "clerk", documents: ["photo\u{1B}"])
        }
    }

    @Test func aMissingRoleNamesTheRolesThatCouldDecide() throws {
        let (cases, _) = try cases()
        do {
            try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice")
            Issue.record("opened without a role")
        } catch let error as ServiceError {
            #expect(error.message.contains("applicant, clerk, approver"), "\(error.message)")
        }
        try cases.open(workflowID: "permit-check", caseID: "P1", actor: "alice", role: "applicant")
        do {
            try cases.fire(caseID: "P1", event: "accept", actor: "bob", role: nil)
            Issue.record("fired without a role")
        } catch let error as ServiceError {
            #expect(error.message.contains("roles that could: clerk"), "\(error.message)")
        }
        #expect(try cases.store.lastPosition() == 1)
    }

    @Test func theShippedFilesAreByteForByteTheRepositorysFiles() throws {
        let root = Repository.root
        var onDisk: [String] = []
        for folder in ["Workflows", "Directories"] {
            let walker = try #require(FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path))
            onDisk += walker.compactMap { $0 as? String }.filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) }.map { folder + "/" + $0 }
        }
        #expect(ShippedFiles.all.map(\.path) == onDisk.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
                "the shipped files differ from Workflows/ and Directories/: run Scripts/embed-shipped")
        for file in ShippedFiles.all {
            let bytes = try Data(contentsOf: root.appendingPathComponent(file.path))
            #expect(Data(file.text.utf8) == bytes, "\(file.path) differs from its shipped copy: run Scripts/embed-shipped")
        }
        // `deploy --shipped` finds what `deploy Workflows/` finds on disk.
        let shipped = try ShippedFiles.artifacts(at: "Workflows/").map(\.path)
        let expanded = try ArtifactFile.expand([root.appendingPathComponent("Workflows").path])
        #expect(shipped == expanded.map { String($0.dropFirst(root.path.count + 1)) })
    }
}
