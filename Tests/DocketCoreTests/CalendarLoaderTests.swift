import DocketCore
import Testing

/// Reading calendar files: every mistake is reported as `FILE:LINE:COLUMN: error: message` at the
/// value that causes it.
@Suite struct CalendarLoaderTests {
    /// Every problem loading `text` reports (recorded as a failure when it loads).
    func loadProblems(_ text: String, bases: [String: BusinessCalendar] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> [Diagnostic] {
        do {
            _ = try CalendarLoader.load(text: text, file: "test.yaml", bases: bases)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return []
        } catch {
            #expect(!error.diagnostics.isEmpty, sourceLocation: sourceLocation)
            return error.diagnostics
        }
    }

    /// The first problem loading `text` reports, or `nil` (recorded as a failure) when it loads.
    func loadError(_ text: String, bases: [String: BusinessCalendar] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
        loadProblems(text, bases: bases, sourceLocation: sourceLocation).first
    }

    static let header = """
        calendar: test
        version: 1
        time_zone: UTC
        office_hours:
          monday: 09:00-17:00

        """

    @Test func errorPrintsFileLineColumnAndMessage() {
        let error = loadError(Self.header + "holiday:\n  - date: 2020-01-01\n")
        #expect(error?.description.hasPrefix("test.yaml:6:1: error: unknown key 'holiday'") == true)
    }

    @Test func unknownKeyIsReportedAtTheKey() {
        let error = loadError(Self.header + "holidays:\n  - date: 2020-01-01\n    name: New Year\n")
        #expect(error?.message.hasPrefix("unknown key 'name' in an entry of 'holidays'") == true)
        #expect(error?.position.description == "8:5")
    }

    @Test func impossibleDateIsReportedAtTheDate() {
        let error = loadError(Self.header + "holidays:\n  - date: 2020-02-30\n")
        #expect(error?.message.contains("'2020-02-30' is not a date") == true)
        #expect(error?.position.description == "7:11")
    }

    @Test func overlappingIntervalIsReportedAtTheSecondInterval() {
        let error = loadError("""
            calendar: test
            version: 1
            time_zone: UTC
            office_hours:
              monday: 09:00-12:00, 11:00-13:00
            """)
        #expect(error?.message == "11:00-13:00 overlaps 09:00-12:00 on the same day")
        #expect(error?.position.description == "5:24")
    }

    @Test func intervalEndingBeforeItStartsIsRefused() {
        let error = loadError("""
            calendar: test
            version: 1
            time_zone: UTC
            office_hours:
              monday: 17:00-09:00
            """)
        #expect(error?.message.hasPrefix("interval '17:00-09:00' ends before it starts") == true)
        #expect(error?.position.description == "5:11")
    }

    @Test func dateRangeEndingBeforeItStartsIsReportedAtItsEnd() {
        let error = loadError(Self.header + "holidays:\n  - from: 2020-05-05\n    to: 2020-05-01\n")
        #expect(error?.message == "the range ends (2020-05-01) before it starts (2020-05-05)")
        #expect(error?.position.description == "8:9")
    }

    @Test(arguments: ["9:00-12:00", "09:00-25:00", "09:60-12:00", "09:00", "09:00-12:00-13:00", "24:00-24:00"])
    func malformedIntervalIsRefused(_ hours: String) {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours:\n  monday: \(hours)\n")
        #expect(error?.message.contains("is not an interval") == true)
        #expect(error?.position.line == 5)
    }

    @Test func unknownTimeZoneIsReportedAtTheZone() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: Asia/Shangai\noffice_hours:\n  monday: 09:00-17:00\n")
        #expect(error?.message.hasPrefix("unknown time zone 'Asia/Shangai'") == true)
        #expect(error?.position.description == "3:12")
    }

