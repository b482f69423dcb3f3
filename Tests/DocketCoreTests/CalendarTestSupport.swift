import DocketTestSupport
import Foundation
import Testing

import DocketCore

/// Shared fixtures of the calendar tests: the shipped calendar files, instants written as text,
/// and a seeded random generator for the property tests.
enum CalendarFixtures {
    /// `Workflows/calendars/` of this checkout.
    static let directory = Repository.calendars

    /// The text of a shipped calendar file, e.g. `cn-2020`.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }

    /// All shipped calendars, loaded together.
    static func shipped() throws -> [String: BusinessCalendar] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try CalendarLoader.loadAll(files.map { file in
            CalendarLoader.Source(file: "Workflows/calendars/\(file)", text: try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        })
    }

    static func cn2020() throws -> BusinessCalendar {
        try CalendarLoader.load(text: text("cn-2020"), file: "cn-2020.yaml")
    }

    static func rizhao2020() throws -> BusinessCalendar {
        try CalendarLoader.load(text: text("rizhao-2020"), file: "rizhao-2020.yaml", bases: ["cn-2020": cn2020()])
    }

    /// A calendar in Europe/Berlin whose office hours straddle the 02:00-03:00 clock changes, to
    /// exercise days of 23 and 25 hours: every day 00:00-03:00 and 22:00-24:00, weekdays also 09:00-17:00.
    static func berlinNights() throws -> BusinessCalendar {
        try CalendarLoader.load(text: """
            calendar: berlin-nights
            version: 1
            time_zone: Europe/Berlin
            office_hours:
              monday: 00:00-03:00, 09:00-17:00, 22:00-24:00
              tuesday: 00:00-03:00, 09:00-17:00, 22:00-24:00
              wednesday: 00:00-03:00, 09:00-17:00, 22:00-24:00
              thursday: 00:00-03:00, 09:00-17:00, 22:00-24:00
              friday: 00:00-03:00, 09:00-17:00, 22:00-24:00
              saturday: 00:00-03:00, 22:00-24:00
              sunday: 00:00-03:00, 22:00-24:00
            holidays:
              - date: 2020-12-25
                note: Christmas Day
            """, file: "berlin-nights.yaml")
    }
}

/// The instant an ISO 8601 text names; the tests only pass well-formed literals.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Timestamp {
    guard let t = Timestamp.parse(iso8601: text) else {
        Issue.record("not an ISO 8601 instant: \(text)", sourceLocation: sourceLocation)
        return Timestamp(microseconds: 0)
    }
    return t
}

/// The date a `YYYY-MM-DD` literal names.
func date(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CalendarDate {
    guard let d = CalendarDate(parsing: text) else {
        Issue.record("not a date: \(text)", sourceLocation: sourceLocation)
        return CalendarDate(daysSinceEpoch: 0)
    }
    return d
}

let hour: Int64 = 3_600_000_000

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so property tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
