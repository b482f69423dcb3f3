import DocketCore
import Testing

/// Reading calendar files: every mistake is reported as `FILE:LINE:COLUMN: error: message` at the
/// value that causes it.
@Suite struct CalendarLoaderTests {
    /// The error loading `text` raises, or `nil` (recorded as a failure) when it loads.
    func loadError(_ text: String, bases: [String: BusinessCalendar] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> CalendarError? {
        do {
            _ = try CalendarLoader.load(text: text, file: "test.yaml", bases: bases)
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
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
        #expect(error?.code == .unknownKey)
        #expect((error?.line, error?.column) == (8, 5))
    }

    @Test func impossibleDateIsReportedAtTheDate() {
        let error = loadError(Self.header + "holidays:\n  - date: 2020-02-30\n")
        #expect(error?.code == .invalidDate)
        #expect((error?.line, error?.column) == (7, 11))
    }

    @Test func overlappingIntervalIsReportedAtTheSecondInterval() {
        let error = loadError("""
            calendar: test
            version: 1
            time_zone: UTC
            office_hours:
              monday: 09:00-12:00, 11:00-13:00
            """)
        #expect(error?.code == .overlappingIntervals)
        #expect((error?.line, error?.column) == (5, 24))
    }

    @Test func intervalEndingBeforeItStartsIsRefused() {
        let error = loadError("""
            calendar: test
            version: 1
            time_zone: UTC
            office_hours:
              monday: 17:00-09:00
            """)
        #expect(error?.code == .endBeforeStart)
        #expect((error?.line, error?.column) == (5, 11))
    }

    @Test func dateRangeEndingBeforeItStartsIsReportedAtItsEnd() {
        let error = loadError(Self.header + "holidays:\n  - from: 2020-05-05\n    to: 2020-05-01\n")
        #expect(error?.code == .endBeforeStart)
        #expect((error?.line, error?.column) == (8, 9))
    }

    @Test(arguments: ["9:00-12:00", "09:00-25:00", "09:60-12:00", "09:00", "09:00-12:00-13:00", "24:00-24:00"])
    func malformedIntervalIsRefused(_ hours: String) {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours:\n  monday: \(hours)\n")
        #expect(error?.code == .invalidTime)
        #expect(error?.line == 5)
    }

    @Test func unknownTimeZoneIsReportedAtTheZone() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: Asia/Shangai\noffice_hours:\n  monday: 09:00-17:00\n")
        #expect(error?.code == .unknownTimeZone)
        #expect((error?.line, error?.column) == (3, 12))
    }

    @Test func unknownWeekdayIsReportedAtTheKey() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours:\n  mon: 09:00-17:00\n")
        #expect(error?.code == .unknownKey)
        #expect((error?.line, error?.column) == (5, 3))
    }

    @Test func unknownBaseIsReportedAtTheBase() {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2021\n")
        #expect(error?.code == .unknownBase)
        #expect((error?.line, error?.column) == (3, 7))
    }

    @Test func baseOfAnotherVersionIsRefused() throws {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2020\nbase_version: 2\n", bases: ["cn-2020": try CalendarFixtures.cn2020()])
        #expect(error?.code == .unknownBase)
        #expect(error?.message.contains("v2") == true)
    }

    @Test func overrideMayNotChangeTheTimeZone() throws {
        let error = loadError("calendar: local\nversion: 1\nbase: cn-2020\ntime_zone: UTC\n", bases: ["cn-2020": try CalendarFixtures.cn2020()])
        #expect(error?.code == .invalidValue)
        #expect((error?.line, error?.column) == (4, 12))
    }

    @Test func missingVersionIsRefused() {
        let error = loadError("calendar: test\ntime_zone: UTC\noffice_hours:\n  monday: 09:00-17:00\n")
        #expect(error?.code == .missingKey)
        #expect(error?.message.contains("version") == true)
    }

    @Test func holidayWithHoursIsRefusedAtTheHoursKey() {
        let error = loadError(Self.header + "holidays:\n  - date: 2020-01-01\n    hours: 09:00-12:00\n")
        #expect(error?.code == .unknownKey)
        #expect((error?.line, error?.column) == (8, 5))
    }

    @Test func dateBothHolidayAndWorkingDayIsRefused() {
        let error = loadError(Self.header + "holidays:\n  - from: 2020-01-01\n    to: 2020-01-05\nworking_days:\n  - date: 2020-01-04\n")
        #expect(error?.code == .conflictingDates)
        #expect((error?.line, error?.column) == (10, 11))
    }

    @Test func weekWithoutOfficeHoursIsRefused() {
        let error = loadError("calendar: test\nversion: 1\ntime_zone: UTC\noffice_hours: {}\n")
        #expect(error?.code == .noWorkingTime)
        #expect(error?.line == 4)
    }

    @Test func malformedYAMLIsReportedWithItsPosition() {
        let error = loadError("calendar: test\nversion: 1\noffice_hours:\n  monday: [09:00-17:00\n")
        #expect(error?.code == .syntax)
        #expect((error?.line ?? 0) >= 4)
    }

    @Test func duplicateKeyIsASyntaxError() {
        let error = loadError(Self.header + "version: 2\n")
        #expect(error?.code == .syntax)
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
        #expect(loadError(Self.header + "working_day_length: \(length)\n")?.code == .invalidValue)
    }

    @Test func swappedDayCanStateItsOwnHours() throws {
        let calendar = try CalendarLoader.load(
            text: Self.header + "working_days:\n  - date: 2020-01-04\n    hours: 09:00-12:00\n", file: "test.yaml")
        #expect(calendar.hours(on: date("2020-01-04")).description == "09:00-12:00")
    }

    @Test func shippedCalendarsLoadTogether() throws {
        let calendars = try CalendarFixtures.shipped()
        #expect(calendars.keys.sorted() == ["cn-2020", "rizhao-2020", "weekdays"])
    }

    @Test func plainWeekdaysCalendarWorksEightHoursMondayToFridayInUTC() throws {
        let weekdays = try #require(try CalendarFixtures.shipped()["weekdays"])
        #expect(weekdays.workingDayMicroseconds == 8 * hour)
        #expect(weekdays.workingMicroseconds(from: instant("2020-01-01T00:00:00Z"), to: instant("2020-01-08T00:00:00Z")) == 40 * hour)
        #expect(weekdays.isWorkingDay(date("2020-01-01")))  // no holidays
        #expect(weekdays.isWorkingDay(date("2020-01-04")) == false)  // Saturday
    }

    @Test func calendarsNamingEachOtherAsBasesAreRefused() {
        let error = #expect(throws: CalendarError.self) {
            try CalendarLoader.loadAll([
                CalendarLoader.Source(file: "a.yaml", text: "calendar: a\nversion: 1\nbase: b\n"),
                CalendarLoader.Source(file: "b.yaml", text: "calendar: b\nversion: 1\nbase: a\n"),
            ])
        }
        #expect(error?.code == .invalidBase)
        #expect(error?.message.contains("a -> b -> a") == true)
    }

    @Test func twoFilesDefiningOneCalendarAreRefused() {
        let error = #expect(throws: CalendarError.self) {
            try CalendarLoader.loadAll([
                CalendarLoader.Source(file: "a.yaml", text: Self.header),
                CalendarLoader.Source(file: "b.yaml", text: Self.header),
            ])
        }
        #expect(error?.file == "b.yaml")
        #expect(error?.code == .invalidBase)
    }
}
