/// A JSON document of pm4py's shape: `analyze`'s figures under the reference files' key names, so
/// that they are compared with pm4py's key by key (the reference tests do, on this value).
///
/// It is printed like every other JSON document of Docket, through the one encoder (keys sorted);
/// an object's keys are data (activity names among them) and are written as they are.
public indirect enum JSONValue: Sendable, Equatable, Encodable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number; NaN and infinities are written as `null`, as pm4py writes them.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Structural equality, keys in order; NaN equals NaN.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value under `key` of an object (`nil` for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }
}

extension JSONValue {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(b): try container.encode(b)
        case let .int(i): try container.encode(i)
        case let .double(d): if d.isFinite { try container.encode(d) } else { try container.encodeNil() }
        case let .string(s): try container.encode(s)
        case let .array(items): try container.encode(items)
        // A dictionary: its keys are data, which no key strategy may rewrite.
        case let .object(members): try container.encode(Dictionary(members, uniquingKeysWith: { first, _ in first }))
        }
    }
}