    @Test func unknownWeekdayIsReportedAtTheKey() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours:\n  mon: 09:00-17:00\n")
        #expect(error?.message.hasPrefix("unknown weekday 'mon'") == true)
        #expect(error?.position.description == "5:3")
    }

    @Test func unknownBaseIsReportedAtTheBase() {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2021\n")
        #expect(error?.message.hasPrefix("unknown base calendar 'cn-2021'") == true)
        #expect(error?.position.description == "3:7")
    }

    @Test func baseOfAnotherVersionIsRefused() throws {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2020\nbase_version: 2\n", bases: ["cn-2020": try CalendarFixtures.cn2020()])
        #expect(error?.message.contains("written for cn-2020 v2") == true)
    }

    @Test func overrideMayNotChangeTheTimeZone() throws {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2020\ntime_zone: UTC\n", bases: ["cn-2020": try CalendarFixtures.cn2020()])
        #expect(error?.message.hasPrefix("an override takes 'time_zone'") == true)
        #expect(error?.position.description == "4:12")
    }

    @Test func missingVersionIsRefused() {
        let error = loadError("calendar: test\ntime_zone: UTC\noffice_hours:\n  monday: 09:00-17:00\n")
        #expect(error?.message.hasPrefix("missing 'version") == true)
    }

    @Test func holidayWithHoursIsRefusedAtTheHoursKey() {
        let error = loadError(Self.header + "holidays:\n  - date: 2020-01-01\n    hours: 09:00-12:00\n")
        #expect(error?.message.hasPrefix("a holiday is a whole day off") == true)
        #expect(error?.position.description == "8:5")
    }

    @Test func dateBothHolidayAndWorkingDayIsRefused() {
        let error = loadError(Self.header + "holidays:\n  - from: 2020-01-01\n    to: 2020-01-05\nworking_days:\n  - date: 2020-01-04\n")
        #expect(error?.message == "2020-01-04 is both in 'holidays' and in 'working_days'; a day is either off or worked")
        #expect(error?.position.description == "10:11")
    }

    @Test func weekWithoutOfficeHoursIsRefused() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours: {}\n")
        #expect(error?.message.hasPrefix("the week has no office hours") == true)
        #expect(error?.position.line == 4)
    }

    @Test func malformedYAMLIsReportedWithItsPosition() {
        let error = loadError("calendar: test\nversion: 1\noffice_hours:\n  monday: [09:00-17:00\n")
        #expect(error?.message.hasPrefix("YAML syntax error") == true)
        #expect((error?.position.line ?? 0) >= 4)
    }

    @Test func duplicateKeyIsASyntaxError() {
        let error = loadError(Self.header + "version: 2\n")
        #expect(error?.message.hasPrefix("key 'version' appears more than once") == true)
        #expect(error?.position.description == "6:1")
    }

    @Test func officeHoursMayBeAListOfIntervals() throws {
        let calendar = try CalendarLoader.load(text: """
            calendar: test
            version: 1
            time_zone: UTC
            office_hours:
              monday: [09:00-12:00, 13:00-17:00]
              tuesday:
                - 09:00-12:00
                - 13:00-17:30:30
            """, file: "test.yaml")
        #expect(calendar.weeklyHours[.monday].description == "09:00-12:00, 13:00-17:00")
        #expect(calendar.weeklyHours[.tuesday].description == "09:00-12:00, 13:00-17:30:30")
    }

    @Test func workingDayLengthDefaultsToTheNormalWeekday() throws {
        let calendar = try CalendarLoader.load(text: Self.header, file: "test.yaml")
        #expect(calendar.workingDayMicroseconds == 8 * hour)
    }

    @Test func workingDayLengthCanBeStated() throws {
        let calendar = try CalendarLoader.load(text: Self.header + "working_day_length: 7h30m\n", file: "test.yaml")
        #expect(calendar.workingDayMicroseconds == 15 * hour / 2)
    }

    @Test(arguments: ["0h", "25h", "7", "h7", "30m7h", "7hh"])
    func malformedWorkingDayLengthIsRefused(_ length: String) {
        #expect(loadError(Self.header + "working_day_length: \(length)\n")?.message.hasPrefix("'working_day_length' must be a length") == true)
    }

    @Test func swappedDayCanStateItsOwnHours() throws {
        let calendar = try CalendarLoader.load(
            text: Self.header + "working_days:\n  - date: 2020-01-04\n    hours: 09:00-12:00\n", file: "test.yaml")
        #expect(calendar.hours(on: date("2020-01-04")).description == "09:00-12:00")
    }

    @Test func shippedCalendarsLoadTogether() throws {
        let calendars = try CalendarFixtures.shipped()
        #expect(calendars.keys.sorted() == ["cn", "cn-2020", "rizhao-2020", "weekdays"])
        #expect(calendars["cn"]?.coverageDescription == "2019-01-01 to 2026-12-31")
        #expect(calendars["cn-2020"]?.coverage == nil)
        #expect(calendars["rizhao-2020"]?.coverage == nil)
    }

    @Test func plainWeekdaysCalendarWorksEightHoursMondayToFridayInUTC() throws {
        let weekdays = try #require(try CalendarFixtures.shipped()["weekdays"])
        #expect(weekdays.workingDayMicroseconds == 8 * hour)
        #expect(weekdays.workingMicroseconds(from: instant("2020-01-01T00:00:00Z"), to: instant("2020-01-08T00:00:00Z")) == 40 * hour)
        #expect(weekdays.isWorkingDay(date("2020-01-01")))  // no holidays
        #expect(weekdays.isWorkingDay(date("2020-01-04")) == false)  // Saturday
    }

    @Test func calendarsNamingEachOtherAsBasesAreRefused() {
        let error = #expect(throws: FileProblems.self) {
            try CalendarLoader.loadAll([
                CalendarLoader.Source(file: "a.yaml", text: "calendar: a\nversion: 1\nbase: b\n"),
                CalendarLoader.Source(file: "b.yaml", text: "calendar: b\nversion: 1\nbase: a\n"),
            ])
        }
        #expect(error?.lines == ["a.yaml:3:7: error: calendars name each other as bases in a cycle: a -> b -> a"])
    }

    @Test func twoFilesDefiningOneCalendarAreRefused() {
        let error = #expect(throws: FileProblems.self) {
            try CalendarLoader.loadAll([
                CalendarLoader.Source(file: "a.yaml", text: Self.header),
                CalendarLoader.Source(file: "b.yaml", text: Self.header),
            ])
        }
        #expect(error?.lines == ["b.yaml:1:11: error: calendar 'test' is already defined in a.yaml; give each calendar file its own name"])
    }

    @Test func anOverrideOfABaseWithProblemsSaysSoRatherThanUnknownBase() {
        let error = #expect(throws: FileProblems.self) {
            try CalendarLoader.loadAll([
                CalendarLoader.Source(file: "local.yaml", text: "calendar: local\nversion: 1\nbase: test\n"),
                CalendarLoader.Source(file: "test.yaml", text: Self.header + "holidays:\n  - date: 2020-02-30\n"),
            ])
        }
        #expect(error?.lines == [
            "local.yaml:3:7: error: base calendar 'test' cannot be loaded: see the problems in test.yaml",
            "test.yaml:7:11: error: '2020-02-30' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)",
        ])
    }

    /// One pass reports every problem of a file, each at the node to edit, in file order.
    @Test func everyProblemOfACalendarIsReportedAtItsNode() {
        let problems = loadProblems("""
            calendar: city hall
            version: 0
            time_zone: Europe/Berln
            office_hours:
              monday: 09:00-12:00, 11:00-13:00
              tuesday: 9-17
              funday: 09:00-17:00
            colour: blue
            holidays:
              - date: 2020-02-30
              - from: 2020-05-05
                to: 2020-05-01
              - date: 2020-06-01
                hours: 09:00-12:00
            working_days:
              - date: 2020-13-01
              - note: no date
            extra_hours:
              - date: 2020-01-04
            """)
        #expect(problems.map(\.description) == [
            "test.yaml:1:11: error: calendar name 'city hall' may use only letters, digits, '-', '_' and '.'",
            "test.yaml:2:10: error: 'version' must be a whole number of at least 1, found '0'",
            "test.yaml:3:12: error: unknown time zone 'Europe/Berln'; use an IANA name such as Asia/Shanghai or UTC",
            "test.yaml:5:24: error: 11:00-13:00 overlaps 09:00-12:00 on the same day",
            "test.yaml:6:12: error: '9-17' is not an interval; write HH:MM-HH:MM (e.g. 09:00-12:00, end at most 24:00)",
            "test.yaml:7:3: error: unknown weekday 'funday' in office_hours; use monday ... sunday (leave out days without office hours)",
            "test.yaml:8:1: error: unknown key 'colour' in a calendar; known keys: calendar, version, note, time_zone, office_hours, working_day_length, base, base_version, covers, sources, holidays, working_days, extra_hours, closures",
            "test.yaml:10:11: error: '2020-02-30' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)",
            "test.yaml:12:9: error: the range ends (2020-05-01) before it starts (2020-05-05)",
            "test.yaml:14:5: error: a holiday is a whole day off and has no 'hours'; put a partial closure in 'closures'",
            "test.yaml:16:11: error: '2020-13-01' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)",
            "test.yaml:17:5: error: an entry of 'working_days' needs 'date: YYYY-MM-DD', or 'from' and 'to' for a range",
            "test.yaml:19:5: error: an entry of 'extra_hours' needs 'hours' (e.g. 'hours: 09:00-12:00')",
        ])
    }

    /// Wrong types and missing keys are reported alongside each other, not one per run.
    @Test func wrongTypesAndMissingKeysAreAllReported() {
        let problems = loadProblems("""
            version: [1]
            office_hours: 09:00-17:00
            holidays:
              date: 2020-01-01
            closures:
              - [2020-01-01]
            """)
        #expect(problems.map(\.description) == [
            "test.yaml:1:1: error: missing 'calendar: NAME' (e.g. 'calendar: cn-2020')",
            "test.yaml:1:1: error: missing 'time_zone' (an IANA name such as Asia/Shanghai), or 'base' for an override",
            "test.yaml:1:10: error: 'version' must be a whole number of at least 1, found a list",
            "test.yaml:2:15: error: expected office_hours as weekdays with their hours, e.g. 'monday: 09:00-12:00, 13:00-17:00', found '09:00-17:00'",
            "test.yaml:4:3: error: expected 'holidays' as a list of entries, each starting with '- date: YYYY-MM-DD', found a mapping",
            "test.yaml:6:5: error: expected an entry of 'closures' as a mapping of keys to values, found a list",
        ])
    }
}
