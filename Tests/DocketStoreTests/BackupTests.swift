import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import Testing

@Suite struct BackupTests {
    /// A backup taken while another thread appends is one consistent moment of the log: its
    /// chain verifies, and its head is the original's event at that position, hash for hash.
    @Test func aBackupTakenWhileWritingIsAConsistentSnapshot() throws {
        let directory = TemporaryDirectory("backup")
        let store = try SQLiteEventStore(path: directory.path("docket.sqlite"))
        try store.deploy(.workflow, id: "w", version: 1, content: "workflow: w\nversion: 1\n")
        @Sendable func opened(_ caseID: String) -> CaseEvent {
            CaseEvent(caseID: caseID, type: .caseOpened, workflowID: "w", workflowVersion: 1, actor: "a",
                      occurredAt: Timestamp(microseconds: 1), payload: .init(to: "submitted"))
        }
        let writer = Thread {
            for i in 0..<300 { _ = try? store.append([opened("C\(i)")], to: "C\(i)", expectedVersion: 0) }
        }
        writer.start()
        while try store.lastPosition() < 20 { usleep(1_000) }
        let copyPath = directory.path("copy.sqlite")
        try store.backup(to: copyPath)
        while !writer.isFinished { usleep(1_000) }
        let copy = try SQLiteEventStore(path: copyPath, options: .init(readOnly: true))
        let report = try copy.verify()
        #expect(report.isOK)
        #expect(report.headPosition >= 20)
        let original = try store.events(after: report.headPosition - 1, limit: 1)
        #expect(original.first?.hash == report.headHash)
        #expect(try copy.deployments(.workflow).count == 1)
        #expect(throws: StoreError.self) { try store.backup(to: copyPath) }
    }
}
