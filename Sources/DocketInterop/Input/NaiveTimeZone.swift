import DocketCore
import Foundation

/// How to read timestamps that carry no UTC offset (`2014/10/22 11:15:41`).
///
/// pm4py reads them as UTC; so does Docket unless told otherwise. Timestamps with an offset
/// or `Z` are exact whatever this says.
public enum NaiveTimeZone: Sendable, Equatable {
    /// Naive times are UTC.
    case utc
    /// Naive times are at a fixed offset from UTC, in seconds (east positive).
    case fixed(offsetSeconds: Int)
    /// Naive times are wall-clock times of a named zone (`Asia/Shanghai`), daylight saving included.
    case named(TimeZone)

    /// Reads `UTC`, `Z`, an offset such as `+08:00`, `-0530` or `+8`, or an IANA zone name.
    /// Returns `nil` for anything else.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        if ["utc", "z", "gmt"].contains(t.lowercased()) {
            self = .utc
            return
        }
        if let sign = t.first, sign == "+" || sign == "-" {
            let digits = t.dropFirst().replacingOccurrences(of: ":", with: "")
            guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
            let hours = digits.count <= 2 ? value : value / 100
            let minutes = digits.count <= 2 ? 0 : value % 100
            guard hours <= 23, minutes <= 59 else { return nil }
            let offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
            self = offset == 0 ? .utc : .fixed(offsetSeconds: offset)
            return
        }
        guard let zone = TimeZone(identifier: t) else { return nil }
        self = .named(zone)
    }

    /// Parses ISO 8601 text (`-` or `/` between date parts, `T` or a space before the time),
    /// reading it in this zone when it carries no offset.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        switch self {
        case .utc:
            return Timestamp.parse(bytes: bytes, naiveOffsetSeconds: 0)
        case .fixed(let offset):
            return Timestamp.parse(bytes: bytes, naiveOffsetSeconds: offset)
        case .named(let zone):
            guard let asUTC = Timestamp.parse(bytes: bytes, naiveOffsetSeconds: 0) else { return nil }
            // Parsing again with another assumed offset tells whether the text had its own.
            guard let probe = Timestamp.parse(bytes: bytes, naiveOffsetSeconds: 1), probe != asUTC else { return asUTC }
            func offset(at t: Timestamp) -> Int64 {
                Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: t.secondsSinceEpoch)))
            }
            let first = offset(at: asUTC)
            var result = asUTC.adding(seconds: -first)
            let second = offset(at: result)
            if second != first { result = asUTC.adding(seconds: -second) }
            return result
        }
    }
}
