import DocketTestSupport
import Foundation
import Testing

/// `calendar show`: a year of a calendar as its author checks it against the holiday notice.
@Suite struct CalendarShowCommandTests {
    func deployed() throws -> DocketBench {
        let docket = DocketBench()
        try #require(docket.docket("deploy", DocketBench.workflows).status == 0)
        return docket
    }

    /// The dates of 2020 between `from` and `to` (both included), `2020-01-24`.
    static func dates(_ from: String, _ to: String) -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var result: [String] = []
        var date = formatter.date(from: from)!
        let end = formatter.date(from: to)!
        while date <= end {
            result.append(formatter.string(from: date))
            date += 86_400
        }
        return result
    }

    /// The working days of 2020 on cn-2020 counted by hand from the State Council's notices:
    /// Monday to Friday, less the holidays, plus the make-up days.
    static func expectedWorkingDays2020() -> Int {
        var utc = Foundation.Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let holidays = Set([["2020-01-01", "2020-01-01"], ["2020-01-24", "2020-02-02"], ["2020-04-04", "2020-04-06"],
                            ["2020-05-01", "2020-05-05"], ["2020-06-25", "2020-06-27"], ["2020-10-01", "2020-10-08"]]
            .flatMap { dates($0[0], $0[1]) })
        let makeUp: Set = ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = utc.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return dates("2020-01-01", "2020-12-31").filter { text in
            let weekday = utc.component(.weekday, from: formatter.date(from: text)!)  // 1 = Sunday
            return makeUp.contains(text) || ((2...6).contains(weekday) && !holidays.contains(text))
        }.count
    }

    @Test func cn2020ShowsTheSpringFestivalAndTheMakeUpSunday() throws {
        let result = try deployed().ok("calendar", "show", "cn-2020", "--year", "2020")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let sunday = try #require(lines.first { $0.hasPrefix("2020-01-19") })
        #expect(sunday.contains("sunday") && sunday.contains("working day") && sunday.contains("09:00-12:00, 13:00-17:00"))
        for date in Self.dates("2020-01-24", "2020-02-02") {
            let line = try #require(lines.first { $0.hasPrefix(date) }, "\(date) missing")
            #expect(line.contains("holiday") && line.contains("closed") && line.contains("Spring Festival"), "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("January") && $0.contains("2-3, 6-10, 13-17, 19-23") })
        #expect(result.stdout.contains("cn-2020 v1, 2020, Asia/Shanghai"))
        #expect(result.stdout.hasSuffix("2020: 249 working days, 1743 h of working time\n"))
    }

    @Test func theJSONCountsTheWorkingDaysOfTheNotice() throws {
        let result = try deployed().ok("calendar", "show", "cn-2020", "--year", "2020", "--format", "json")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let expected = Self.expectedWorkingDays2020()
        #expect(expected == 249)
        #expect(view["working_days"] as? Int == expected)
        #expect(view["working_seconds"] as? Int == expected * 7 * 3600)
        let months = try #require(view["months"] as? [[String: Any]])
        #expect(months.count == 12)
        #expect(months.compactMap { $0["working_days"] as? Int }.reduce(0, +) == expected)
        #expect(months.flatMap { $0["working_dates"] as? [String] ?? [] }.count == expected)
        let special = try #require(view["special_days"] as? [[String: Any]])
        let sunday = try #require(special.first { $0["date"] as? String == "2020-01-19" })
        #expect(sunday["kind"] as? String == "working_day")
        #expect(sunday["working_seconds"] as? Int == 7 * 3600)
        let holidays = Set(special.filter { $0["kind"] as? String == "holiday" }.compactMap { $0["date"] as? String })
        #expect(Set(Self.dates("2020-01-24", "2020-02-02")).isSubset(of: holidays))
    }

    @Test func anOverrideShowsItsDutyHoursAndBothNotes() throws {
        let result = try deployed().ok("calendar", "show", "rizhao-2020", "--year", "2020", "--format", "json")
        let view = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let special = try #require(view["special_days"] as? [[String: Any]])
        let duty = try #require(special.first { $0["date"] as? String == "2020-01-28" })
        #expect(duty["hours"] as? String == "09:00-12:00")
        #expect((duty["notes"] as? [String])?.count == 2)
        #expect(view["working_days"] as? Int == 250)
    }

    @Test func aCalendarFileIsReadWithItsBaseFromTheSameFolder() throws {
        let docket = DocketBench()
        let file = DocketBench.workflows + "/calendars/rizhao-2020.yaml"
        let result = try docket.ok("calendar", "show", "--file", file, "--year", "2020")
        #expect(result.stdout.hasPrefix("rizhao-2020 v1 on cn-2020 v1, 2020, Asia/Shanghai"))
    }

    @Test func anUnknownCalendarIsRefusedListingTheDeployedOnes() throws {
        let result = try deployed().docket("calendar", "show", "cn-202", "--year", "2020")
        #expect(result.status == 1)
        #expect(result.stderr == "error: calendar 'cn-202' is not deployed; deployed: cn, cn-2020, rizhao-2020, weekdays\n")
    }

    @Test func aYearOutsideTheRangeIsRefused() throws {
        let result = try deployed().docket("calendar", "show", "cn-2020", "--year", "20200")
        #expect(result.status == 1)
        #expect(result.stderr == "error: --year 20200 is outside 1970-2100\n")
    }
}
