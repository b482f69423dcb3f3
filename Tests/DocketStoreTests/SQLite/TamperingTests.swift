import DocketCore
@testable import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// `verify` catches every edit made behind Docket's back, through raw SQL with the append-only
/// triggers dropped, and names the first bad position.
@Suite("Tampering")
struct TamperingTests {
    let directory: TemporaryDirectory
    let path: String
    let store: SQLiteEventStore

    /// A log of three cases, two events each: positions 1...6, C-1 at 1-2, C-2 at 3-4, C-3 at 5-6.
    init() throws {
        directory = TemporaryDirectory("store")
        path = directory.path("docket.sqlite")
        store = try SQLiteEventStore(path: path, clock: SteppingClock())
        try store.deploy(.workflow, id: "permit-check", version: 1, content: Sample.definition)
        for i in 1...3 { try store.openAndAccept("C-\(i)") }
    }

    /// Runs `sql` on the file through a connection of its own, as an intruder with sqlite3 would.
    func tamper(_ sql: String) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                DROP TRIGGER events_refuse_update;
                DROP TRIGGER events_refuse_delete;
                DROP TRIGGER definitions_refuse_update;
                """)
            try db.execute(sql: sql)
        }
    }

    @Test func theUntouchedLogVerifies() throws {
        #expect(try store.verify().isOK)
    }

    @Test func anEditedPayloadIsNamedAtItsPosition() throws {
        try tamper(#"UPDATE events SET payload = '{"from":"submitted","to":"approved","transition":"accept"}' WHERE position = 4"#)
        let report = try store.verify()
        #expect(report.firstBadPosition == 4)
        #expect(report.problems.map(\.kind) == [.eventEdited])
        #expect(report.problems.first?.caseID == "C-2")
    }

    @Test func anEditedPayloadIsRefusedWhenItsCaseIsRead() throws {
        // A reader checks each row's hash from the payload's stored bytes, as `verify` does from its text.
        try tamper(#"UPDATE events SET payload = '{"from":"submitted","to":"approved","transition":"accept"}' WHERE position = 4"#)
        let error = #expect(throws: StoreError.self) { try store.events(of: "C-2") }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("position 4") == true)
        #expect(try store.events(of: "C-1").map(\.position) == [1, 2])
        #expect(try store.snapshot { try $0.events(of: "C-3") }.map(\.position) == [5, 6])
        let scanned = #expect(throws: StoreError.self) { try store.snapshot { try $0.scan(after: 0, through: 6) { _ in } } }
        #expect(scanned?.message.contains("position 4") == true)
    }

    @Test func anEditedBusinessTimeIsNamedAtItsPosition() throws {
        try tamper("UPDATE events SET occurred_at = occurred_at - 86400000000 WHERE position = 2")
        let report = try store.verify()
        #expect(report.firstBadPosition == 2)
        #expect(report.problems.map(\.kind) == [.eventEdited])
    }

    @Test func aDeletedRowIsNamedAtItsPosition() throws {
        try tamper("DELETE FROM events WHERE position = 3")
        let report = try store.verify()
        #expect(report.firstBadPosition == 3)
        #expect(report.problems.first?.kind == .eventsDeleted)
        #expect(report.problems.first?.message.contains("position 3 is missing") == true)
    }

    @Test func aDeletedRowWithTheRestRenumberedIsNamedAtItsPosition() throws {
        try tamper("""
            DELETE FROM events WHERE position = 3;
            UPDATE events SET position = position - 1 WHERE position > 3;
            """)
        let report = try store.verify()
        #expect(report.firstBadPosition == 3)
        #expect(report.problems.first?.kind == .eventMoved)
        #expect(report.problems.first?.message.contains("was recorded at position 4") == true)
    }

    @Test func swappedRowsAreNamedAtTheFirstOfThem() throws {
        try tamper("""
            UPDATE events SET position = -1 WHERE position = 2;
            UPDATE events SET position = 2 WHERE position = 5;
            UPDATE events SET position = 5 WHERE position = -1;
            """)
        let report = try store.verify()
        #expect(report.firstBadPosition == 2)
        #expect(report.problems.first?.kind == .eventMoved)
        #expect(report.problems.first?.message.contains("was recorded at position 5") == true)
        #expect(report.problems.contains { $0.kind == .eventMoved && $0.position == 5 })
    }

    @Test func aRewrittenEventWithItsHashRecomputedBreaksTheChainAfterIt() throws {
        // The intruder recomputes the edited row's own hash but not the rows after it.
        var events = try store.events(of: "C-2")
        events[1].event.actor = "mallory"
        let forged = try forgedHash(of: events[1])
        try tamper("UPDATE events SET actor = 'mallory', hash = '\(forged)' WHERE position = 4")
        let report = try store.verify()
        #expect(report.firstBadPosition == 4)
        #expect(report.problems.map(\.kind) == [.chainBroken])
    }

    @Test func aChangedDefinitionIsNamed() throws {
        try tamper("UPDATE definitions SET content = content || '  approved: { final: true }\n'")
        let report = try store.verify()
        #expect(report.problems.map(\.kind) == [.deploymentChanged])
        #expect(report.problems.first?.message.contains("'permit-check' version 1") == true)
        #expect(report.firstBadPosition == nil)
    }

    @Test func eventsDeletedFromTheEndAreFoundThroughAnIdempotencyKey() throws {
        try store.append([Sample.opened("C-4")], to: "C-4", expectedVersion: 0, idempotency: IdempotencyKey(key: "K", fingerprint: "start C-4"))
        try tamper("DELETE FROM events WHERE position = 7")
        let report = try store.verify()
        #expect(report.problems.map(\.kind) == [.logTruncated])
        #expect(report.firstBadPosition == 7)
    }

    @Test func aCaseWhoseFirstEventWasRelabelledShowsAVersionGap() throws {
        // Re-labelling is an edit (hash mismatch) first; the case's versions are checked too.
        try tamper("UPDATE events SET case_id = 'C-9' WHERE position = 3")
        let report = try store.verify()
        #expect(report.firstBadPosition == 3)
        #expect(report.problems.first?.kind == .eventEdited)
        #expect(report.problems.contains { $0.kind == .versionGap && $0.caseID == "C-2" })
    }

    /// The hash an intruder who knows the encoding would compute for `event` after editing it,
    /// from the columns as stored.
    func forgedHash(of event: RecordedEvent) throws -> String {
        let payload = try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT payload FROM events WHERE position = ?", arguments: [event.position])
        } ?? ""
        return EventRow(
            position: event.position, caseID: event.caseID, version: event.version, type: event.type.rawValue,
            workflowID: event.workflowID, workflowVersion: event.workflowVersion, payload: payload,
            actor: event.actor, role: event.role, onBehalfOf: event.onBehalfOf,
            occurredAt: event.occurredAt.microseconds, recordedAt: event.recordedAt.microseconds,
            prevHash: event.prevHash, hash: "", encoding: EventRow.currentEncoding, principal: event.principal?.recorded
        ).computedHash()
    }
}
