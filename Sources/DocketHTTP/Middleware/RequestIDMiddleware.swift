import Foundation
import Hummingbird
import HTTPTypes
import Logging

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}

/// Gives every request one id: the caller's `X-Request-Id` when it is sane (1 to 128 letters,
/// digits, `.`, `_`, `-`, `:`), a new UUID otherwise. It is on every log line of the request
/// (`request_id` metadata), on the problem body of a failure, and in the `X-Request-Id` header
/// of the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].flatMap(Self.sane) ?? UUID().uuidString.lowercased()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// `candidate` when it can go into a log line and a header unchanged.
    static func sane(_ candidate: String) -> String? {
        guard (1...128).contains(candidate.count),
              candidate.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-:".unicodeScalars.contains($0)) })
        else { return nil }
        return candidate
    }
}

/// Times every request and counts it in the latency histogram by its route template, and writes
/// one log line per request.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // The template (`/v1/cases/{id}`), never the raw path: a label per case id would grow without bound.
        let route = context.endpointPath ?? "unmatched"
        metrics.request(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)",
                            metadata: ["route": .string(route), "ms": .stringConvertible(Int(seconds * 1000))])
        return response
    }
}
