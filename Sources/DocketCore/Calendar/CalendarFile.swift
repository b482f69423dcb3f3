import Yams

/// A calendar file as written, checked for shape and values but not yet resolved against its base:
/// every value keeps the position it came from, so that later checks can point at it.
struct CalendarFile {
    /// A position in the file, 1-based.
    struct Position {
        var line: Int
        var column: Int
    }

    /// One entry of `holidays`, `working_days`, `extra_hours` or `closures`.
    struct DateEntry {
        var first: CalendarDate
        var last: CalendarDate
        var hours: DayHours?
        var note: String?
        var position: Position
        var dates: [CalendarDate] { (first.daysSinceEpoch...last.daysSinceEpoch).map(CalendarDate.init(daysSinceEpoch:)) }
    }

    var file: String
    var name: String
    var namePosition: Position
    var version: Int
    var note: String?
    var base: (name: String, version: Int?, position: Position)?
    var timeZone: (identifier: String, position: Position)?
    var officeHours: (hours: WeeklyHours, position: Position)?
    var workingDayLength: Int64?
    var holidays: [DateEntry] = []
    var workingDays: [DateEntry] = []
    var extraHours: [DateEntry] = []
    var closures: [DateEntry] = []

    /// The longest date range an entry may span, to catch a mistyped year early.
    static let longestRange = 3660

    private static let topLevelKeys = [
        "calendar", "version", "note", "time_zone", "office_hours", "working_day_length", "base", "base_version",
        "holidays", "working_days", "extra_hours", "closures",
    ]

    /// Parses `text`, the contents of `file`.
    init(text: String, file: String) throws(CalendarError) {
        let parser = NodeReader(file: file, end: SourcePosition.end(of: text))
        let root: Node
        do {
            guard let node = try YAMLText.compose(text) else {
                throw CalendarError(.missingKey, "the file is empty; a calendar starts with 'calendar: NAME' and 'version: N'", file: file, line: 1, column: 1)
            }
            root = node
        } catch let error as CalendarError {
            throw error
        } catch let error as YamlError {
            throw parser.syntaxError(error, text: text)
        } catch {
            throw CalendarError(.syntax, "not readable as YAML: \(error)", file: file)
        }
        let top = try parser.mapping(root, what: "a calendar")
        try parser.rejectUnknownKeys(top, allowed: Self.topLevelKeys, context: "a calendar file")

        self.file = file
        guard let nameNode = top["calendar"] else {
            throw parser.error(.missingKey, "missing 'calendar: NAME' (e.g. 'calendar: cn-2020')", at: root)
        }
        name = try parser.string(nameNode, what: "the calendar name")
        namePosition = parser.position(of: nameNode)
        let nameIsValid = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
        guard nameIsValid else {
            throw parser.error(.invalidValue, "calendar name '\(name)' may use only letters, digits, '-', '_' and '.'", at: nameNode)
        }
        guard let versionNode = top["version"] else {
            throw parser.error(.missingKey, "missing 'version: N' (a positive whole number, raised on every change)", at: root)
        }
        version = try parser.positiveInteger(versionNode, what: "version")
        note = try top["note"].map { node throws(CalendarError) in try parser.string(node, what: "note") }

        if let baseNode = top["base"] {
            let baseName = try parser.string(baseNode, what: "the base calendar name")
            let baseVersion = try top["base_version"].map { node throws(CalendarError) in try parser.positiveInteger(node, what: "base_version") }
            base = (baseName, baseVersion, parser.position(of: baseNode))
            for key in ["time_zone", "office_hours", "working_day_length"] {
                if let node = top[key] {
                    throw parser.error(.invalidValue, "an override takes '\(key)' from its base calendar '\(baseName)'; remove '\(key)' or drop 'base'", at: node)
                }
            }
        } else {
            if let node = top["base_version"] {
                throw parser.error(.invalidValue, "'base_version' needs 'base: NAME' naming the base calendar", at: node)
            }
            guard let zoneNode = top["time_zone"] else {
                throw parser.error(.missingKey, "missing 'time_zone' (an IANA name such as Asia/Shanghai), or 'base' for an override", at: root)
            }
            timeZone = (try parser.string(zoneNode, what: "time_zone"), parser.position(of: zoneNode))
            guard let hoursNode = top["office_hours"] else {
                throw parser.error(.missingKey, "missing 'office_hours' (e.g. 'monday: 09:00-12:00, 13:00-17:00')", at: root)
            }
            officeHours = (try parser.weeklyHours(hoursNode), parser.position(of: hoursNode))
            if let node = top["working_day_length"] {
                workingDayLength = try parser.duration(node, what: "working_day_length")
            }
        }

        holidays = try parser.entries(top["holidays"], list: "holidays", hours: .forbidden)
        workingDays = try parser.entries(top["working_days"], list: "working_days", hours: .optional)
        extraHours = try parser.entries(top["extra_hours"], list: "extra_hours", hours: .required)
        closures = try parser.entries(top["closures"], list: "closures", hours: .optional)
        try checkConflicts(parser)
    }

