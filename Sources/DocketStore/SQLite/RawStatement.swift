import Foundation
import GRDB
import GRDBSQLite

/// The SQLite C API on one of GRDB's cached statements, for the two hot paths (appending rows,
/// reading the log): binding through `StatementArguments` and reading through `Row` cost more
/// than SQLite's own work there.
///
/// Only for use inside a transaction GRDB opened (`SQLiteEventStore/write(_:)` or a read), on
/// GRDB's queue, by the code that owns the statement while it binds and steps; a failure is
/// thrown as GRDB's `DatabaseError` with SQLite's extended code, so the store's error mapping
/// maps it like any other. The analytics tables (`SQLiteProjectionStore`) are written and read
/// through it too. `package`: nothing outside DocketStore (and its tests) binds SQL.
package struct RawStatement {
    /// The GRDB statement underneath.
    package let statement: Statement
    private let handle: SQLiteStatement

    /// Wraps `statement`, reset and ready for new bindings.
    package init(_ statement: Statement) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        sqlite3_reset(handle)
    }

    // MARK: Binding (1-based, as SQLite counts parameters)

    /// Binds an integer to parameter `index` (1-based).
    package func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds an integer to parameter `index` (1-based).
    package func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// Binds an integer, or NULL for nil, to parameter `index` (1-based).
    package func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds an integer, or NULL for nil, to parameter `index` (1-based).
    package func bind(_ index: Int32, _ value: Int?) {
        bind(index, value.map(Int64.init))
    }

    /// Binds a boolean as 0 or 1 (how GRDB stores `Bool`) to parameter `index` (1-based).
    package func bind(_ index: Int32, _ value: Bool) {
        sqlite3_bind_int64(handle, index, value ? 1 : 0)
    }

    /// Binds text, or NULL for nil, to parameter `index` (1-based); SQLite copies the bytes.
    package func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { utf8 in
            // An empty buffer may have no base address; SQLite needs a pointer for '' (not NULL).
            let base = UnsafeRawPointer(utf8.baseAddress) ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(utf8.count), rawTransient)
        }
    }

    // MARK: Stepping

    /// Runs a statement that returns no row (an INSERT), then resets it.
    package func execute(_ db: Database) throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(code, db) }
        sqlite3_reset(handle)
    }

    /// Steps to the next row: true when there is one, false at the end.
    package func step(_ db: Database) throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw failure(code, db)
        }
    }

    /// Resets the statement, releasing what a partly read result holds.
    package func reset() {
        sqlite3_reset(handle)
    }

    private func failure(_ code: Int32, _ db: Database) -> DatabaseError {
        let extended = sqlite3_extended_errcode(db.sqliteConnection)
        let message = db.lastErrorMessage
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: extended == 0 ? code : extended), message: message, sql: statement.sql)
    }

    // MARK: Reading the current row (0-based columns)

    package func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    package func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    package func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// The column as text (its full length, as SQLite stores it); nil for NULL.
    package func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column's text as bytes, valid until the statement steps again or is reset.
    package func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let text = sqlite3_column_text(handle, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The column as text, returning `previous` itself when the column holds the same bytes:
    /// a log repeats workflow ids, case ids, actors, and each row's `prev_hash` is the row
    /// before's `hash`, so most columns need no new string.
    package func string(_ column: Int32, reusing previous: inout String) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        var same = false
        if previous.utf8.count == count {
            same = previous.withUTF8 { utf8 -> Bool in
                guard let base = utf8.baseAddress else { return count == 0 }
                return memcmp(base, text, count) == 0
            }
        }
        if !same { previous = String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self) }
        return previous
    }
}

/// SQLite copies the bound bytes (the Swift string's buffer is only borrowed for the call).
private let rawTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
