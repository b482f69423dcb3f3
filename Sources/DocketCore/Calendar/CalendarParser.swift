import Yams

/// A calendar file as written, checked for shape and values but not yet resolved against its base:
/// every value keeps the position it came from, so that later checks can point at it.
struct CalendarFile {
    /// One entry of `holidays`, `working_days`, `extra_hours` or `closures`.
    struct DateEntry {
        var first: CalendarDate
        var last: CalendarDate
        var hours: DayHours?
        var note: String?
        var position: SourcePosition
        var dates: [CalendarDate] { (first.daysSinceEpoch...last.daysSinceEpoch).map(CalendarDate.init(daysSinceEpoch:)) }
    }

    var file: String
    var name: String
    var namePosition: SourcePosition
    var version: Int
    var note: String?
    var base: (name: String, version: Int?, position: SourcePosition)?
    var timeZone: (offsets: TimeZoneOffsets, position: SourcePosition)?
    var officeHours: (hours: WeeklyHours, position: SourcePosition)?
    var workingDayLength: Int64?
    /// `covers: {from, to}`: the dates the file's holidays and working days are known for.
    var covers: (dates: ClosedRange<CalendarDate>, position: SourcePosition)?
    /// `sources`: the notices each year's dates are transcribed from, in file order.
    var sources: [(year: Int, text: String)] = []
    var holidays: [DateEntry] = []
    var workingDays: [DateEntry] = []
    var extraHours: [DateEntry] = []
    var closures: [DateEntry] = []

    /// The longest date range an entry may span, to catch a mistyped year early.
    static let longestRange = 3660
}

/// Reads a calendar file's node tree through the one `YAMLReader` every loader uses, which
/// holds the problems: each is reported at its node and reading goes on, so one pass finds them all.
struct CalendarParser {
    var reader: YAMLReader

    init(reader: YAMLReader) {
        self.reader = reader
    }

    private static let topLevelKeys = [
        "calendar", "version", "note", "time_zone", "office_hours", "working_day_length", "base", "base_version",
        "covers", "sources", "holidays", "working_days", "extra_hours", "closures",
    ]

    enum HoursRule { case forbidden, optional, required }

