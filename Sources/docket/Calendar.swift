import ArgumentParser
import DocketCore
import DocketService
import DocketStore
import Foundation

/// `docket calendar`: the business calendars, as authors check them.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Inspect business calendars.",
        subcommands: [CalendarShow.self])
}

/// `docket calendar show NAME --year Y`: a year's working days and hours, to check a calendar file
/// against the holiday notice it transcribes.
struct CalendarShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a calendar's working days and hours over a year.",
        discussion: """
            For each month the days with working time; every date that differs from the weekly hours \
            (holidays, weekend days worked, other hours) or that the calendar has a note for, with its \
            hours and notes; and the year's working days and working hours, with the dates the calendar \
            covers and the notices the year's dates come from. Dates and hours are local \
            to the calendar's time zone. Reads the newest deployed version of NAME from --db, or with \
            --file a calendar file directly (an override's base is read from the other calendar files \
            in the same folder; NAME may then be left out).
            """)

    static let years = 1970...2100

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The deployed calendar (e.g. cn, cn-2020).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The year to show, \(years.lowerBound)-\(years.upperBound).", valueName: "year"))
    var year: Int

    @Option(help: ArgumentHelp("Read this calendar file instead of the event log.", valueName: "path"))
    var file: String?

    func run() throws {
        let asJSON = try output.isJSON()
        guard Self.years.contains(year) else {
            throw UsageFailure("--year \(year) is outside \(Self.years.lowerBound)-\(Self.years.upperBound)")
        }
        let calendar = try load()
        let view = CalendarYearView(calendar, year: year)
        print(asJSON ? try JSONOutput.text(view) : Self.table(view))
    }

    /// The calendar asked for: from `--file`, else deployed in the log.
    func load() throws -> BusinessCalendar {
        if let file {
            let calendar = try Self.load(file: file)
            if let name, name != calendar.name {
                throw UsageFailure("\(file) defines calendar '\(calendar.name)', not '\(name)'")
            }
            return calendar
        }
        guard let name else {
            throw UsageFailure("name a deployed calendar (docket calendar show cn-2020 --year 2020), or pass --file PATH")
        }
        let session = try Session(store, create: false)
        guard try session.store.latestDeployment(.calendar, id: name) != nil else {
            let known = Set(try session.store.deployments(.calendar).map(\.id)).sorted()
            throw ServiceError(
                .unknownCalendar,
                "calendar '\(name)' is not deployed; deployed: " + (known.isEmpty ? "none (deploy Workflows/calendars/ first)" : known.joined(separator: ", ")))
        }
        return try session.catalog.calendar(named: name)
    }

    /// A calendar file, its base (if any) resolved among the other calendar files of its folder.
    static func load(file path: String) throws -> BusinessCalendar {
        let artifact = try ArtifactFile(path: path)
        guard artifact.kind == .calendar else {
            throw UsageFailure("\(path) is not a calendar file (it has no 'calendar:' key)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let own = URL(fileURLWithPath: path).standardizedFileURL.path
        var siblings: [CalendarLoader.Source] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        for entry in entries.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let other = (folder as NSString).appendingPathComponent(entry)
            guard URL(fileURLWithPath: other).standardizedFileURL.path != own,
                  let sibling = try? ArtifactFile(path: other), sibling.kind == .calendar
            else { continue }
            siblings.append(CalendarLoader.Source(file: other, text: sibling.text))
        }
        // The other files are only read when the file names a base: a broken neighbour does not
        // stop showing a base calendar.
        return try CalendarLoader.load(text: artifact.text, file: path, base: { base in
            (try? CalendarLoader.loadAll(siblings))?[base]
        })
    }

    static func table(_ view: CalendarYearView) -> String {
        let layers = view.provenance.map { "\($0.name) v\($0.version)" }.joined(separator: " on ")
        var lines = ["\(layers), \(view.year), \(view.timeZone)", "weekly hours:"]
        lines += view.weeklyHours.map { "  " + $0 }
        lines.append("one working day: \(hours(view.workingDaySeconds))")
        if let covers = view.covers { lines.append("holidays known: \(covers.from) to \(covers.to)") }
        if view.sources.isEmpty {
            if view.covers != nil { lines.append("sources of \(view.year): none named") }
        } else {
            lines.append("sources of \(view.year):")
            lines += view.sources.map { "  " + $0 }
        }
        if let uncovered = view.uncovered {
            lines.append("not covered: \(uncovered); those dates follow the weekly hours only, and deadlines on them are provisional")
        }
        lines.append("")
        var months = TextTable(["month", "working days", "working hours", "dates"], rightAligned: [1, 2])
        for month in view.months {
            months.append([month.name, "\(month.workingDays)", hours(month.workingSeconds), dayRanges(month.workingDates)])
        }
        lines.append(months.render())
        lines.append("")
        if view.specialDays.isEmpty {
            lines.append("no date of \(view.year) differs from the weekly hours")
        } else {
            var days = TextTable(["date", "weekday", "kind", "hours", "notes"])
            for day in view.specialDays {
                days.append([day.date, day.weekday, day.kind.replacingOccurrences(of: "_", with: " "), day.hours,
                             day.notes.joined(separator: "; ")])
            }
            lines.append(days.render())
        }
        lines.append("")
        lines.append("\(view.year): \(view.workingDays) working days, \(hours(view.workingSeconds)) of working time")
        return lines.joined(separator: "\n")
    }

    /// `1743 h`, `3 h 30 min`, `45 min`.
    static func hours(_ seconds: Int64) -> String {
        let minutes = seconds / 60
        let h = minutes / 60, m = minutes % 60
        if m == 0 { return "\(h) h" }
        return h == 0 ? "\(m) min" : "\(h) h \(m) min"
    }

    /// The days of month of `dates` (`2020-01-02`...), runs collapsed: `2-3, 6-10, 19`.
    static func dayRanges(_ dates: [String]) -> String {
        let days = dates.compactMap { Int($0.suffix(2)) }
        var parts: [String] = []
        var i = 0
        while i < days.count {
            var j = i
            while j + 1 < days.count, days[j + 1] == days[j] + 1 { j += 1 }
            parts.append(j == i ? "\(days[i])" : "\(days[i])-\(days[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
