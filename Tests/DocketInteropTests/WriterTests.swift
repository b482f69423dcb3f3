import DocketCore
import DocketInterop
import DocketTestSupport
import Foundation
import Testing

/// The XES and CSV writers produce what the readers (and pm4py) read back unchanged.
@Suite struct WriterTests {
    /// A path in a new temporary directory (removed when the test process exits).
    static func temporaryPath(_ name: String) -> String { TemporaryDirectory.path(name, prefix: "writer") }

    static func time(_ text: String) -> Timestamp { Timestamp.parse(iso8601: text)! }

    /// Two traces with every standard field, awkward text and a sub-millisecond time.
    static let traces: [LogTrace] = [
        LogTrace(caseID: "c 1, \"quoted\"", attributes: ["channel": "online"], events: [
            LogEvent(caseID: "", activity: "register & check <fast>", timestamp: time("2020-03-02T10:00:00.123456Z"),
                     lifecycle: "start", resource: "Li Wei", group: "licensing", role: "clerk", instance: "i-1"),
            LogEvent(caseID: "", activity: "register & check <fast>", timestamp: time("2020-03-02T10:05:00Z"),
                     lifecycle: "complete", resource: "Li Wei", group: "licensing", role: "clerk", instance: "i-1",
                     startTimestamp: time("2020-03-02T10:00:00Z"), attributes: ["note": "line one\nline two\t\"end\""]),
        ]),
        LogTrace(caseID: "NA", events: [
            LogEvent(caseID: "", activity: "审批", timestamp: time("1999-12-31T23:59:59.5+08:00")),
        ]),
    ]

    static func read(_ path: String, collectsAttributes: Bool = true) throws -> [LogEvent] {
        var events: [LogEvent] = []
        try EventLogFile(path: path).forEachBatch(options: .init(collectsAttributes: collectsAttributes)) { events += $0 }
        return events
    }

    static func expected(csv: Bool) -> [LogEvent] {
        traces.flatMap { trace in
            trace.events.map { event -> LogEvent in
                var e = event
                e.caseID = trace.caseID
                if csv {
                    // A CSV row carries the case attributes as case:KEY columns.
                    for (key, value) in trace.attributes { e.attributes["case:" + key] = value }
                }
                return e
            }
        }
    }

    @Test func anXESExportReadsBackAsTheSameEvents() throws {
        let path = Self.temporaryPath("log.xes")
        let writer = XESLogWriter(sink: try FileLogSink(path: path), logName: "test")
        for trace in Self.traces { try writer.write(trace) }
        try writer.finish()
        #expect(try Self.read(path) == Self.expected(csv: false))
    }

    @Test func aCSVExportReadsBackAsTheSameEvents() throws {
        let path = Self.temporaryPath("log.csv")
        let writer = CSVLogWriter(sink: try FileLogSink(path: path), columns: .covering(Self.traces))
        for trace in Self.traces { try writer.write(trace) }
        try writer.finish()
        #expect(try Self.read(path) == Self.expected(csv: true))
    }

    @Test func csvRowsHeldInATemporaryFileAreWrittenAsThoseHeldInMemory() throws {
        // Traces whose attributes appear late, enough to outgrow a small memory limit many times.
        var traces: [LogTrace] = []
        for i in 0..<2_000 {
            var trace = Self.traces[i % 2]
            trace.caseID = "case-\(i)"
            trace.attributes["k\(i % 7)"] = "v\(i)"
            if i > 1_500 { trace.events[0].attributes["late \(i % 3)"] = "x,\(i)" }
            traces.append(trace)
        }
        func written(spillMemory: Int) throws -> (text: String, spilled: Bool, columns: CSVLogWriter.Columns) {
            let sink = MemoryLogSink()
            let writer = CSVLogWriter(sink: sink, spillMemory: spillMemory)
            for trace in traces { try writer.write(trace) }
            try writer.finish()
            #expect(sink.isFinished)
            return (sink.text, writer.spilledToFile, writer.columns)
        }
        let inMemory = try written(spillMemory: 64 << 20)
        let inFile = try written(spillMemory: 4096)
        #expect(!inMemory.spilled && inFile.spilled)
        #expect(inFile.text == inMemory.text)
        #expect(inMemory.columns == .covering(traces))
        let lines = inMemory.text.split(separator: "\n")
        #expect(lines.count == 1 + traces.reduce(0) { $0 + $1.events.count } + 2_000 / 2)  // one note has a line break
        #expect(lines[0].hasSuffix(",case:channel,case:k0,case:k1,case:k2,case:k3,case:k4,case:k5,case:k6,note,late 1,late 2,late 0"))
    }

