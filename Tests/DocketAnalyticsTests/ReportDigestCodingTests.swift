import DocketAnalytics
import DocketCore
import Testing

/// A report digest's bytes hold everything a report gathers from its facts, and bytes that are
/// not a digest are refused, never read as one.
@Suite struct ReportDigestCodingTests {
    /// Cases approved, rejected, sent back and stopped, with breaches, on the test calendar.
    func facts() throws -> (facts: [ProjectionFact], calendar: WorkflowCalendar, workflow: WorkflowKey) {
        var history = try History(tolerantYAML(limit: "2 working hours"))
        for (i, opened) in ["2020-03-02T09:00:00Z", "2020-03-02T09:10:00Z", "2020-03-02T09:20:00Z"].enumerated() {
            try history.open("A-\(i)", at: opened)
        }
        try history.fire("A-0", "ask_materials", as: "clerk", at: "2020-03-02T09:30:00Z")
        try history.fire("A-0", "supply", by: "cai", as: "applicant", documents: ["materials"], at: "2020-03-02T11:00:00Z")
        _ = try history.tick("A-0", at: "2020-03-02T15:00:00Z")  // in review since 11:00: overdue at 13:00
        try history.fire("A-0", "approve", by: "dan", as: "approver", at: "2020-03-02T16:00:00Z")
        try history.fire("A-1", "send_back", as: "clerk", reason: "stamp", at: "2020-03-02T10:00:00Z")
        try history.fire("A-1", "resubmit", by: "cai", as: "applicant", at: "2020-03-03T10:00:00Z")
        try history.fire("A-1", "reject", by: "dan", as: "approver", at: "2020-03-03T11:00:00Z")
        try history.fire("A-2", "approve", by: "dan", as: "approver", at: "2020-03-02T09:50:00Z")
        let facts = history.fold().facts
        let calendar = WorkflowCalendar(calendar: history.context.calendar, label: "test calendar")
        let workflow = try #require(facts.compactMap { fact -> WorkflowKey? in
            if case let .decided(f) = fact { return f.workflow } else { return nil }
        }.first)
        return (facts, calendar, workflow)
    }

    func builder(_ measure: TimeMeasure, _ calendar: WorkflowCalendar) -> ReportBuilder {
        ReportBuilder(scope: ReportScope(measure: measure, asOf: at("2020-03-04T00:00:00Z")), calendars: { _ in calendar })
    }

    func add(_ facts: [ProjectionFact], to builder: inout ReportBuilder) {
        for fact in facts { builder.add(fact) }
    }

    /// Two digests (each half of the facts) through their bytes give the report of every fact.
    @Test(arguments: TimeMeasure.allCases)
    func digestsThroughTheirBytesGiveTheReportOfTheirFacts(_ measure: TimeMeasure) throws {
        let (facts, calendar, workflow) = try facts()
        var whole = builder(measure, calendar)
        add(facts, to: &whole)
        let cases = Set(facts.map(\.caseID)).sorted()
        var merged = builder(measure, calendar)
        for part in [Set(cases.prefix(1)), Set(cases.dropFirst())] {
            var cohort = builder(measure, calendar)
            add(facts.filter { part.contains($0.caseID) }, to: &cohort)
            try merged.add(try ReportDigest(bytes: cohort.digest(of: workflow, upTo: 0).bytes), of: workflow)
        }
        let report = whole.build()
        #expect(report.workflows.first?.breaches.isEmpty == false)
        #expect(report.workflows.first?.rework.casesSentBack == 1)
        #expect(merged.build() == report)
    }

    /// The same facts give the same bytes, whatever order the builder met the cases in: a
    /// dictionary's own order follows a seed drawn per instance, and a digest kept in the
    /// projection is compared and copied as bytes.
    @Test(arguments: TimeMeasure.allCases)
    func theSameFactsGiveTheSameBytes(_ measure: TimeMeasure) throws {
        let (facts, calendar, workflow) = try facts()
        let cases = Set(facts.map(\.caseID)).sorted()
        var digests: Set<[UInt8]> = []
        for order in [cases, cases.reversed(), [cases[1], cases[0], cases[2]]] {
            for _ in 0..<4 {
                var builder = builder(measure, calendar)
                for caseID in order { add(facts.filter { $0.caseID == caseID }, to: &builder) }
                digests.insert(builder.digest(of: workflow, upTo: 0).bytes)
            }
        }
        #expect(digests.count == 1)
    }

    /// A case breached twice in one state (it came back to it) counts once among the cases
    /// breaches hit, in a report and in its digest.
    @Test func aCaseBreachedTwiceInOneStateIsOneCase() throws {
        var history = try History(tolerantYAML(limit: "2 working hours"))
        try history.open("A-1", at: "2020-03-02T09:00:00Z")
        _ = try history.tick("A-1", at: "2020-03-02T12:00:00Z")
        try history.fire("A-1", "send_back", as: "clerk", reason: "stamp", at: "2020-03-02T12:30:00Z")
        try history.fire("A-1", "resubmit", by: "cai", as: "applicant", at: "2020-03-02T13:00:00Z")
        _ = try history.tick("A-1", at: "2020-03-02T16:00:00Z")
        let facts = history.fold().facts
        let breaches = facts.compactMap { fact -> BreachFact? in
            if case let .breach(f) = fact { return f } else { return nil }
        }
        #expect(breaches.map(\.firstInCase) == [true, false])
        let calendar = WorkflowCalendar(calendar: history.context.calendar, label: "test calendar")
        var whole = builder(.working, calendar)
        add(facts, to: &whole)
        let row = try #require(whole.build().workflows.first?.breaches.first)
        #expect(row.breaches == 2 && row.cases == 1)
        var merged = builder(.working, calendar)
        try merged.add(try ReportDigest(bytes: whole.digest(of: breaches[0].workflow, upTo: 0).bytes), of: breaches[0].workflow)
        #expect(merged.build().workflows.first?.breaches == whole.build().workflows.first?.breaches)
    }

    /// Every shortened copy of a digest, and one of another format or clock, is refused.
    @Test func bytesThatAreNotADigestAreRefused() throws {
        let (facts, calendar, workflow) = try facts()
        var cohort = builder(.working, calendar)
        add(facts, to: &cohort)
        let bytes = cohort.digest(of: workflow, upTo: 0).bytes
        for length in 0..<bytes.count {
            #expect(throws: ReportDigest.DecodingError.self) { try ReportDigest(bytes: Array(bytes.prefix(length))) }
        }
        #expect(throws: ReportDigest.DecodingError.self) { try ReportDigest(bytes: bytes + [0]) }
        var otherFormat = bytes
        otherFormat[0] = 2
        #expect(throws: ReportDigest.DecodingError.self) { try ReportDigest(bytes: otherFormat) }
        var wall = builder(.wall, calendar)
        #expect(throws: ReportDigest.DecodingError.self) { try wall.add(try ReportDigest(bytes: bytes), of: workflow) }
    }
}