    /// The file, when the parts every calendar needs (its name and version, and its base or its
    /// time zone and office hours) could be read; problems elsewhere are in ``reader``.
    mutating func parse() -> CalendarFile? {
        guard let root = reader.root(ifEmpty: "the file is empty; a calendar starts with 'calendar: NAME' and 'version: N'"),
            let top = reader.mapping(root, allowed: Self.topLevelKeys, what: "a calendar")
        else { return nil }

        var name: String?
        var namePosition = top.position
        if let node = top["calendar"] {
            namePosition = reader.position(of: node)
            name = reader.name(node, what: "the calendar name, e.g. 'calendar: cn-2020'")
            if let text = name, !text.unicodeScalars.allSatisfy(Self.isNameCharacter) {
                reader.error("calendar name '\(text)' may use only letters, digits, '-', '_' and '.'", at: node)
                name = nil
            }
        } else {
            reader.error("missing 'calendar: NAME' (e.g. 'calendar: cn-2020')", at: top.position)
        }
        var version: Int?
        if let node = top["version"] {
            version = reader.positiveInteger(node, key: "version")
        } else {
            reader.error("missing 'version: N' (a positive whole number, raised on every change)", at: top.position)
        }
        let note = top["note"].flatMap { reader.text($0, what: "a note") }

        var base: (name: String, version: Int?, position: SourcePosition)?
        var timeZone: (offsets: TimeZoneOffsets, position: SourcePosition)?
        var officeHours: (hours: WeeklyHours, position: SourcePosition)?
        var workingDayLength: Int64?
        var complete = true
        if let baseNode = top["base"] {
            let baseName = reader.name(baseNode, what: "the base calendar's name, e.g. 'base: cn-2020'")
            let baseVersion = top["base_version"].flatMap { reader.positiveInteger($0, key: "base_version") }
            if let baseName { base = (baseName, baseVersion, reader.position(of: baseNode)) } else { complete = false }
            for key in ["time_zone", "office_hours", "working_day_length"] {
                if let node = top[key] {
                    reader.error("an override takes '\(key)' from its base calendar '\(baseName ?? "")'; remove '\(key)' or drop 'base'", at: node)
                }
            }
        } else {
            if let node = top["base_version"] {
                reader.error("'base_version' needs 'base: NAME' naming the base calendar", at: node)
            }
            if let zoneNode = top["time_zone"] {
                if let identifier = reader.name(zoneNode, what: "a time zone such as Asia/Shanghai or UTC") {
                    if let offsets = TimeZoneOffsets(identifier: identifier) {
                        timeZone = (offsets, reader.position(of: zoneNode))
                    } else {
                        reader.error("unknown time zone '\(identifier)'; use an IANA name such as Asia/Shanghai or UTC", at: zoneNode)
                    }
                }
            } else {
                reader.error("missing 'time_zone' (an IANA name such as Asia/Shanghai), or 'base' for an override", at: top.position)
            }
            if let hoursNode = top["office_hours"] {
                if let hours = weeklyHours(hoursNode) {
                    if hours.totalMicroseconds > 0 {
                        officeHours = (hours, reader.position(of: hoursNode))
                    } else {
                        reader.error("the week has no office hours, so no deadline could ever fall due; give at least one weekday office hours", at: hoursNode)
                    }
                }
            } else {
                reader.error("missing 'office_hours' (e.g. 'monday: 09:00-12:00, 13:00-17:00')", at: top.position)
            }
            if let node = top["working_day_length"] {
                workingDayLength = duration(node, key: "working_day_length")
            }
            complete = timeZone != nil && officeHours != nil
        }

        let covers = top["covers"].flatMap { coverage($0) }
        let sources = top["sources"].map { self.sources($0) } ?? []
        let holidays = entries(top["holidays"], list: "holidays", hours: .forbidden)
        let workingDays = entries(top["working_days"], list: "working_days", hours: .optional)
        let extraHours = entries(top["extra_hours"], list: "extra_hours", hours: .required)
        let closures = entries(top["closures"], list: "closures", hours: .optional)
        checkConflicts(holidays: holidays, workingDays: workingDays, extraHours: extraHours, closures: closures)
        if let covers {
            // A date outside what the file says it covers is most often a mistyped year.
            for (list, entries) in [("holidays", holidays), ("working_days", workingDays), ("extra_hours", extraHours), ("closures", closures)] {
                for entry in entries where !covers.dates.contains(entry.first) || !covers.dates.contains(entry.last) {
                    reader.error(
                        "this entry of '\(list)' lies outside 'covers' (\(covers.dates.lowerBound) to \(covers.dates.upperBound)); check the year, or widen 'covers'",
                        at: entry.position)
                }
            }
        }

        guard let name, let version, complete else { return nil }
        return CalendarFile(
            file: reader.file, name: name, namePosition: namePosition, version: version, note: note, base: base,
            timeZone: timeZone, officeHours: officeHours, workingDayLength: workingDayLength,
            covers: covers, sources: sources, holidays: holidays, workingDays: workingDays, extraHours: extraHours, closures: closures)
    }