    @Test func csvColumnsArePm4pyNamesAndOnlyThoseSomeEventFills() {
        let columns = CSVLogWriter.Columns.covering([LogTrace(caseID: "1", events: [
            LogEvent(caseID: "1", activity: "a", timestamp: Self.time("2020-01-01T00:00:00Z"), resource: "r"),
        ])])
        #expect(columns.names == ["case:concept:name", "concept:name", "time:timestamp", "org:resource"])
        #expect(CSVLogWriter.Columns.covering(Self.traces).names == [
            "case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition", "org:resource", "org:role",
            "org:group", "concept:instance", "start_timestamp", "case:channel", "note",
        ])
    }

    @Test func timestampsCarryAnExplicitOffsetAndExactFractions() throws {
        let sink = MemoryLogSink()
        let writer = XESLogWriter(sink: sink)
        try writer.write(LogTrace(caseID: "1", events: [
            LogEvent(caseID: "1", activity: "a", timestamp: Self.time("2020-03-02T10:00:00.5Z")),
            LogEvent(caseID: "1", activity: "b", timestamp: Self.time("2020-03-02T10:00:00.000001Z")),
        ]))
        try writer.finish()
        #expect(sink.text.contains("value=\"2020-03-02T10:00:00.500+00:00\""))
        #expect(sink.text.contains("value=\"2020-03-02T10:00:00.000001+00:00\""))
    }

    @Test func controlCharactersXMLCannotCarryBecomeReplacementCharacters() throws {
        let sink = MemoryLogSink()
        let writer = XESLogWriter(sink: sink)
        try writer.write(LogTrace(caseID: "1", events: [LogEvent(caseID: "1", activity: "a\u{1}b", timestamp: Self.time("2020-03-02T10:00:00Z"))]))
        try writer.finish()
        #expect(sink.text.contains("value=\"a\u{FFFD}b\""))
    }

    @Test func anEmptyLogIsAValidDocument() throws {
        let path = Self.temporaryPath("empty.xes")
        try XESLogWriter(sink: try FileLogSink(path: path)).finish()
        #expect(try Self.read(path).isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("</log>\n"))
    }

    @Test func aGzipOutputIsInflatedByTheReader() throws {
        let path = Self.temporaryPath("log.xes.gz")
        let writer = XESLogWriter(sink: try FileLogSink(path: path))
        // Enough traces to cross the writer's flush threshold several times.
        for i in 0..<3_000 {
            var trace = Self.traces[0]
            trace.caseID = "case-\(i)"
            try writer.write(trace)
        }
        try writer.finish()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.prefix(2) == Data([0x1F, 0x8B]))
        let events = try Self.read(path)
        #expect(events.count == 6_000)
        #expect(events.last?.caseID == "case-2999")
    }

    @Test func aFileAppearsOnlyWhenFinished() throws {
        let path = Self.temporaryPath("log.xes")
        do {
            let writer = XESLogWriter(sink: try FileLogSink(path: path))
            try writer.write(Self.traces[0])
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        // Dropped unfinished: neither the file nor its temporary sibling is left behind.
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func anUnwritableOutputIsAnErrorNamingIt() {
        #expect {
            _ = try FileLogSink(path: "/nonexistent-folder/log.xes")
        } throws: { error in
            (error as? LogWriteError)?.code == .cannotCreate && "\(error)".hasPrefix("/nonexistent-folder/log.xes: cannot create")
        }
    }
}
