/// What kind of failure an error is: the one thing the doors (the CLI's exit codes, the HTTP
/// API's statuses) need to know to answer it, decided once by the error itself.
///
/// | kind | meaning | `docket` exits | HTTP |
/// |---|---|---|---|
/// | ``invalidInput`` | the request itself is wrong: a bad file, option or value | 1 | 400 |
/// | ``notFound`` | it names a case, workflow or file that does not exist | 1 | 404 |
/// | ``unauthenticated`` | no proof of who is asking, or a proof that does not hold (a bad, expired or revoked token) | 1 | 401 |
/// | ``forbidden`` | the principal is known but may not do this: a role not held in the case's scope, a separation-of-duties rule | 1 | 403 |
/// | ``refused`` | well-formed, but the rules do not allow it now | 1 | 422 |
/// | ``conflict`` | another writer changed the thing first; re-read and retry | 3 | 409 |
/// | ``unavailable`` | the store cannot serve it: locked, read-only, full, damaged, newer | 4 | 503 |
public enum FailureKind: String, Hashable, Sendable, CaseIterable {
    case invalidInput = "invalid_input"
    case notFound = "not_found"
    case unauthenticated
    case forbidden
    case refused
    case conflict
    case unavailable
}

/// An error Docket reports to a person or a program: a stable snake_case ``errorCode`` to branch on,
/// a `description` a person can act on, and the ``kind`` that decides how a door answers it.
///
/// Every error that leaves a Docket module conforms; the CLI and the server map ``kind`` to an
/// exit code or a status in one place each and print the description (one problem a line, each
/// line either plain or in the compiler form `FILE:LINE:COLUMN: error: ...`).
public protocol DocketError: Error, CustomStringConvertible {
    /// The stable, snake_case name of what went wrong (`case_closed`, `conflict`, `disk_full`):
    /// the raw value of the error type's own `Code`; one code means one thing across Docket
    /// (`invalid_argument` from the store and from the service alike).
    var errorCode: String { get }
    /// How a door answers it.
    var kind: FailureKind { get }
}

extension DocketError {
    /// The description, one problem a line.
    public var lines: [String] { description.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

extension DocketError where Self: CodedError {
    public var errorCode: String { code.rawValue }
}

/// An error whose codes are an enum of its own (the usual shape: `StoreError.Code.conflict`).
public protocol CodedError {
    associatedtype Code: RawRepresentable where Code.RawValue == String
    var code: Code { get }
}
