import DocketCore
import DocketInterop
import Foundation
import Testing
import DocketTestSupport

func readCSV(_ text: String, options: CSVLogReader.Options = .init()) throws -> (events: [LogEvent], summary: CSVLogReader.Summary) {
    let dir = TemporaryDirectory()
    let path = dir.file("log.csv", text)
    var events: [LogEvent] = []
    let summary = try CSVLogReader(path: path, displayName: "log.csv", options: options).forEachBatch { events += $0 }
    return (events, summary)
}

@Suite("Reading CSV")
struct CSVLogReaderTests {
    @Test(arguments: [",", ";", "\t", "|"])
    func theDelimiterIsDetectedFromTheHeader(delimiter: String) throws {
        let text = ["Case ID", "Activity", "Complete Timestamp"].joined(separator: delimiter) + "\n"
            + ["1", "Register", "2014-10-22 11:15:41"].joined(separator: delimiter) + "\n"
        let (events, _) = try readCSV(text)
        #expect(events.map(\.activity) == ["Register"])
    }

    @Test func naIsACaseIdAndSlashDatesAreRead() throws {
        let (events, _) = try readCSV("Case ID;Activity;Complete Timestamp\nNA;ER Registration;2014/10/22 11:15:41.000\n")
        #expect(events.map(\.caseID) == ["NA"])
        #expect(events[0].timestamp == Timestamp.parse(iso8601: "2014-10-22T11:15:41Z"))
    }

    @Test func pm4pyColumnNamesAndOptionalColumnsAreRecognised() throws {
        let (events, summary) = try readCSV("""
            case:concept:name,concept:name,time:timestamp,lifecycle:transition,org:resource,start_timestamp
            c1,a,2020-01-01T01:00:00+01:00,complete,Ann,2020-01-01T00:00:00Z

            """)
        #expect(summary.caseColumn == "case:concept:name")
        let e = try #require(events.first)
        #expect(e.lifecycle == "complete" && e.resource == "Ann")
        #expect(e.timestamp == Timestamp.parse(iso8601: "2020-01-01T00:00:00Z"))
        #expect(e.startTimestamp == e.timestamp)
    }

    @Test func columnsCanBeNamedExplicitly() throws {
        let options = CSVLogReader.Options(columns: .init(caseID: "ticket", activity: "step", timestamp: "when"))
        let (events, _) = try readCSV("ticket,step,when\nT-1,Open,2020-01-01 08:00\n", options: options)
        #expect(events.map(\.caseID) == ["T-1"])
    }

    @Test func quotedFieldsMayHoldTheDelimiter() throws {
        let (events, _) = try readCSV("Case ID,Activity,Complete Timestamp\n1,\"Check, then approve\",2020-01-01 08:00\n")
        #expect(events.map(\.activity) == ["Check, then approve"])
    }

    @Test func rowsWithoutATimestampAreSkippedAndCounted() throws {
        let (events, summary) = try readCSV("Case ID,Activity,Complete Timestamp\n1,a,\n1,b,2020-01-01 08:00\n")
        #expect(events.map(\.activity) == ["b"])
        #expect(summary.skippedRows == 1)
    }

    @Test func rowsAcrossChunksWithQuotedLineBreaksAndCRLFAreReadWhole() throws {
        // About a megabyte: more than one 512 KiB chunk, with a quoted CR LF in every tenth row.
        var text = "Case ID,Activity,Complete Timestamp\r\n"
        for i in 0..<20_000 {
            let activity = i % 10 == 0 ? "\"Check \"\"\(i)\"\"\r\nagain\"" : "Step \(i)"
            text += "case-\(i / 4),\(activity),2020-01-01 08:00:\(String(format: "%02d", i % 60))\r\n"
        }
        let (events, summary) = try readCSV(text)
        #expect(summary.rows == 20_000 && summary.skippedRows == 0)
        #expect(events.count == 20_000)
        #expect(events[10].activity == "Check \"10\"\r\nagain")
        #expect(events.last?.caseID == "case-4999")
    }
}
