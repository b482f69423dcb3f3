/// Reads calendar files (YAML, `Docs/calendars.md`) into ``BusinessCalendar``s.
///
/// Pure: it takes the files' text and never touches the file system; the caller reads the files
/// and says what they are called. Each file is read through the one `YAMLReader` every loader
/// uses, so every problem in it is reported, not just the first, each as
/// `FILE:LINE:COLUMN: error: message` at the node to edit, in one ``FileProblems``.
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
    /// - Throws: ``FileProblems``: every problem in the file, sorted by position.
    public static func load(
        text: String, file: String, base: (String) -> BusinessCalendar? = { _ in nil }
    ) throws(FileProblems) -> BusinessCalendar {
        var parser = CalendarParser(reader: YAMLReader(text: text, file: file))
        let parsed = parser.parse()
        var reader = parser.reader
        let calendar = parsed.flatMap { resolve($0, reader: &reader, base: { base($0).map(BaseLookup.found) ?? .unknown }) }
        return try reader.finish(calendar)
    }

    /// Loads one calendar file whose base, if any, is among `bases` (keyed by calendar name).
    public static func load(
        text: String, file: String, bases: [String: BusinessCalendar]
    ) throws(FileProblems) -> BusinessCalendar {
        try load(text: text, file: file, base: { bases[$0] })
    }

    /// Loads a set of calendar files that may name each other as bases (in any order), keyed by
    /// calendar name.
    ///
    /// - Throws: ``FileProblems``: every problem of every file (file by file, in the order given),
    ///   including two files defining the same calendar, a base that is not among them, and bases
    ///   that form a cycle.
    public static func loadAll(_ sources: [Source]) throws(FileProblems) -> [String: BusinessCalendar] {
        var readers: [YAMLReader] = []
        var files: [String: (index: Int, file: CalendarFile)] = [:]
        var order: [String] = []
        for (index, source) in sources.enumerated() {
            var parser = CalendarParser(reader: YAMLReader(text: source.text, file: source.file))
            let parsed = parser.parse()
            readers.append(parser.reader)
            guard let file = parsed else { continue }
            if let earlier = files[file.name] {
                readers[index].error(
                    "calendar '\(file.name)' is already defined in \(earlier.file.file); give each calendar file its own name",
                    at: file.namePosition)
                continue
            }
            files[file.name] = (index, file)
            order.append(file.name)
        }
        // Calendars whose file has problems, by name: an override of one is told so, not "unknown base".
        var broken: Set<String> = Set(order.filter { readers[files[$0]!.index].hasErrors })
        // Bases naming each other in a cycle: reported once, at the base of the first file on it;
        // every calendar on it is broken.
        for name in order where !broken.contains(name) {
            var chain = [name]
            var current = name
            while let next = files[current]?.file.base?.name, files[next] != nil, !broken.contains(next) {
                if let start = chain.firstIndex(of: next) {
                    let cycle = Array(chain[start...])
                    let (index, file) = files[cycle[0]]!
                    readers[index].error(
                        "calendars name each other as bases in a cycle: \((cycle + [cycle[0]]).joined(separator: " -> "))",
                        at: file.base!.position)
                    broken.formUnion(cycle)
                    break
                }
                chain.append(next)
                current = next
            }
        }
        var resolved: [String: BusinessCalendar] = [:]
        func resolveNamed(_ name: String) -> BaseLookup {
            if let calendar = resolved[name] { return .found(calendar) }
            guard let (index, file) = files[name] else { return .unknown }
            if broken.contains(name) { return .broken(file: file.file) }
            // A copy, so that resolving its base can record that base's problems meanwhile.
            var reader = readers[index]
            let calendar = resolve(file, reader: &reader, base: resolveNamed)
            readers[index] = reader
            guard let calendar else {
                broken.insert(name)
                return .broken(file: file.file)
            }
            resolved[name] = calendar
            return .found(calendar)
        }
        for name in order { _ = resolveNamed(name) }
        let problems = readers.flatMap { $0.sortedDiagnostics() }
        guard !problems.contains(where: { $0.severity == .error }) else { throw FileProblems(diagnostics: problems) }
        return resolved
    }

    /// What looking up an override's base found.
    enum BaseLookup {
        case found(BusinessCalendar)
        /// No such calendar.
        case unknown
        /// Its file has problems of its own, reported there.
        case broken(file: String)
    }

    /// Builds the calendar a parsed file describes, on top of its base for an override; nil, with
    /// the problem in `reader`, when the base cannot be had or the file has problems.
    static func resolve(_ file: CalendarFile, reader: inout YAMLReader, base lookup: (String) -> BaseLookup) -> BusinessCalendar? {
        let me = CalendarVersion(name: file.name, version: file.version)
        var layers = [me]
        let zone: TimeZoneOffsets
        let weeklyHours: WeeklyHours
        var dateHours: [CalendarDate: DayHours] = [:]
        var notes: [CalendarDate: [String]] = [:]
        let workingDay: Int64
        let anchor: SourcePosition
        var coverage = file.covers?.dates
        var sources = file.sources

        if let base = file.base {
            let baseCalendar: BusinessCalendar
            switch lookup(base.name) {
            case let .found(calendar):
                baseCalendar = calendar
            case .unknown:
                reader.error("unknown base calendar '\(base.name)'; load its file too, or check the name", at: base.position)
                return nil
            case let .broken(baseFile):
                // Its own problems are reported in its file; say why this one is not loaded only
                // when nothing else here says so.
                if !reader.hasErrors {
                    reader.error("base calendar '\(base.name)' cannot be loaded: see the problems in \(baseFile)", at: base.position)
                }
                return nil
            }
            if let wanted = base.version, wanted != baseCalendar.version {
                reader.error(
                    "this override is written for \(base.name) v\(wanted), but the loaded \(base.name) is v\(baseCalendar.version); review the override and update 'base_version'",
                    at: base.position)
                return nil
            }
            guard !reader.hasErrors else { return nil }
            layers += baseCalendar.provenance.layers
            zone = baseCalendar.zone
            weeklyHours = baseCalendar.weeklyHours
            dateHours = baseCalendar.dateHours
            for date in baseCalendar.dateHours.keys { notes[date] = baseCalendar.notes(on: date) }
            workingDay = baseCalendar.workingDayMicroseconds
            anchor = base.position
            // An override knows no more dates than its base: its own `covers` can only narrow it.
            if let inherited = baseCalendar.coverage {
                if let own = coverage {
                    guard own.overlaps(inherited) else {
                        reader.error(
                            "'covers' (\(own.lowerBound) to \(own.upperBound)) lies outside the coverage of base calendar '\(base.name)' (\(inherited.lowerBound) to \(inherited.upperBound))",
                            at: file.covers?.position ?? base.position)
                        return nil
                    }
                    coverage = max(own.lowerBound, inherited.lowerBound)...min(own.upperBound, inherited.upperBound)
                } else {
                    coverage = inherited
                }
            }
            sources = baseCalendar.sources + sources
        } else if let timeZone = file.timeZone, let officeHours = file.officeHours {
            guard !reader.hasErrors else { return nil }
            zone = timeZone.offsets
            weeklyHours = officeHours.hours
            workingDay = file.workingDayLength ?? officeHours.hours.normalDayHours.totalMicroseconds
            anchor = officeHours.position
        } else {
            // CalendarParser returns a file only with a base or both of these; kept as an error rather than a trap.
            reader.error("a calendar needs 'time_zone' and 'office_hours', or 'base'", at: file.namePosition)
            return nil
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
                dateHours: dateHours, notes: notes, workingDayMicroseconds: workingDay,
                coverage: coverage, sources: sources)
        } catch {
            reader.error(error.message, at: anchor)
            return nil
        }
    }
}
