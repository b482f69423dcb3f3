/// An instant on the UTC time line, exact to the microsecond.
///
/// Docket keeps time as an integer count of microseconds since 1970-01-01T00:00:00Z, so that
/// differences are exact: subtracting two `Double` seconds-since-epoch loses sub-millisecond
/// precision, and approval logs are compared second by second against reference figures.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    /// Creates the instant `microseconds` after the Unix epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Creates the instant `seconds` after the Unix epoch.
    public init(seconds: Int64) {
        self.microseconds = seconds * 1_000_000
    }

    /// Seconds since the Unix epoch, as a `Double` (for display and statistics, not arithmetic).
    public var secondsSinceEpoch: Double { Double(microseconds) / 1_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The signed number of microseconds from `self` to `other`.
    public func microseconds(to other: Timestamp) -> Int64 { other.microseconds - microseconds }

    /// The instant `microseconds` later (earlier when negative).
    public func adding(microseconds delta: Int64) -> Timestamp { Timestamp(microseconds: microseconds + delta) }

    /// The instant `seconds` later (earlier when negative).
    public func adding(seconds delta: Int64) -> Timestamp { adding(microseconds: delta * 1_000_000) }

    public var description: String { iso8601(offsetSeconds: 0) }

    public init(from decoder: any Decoder) throws {
        microseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microseconds)
    }
}

// MARK: - Civil time

