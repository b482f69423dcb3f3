import Foundation
import JWTKit

/// A JWT's claims as they came: any names, since the claim naming the person is configured
/// (`sub`, `preferred_username`, ...). Checked by ``JWTBearerVerifier`` against its own clock,
/// after the signature, not by jwt-kit (whose ``verify(using:)`` here checks nothing).
struct ClaimSet: JWTPayload, Hashable {
    var claims: [String: ClaimValue]

    init(_ claims: [String: ClaimValue]) {
        self.claims = claims
    }

    subscript(name: String) -> ClaimValue? { claims[name] }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        var claims: [String: ClaimValue] = [:]
        for key in container.allKeys {
            claims[key.stringValue] = try container.decode(ClaimValue.self, forKey: key)
        }
        self.claims = claims
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, value) in claims {
            try container.encode(value, forKey: Name(stringValue: name))
        }
    }
}

/// One claim's value, as far as Docket reads it.
enum ClaimValue: Codable, Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case strings([String])
    /// An object, a mixed array, null: present, but nothing Docket reads.
    case other

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .other
        } else if let text = try? value.decode(String.self) {
            self = .string(text)
        } else if let flag = try? value.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? value.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else if let texts = try? value.decode([String].self) {
            self = .strings(texts)
        } else {
            self = .other
        }
    }

    func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case let .string(text): try value.encode(text)
        case let .bool(flag): try value.encode(flag)
        case let .integer(integer): try value.encode(integer)
        case let .number(number): try value.encode(number)
        case let .strings(texts): try value.encode(texts)
        case .other: try value.encodeNil()
        }
    }

    var string: String? {
        if case let .string(text) = self { text } else { nil }
    }

    /// A NumericDate (seconds since the epoch, RFC 7519 §2).
    var seconds: Double? {
        switch self {
        case let .integer(integer): Double(integer)
        case let .number(number) where number.isFinite: number
        default: nil
        }
    }
}
