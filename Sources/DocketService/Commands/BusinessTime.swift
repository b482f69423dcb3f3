import DocketCore
import DocketStore

/// A business time as a person wrote it (`--at`, `--now`, the API's `at`): exact when it names an
/// offset (`2021-03-01T09:00:00+08:00`, `...Z`); otherwise a wall-clock time read in the
/// workflow calendar's time zone, so a Beijing clerk's `09:00` is 09:00 in Beijing whatever the
/// server's zone.
public struct BusinessTime: Sendable, Hashable {
    /// The text as written.
    public let text: String
    /// The option or field it came from (`--at`, `at`), for messages.
    public let field: String
    /// The instant the text names when read at UTC.
    private let utc: Timestamp
    /// Whether the text names its offset (then ``instant(on:)`` ignores the calendar).
    public let hasOffset: Bool

    /// Parses `text`; throws `invalid_argument` when it is not an ISO 8601 date or date-time.
    public init(_ text: String, field: String) throws {
        guard let utc = Timestamp.parse(iso8601: text) else {
            throw ServiceError(.invalidArgument, "\(field) '\(TerminalSafety.escaped(text))' is not an ISO 8601 time such as "
                + "2021-03-01T09:00:00+08:00, or 2021-03-01T09:00 (read in the workflow calendar's time zone)")
        }
        self.text = text
        self.field = field
        self.utc = utc
        // Read with another assumed offset, a time naming its own lands on the same instant.
        hasOffset = Timestamp.parse(iso8601: text, naiveOffsetSeconds: 3600) == utc
    }

    /// The instant: as written when the text names an offset, else the wall-clock time on
    /// `calendar`'s zone at that date (UTC for a workflow without a calendar).
    public func instant(on calendar: any WorkingTimeCalendar) -> Timestamp {
        guard !hasOffset else { return utc }
        // The zone's offset at the wall-clock reading, then at the instant that gives (they
        // differ only across a change of offset).
        let guess = utc.adding(seconds: -Int64(calendar.utcOffsetSeconds(at: utc)))
        return utc.adding(seconds: -Int64(calendar.utcOffsetSeconds(at: guess)))
    }

    /// A UTC offset as people write it: `UTC`, `+08:00`.
    static func zoneName(_ offset: Int) -> String {
        guard offset != 0 else { return "UTC" }
        let text = Timestamp(seconds: 0).iso8601(offsetSeconds: offset)
        return String(text.suffix(6))
    }

    /// How far ahead of the clock a business time may be without `--allow-future`: a clock a few
    /// minutes fast is not a mistyped year.
    public static let futureTolerance: Int64 = 10 * 60

    /// Refuses `at` when it is more than ``futureTolerance`` ahead of `now` and the command did
    /// not allow it; returns whether the command relies on its allowance (the time is that far
    /// ahead), which is then recorded on its events.
    static func checkFuture(_ at: Timestamp?, now: Timestamp, allowed: Bool, calendar: (any WorkingTimeCalendar)?) throws -> Bool {
        guard let at, now.microseconds(to: at) > futureTolerance * 1_000_000 else { return false }
        guard allowed else {
            let zone = calendar.map { ($0, $0.utcOffsetSeconds(at: at)) }
            let shown = at.iso8601(offsetSeconds: zone?.1 ?? 0)
            let clock = now.iso8601(offsetSeconds: zone?.0.utcOffsetSeconds(at: now) ?? 0)
            throw ServiceError(.invalidArgument, "the business time \(shown) is more than 10 minutes after the clock (\(clock)): "
                + "a later command could not be dated before it. Check the date; if the future time is meant, "
                + "give --allow-future (API: \"allow_future\": true), which the event records")
        }
        return true
    }
}

extension CaseService {
    /// The instant of a business time given for a command on case `caseID`, read in its
    /// workflow calendar's zone when it names no offset.
    public func instant(of time: BusinessTime, caseID: String) throws -> Timestamp {
        if time.hasOffset { return time.instant(on: AlwaysWorkingCalendar()) }
        return time.instant(on: try load(caseID).context.calendar)
    }

