import DocketCore
import DocketInterop
import DocketService
import DocketTestSupport
import Foundation
import Testing

/// `docket conform`: replaying a log through the engine finds the traces that fit and says how
/// the others depart, worst first.
@Suite struct ConformTests {
    static let definition = try! DefinitionLoader.load(text: permitCheck, file: "permit-check.yaml").get()

    static func check(_ text: String, map: ActivityMap = .identity) throws -> ConformanceReport {
        let log = try LoadedLog.read(path: ImportFixtures.file(text))
        return ConformanceChecker(context: EngineContext(definition: definition), map: map).check(log)
    }

    @Test func theShareOfFittingTracesCountsTracesWithoutAnyDeviation() throws {
        let report = try Self.check(ImportFixtures.permitCheckLog())
        #expect(report.traces == 8)
        #expect(report.fittingTraces == 2)
        #expect(report.fittingShare == 0.25)
        #expect(report.events == 16)
        #expect(report.replayedEvents == 15)  // "lunch" has no event
    }

    @Test func deviationsAreCountedByCaseWorstFirstWithExamples() throws {
        let report = try Self.check(ImportFixtures.permitCheckLog())
        #expect(report.entries.map(\.deviation.description) == [
            "missing step 'accept' before 'approve' (in state 'submitted')",
            "case not finished: ends in state 'review'",
            "'reject' after the case closed in 'approved'",
            "'accept' not allowed in state 'review'",
            "activity 'lunch' has no event in the map",
        ])
        #expect(report.entries.map(\.cases) == [2, 1, 1, 1, 1])
        #expect(report.entries[0].exampleCases == ["skips", "skips-2"])
        #expect(report.entries[1].exampleCases == ["open"])
        #expect(report.entries[0].deviation.missing == ["accept"])
    }

    @Test func aMissingStepIsTakenSoTheRestOfTheTraceStillReplays() throws {
        let log = ImportFixtures.xes([("s", [
            .init(activity: "approve", at: "2020-03-02T10:00:00Z"),
        ])])
        let report = try Self.check(log)
        // One deviation only: after the missing 'accept' the approval closes the case.
        #expect(report.entries.map(\.deviation.kind) == [.missingStep])
    }

    @Test func occurrencesCountEveryTimeWhileCasesCountEachCaseOnce() throws {
        let log = ImportFixtures.xes([("u", [
            .init(activity: "accept", at: "2020-03-02T10:00:00Z"),
            .init(activity: "coffee", at: "2020-03-02T11:00:00Z"),
            .init(activity: "coffee", at: "2020-03-02T12:00:00Z"),
            .init(activity: "approve", at: "2020-03-02T13:00:00Z"),
        ])])
        let entry = try #require(try Self.check(log).entries.first)
        #expect(entry.deviation.kind == .unmappedActivity)
        #expect((entry.cases, entry.occurrences) == (1, 2))
    }

    @Test func anEventDatedBeforeTheOneBeforeItIsADeviationAndReplaysInOrder() throws {
        let log = ImportFixtures.xes([("t", [
            .init(activity: "accept", at: "2020-03-02T10:00:00Z"),
            .init(activity: "approve", at: "2020-03-02T09:00:00Z"),
        ])])
        let report = try Self.check(log)
        #expect(report.entries.map(\.deviation.kind) == [.timeOutOfOrder])
    }

    @Test func startEventsAreNotReplayedUnlessTheMapSaysSo() throws {
        let log = ImportFixtures.xes([("l", [
            .init(activity: "accept", at: "2020-03-02T10:00:00Z", lifecycle: "start"),
            .init(activity: "accept", at: "2020-03-02T10:10:00Z", lifecycle: "complete"),
            .init(activity: "approve", at: "2020-03-02T11:00:00Z", lifecycle: "complete"),
        ])])
        #expect(try Self.check(log).fittingTraces == 1)
        let both = ActivityMap(lifecycles: ["start", "complete"])
        #expect(try Self.check(log, map: both).entries.first?.deviation.description == "'accept' not allowed in state 'review'")
    }

    @Test func anEventOpenInSeveralBranchesFiresInTheFirstWhereItIsOpen() throws {
        let text = try String(contentsOfFile: workflowsFolder + "/joint-verification.yaml", encoding: .utf8)
        let joint = try DefinitionLoader.load(text: text, file: "joint-verification.yaml").get()
        var calendars: [CalendarLoader.Source] = []
        for name in ["cn-2020.yaml"] {
            let path = workflowsFolder + "/calendars/" + name
            calendars.append(.init(file: path, text: try String(contentsOfFile: path, encoding: .utf8)))
        }
        let calendar = try #require(try CalendarLoader.loadAll(calendars)["cn-2020"])
        let log = ImportFixtures.xes([("j", [
            .init(activity: "accept", at: "2020-03-02T10:00:00+08:00"),
            .init(activity: "pass", at: "2020-03-02T11:00:00+08:00"),
            .init(activity: "pass", at: "2020-03-02T11:30:00+08:00"),
            .init(activity: "pass", at: "2020-03-02T14:00:00+08:00"),
            .init(activity: "approve", at: "2020-03-02T15:00:00+08:00"),
        ])])
        let report = ConformanceChecker(context: EngineContext(definition: joint, calendar: calendar))
            .check(try LoadedLog.read(path: ImportFixtures.file(log)))
        #expect(report.fittingTraces == 1, "\(report.entries.map(\.deviation.description))")
    }

    @Test(.requires(.sharedData)) func theBPIC2020DeclarationsLogMostlyFitsItsChain() throws {
        let path = workflowsFolder + "/bpic2020-declarations.yaml"
        let context = try ConformanceChecker.context(forDefinitionAt: path).context
        let map = try ActivityMap.load(
            text: try String(contentsOfFile: workflowsFolder + "/maps/bpic2020-declarations.map.yaml", encoding: .utf8),
            file: "map", checkingAgainst: context.definition)
        let log = try LoadedLog.read(path: ImportFixtures.sharedLog("bpic2020_DomesticDeclarations.xes.gz"))
        let report = ConformanceChecker(context: context, map: map).check(log)
        #expect(report.traces == 10_357)
        #expect(report.fittingTraces == 9_903)
        #expect(report.entries.first?.deviation == Deviation(kind: .caseNotFinished, state: "draft"))
    }

    /// The definition and the calendars beside it are read by the one loader: a calendar with
    /// several problems reports them all, each at its line and column, and so does a map.
    @Test func aCalendarBesideTheDefinitionAndAMapReportEveryProblem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docket-conform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("calendars"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let definitionPath = folder.appendingPathComponent("permit-check.yaml").path
        try ("calendar: local\n" + permitCheck).write(toFile: definitionPath, atomically: true, encoding: .utf8)
        let calendarPath = folder.appendingPathComponent("calendars/local.yaml").path
        try """
            calendar: local
            version: 1
            time_zone: UTC
            office_hours:
              monday: 09:00-17:00
              tuesday: 09:00-17:60
            holidays:
              - date: 2020-04-31
            """.write(toFile: calendarPath, atomically: true, encoding: .utf8)
        let calendarProblems = #expect(throws: FileProblems.self) { try ConformanceChecker.context(forDefinitionAt: definitionPath) }
        #expect(calendarProblems?.lines == [
            "\(calendarPath):6:12: error: '09:00-17:60' is not an interval; write HH:MM-HH:MM (e.g. 09:00-12:00, end at most 24:00)",
            "\(calendarPath):8:11: error: '2020-04-31' is not a date; write YYYY-MM-DD with a real day (e.g. 2020-01-24)",
        ])

        let mapProblems = #expect(throws: FileProblems.self) {
            try ActivityMap.load(text: """
                activities:
                  Accepted: accept
                  Accepted again: acept
                roles: [clerk]
                lifecycles: [complete, {}]
                """, file: "permit.map.yaml", checkingAgainst: Self.definition)
        }
        #expect(mapProblems?.lines == [
            "permit.map.yaml:3:19: error: workflow 'permit-check' has no event 'acept'; did you mean 'accept'?",
            "permit.map.yaml:4:8: error: expected 'roles' as a mapping of log roles to workflow roles, found a list",
            "permit.map.yaml:5:24: error: expected a lifecycle transition such as complete, found a mapping",
        ])
    }
}
