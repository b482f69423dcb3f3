/// A named, versioned calendar file, such as `cn-2020 v1`.
public struct CalendarVersion: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The calendar's name, as its file declares it (`calendar: cn-2020`).
    public var name: String
    /// The file's version (`version: 1`); a changed calendar is shipped under a new version.
    public var version: Int

    /// Version `version` of calendar `name`.
    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    /// `cn-2020 v1`.
    public var description: String { "\(name) v\(version)" }
}

/// Which calendar versions a resolved ``BusinessCalendar`` is made of, outermost override first and
/// the national calendar last: what a report prints so its working-time figures can be reproduced.
public struct CalendarProvenance: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The layers, the calendar itself first, then its base, then the base's base.
    public var layers: [CalendarVersion]

    /// The provenance of a calendar made of `layers`, itself first.
    public init(_ layers: [CalendarVersion]) {
        self.layers = layers
    }

    /// `rizhao-2020 v1 on cn-2020 v1`.
    public var description: String { layers.map(\.description).joined(separator: " on ") }
}
