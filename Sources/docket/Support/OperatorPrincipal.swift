import DocketCore
import Foundation

/// Who runs the CLI: the operating-system user, as the principal the token commands record
/// (`created_by`, `revoked_by`).
///
/// The seam for authorization (issue 13): the directory will say whether this principal holds
/// the administering role before a token is created or revoked; today every operator may.
enum OperatorPrincipal {
    /// `os:<user name>` of the effective user, from the password database (not `$USER`, which
    /// anyone can set); `os:uid-N` for a user without an entry (a container's arbitrary uid).
    static func current() -> Principal {
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return Principal(method: .operatingSystem, id: text) }
        }
        return Principal(method: .operatingSystem, id: "uid-\(uid)")
    }
}

/// Runs async work to completion from a synchronous command (the CLI's commands are
/// synchronous; jwt-kit's verification is async).
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try outcome.get()
    }

    private final class Outcome<T: Sendable>: @unchecked Sendable {
        // @unchecked: `result` is written once by the task, under `lock`, and read after the
        // semaphore says the task is done.
        private let lock = NSLock()
        private var result: Result<T, any Error>?

        func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }

        func get() throws -> T {
            guard let result = lock.withLock({ result }) else { throw CancellationError() }
            return try result.get()
        }
    }
}
