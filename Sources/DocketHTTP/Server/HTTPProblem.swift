import DocketCore
import HTTPTypes

/// A failure the HTTP door itself finds, before or around a service call: a body that is not
/// JSON, too large or of another type, a stale `If-Match`, an unknown route or method. A
/// `DocketError` like every other, with the status it is answered with.
package struct HTTPProblem: DocketError, Sendable {
    package var status: HTTPResponse.Status
    package var errorCode: String
    package var description: String
    /// Headers the answer must carry (`Allow` on 405, `WWW-Authenticate` on 401).
    package var headers: HTTPFields

    package init(_ status: HTTPResponse.Status, code: String, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.errorCode = code
        self.description = detail
        self.headers = headers
    }

    /// The nearest kind, for the logs and the metrics: a stale precondition is a lost race.
    package var kind: FailureKind {
        switch status.code {
        case 401: .unauthenticated
        case 403: .forbidden
        case 404: .notFound
        case 409, 412: .conflict
        case 503: .unavailable
        default: .invalidInput
        }
    }

    // MARK: The problems of the door

    package static func invalidJSON(_ detail: String) -> HTTPProblem {
        HTTPProblem(.badRequest, code: "invalid_json", detail)
    }

    package static func invalidParameter(_ detail: String) -> HTTPProblem {
        HTTPProblem(.badRequest, code: "invalid_parameter", detail)
    }

    package static func unsupportedMediaType(_ contentType: String?) -> HTTPProblem {
        HTTPProblem(.unsupportedMediaType, code: "unsupported_media_type",
                    "the body must be JSON (Content-Type: application/json), not \(contentType.map { "'\($0)'" } ?? "untyped")")
    }

    package static func bodyTooLarge() -> HTTPProblem {
        HTTPProblem(.contentTooLarge, code: "body_too_large",
                    "the body is larger than \(HTTPLimits.maxBodyBytes) bytes (1 MiB), the most a request may carry")
    }

    package static func preconditionFailed(caseID: String, expected: String, actual: Int) -> HTTPProblem {
        HTTPProblem(.preconditionFailed, code: "precondition_failed",
                    "case \(caseID) is at version \(actual), not \(expected) (If-Match): it changed since you read it; nothing was appended. Read it again (its ETag is \"v\(actual)\") and decide again.")
    }

    package static func unauthenticated(_ detail: String) -> HTTPProblem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"docket\""
        return HTTPProblem(.unauthorized, code: "unauthenticated", detail, headers: headers)
    }
}

/// The one mapping from a failure's kind to its HTTP status (Docs/api.md), as `ExitStatus.of` is
/// the CLI's to exit codes.
package enum ProblemStatus {
    package static func of(_ kind: FailureKind) -> HTTPResponse.Status {
        switch kind {
        case .invalidInput: .badRequest
        case .notFound: .notFound
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .refused: .unprocessableContent
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        }
    }

    /// The status `error` is answered with.
    package static func of(_ error: any DocketError) -> HTTPResponse.Status {
        (error as? HTTPProblem)?.status ?? of(error.kind)
    }
}
