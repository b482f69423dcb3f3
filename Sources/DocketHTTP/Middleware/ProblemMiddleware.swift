import DocketCore
import DocketService
import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Turns every failure into an RFC 9457 problem (`application/problem+json`): a `DocketError`
/// by its kind (``ProblemStatus``) with the words the CLI prints as `detail` and its `errorCode`
/// as `code`; a path no route has is 404, a path served only for other methods 405 (with
/// `Allow`); anything else 500, logged, with nothing of it shown.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any DocketError {
            if ProblemStatus.of(error).code >= 500 {
                context.logger.error("\(error.errorCode): \(error.description)")
            }
            return ProblemResponse.make(error, requestID: context.requestID)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(serving: request.uri.path)
            guard !allowed.isEmpty else {
                return ProblemResponse.make(HTTPProblem(.notFound, code: "no_such_route", "no route \(request.uri.path): see /openapi.json"),
                                            requestID: context.requestID)
            }
            var headers = HTTPFields()
            headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return ProblemResponse.make(
                HTTPProblem(.methodNotAllowed, code: "method_not_allowed",
                            "\(request.uri.path) does not take \(request.method); it takes \(allowed.map(\.rawValue).joined(separator: ", "))",
                            headers: headers),
                requestID: context.requestID)
        } catch let error as HTTPError {
            return ProblemResponse.make(HTTPProblem(error.status, code: "http_\(error.status.code)", error.body ?? error.status.reasonPhrase),
                                        requestID: context.requestID)
        } catch {
            context.logger.error("unexpected failure: \(String(reflecting: error))")
            return ProblemResponse.make(HTTPProblem(.internalServerError, code: "internal",
                                                    "the server failed to answer; the log has the details (request \(context.requestID))"),
                                        requestID: context.requestID)
        }
    }
}

/// A problem's response.
enum ProblemResponse {
    static func make(_ error: any DocketError, requestID: String?) -> Response {
        let status = ProblemStatus.of(error)
        let view = ProblemView(status: status.code, title: status.reasonPhrase, code: error.errorCode,
                               detail: error.description, requestID: requestID)
        var headers = (error as? HTTPProblem)?.headers ?? HTTPFields()
        if error.kind == .unauthenticated, headers[.wwwAuthenticate] == nil {
            headers[.wwwAuthenticate] = "Bearer realm=\"docket\""
        }
        headers[.contentType] = "application/problem+json"
        // The encoder of every view cannot fail on this one (strings and an integer).
        let body = (try? JSONOutput.data(view)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