    private static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_" || c == "."
    }

    /// A date listed twice in one list, or both as a holiday and a working day, is a contradiction
    /// the author must settle: reported once per entry, at the entry that repeats it.
    private mutating func checkConflicts(
        holidays: [CalendarFile.DateEntry], workingDays: [CalendarFile.DateEntry],
        extraHours: [CalendarFile.DateEntry], closures: [CalendarFile.DateEntry]
    ) {
        var holidayOrWorking: [CalendarDate: String] = [:]
        for (list, entries) in [("holidays", holidays), ("working_days", workingDays)] {
            for entry in entries {
                var reported = false
                for date in entry.dates {
                    if let other = holidayOrWorking[date] {
                        if !reported {
                            reader.error(other == list
                                ? "\(date) is listed twice in '\(list)'"
                                : "\(date) is both in '\(other)' and in '\(list)'; a day is either off or worked", at: entry.position)
                            reported = true
                        }
                    } else {
                        holidayOrWorking[date] = list
                    }
                }
            }
        }
        for (list, entries) in [("extra_hours", extraHours), ("closures", closures)] {
            var seen: Set<CalendarDate> = []
            for entry in entries {
                var reported = false
                for date in entry.dates where !seen.insert(date).inserted && !reported {
                    reader.error("\(date) is listed twice in '\(list)'; combine the hours into one entry", at: entry.position)
                    reported = true
                }
            }
        }
    }

    // MARK: Values

    private mutating func date(_ node: Node, key: String) -> CalendarDate? {
        guard let text = reader.name(node, what: "a date for '\(key)' (YYYY-MM-DD)") else { return nil }
        guard let date = CalendarDate(parsing: text) else {
            reader.error("'\(text)' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)", at: node)
            return nil
        }
        return date
    }

    /// `covers: {from: YYYY-MM-DD, to: YYYY-MM-DD}`: the first and last date the file's
    /// holidays and working days are known for.
    private mutating func coverage(_ node: Node) -> (dates: ClosedRange<CalendarDate>, position: SourcePosition)? {
        guard let mapping = reader.mapping(node, allowed: ["from", "to"], what: "'covers' with 'from' and 'to', e.g. 'from: 2019-01-01' and 'to: 2026-12-31'") else {
            return nil
        }
        guard let fromNode = mapping["from"], let toNode = mapping["to"] else {
            reader.error("'covers' needs both 'from' and 'to' (the first and last date the holidays are known for)", at: mapping.position)
            return nil
        }
        guard let first = date(fromNode, key: "from"), let last = date(toNode, key: "to") else { return nil }
        guard first <= last else {
            reader.error("'covers' ends (\(last)) before it starts (\(first))", at: toNode)
            return nil
        }
        return (first...last, reader.position(of: node))
    }

    /// `sources`: a list of `year` and `source` (the notice the year's dates come from).
    private mutating func sources(_ node: Node) -> [(year: Int, text: String)] {
        guard let items = reader.list(node, what: "'sources' as a list of entries, each '- year: 2020' with 'source: ...'") else { return [] }
        var result: [(year: Int, text: String)] = []
        for item in items {
            guard let entry = reader.mapping(item, allowed: ["year", "source"], what: "an entry of 'sources'") else { continue }
            guard let yearNode = entry["year"], let sourceNode = entry["source"] else {
                reader.error("an entry of 'sources' needs 'year' and 'source' (the notice its dates come from)", at: entry.position)
                continue
            }
            guard let year = reader.positiveInteger(yearNode, key: "year") else { continue }
            guard (1...9999).contains(year) else {
                reader.error("'year' must be a year between 1 and 9999, not \(year)", at: yearNode)
                continue
            }
            guard let text = reader.text(sourceNode, what: "the source, e.g. the notice's title and number") else { continue }
            result.append((year, text))
        }
        return result
    }

    /// `7h`, `7h30m`, `450m` or `7h30m15s`, as microseconds; more than zero and at most 24 hours.
    private mutating func duration(_ node: Node, key: String) -> Int64? {
        guard let text = reader.text(node, what: "a length such as 7h30m for '\(key)'") else { return nil }
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
            reader.error("'\(key)' must be a length of at most 24 hours such as 7h or 7h30m, not '\(text)'", at: node)
            return nil
        }
        return total
    }

    /// `office_hours`: weekday names mapped to interval lists; weekdays left out are closed.
    private mutating func weeklyHours(_ node: Node) -> WeeklyHours? {
        guard let days = reader.pairs(node, what: "office_hours as weekdays with their hours, e.g. 'monday: 09:00-12:00, 13:00-17:00'") else {
            return nil
        }
        var hours: [Weekday: DayHours] = [:]
        var valid = true
        for (key, value) in days {
            guard let name = reader.name(key, what: "a weekday") else {
                valid = false
                continue
            }
            guard let weekday = Weekday(rawValue: name) else {
                reader.error("unknown weekday '\(name)' in office_hours; use monday ... sunday (leave out days without office hours)", at: key)
                valid = false
                continue
            }
            if let day = dayHours(value) { hours[weekday] = day } else { valid = false }
        }
        return valid ? WeeklyHours(hours) : nil
    }

    /// `09:00-12:00, 13:00-17:00`, or a YAML list of such intervals; nil after reporting every
    /// interval that cannot be read or overlaps another.
    private mutating func dayHours(_ node: Node) -> DayHours? {
        var items: [(text: Substring, node: Node, offset: Int)] = []
        if let sequence = node.sequence {
            for item in sequence {
                guard let text = reader.text(item, what: "an interval such as 09:00-12:00") else { return nil }
                items += split(text).map { ($0.text, item, $0.offset) }
            }
        } else {
            guard let text = reader.text(node, what: "office hours such as 09:00-12:00, 13:00-17:00") else { return nil }
            items = split(text).map { ($0.text, node, $0.offset) }
        }
        guard !items.isEmpty else {
            reader.error("expected office hours such as 09:00-12:00, 13:00-17:00", at: node)
            return nil
        }
        var intervals: [OfficeInterval] = []
        var valid = true
        for item in items {
            let at = reader.position(of: item.node, offset: item.offset)
            guard let interval = interval(item.text, at: at) else {
                valid = false
                continue
            }
            if let other = intervals.first(where: { $0.start < interval.end && interval.start < $0.end }) {
                reader.error("\(interval) overlaps \(other) on the same day", at: at)
                valid = false
            }
            intervals.append(interval)
        }
        return valid ? DayHours(intervals) : nil
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
    private mutating func interval(_ text: Substring, at position: SourcePosition) -> OfficeInterval? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.timeOfDay(parts[0]), let end = Self.timeOfDay(parts[1]),
            start < OfficeInterval.microsecondsPerDay
        else {
            reader.error("'\(text)' is not an interval; write HH:MM-HH:MM (e.g. 09:00-12:00, end at most 24:00)", at: position)
            return nil
        }
        guard let interval = OfficeInterval(start: start, end: end) else {
            reader.error("interval '\(text)' ends before it starts; write the earlier time first", at: position)
            return nil
        }
        return interval
    }

    /// `HH:MM` or `HH:MM:SS`, 00:00 to 24:00, in microseconds since midnight.
    private static func timeOfDay(_ text: Substring) -> Int64? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3,
            fields.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        let numbers = fields.compactMap { Int64($0) }
        let (hour, minute, second) = (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
        guard minute < 60, second < 60, hour < 24 || (hour == 24 && minute == 0 && second == 0) else { return nil }
        return (hour * 3600 + minute * 60 + second) * 1_000_000
    }

    /// A list of date entries: mappings with `date` (or `from` and `to`), `hours` as `rule` allows,
    /// and `note`. Only entries read without a problem are returned.
    private mutating func entries(_ node: Node?, list: String, hours rule: HoursRule) -> [CalendarFile.DateEntry] {
        guard let node,
            let items = reader.list(node, what: "'\(list)' as a list of entries, each starting with '- date: YYYY-MM-DD'")
        else { return [] }
        // 'hours' is always known, so that a holiday's gets the message below, not "unknown key".
        let allowed = ["date", "from", "to", "hours", "note"]
        var result: [CalendarFile.DateEntry] = []
        for item in items {
            guard let entry = reader.mapping(item, allowed: allowed, what: "an entry of '\(list)'") else { continue }
            var valid = true
            var first: CalendarDate?
            var last: CalendarDate?
            var at = entry.position
            if let dateNode = entry["date"] {
                if let other = entry["from"] ?? entry["to"] {
                    reader.error("an entry has either 'date' or 'from' and 'to', not both", at: other)
                    valid = false
                }
                first = date(dateNode, key: "date")
                last = first
                at = reader.position(of: dateNode)
            } else if let fromNode = entry["from"], let toNode = entry["to"] {
                first = date(fromNode, key: "from")
                last = date(toNode, key: "to")
                at = reader.position(of: fromNode)
                if let first, let last {
                    if first > last {
                        reader.error("the range ends (\(last)) before it starts (\(first))", at: toNode)
                        valid = false
                    } else if last.daysSinceEpoch - first.daysSinceEpoch >= CalendarFile.longestRange {
                        reader.error("the range \(first) to \(last) spans more than ten years; check the years", at: toNode)
                        valid = false
                    }
                }
            } else {
                let present = entry["from"] ?? entry["to"]
                reader.error(present == nil
                    ? "an entry of '\(list)' needs 'date: YYYY-MM-DD', or 'from' and 'to' for a range"
                    : "a range needs both 'from' and 'to'", at: present ?? item)
                valid = false
            }
            var hours: DayHours?
            if let hoursNode = entry["hours"] {
                if rule == .forbidden {
                    reader.error("a holiday is a whole day off and has no 'hours'; put a partial closure in 'closures'",
                                 at: entry.key("hours") ?? hoursNode)
                    valid = false
                } else {
                    hours = dayHours(hoursNode)
                    if hours == nil { valid = false }
                }
            } else if rule == .required {
                reader.error("an entry of '\(list)' needs 'hours' (e.g. 'hours: 09:00-12:00')", at: item)
                valid = false
            }
            let note = entry["note"].flatMap { reader.text($0, what: "a note") }
            if entry["note"] != nil, note == nil { valid = false }
            guard valid, let first, let last else { continue }
            result.append(CalendarFile.DateEntry(first: first, last: last, hours: hours, note: note, position: at))
        }
        return result
    }
}
