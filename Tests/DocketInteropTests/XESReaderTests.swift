import DocketCore
import DocketInterop
import DocketTestSupport
import Foundation
import Testing

/// Reads every event of an XES document given as text.
func readXES(_ text: String, name: String = "log.xes", options: XESReader.Options = .init()) throws -> [LogEvent] {
    let dir = TemporaryDirectory()
    return try readXES(bytes: Array(text.utf8), in: dir, name: name, options: options)
}

func readXES(bytes: [UInt8], in dir: TemporaryDirectory, name: String = "log.xes", options: XESReader.Options = .init()) throws -> [LogEvent] {
    let path = dir.file(name, bytes)
    var events: [LogEvent] = []
    try XESReader(path: path, displayName: name, options: options).forEachBatch { events += $0 }
    return events
}

/// Gzip-compresses bytes with the system `gzip` tool (test fixture only).
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let result = try Processes.run(tool: "gzip", ["-n", "-c"], stdin: Data(bytes))
    try #require(result.status == 0, "gzip: \(result.stderr)")
    return [UInt8](result.stdoutData)
}

/// An XES log with the given trace bodies.
func xes(_ traces: String...) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1.0\">\n" + traces.map { "<trace>\n\($0)\n</trace>\n" }.joined() + "</log>\n"
}

func event(_ activity: String, _ time: String, _ extra: String = "") -> String {
    "<event><string key=\"concept:name\" value=\"\(activity)\"/><date key=\"time:timestamp\" value=\"\(time)\"/>\(extra)</event>"
}

@Suite("Reading XES")
struct XESReaderTests {
    @Test func theCaseIdIsTheTraceNameEvenWhenItComesAfterTheEvents() throws {
        let events = try readXES(xes(event("a", "2020-01-01T00:00:00Z") + "<string key=\"concept:name\" value=\"NA\"/>"))
        #expect(events.map(\.caseID) == ["NA"])
    }

