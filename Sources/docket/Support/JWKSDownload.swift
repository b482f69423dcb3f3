import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches the identity provider's JWKS from its URL once, when a command starts (the keys of an
/// authority's provider change rarely; restart the server after a key rotation).
enum JWKSDownload {
    /// The body of `url`, at most 1 MiB, within 10 s; anything but a 200 is an error naming it.
    static func fetch(_ url: String) throws -> String {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                guard response.status == .ok else {
                    throw UsageFailure("--jwks \(url) answered \(response.status.code) \(response.status.reasonPhrase), not the keys")
                }
                let body = try await response.body.collect(upTo: 1 << 20)
                result.set(.success(String(buffer: body)))
            } catch let failure as UsageFailure {
                result.set(.failure(failure))
            } catch {
                result.set(.failure(UsageFailure("--jwks \(url) could not be fetched: \(error)")))
            }
            done.signal()
        }
        done.wait()
        return try result.get()
    }

    private final class ResultBox: @unchecked Sendable {
        // @unchecked: written once by the task before it signals, read after the wait.
        private var value: Result<String, any Error> = .failure(UsageFailure("--jwks was not fetched"))
        func set(_ value: Result<String, any Error>) { self.value = value }
        func get() throws -> String { try value.get() }
    }
}
