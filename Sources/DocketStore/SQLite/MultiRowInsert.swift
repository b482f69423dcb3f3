import GRDB

/// Inserts rows into one table up to ``rowsPerStatement`` at a time, as
/// `INSERT ... VALUES (...), (...), ...`: SQLite then opens the table's and indexes' cursors once
/// per statement instead of once per row. Rows are inserted in the order given.
///
/// Write the statements `INSERT OR FAIL` (or `OR IGNORE`): with the default `ABORT` a statement
/// of many rows keeps a journal of every page it touches to undo its earlier rows when a later
/// one fails, which costs more than the inserts. A failure still throws, and the caller's
/// transaction is rolled back whole.
package struct MultiRowInsert {
    /// Rows per statement: 32 rows of the widest table (24 columns) bind 768 parameters, far
    /// below SQLite's limit of 32,766.
    package static let rowsPerStatement = 32

    private let db: Database
    private let head: String
    private let tail: String
    private let columns: Int32
    /// The SQL of a statement of ``rowsPerStatement`` rows, built once.
    private let fullSQL: String

    /// - Parameters:
    ///   - head: the statement up to `VALUES`, e.g. `INSERT INTO t (a, b)`.
    ///   - columns: the number of columns each row binds.
    ///   - tail: what follows the rows, e.g. an `ON CONFLICT` clause.
    package init(_ db: Database, _ head: String, columns: Int32, then tail: String = "") {
        self.db = db
        self.head = head
        self.columns = columns
        self.tail = tail
        fullSQL = Self.sql(head, columns: columns, rows: Self.rowsPerStatement, tail)
    }

    /// Inserts `rows`; `bind` binds one row's columns at `offset + 1 ... offset + columns`.
    package func insert<Row>(_ rows: [Row], bind: (RawStatement, Int32, Row) -> Void) throws {
        var start = 0
        while start < rows.count {
            let end = min(start + Self.rowsPerStatement, rows.count)
            let statement = try self.statement(rows: end - start)
            var offset: Int32 = 0
            for row in rows[start..<end] {
                bind(statement, offset, row)
                offset += columns
            }
            try statement.execute(db)
            start = end
        }
    }

    /// The statement for `rows` rows, prepared once per connection (GRDB caches it by its SQL).
    private func statement(rows: Int) throws -> RawStatement {
        let sql = rows == Self.rowsPerStatement ? fullSQL : Self.sql(head, columns: columns, rows: rows, tail)
        return RawStatement(try db.cachedStatement(sql: sql))
    }

    private static func sql(_ head: String, columns: Int32, rows: Int, _ tail: String) -> String {
        let tuple = "(" + Array(repeating: "?", count: Int(columns)).joined(separator: ", ") + ")"
        return head + " VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ") + " " + tail
    }
}