/// A date and time of day on the proleptic Gregorian calendar, without a time zone.
public struct CivilDateTime: Hashable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// Days since 1970-01-01 of this date (negative before).
    public var daysSinceEpoch: Int { CivilDateTime.daysFromCivil(year: year, month: month, day: day) }

    /// Day of the week, 1 = Monday ... 7 = Sunday (ISO 8601).
    public var isoWeekday: Int { CivilDateTime.isoWeekday(daysSinceEpoch: daysSinceEpoch) }

    /// The instant this civil time denotes at a fixed offset from UTC.
    public func timestamp(offsetSeconds: Int) -> Timestamp {
        let seconds = Int64(daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return Timestamp(microseconds: seconds * 1_000_000 + Int64(microsecond))
    }

    /// The civil time of `timestamp` at a fixed offset from UTC.
    public init(_ timestamp: Timestamp, offsetSeconds: Int) {
        let local = timestamp.microseconds + Int64(offsetSeconds) * 1_000_000
        let (days, microsOfDay) = local.floorDivided(by: 86_400_000_000)
        let (y, m, d) = CivilDateTime.civilFromDays(Int(days))
        let secondsOfDay = Int(microsOfDay / 1_000_000)
        self.init(
            year: y, month: m, day: d,
            hour: secondsOfDay / 3600, minute: secondsOfDay % 3600 / 60, second: secondsOfDay % 60,
            microsecond: Int(microsOfDay % 1_000_000))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day of the week of the day `days` after 1970-01-01 (a Thursday), 1 = Monday ... 7 = Sunday.
    public static func isoWeekday(daysSinceEpoch days: Int) -> Int {
        let (_, r) = (days + 3).floorDivided(by: 7)
        return r + 1
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CivilDateTime.daysInMonth(year: year, month: month)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
            && (0..<1_000_000).contains(microsecond)
    }
}

extension BinaryInteger {
    /// Quotient rounded towards negative infinity and the matching non-negative remainder.
    @inlinable
    func floorDivided(by divisor: Self) -> (quotient: Self, remainder: Self) {
        let q = self / divisor
        let r = self % divisor
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}

// MARK: - ISO 8601

extension Timestamp {
    /// Parses an ISO 8601 / RFC 3339 date-time such as `2020-02-09T19:00:00+08:00`,
    /// `2020-02-09 19:00:00.123456Z`, `2020-02-09T19:00` or `2020-02-09`; `/` may stand for
    /// `-` between the date parts (`2020/02/09 19:00:00`, as spreadsheets export).
    ///
    /// - Parameters:
    ///   - text: the date-time, as a person or another system wrote it.
    ///   - naiveOffsetSeconds: the offset from UTC assumed when the text carries none.
    /// - Returns: the instant, or `nil` when the text is not such a date-time or names an impossible
    ///   date. Fractions finer than a microsecond are truncated.
    public static func parse(iso8601 text: some StringProtocol, naiveOffsetSeconds: Int = 0) -> Timestamp? {
        var utf8 = Array(text.utf8)
        // Trim surrounding blanks, which CSV exports often carry.
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8.removeLast() }
        var i = 0
        while i < utf8.count, utf8[i] == 0x20 || utf8[i] == 0x09 { i += 1 }
        return utf8.withUnsafeBufferPointer { parse(bytes: UnsafeBufferPointer(rebasing: $0[i...]), naiveOffsetSeconds: naiveOffsetSeconds) }
    }

    /// Parses ISO 8601 text given as UTF-8 bytes; see ``parse(iso8601:naiveOffsetSeconds:)``.
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>, naiveOffsetSeconds: Int = 0) -> Timestamp? {
        var i = 0
        let n = b.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, b[i] == c else { return false }
            i += 1
            return true
        }
        // '-' between date parts, or '/' as in CSV exports ("2014/10/22 11:15:41.000"), used consistently.
        guard let year = digits(4), i < n, b[i] == 0x2D || b[i] == 0x2F else { return nil }
        let dateSeparator = b[i]
        i += 1
        guard let month = digits(2), expect(dateSeparator), let day = digits(2) else { return nil }
        var civil = CivilDateTime(year: year, month: month, day: day)
        var offset = naiveOffsetSeconds
        if i < n, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 {  // 'T', 't' or ' '
            i += 1
            guard let hour = digits(2), expect(0x3A), let minute = digits(2) else { return nil }
            civil.hour = hour
            civil.minute = minute
            if expect(0x3A) {
                guard let second = digits(2) else { return nil }
                civil.second = second
                if i < n, b[i] == 0x2E || b[i] == 0x2C {  // '.' or ','
                    i += 1
                    var micro = 0
                    var scale = 100_000
                    let start = i
                    while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                        micro += Int(b[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                    civil.microsecond = micro
                }
            }
            if i < n {
                if b[i] == 0x5A || b[i] == 0x7A {  // 'Z'
                    i += 1
                    offset = 0
                } else if b[i] == 0x2B || b[i] == 0x2D {  // '+' or '-'
                    let sign = b[i] == 0x2D ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    var om = 0
                    if expect(0x3A) {
                        guard let m = digits(2) else { return nil }
                        om = m
                    } else if let m = digits(2) {
                        om = m
                    }
                    guard oh <= 23, om <= 59 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == n, civil.isValid else { return nil }
        let leap = civil.second == 60
        if leap { civil.second = 59 }
        let t = civil.timestamp(offsetSeconds: offset)
        return leap ? t.adding(seconds: 1) : t
    }

    /// Formats this instant as ISO 8601 at a fixed offset from UTC, e.g. `2020-02-09T19:00:00+08:00`.
    ///
    /// Fractional seconds are written only when present, with as many digits as needed (at most 6).
    public func iso8601(offsetSeconds: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(33)
        appendISO8601(offsetSeconds: offsetSeconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``iso8601(offsetSeconds:)``'s UTF-8 appended to `out` (no string made: the JSON Lines
    /// export writes two per event).
    public func appendISO8601(offsetSeconds: Int, to out: inout [UInt8]) {
        let c = CivilDateTime(self, offsetSeconds: offsetSeconds)
        // The common case written digit by digit into one buffer: exports and JSON views write
        // one or two of these per event, and the interpolated form below cost a dozen strings.
        guard (0...9999).contains(c.year), (0..<1_000_000).contains(c.microsecond), abs(offsetSeconds) < 100 * 3600 else {
            out.append(contentsOf: paddedISO8601(offsetSeconds: offsetSeconds).utf8)
            return
        }
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(c.year, 4)
        out.append(UInt8(ascii: "-"))
        digits(c.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(c.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(c.hour, 2)
        out.append(UInt8(ascii: ":"))
        digits(c.minute, 2)
        out.append(UInt8(ascii: ":"))
        digits(c.second, 2)
        if c.microsecond != 0 {
            out.append(UInt8(ascii: "."))
            var fraction = c.microsecond
            var width = 6
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            digits(fraction, width)
        }
        if offsetSeconds == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            let a = abs(offsetSeconds)
            out.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            digits(a / 3600, 2)
            out.append(UInt8(ascii: ":"))
            digits(a % 3600 / 60, 2)
        }
    }

    /// ``iso8601(offsetSeconds:)`` as strings padded and joined: what it writes for a year outside
    /// 0...9999 (or an offset of 100 hours or more), and the reference its fast path is tested against.
    package func paddedISO8601(offsetSeconds: Int) -> String {
        let c = CivilDateTime(self, offsetSeconds: offsetSeconds)
        var s = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
        if c.microsecond != 0 {
            var frac = pad(c.microsecond, 6)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        if offsetSeconds == 0 {
            s += "Z"
        } else {
            let a = abs(offsetSeconds)
            s += (offsetSeconds < 0 ? "-" : "+") + pad(a / 3600, 2) + ":" + pad(a % 3600 / 60, 2)
        }
        return s
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
