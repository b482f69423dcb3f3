import DocketCore
import Foundation
import Hummingbird
import HTTPTypes

/// Reading a command's JSON body: the type checked (415), the size bounded (413), the JSON
/// decoded with the position of what is wrong in it (400).
package enum JSONBody {
    /// The body of `request` decoded as `T`.
    package static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let contentType = request.headers[.contentType]
        guard let contentType, isJSON(contentType) else { throw HTTPProblem.unsupportedMediaType(contentType) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > HTTPLimits.maxBodyBytes {
            throw HTTPProblem.bodyTooLarge()
        }
        let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var request = request
                do {
                    return try await request.collectBody(upTo: HTTPLimits.maxBodyBytes)
                } catch {
                    throw HTTPProblem.bodyTooLarge()
                }
            }
            // A client that sends its body slower than this holds a connection for nothing.
            group.addTask {
                try await Task.sleep(for: HTTPLimits.bodyReadTimeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else {
                throw HTTPProblem(.requestTimeout, code: "body_timeout",
                                  "the body did not arrive within \(HTTPLimits.bodyReadTimeout): send it at once, or check the network")
            }
            return first
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    /// `data` decoded as `T`, or the problem that says where it is wrong.
    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw HTTPProblem.invalidJSON(describe(error, in: data))
        }
    }

    /// `application/json`, or any `+json` type, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }

    /// The decoding error in a sentence: where (the JSON path, or the line and column of a
    /// syntax error) and what.
    static func describe(_ error: DecodingError, in data: Data) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            "$" + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" + syntaxPosition(in: data) }
            return "at \(path(context.codingPath)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "at \(path(context.codingPath)): the field '\(key.stringValue)' is required"
        case let .typeMismatch(type, context):
            return "at \(path(context.codingPath)): expected \(describe(type)) (\(context.debugDescription))"
        case let .valueNotFound(type, context):
            return "at \(path(context.codingPath)): expected \(describe(type)), found null"
        @unknown default:
            return "the body is not the JSON expected: \(error)"
        }
    }

    /// Where the JSON parser stopped, as ` at line L, column C: WHAT`: the decoder says only that
    /// the data is not JSON, the parser names the byte offset.
    private static func syntaxPosition(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            return ""
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = reason.range(of: "character "),
                  let offset = Int(reason[range.upperBound...].prefix { $0.isNumber }), offset <= data.count
            else { return ": \(reason)" }
            let before = data.prefix(offset)
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 - before.startIndex + 1 } ?? 0) + 1
            let what = reason[..<range.lowerBound].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " around", with: "")
            return " at line \(line), column \(column): \(what.lowercased())"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "\(type)".hasPrefix("Array") ? "an array" : "\(type)".hasPrefix("Dictionary") ? "an object" : "\(type)"
        }
    }
}
