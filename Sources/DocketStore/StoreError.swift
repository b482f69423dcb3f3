import DocketCore

/// Why the event store refused or failed an operation: a stable ``Code`` a program can switch
/// on, and a ``message`` a person can act on.
///
/// Every error that leaves the store is a `StoreError`; SQLite's result codes are mapped to
/// codes (`SQLITE_FULL` is ``Code/diskFull``, `SQLITE_BUSY` is ``Code/locked`` ...), and the
/// original code is kept in ``sqliteCode`` for diagnostics.
public struct StoreError: DocketError, CodedError, Hashable, Sendable {
    /// What kind of failure this is. The raw values are stable (the CLI prints them).
    public enum Code: String, Hashable, Sendable, CaseIterable, Codable {
        /// The case is not at the version the writer expected: another writer got there first.
        /// Nothing was appended; reload the case and decide again.
        case conflict
        /// An idempotency key was reused for a different command.
        case idempotencyKeyReused = "idempotency_key_reused"
        /// A different content was deployed under an already deployed id and version.
        case definitionChanged = "definition_changed"
        /// The events handed to `append` do not fit the case (wrong case id, another workflow).
        case invalidEvent = "invalid_event"
        /// An argument is out of range (a negative expected version, an empty id ...).
        case invalidArgument = "invalid_argument"
        /// The database was written by a newer Docket: it has migrations this binary lacks.
        case schemaTooNew = "schema_too_new"
        /// A read-only store was opened on a database whose schema is not up to date.
        case schemaOutdated = "schema_outdated"
        /// The database is read-only (opened read-only, or the file is write-protected).
        case readOnly = "read_only"
        /// The disk (or the database's size limit) is full.
        case diskFull = "disk_full"
        /// Another writer held the database for longer than the busy timeout.
        case locked
        /// The database file is damaged, or is not a database.
        case corrupt
        /// The database file cannot be opened (missing directory, permissions).
        case cannotOpen = "cannot_open"
        /// The operating system reported an I/O error.
        case ioError = "io_error"
        /// Any other database failure; the message carries SQLite's explanation.
        case database
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong and what to do about it, in a sentence or two.
    public var message: String
    /// The case concerned, when there is one.
    public var caseID: String?
    /// For ``Code/conflict``: the version the writer expected the case to be at.
    public var expectedVersion: Int?
    /// For ``Code/conflict``: the version the case was actually at.
    public var actualVersion: Int?
    /// The SQLite extended result code behind this error, if SQLite raised it.
    public var sqliteCode: Int32?

    public init(
        _ code: Code, _ message: String, caseID: String? = nil,
        expectedVersion: Int? = nil, actualVersion: Int? = nil, sqliteCode: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.caseID = caseID
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.sqliteCode = sqliteCode
    }

    public var description: String { message }

    public var kind: FailureKind {
        switch code {
        case .conflict: .conflict
        case .idempotencyKeyReused, .invalidEvent, .invalidArgument: .invalidInput
        case .definitionChanged: .refused
        case .locked, .readOnly, .diskFull, .schemaTooNew, .schemaOutdated, .cannotOpen, .ioError, .corrupt, .database: .unavailable
        }
    }
}

extension StoreError {
    /// The conflict a writer gets when the case moved on since it read it.
    package static func conflict(caseID: String, expected: Int, actual: Int) -> StoreError {
        let what = expected == 0
            ? "case '\(caseID)' already exists (at version \(actual)), but the command expected a new case"
            : actual == 0
            ? "case '\(caseID)' does not exist, but the command expected it at version \(expected)"
            : "case '\(caseID)' is at version \(actual), but the command expected version \(expected)"
        return StoreError(
            .conflict, "\(what): another writer got there first; nothing was appended. Reload the case and try again.",
            caseID: caseID, expectedVersion: expected, actualVersion: actual)
    }

    package static func keyReused(_ key: String, caseID: String) -> StoreError {
        StoreError(
            .idempotencyKeyReused,
            "idempotency key '\(key)' was already used for a different command (on case '\(caseID)'); use a new key for a new command.",
            caseID: caseID)
    }
}
