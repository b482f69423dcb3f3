import DocketStore
import DocketTestSupport
import Foundation
import GRDB
import Testing

/// Inserting many rows per statement, as the projection writes its facts.
@Suite struct MultiRowInsertTests {
    /// Row counts around the statement size: none, one, one short of a statement, exactly one,
    /// one over, and several statements with a remainder.
    @Test(arguments: [0, 1, 31, 32, 33, 100])
    func multiRowInsertStoresEveryRowInOrder(count: Int) throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(path: directory.path("docket.sqlite"))
        let rows = (0..<count).map { (n: $0, label: $0.isMultiple(of: 3) ? nil : "row \($0)") }
        let stored = try store.write { db -> [Row] in
            try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL, label TEXT)")
            try MultiRowInsert(db, "INSERT INTO t (n, label)", columns: 2).insert(rows) { statement, offset, row in
                statement.bind(offset + 1, row.n)
                statement.bind(offset + 2, row.label)
            }
            return try Row.fetchAll(db, sql: "SELECT n, label FROM t ORDER BY rowid")
        }
        #expect(stored.map { $0[0] as Int } == rows.map(\.n))
        #expect(stored.map { $0[1] as String? } == rows.map(\.label))
    }

    @Test func multiRowInsertAppliesTheConflictClauseToEveryRow() throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteEventStore(path: directory.path("docket.sqlite"))
        let count = try store.write { db -> Int in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY)")
            let insert = MultiRowInsert(db, "INSERT INTO t (k)", columns: 1, then: "ON CONFLICT (k) DO NOTHING")
            try insert.insert(["a", "b", "a", "c", "b"]) { statement, offset, key in statement.bind(offset + 1, key) }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM t") ?? -1
        }
        #expect(count == 3)
    }
}