    /// A date listed twice in one list, or both as a holiday and a working day, is a contradiction
    /// the author must settle.
    private func checkConflicts(_ parser: NodeReader) throws(CalendarError) {
        var holidayOrWorking: [CalendarDate: String] = [:]
        for (list, entries) in [("holidays", holidays), ("working_days", workingDays)] {
            for entry in entries {
                for date in entry.dates {
                    if let other = holidayOrWorking[date] {
                        let message = other == list
                            ? "\(date) is listed twice in '\(list)'"
                            : "\(date) is both in '\(other)' and in '\(list)'; a day is either off or worked"
                        throw parser.error(.conflictingDates, message, at: entry.position)
                    }
                    holidayOrWorking[date] = list
                }
            }
        }
        for (list, entries) in [("extra_hours", extraHours), ("closures", closures)] {
            var seen: Set<CalendarDate> = []
            for entry in entries {
                for date in entry.dates where !seen.insert(date).inserted {
                    throw parser.error(.conflictingDates, "\(date) is listed twice in '\(list)'; combine the hours into one entry", at: entry.position)
                }
            }
        }
    }
}

/// Reads Yams nodes into calendar values, turning every problem into a positioned ``CalendarError``.
struct NodeReader {
    let file: String
    /// Where the text ends: libyaml marks a node at the very end (an empty document) past it.
    var end: SourcePosition? = nil

    enum HoursRule { case forbidden, optional, required }

    func position(of node: Node) -> CalendarFile.Position {
        let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
        if let end, line > 0, SourcePosition(line: line, column: column) > end {
            return CalendarFile.Position(line: end.line, column: end.column)
        }
        return CalendarFile.Position(line: line, column: column)
    }

    /// The position of the character `offset` (in Unicode scalars) into a single-line scalar, or the
    /// node's own position when the scalar's layout is not that simple.
    func position(of node: Node, offset: Int) -> CalendarFile.Position {
        var result = position(of: node)
        guard let scalar = node.scalar, !scalar.string.contains("\n") else { return result }
        switch scalar.style {
        case .plain: result.column += offset
        case .singleQuoted, .doubleQuoted: result.column += offset + 1
        default: break
        }
        return result
    }

    func error(_ code: CalendarError.Code, _ message: String, at node: Node) -> CalendarError {
        error(code, message, at: position(of: node))
    }

    func error(_ code: CalendarError.Code, _ message: String, at position: CalendarFile.Position) -> CalendarError {
        CalendarError(code, message, file: file, line: position.line, column: position.column)
    }

