import DocketCore
import DocketService
import Foundation
import Hummingbird
import HTTPTypes

/// The responses of the routes: JSON views through `JSONOutput` (the CLI's `--format json`
/// shapes), and text.
enum Reply {
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONOutput.data(value))))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A case's entity tag: its version, `"v7"` (strong: a version names exactly one state).
    static func etag(version: Int) -> String { "\"v\(version)\"" }
}

/// A request's query parameters, read with the problem that names a bad one.
struct Query {
    let request: Request

    func string(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    func int(_ name: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.map({ $0.contains(value) }) ?? true else {
            throw HTTPProblem.invalidParameter("\(name)=\(text) is not \(range.map { "an integer from \($0.lowerBound) to \($0.upperBound)" } ?? "an integer")")
        }
        return value
    }

    func int64(_ name: String) throws -> Int64? {
        guard let text = string(name) else { return nil }
        guard let value = Int64(text), value >= 0 else { throw HTTPProblem.invalidParameter("\(name)=\(text) is not a position (0, 1, 2, ...)") }
        return value
    }

    func bool(_ name: String) throws -> Bool {
        guard let text = string(name) else { return request.uri.queryParameters[name[...]] != nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw HTTPProblem.invalidParameter("\(name)=\(text) is neither true nor false")
        }
    }

    func time(_ name: String) throws -> Timestamp? {
        guard let text = string(name) else { return nil }
        return try Times.parse(text, field: name)
    }

    func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw HTTPProblem.invalidParameter("\(name)=\(text) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

/// Times in query parameters (`now`, `from`, `to`): ISO 8601 with an offset. One without is
/// refused rather than guessed: a listing or report spans workflows whose calendars may be in
/// different zones. (A command's `at` is read in its workflow's zone: `BusinessTime`.)
enum Times {
    static func parse(_ text: String, field: String) throws -> Timestamp {
        guard let t = Timestamp.parse(iso8601: text) else {
            throw HTTPProblem.invalidParameter("\(field) '\(TerminalSafety.escaped(text))' is not an ISO 8601 time such as 2020-02-09T19:00:00+08:00")
        }
        guard Timestamp.parse(iso8601: text, naiveOffsetSeconds: 3600) == t else {
            throw HTTPProblem.invalidParameter("\(field) '\(text)' names no offset: give one, such as \(text)+08:00 or \(text)Z")
        }
        return t
    }
}
