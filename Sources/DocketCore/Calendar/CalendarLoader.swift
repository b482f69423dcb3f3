/// Reads calendar files (YAML, `Docs/calendars.md`) into ``BusinessCalendar``s.
///
/// Pure: it takes the files' text and never touches the file system; the caller reads the files
/// and says what they are called, which is what errors print (`FILE:LINE:COLUMN: error: message`).
/// An override names its base calendar; the caller supplies the base (``load(text:file:base:)``) or
/// all files at once (``loadAll(_:)``).
public enum CalendarLoader {
    /// The text of one calendar file and the name errors should print for it.
    public struct Source: Sendable {
        /// The name errors print for the file, usually its path.
        public var file: String
        /// The file's contents.
        public var text: String

        /// The contents `text` of the file named `file`.
        public init(file: String, text: String) {
            self.file = file
            self.text = text
        }
    }

    /// Loads one calendar file.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the name errors print, usually the path (`Workflows/calendars/cn-2020.yaml`).
    ///   - base: looks up a base calendar by name, for an override (`base: cn-2020`); `nil` when unknown.
    /// - Throws: ``CalendarError`` with the position of the offending value.
    public static func load(
        text: String, file: String, base: (String) -> BusinessCalendar? = { _ in nil }
    ) throws(CalendarError) -> BusinessCalendar {
        try resolve(CalendarFile(text: text, file: file), base: base)
    }

    /// Loads one calendar file whose base, if any, is among `bases` (keyed by calendar name).
    public static func load(
        text: String, file: String, bases: [String: BusinessCalendar]
    ) throws(CalendarError) -> BusinessCalendar {
        try load(text: text, file: file, base: { bases[$0] })
    }

    /// Loads a set of calendar files that may name each other as bases (in any order), keyed by
    /// calendar name.
    ///
    /// - Throws: ``CalendarError`` for the first file that fails, for two files defining the same
    ///   calendar, for a base that is not among them, and for bases that form a cycle.
    public static func loadAll(_ sources: [Source]) throws(CalendarError) -> [String: BusinessCalendar] {
        var files: [String: CalendarFile] = [:]
        var order: [String] = []
        for source in sources {
            let file = try CalendarFile(text: source.text, file: source.file)
            if let earlier = files[file.name] {
                throw CalendarError(
                    .invalidBase, "calendar '\(file.name)' is already defined in \(earlier.file); give each calendar file its own name",
                    file: file.file, line: file.namePosition.line, column: file.namePosition.column)
            }
            files[file.name] = file
            order.append(file.name)
        }
        var resolved: [String: BusinessCalendar] = [:]
        var resolving: [String] = []
        func resolveNamed(_ name: String) throws(CalendarError) -> BusinessCalendar? {
            if let calendar = resolved[name] { return calendar }
            guard let file = files[name] else { return nil }
            if let start = resolving.firstIndex(of: name), let base = file.base {
                let cycle = (resolving[start...] + [name]).joined(separator: " -> ")
                throw CalendarError(
                    .invalidBase, "calendars name each other as bases in a cycle: \(cycle)",
                    file: file.file, line: base.position.line, column: base.position.column)
            }
            resolving.append(name)
            let calendar = try resolve(file, base: resolveNamed)
            resolving.removeLast()
            resolved[name] = calendar
            return calendar
        }
        for name in order { _ = try resolveNamed(name) }
        return resolved
    }

    /// Builds the calendar a parsed file describes, on top of its base for an override.
    static func resolve(
        _ file: CalendarFile, base lookup: (String) throws(CalendarError) -> BusinessCalendar?
    ) throws(CalendarError) -> BusinessCalendar {
        func error(_ code: CalendarError.Code, _ message: String, at position: CalendarFile.Position) -> CalendarError {
            CalendarError(code, message, file: file.file, line: position.line, column: position.column)
        }
        let me = CalendarVersion(name: file.name, version: file.version)
        var layers = [me]
        let zone: TimeZoneOffsets
        let weeklyHours: WeeklyHours
        var dateHours: [CalendarDate: DayHours] = [:]
        var notes: [CalendarDate: [String]] = [:]
        let workingDay: Int64
        let anchor: CalendarFile.Position

        if let base = file.base {
            guard let baseCalendar = try lookup(base.name) else {
                throw error(.unknownBase, "unknown base calendar '\(base.name)'; load its file too, or check the name", at: base.position)
            }
            if let wanted = base.version, wanted != baseCalendar.version {
                throw error(
                    .unknownBase,
                    "this override is written for \(base.name) v\(wanted), but the loaded \(base.name) is v\(baseCalendar.version); review the override and update 'base_version'",
                    at: base.position)
            }
            layers += baseCalendar.provenance.layers
            zone = baseCalendar.zone
            weeklyHours = baseCalendar.weeklyHours
            dateHours = baseCalendar.dateHours
            for date in baseCalendar.dateHours.keys { notes[date] = baseCalendar.notes(on: date) }
            workingDay = baseCalendar.workingDayMicroseconds
            anchor = base.position
        } else if let timeZone = file.timeZone, let officeHours = file.officeHours {
            guard let offsets = TimeZoneOffsets(identifier: timeZone.identifier) else {
                throw error(.unknownTimeZone, "unknown time zone '\(timeZone.identifier)'; use an IANA name such as Asia/Shanghai or UTC", at: timeZone.position)
            }
            zone = offsets
            weeklyHours = officeHours.hours
            workingDay = file.workingDayLength ?? officeHours.hours.normalDayHours.totalMicroseconds
            anchor = officeHours.position
        } else {
            // CalendarFile guarantees a base or both of these; kept as an error rather than a trap.
            throw error(.missingKey, "a calendar needs 'time_zone' and 'office_hours', or 'base'", at: file.namePosition)
        }

        let normal = weeklyHours.normalDayHours
        func apply(_ entries: [CalendarFile.DateEntry], _ change: (DayHours, CalendarFile.DateEntry) -> DayHours) {
            for entry in entries {
                for date in entry.dates {
                    dateHours[date] = change(dateHours[date] ?? weeklyHours[date.weekday], entry)
                    if let note = entry.note { notes[date, default: []].append(note) }
                }
            }
        }
        // Whole days first, then hours added, then hours removed: a closure always wins.
        apply(file.holidays) { _, _ in .closed }
        apply(file.workingDays) { _, entry in entry.hours ?? normal }
        apply(file.extraHours) { current, entry in current.union(entry.hours ?? .closed) }
        apply(file.closures) { current, entry in entry.hours.map { current.subtracting($0) } ?? .closed }

        do {
            return try BusinessCalendar(
                provenance: CalendarProvenance(layers), zone: zone, weeklyHours: weeklyHours,
                dateHours: dateHours, notes: notes, workingDayMicroseconds: workingDay)
        } catch {
            throw CalendarError(error.code, error.message, file: file.file, line: anchor.line, column: anchor.column)
        }
    }
}