    /// The instant of a business time given for opening a case of `workflowID` (at `version`,
    /// default the newest), read in that workflow calendar's zone when it names no offset.
    public func instant(of time: BusinessTime, workflowID: String, version: Int? = nil) throws -> Timestamp {
        if time.hasOffset { return time.instant(on: AlwaysWorkingCalendar()) }
        return time.instant(on: try catalog.context(for: catalog.definition(workflowID, version: version)).calendar)
    }
}

/// What a command's text may hold: nothing that changes what a clerk's terminal shows (control
/// characters, escape sequences, bidirectional overrides) and no id of blanks only. Checked by
/// ``CaseService`` for the CLI and the API alike, before anything is decided.
enum CommandInput {
    static func check(caseID: String) throws {
        try check(caseID, "case id")
        guard !caseID.isEmpty, !caseID.allSatisfy(\.isWhitespace) else {
            throw ServiceError(.invalidArgument, "case id '\(caseID)' is empty or blank: give an id with visible characters, or none for a new one")
        }
        guard caseID.first?.isWhitespace != true, caseID.last?.isWhitespace != true else {
            throw ServiceError(.invalidArgument, "case id '\(caseID)' begins or ends with a blank, which no one sees: give it without")
        }
    }

    static func check(_ value: String?, _ what: String) throws {
        guard let value, let scalar = TerminalSafety.firstUnsafeScalar(in: value) else { return }
        throw ServiceError(.invalidArgument, "\(what) '\(TerminalSafety.escaped(value))' holds \(TerminalSafety.name(scalar)), "
            + "a control character, escape or bidirectional override that would change what a terminal shows: "
            + "ids, names, reasons and data may not hold one")
    }

    static func check(data: [String: String]) throws {
        for (key, value) in data {
            try check(key, "data key")
            try check(value, "data '\(TerminalSafety.escaped(key))'")
        }
    }

    static func checkNames(actor: String, role: String?, onBehalfOf: String?) throws {
        try check(actor, "actor")
        guard !actor.allSatisfy(\.isWhitespace) else {
            throw ServiceError(.invalidArgument, "actor '\(actor)' is empty or blank: name who acts")
        }
        try check(role, "role")
        try check(onBehalfOf, "on-behalf-of")
        if let onBehalfOf, onBehalfOf.allSatisfy(\.isWhitespace) {
            throw ServiceError(.invalidArgument, "on-behalf-of '\(onBehalfOf)' is empty or blank: name the party acted for, or leave it out")
        }
    }

    /// The missing role of a command where a role decides: which roles could.
    static func roleRequired(_ what: String, roles: [String]) -> ServiceError {
        let could = roles.isEmpty ? "no role may do it now" : "roles that could: " + roles.joined(separator: ", ")
        return ServiceError(.invalidArgument, "\(what) needs the role you act in: give --as (API: \"as\"); \(could)")
    }
}

extension WorkflowCatalog {
    /// The instant of a time given to a command over the cases of several workflows (`--now`,
    /// `--from`, `--to`): as written when it names an offset; otherwise read in the zone of
    /// `workflowID`'s calendar, or of every deployed workflow's when they share one. Refused
    /// when they do not: a wall-clock time in one of several zones would be a guess.
    public func instant(of time: BusinessTime, workflowID: String? = nil) throws -> Timestamp {
        if time.hasOffset { return time.instant(on: AlwaysWorkingCalendar()) }
        var readings: [(workflow: String, instant: Timestamp, offset: Int)] = []
        var seen: Set<String> = []
        for definition in try deployedDefinitions(of: workflowID).reversed() where seen.insert(definition.id).inserted {
            let instant = time.instant(on: try workingCalendar(for: definition))
            readings.append((definition.id, instant, try workingCalendar(for: definition).utcOffsetSeconds(at: instant)))
        }
        guard let first = readings.first else { return time.instant(on: AlwaysWorkingCalendar()) }
        guard readings.allSatisfy({ $0.instant == first.instant }) else {
            let zones = Dictionary(grouping: readings, by: \.offset).sorted { $0.key < $1.key }.map { offset, group in
                BusinessTime.zoneName(offset) + " (" + group.map(\.workflow).sorted().joined(separator: ", ") + ")"
            }
            throw ServiceError(.invalidArgument, "\(time.field) '\(time.text)' names no offset, and the deployed workflows' calendars "
                + "are in different zones: " + zones.joined(separator: "; ") + ". Give an offset (e.g. \(time.text)+08:00) or a workflow")
        }
        return first.instant
    }
}