    @Test func nestedAttributesDoNotOverrideTheEventsOwn() throws {
        let events = try readXES(xes("""
            <string key="concept:name" value="c1"/>
            <event><string key="concept:name" value="outer"><string key="concept:name" value="inner"/></string>
            <date key="time:timestamp" value="2020-01-01T00:00:00Z"/>
            <list key="l"><values><string key="lifecycle:transition" value="start"/></values></list></event>
            """))
        #expect(events.map(\.activity) == ["outer"])
        #expect(events[0].lifecycle == nil)
    }

    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        let events = try readXES(xes("<string key=\"concept:name\" value=\"c\"/>" + event("first", "2020-01-01T00:00:00Z", "<string key=\"concept:name\" value=\"second\"/>")))
        #expect(events.map(\.activity) == ["second"])
    }

    @Test func eventsOutsideTracesAreSkipped() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("in", "2020-01-01T00:00:00Z"))
            .replacingOccurrences(of: "<log xes.version=\"1.0\">", with: "<log xes.version=\"1.0\">" + event("out", "2020-01-01T00:00:00Z"))
        #expect(try readXES(text).map(\.activity) == ["in"])
    }

    @Test func referencesQuotesAndAttributeOrderAreHandled() throws {
        let events = try readXES(xes("""
            <string value='c&#x31;' key='concept:name'/>
            <event><date value="2020-01-01T00:00:00Z" key="time:timestamp"/><string value="A &amp; B &lt;&#x4E2D;&gt;" key="concept:name"/>
            <string key="org:resource" value='O&apos;Neil "the clerk"'/><string key="org:group" value="Dept&#9;1"/></event>
            """))
        #expect(events.map(\.caseID) == ["c1"])
        #expect(events.map(\.activity) == ["A & B <中>"])
        #expect(events[0].resource == "O'Neil \"the clerk\"")
        #expect(events[0].group == "Dept\t1")
    }

    @Test func namespacePrefixedElementsAreRead() throws {
        let text = """
            <?xml version="1.0"?><!-- prefixed --><xes:log xmlns:xes="http://www.xes-standard.org/"><xes:trace>
            <xes:string key="concept:name" value="c"/><xes:event><xes:string key="concept:name" value="a"/>
            <xes:date key="time:timestamp" value="2020-01-01T00:00:00Z"/><![CDATA[text]]></xes:event></xes:trace></xes:log>
            """
        #expect(try readXES(text).map(\.activity) == ["a"])
    }

    @Test func offsetsAndFractionalSecondsAreExact() throws {
        let events = try readXES(xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2011-10-01T00:38:44.546123+02:00")))
        #expect(events[0].timestamp == Timestamp.parse(iso8601: "2011-09-30T22:38:44.546123Z"))
    }

    @Test func naiveTimestampsAreUTCUnlessAZoneIsGiven() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-07-01T12:00:00") + event("b", "2020-01-01T12:00:00+01:00"))
        let utc = try readXES(text)
        #expect(utc[0].timestamp == Timestamp.parse(iso8601: "2020-07-01T12:00:00Z"))
        let berlin = try readXES(text, options: .init(naiveTimeZone: try #require(NaiveTimeZone("Europe/Berlin"))))
        #expect(berlin[0].timestamp == Timestamp.parse(iso8601: "2020-07-01T10:00:00Z"))  // summer time
        #expect(berlin[1].timestamp == utc[1].timestamp)  // explicit offsets are kept
        let shanghai = try readXES(text, options: .init(naiveTimeZone: try #require(NaiveTimeZone("+08:00"))))
        #expect(shanghai[0].timestamp == Timestamp.parse(iso8601: "2020-07-01T04:00:00Z"))
    }

    @Test func gzipIsRecognisedByItsMagicBytesWhateverTheName() throws {
        let dir = TemporaryDirectory()
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-01-01T00:00:00Z"))
        let events = try readXES(bytes: gzipped(Array(text.utf8)), in: dir, name: "plain-looking.xes")
        #expect(events.map(\.activity) == ["a"])
    }

    @Test func concatenatedGzipMembersAreReadAsOneStream() throws {
        let dir = TemporaryDirectory()
        let text = Array(xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-01-01T00:00:00Z")).utf8)
        let half = text.count / 2
        let bytes = try gzipped(Array(text[..<half])) + gzipped(Array(text[half...]))
        #expect(try readXES(bytes: bytes, in: dir, name: "log.xes.gz").map(\.activity) == ["a"])
    }

    @Test func batchesHoldWholeTracesInFileOrder() throws {
        // Enough traces to span several 512 KiB chunks.
        let traces = (0..<6000).map { i in
            "<string key=\"concept:name\" value=\"case \(i)\"/>" + event("a", "2020-01-01T00:00:00Z") + event("b", "2020-01-01T00:01:00Z")
        }
        let dir = TemporaryDirectory()
        let path = dir.file("big.xes", "<log>" + traces.map { "<trace>\($0)</trace>\n" }.joined() + "</log>")
        var batches: [[LogEvent]] = []
        try XESReader(path: path).forEachBatch { batches.append($0) }
        #expect(batches.count > 1)
        #expect(batches.allSatisfy { $0.count % 2 == 0 && $0.first?.activity == "a" })
        #expect(batches.flatMap { $0 }.map(\.caseID) == (0..<6000).flatMap { ["case \($0)", "case \($0)"] })
    }

    @Test func otherAttributesAreCollectedWhenAsked() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-01-01T00:00:00Z", "<int key=\"cost\" value=\"50\"/>"))
        #expect(try readXES(text)[0].attributes.isEmpty)
        #expect(try readXES(text, options: .init(collectsAttributes: true))[0].attributes == ["cost": "50"])
    }

    @Test func startTimestampsInstancesAndRolesAreRead() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("a", "2020-01-01T01:00:00Z", """
            <date key="start_timestamp" value="2020-01-01T00:00:00Z"/><string key="concept:instance" value="7"/>
            <string key="org:role" value="clerk"/><string key="lifecycle:transition" value="complete"/>
            """))
        let e = try readXES(text)[0]
        #expect(e.startTimestamp == Timestamp.parse(iso8601: "2020-01-01T00:00:00Z"))
        #expect(e.instance == "7" && e.role == "clerk" && e.lifecycle == "complete")
    }
}

@Suite("Reading XES in ISO-8859-1")
struct Latin1XESTests {
    @Test func aLatin1DocumentIsTranscoded() throws {
        let text = xes("<string key=\"concept:name\" value=\"c\"/>" + event("Prüfung", "2020-01-01T00:00:00Z"))
            .replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
        let latin1 = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let dir = TemporaryDirectory()
        #expect(try readXES(bytes: latin1, in: dir).map(\.activity) == ["Prüfung"])
    }
}
