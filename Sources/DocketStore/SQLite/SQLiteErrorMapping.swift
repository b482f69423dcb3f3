import GRDB

/// Turns SQLite's result codes into ``StoreError``s a person can act on.
enum SQLiteErrorMapping {
    /// `error` as a ``StoreError`` if it came from SQLite; any other error (the caller's own,
    /// thrown from a `SQLiteEventStore/write(_:)` closure) passes through unchanged.
    static func map(_ error: any Error, path: String, busyTimeout: Double) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        let sqlite = error.extendedResultCode.rawValue
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(
                .locked,
                "database \(path) is locked by another writer, and stayed locked for the whole busy timeout "
                    + "(\(busyTimeout) s); nothing was written. Try again, or raise the busy timeout.",
                sqliteCode: sqlite)
        case .SQLITE_FULL:
            return StoreError(
                .diskFull,
                "database \(path) is full (the disk, or its size limit): nothing was written. Free some disk space and try again.",
                sqliteCode: sqlite)
        case .SQLITE_READONLY:
            return StoreError(
                .readOnly,
                "database \(path) is read-only (opened read-only, or the file or its directory is write-protected): "
                    + "nothing was written. Check the file's permissions. (\(detail))",
                sqliteCode: sqlite)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(
                .corrupt,
                "database \(path) is damaged or is not a docket database (\(detail)). Restore it from a backup; "
                    + "`sqlite3 \(path) .recover` may save what is left.",
                sqliteCode: sqlite)
        case .SQLITE_CANTOPEN:
            return StoreError(
                .cannotOpen,
                "cannot open database \(path): check that its directory exists and is readable and writable. (\(detail))",
                sqliteCode: sqlite)
        case .SQLITE_IOERR:
            return StoreError(
                .ioError,
                "the disk reported an I/O error on database \(path) (\(detail)); nothing was written. Check the disk.",
                sqliteCode: sqlite)
        default:
            return StoreError(.database, "database \(path): \(detail)", sqliteCode: sqlite)
        }
    }
}