    func syntaxError(_ error: YamlError, text: String) -> CalendarError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)): " } ?? ""
            let position = SourcePosition(line: mark.line, column: mark.column).clamped(to: text)
            return CalendarError(.syntax, "not valid YAML: \(detail)\(problem)", file: file, line: position.line, column: position.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            return CalendarError(
                .syntax, "a key appears twice in one mapping: \(duplicates.sorted().joined(separator: ", "))",
                file: file, line: context.mark.line, column: context.mark.column)
        default:
            return CalendarError(.syntax, "not valid YAML: \(error)", file: file)
        }
    }

    func mapping(_ node: Node, what: String) throws(CalendarError) -> Node.Mapping {
        guard let mapping = node.mapping else {
            throw error(.invalidValue, "\(what) must be a mapping of 'key: value' lines", at: node)
        }
        return mapping
    }

    func rejectUnknownKeys(_ mapping: Node.Mapping, allowed: [String], context: String) throws(CalendarError) {
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            if !allowed.contains(name) {
                throw error(.unknownKey, "unknown key '\(name)' in \(context); expected one of: \(allowed.joined(separator: ", "))", at: key)
            }
        }
    }

    func string(_ node: Node, what: String) throws(CalendarError) -> String {
        guard let scalar = node.scalar else {
            throw error(.invalidValue, "\(what) must be a single value, not a list or mapping", at: node)
        }
        return scalar.string
    }

    func positiveInteger(_ node: Node, what: String) throws(CalendarError) -> Int {
        let text = try string(node, what: what)
        guard let value = Int(text), value > 0 else {
            throw error(.invalidValue, "\(what) must be a positive whole number, not '\(text)'", at: node)
        }
        return value
    }

    func date(_ node: Node, what: String) throws(CalendarError) -> CalendarDate {
        let text = try string(node, what: what)
        guard let date = CalendarDate(parsing: text) else {
            throw error(.invalidDate, "'\(text)' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)", at: node)
        }
        return date
    }

    /// `7h`, `7h30m`, `450m` or `7h30m15s`, as microseconds; more than zero and at most 24 hours.
    func duration(_ node: Node, what: String) throws(CalendarError) -> Int64 {
        let text = try string(node, what: what)
        let units: [(symbol: Character, seconds: Int64)] = [("h", 3600), ("m", 60), ("s", 1)]
        var total: Int64 = 0
        var digits = ""
        var lastUnit = -1
        var valid = !text.isEmpty
        for character in text where valid {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units.firstIndex(where: { $0.symbol == character }), unit > lastUnit,
                (1...6).contains(digits.count), let number = Int64(digits)
            {
                total += number * units[unit].seconds * 1_000_000
                lastUnit = unit
                digits = ""
            } else {
                valid = false
            }
        }
        guard valid, digits.isEmpty, total > 0, total <= OfficeInterval.microsecondsPerDay else {
            throw error(.invalidValue, "\(what) must be a length of at most 24 hours such as 7h or 7h30m, not '\(text)'", at: node)
        }
        return total
    }

    /// `office_hours`: weekday names mapped to interval lists; weekdays left out are closed.
    func weeklyHours(_ node: Node) throws(CalendarError) -> WeeklyHours {
        let days = try mapping(node, what: "office_hours")
        var hours: [Weekday: DayHours] = [:]
        for (key, value) in days {
            let name = key.scalar?.string ?? ""
            guard let weekday = Weekday(rawValue: name) else {
                throw error(.unknownKey, "unknown weekday '\(name)' in office_hours; use monday ... sunday (leave out days without office hours)", at: key)
            }
            hours[weekday] = try dayHours(value)
        }
        return WeeklyHours(hours)
    }

    /// `09:00-12:00, 13:00-17:00`, or a YAML list of such intervals.
    func dayHours(_ node: Node) throws(CalendarError) -> DayHours {
        var items: [(text: Substring, node: Node, offset: Int)] = []
        if let sequence = node.sequence {
            for item in sequence {
                let text = try string(item, what: "an interval")
                items += split(text).map { ($0.text, item, $0.offset) }
            }
        } else {
            let text = try string(node, what: "office hours")
            items = split(text).map { ($0.text, node, $0.offset) }
        }
        guard !items.isEmpty else {
            throw error(.invalidTime, "expected office hours such as 09:00-12:00, 13:00-17:00", at: node)
        }
        var intervals: [OfficeInterval] = []
        for item in items {
            let at = position(of: item.node, offset: item.offset)
            let interval = try self.interval(item.text, at: at)
            if let other = intervals.first(where: { $0.start < interval.end && interval.start < $0.end }) {
                throw error(.overlappingIntervals, "\(interval) overlaps \(other) on the same day", at: at)
            }
            intervals.append(interval)
        }
        return DayHours(intervals)
    }

    /// Splits a comma-separated list, keeping each trimmed item's offset in the text.
    private func split(_ text: String) -> [(text: Substring, offset: Int)] {
        var result: [(Substring, Int)] = []
        var offset = 0
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let leading = piece.prefix(while: { $0 == " " || $0 == "\t" }).unicodeScalars.count
            let trimmed = piece.drop(while: { $0 == " " || $0 == "\t" })
            let item = trimmed.prefix(trimmed.count - trimmed.reversed().prefix(while: { $0 == " " || $0 == "\t" }).count)
            if !item.isEmpty || text.contains(",") { result.append((item, offset + leading)) }
            offset += piece.unicodeScalars.count + 1
        }
        return result
    }

    /// `HH:MM-HH:MM` (seconds allowed: `HH:MM:SS`); the end may be 24:00.
    private func interval(_ text: Substring, at position: CalendarFile.Position) throws(CalendarError) -> OfficeInterval {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = timeOfDay(parts[0]), let end = timeOfDay(parts[1]),
            start < OfficeInterval.microsecondsPerDay
        else {
            throw error(.invalidTime, "'\(text)' is not an interval; write HH:MM-HH:MM (e.g. 09:00-12:00, end at most 24:00)", at: position)
        }
        guard let interval = OfficeInterval(start: start, end: end) else {
            throw error(.endBeforeStart, "interval '\(text)' ends before it starts; write the earlier time first", at: position)
        }
        return interval
    }

    /// `HH:MM` or `HH:MM:SS`, 00:00 to 24:00, in microseconds since midnight.
    private func timeOfDay(_ text: Substring) -> Int64? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3,
            fields.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        let numbers = fields.compactMap { Int64($0) }
        let (hour, minute, second) = (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
        guard minute < 60, second < 60, hour < 24 || (hour == 24 && minute == 0 && second == 0) else { return nil }
        return (hour * 3600 + minute * 60 + second) * 1_000_000
    }

    /// A list of date entries: mappings with `date` (or `from` and `to`), `hours` as `rule` allows, and `note`.
    func entries(_ node: Node?, list: String, hours rule: HoursRule) throws(CalendarError) -> [CalendarFile.DateEntry] {
        guard let node else { return [] }
        guard let sequence = node.sequence else {
            throw error(.invalidValue, "'\(list)' must be a list of entries, each starting with '- date: YYYY-MM-DD'", at: node)
        }
        var allowed = ["date", "from", "to", "note"]
        if rule != .forbidden { allowed.append("hours") }
        var result: [CalendarFile.DateEntry] = []
        for item in sequence {
            let entry = try mapping(item, what: "an entry of '\(list)'")
            for key in entry.keys where key.scalar?.string == "hours" && rule == .forbidden {
                throw error(.unknownKey, "a holiday is a whole day off and has no 'hours'; put a partial closure in 'closures'", at: key)
            }
            try rejectUnknownKeys(entry, allowed: allowed, context: "an entry of '\(list)'")
            let first: CalendarDate
            let last: CalendarDate
            var at = position(of: item)
            if let dateNode = entry["date"] {
                if let other = entry["from"] ?? entry["to"] {
                    throw error(.invalidValue, "an entry has either 'date' or 'from' and 'to', not both", at: other)
                }
                first = try date(dateNode, what: "date")
                last = first
                at = position(of: dateNode)
            } else if let fromNode = entry["from"], let toNode = entry["to"] {
                first = try date(fromNode, what: "from")
                last = try date(toNode, what: "to")
                at = position(of: fromNode)
                guard first <= last else {
                    throw error(.endBeforeStart, "the range ends (\(last)) before it starts (\(first))", at: toNode)
                }
                guard last.daysSinceEpoch - first.daysSinceEpoch < CalendarFile.longestRange else {
                    throw error(.invalidValue, "the range \(first) to \(last) spans more than ten years; check the years", at: toNode)
                }
            } else {
                let present = entry["from"] ?? entry["to"]
                throw error(.missingKey, present == nil
                    ? "an entry of '\(list)' needs 'date: YYYY-MM-DD', or 'from' and 'to' for a range"
                    : "a range needs both 'from' and 'to'", at: present ?? item)
            }
            var hours: DayHours?
            if let hoursNode = entry["hours"] {
                hours = try dayHours(hoursNode)
            } else if rule == .required {
                throw error(.missingKey, "an entry of '\(list)' needs 'hours' (e.g. 'hours: 09:00-12:00')", at: item)
            }
            let note = try entry["note"].map { node throws(CalendarError) in try string(node, what: "note") }
            result.append(CalendarFile.DateEntry(first: first, last: last, hours: hours, note: note, position: at))
        }
        return result
    }
}
