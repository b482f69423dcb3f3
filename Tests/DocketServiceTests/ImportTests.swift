import DocketAnalytics
import DocketCore
import DocketInterop
import DocketService
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// `docket import`: logs become cases, once, in batches, resumably; bad files import nothing.
@Suite struct ImportTests {
    struct Stop: Error {}

    @Test func importingTheSameFileTwiceAddsNothing() throws {
        let importer = try ImportFixtures.importer()
        let path = ImportFixtures.file(ImportFixtures.sixCases())
        let first = try importer.run(path: path, options: .init(batchSize: 4))
        let afterFirst = try importer.store.lastPosition()
        let second = try importer.run(path: path, options: .init(batchSize: 4))
        #expect(first.importedCases == 6)
        #expect(afterFirst == 24)  // 6 openings + 18 log events
        #expect(second.importedCases == 0)
        #expect(second.alreadyImported == 6)
        #expect(try importer.store.lastPosition() == afterFirst)
    }

    @Test func anInterruptedImportRunAgainEndsAsAnUninterruptedOne() throws {
        let path = ImportFixtures.file(ImportFixtures.sixCases())
        let interrupted = try ImportFixtures.importer()
        #expect(throws: Stop.self) {
            try interrupted.run(path: path, options: .init(batchSize: 1)) { progress in
                if progress.batches == 2 { throw Stop() }
            }
        }
        #expect(try interrupted.store.cases().count == 2)
        let resumed = try interrupted.run(path: path, options: .init(batchSize: 1))
        #expect(resumed.alreadyImported == 2)
        #expect(resumed.importedCases == 4)

        let uninterrupted = try ImportFixtures.importer()
        try uninterrupted.run(path: path, options: .init(batchSize: 1))
        #expect(try ImportFixtures.allEvents(interrupted.store) == ImportFixtures.allEvents(uninterrupted.store))
        #expect(try interrupted.store.verify().isOK)
    }

    @Test func eachBatchIsOneTransactionOfWholeCases() throws {
        let importer = try ImportFixtures.importer()
        // 4 events per case: a batch of 10 events closes after the third case.
        let summary = try importer.run(path: ImportFixtures.file(ImportFixtures.sixCases()), options: .init(batchSize: 10))
        #expect(summary.batches == 2)
    }

    @Test func aCaseOpensAtItsFirstEventAndFiresOneTransitionPerLogEvent() throws {
        let importer = try ImportFixtures.importer()
        let text = ImportFixtures.xes([("A-1", [
            .init(activity: "register", at: "2020-03-02T10:00:00+08:00", resource: "li.wei", role: "clerk", group: "window", lifecycle: "start"),
            .init(activity: "register", at: "2020-03-02T10:30:00.25+08:00", resource: nil, role: nil, group: nil, lifecycle: "complete"),
            .init(activity: "decide", at: "2020-03-03T09:00:00+08:00", resource: "zhao.min", role: "approver", group: "licensing"),
        ])])
        let summary = try importer.run(path: ImportFixtures.file(text, name: "a.xes"), options: .init())
        let caseID = String(summary.sha256.prefix(8)) + "/A-1"
        let events = try importer.store.events(of: caseID).map(\.event)
        try #require(events.count == 4)
        let opened = events[0]
        #expect(opened.type == .caseOpened)
        #expect(opened.workflowID == "imported")
        #expect(opened.occurredAt == Timestamp.parse(iso8601: "2020-03-02T10:00:00+08:00"))
        #expect((opened.actor, opened.role) == ("li.wei", "clerk"))
        #expect(opened.payload.data == ["concept:name": "A-1"])
        #expect(opened.payload.source == "a.xes sha256:\(summary.sha256)")
        #expect(events.dropFirst().map(\.type) == [.transitionFired, .transitionFired, .transitionFired])
        #expect(events.dropFirst().map(\.payload.transition) == ["register", "register", "decide"])
        #expect(events.dropFirst().map(\.payload.from) == ["started", "register", "register"])
        #expect(events.dropFirst().map(\.payload.to) == ["register", "register", "decide"])
        #expect(events.dropFirst().map(\.payload.lifecycle) == ["start", "complete", nil])
        #expect(events.dropFirst().map(\.payload.department) == ["window", nil, "licensing"])
        #expect(events.dropFirst().map(\.actor) == ["li.wei", "unknown", "zhao.min"])
        #expect(events.dropFirst().map(\.payload.actorUnknown) == [nil, true, nil])
        #expect(events.dropFirst().map(\.role) == ["clerk", nil, "approver"])
        #expect(events.dropFirst().map(\.payload.outcome) == [nil, nil, "ended"])
        #expect(events[2].occurredAt.microseconds % 1_000_000 == 250_000)
    }

    @Test func importedCasesLoadAsClosedCasesOfTheImportedWorkflow() throws {
        let importer = try ImportFixtures.importer()
        try importer.run(path: ImportFixtures.file(ImportFixtures.sixCases()), options: .init())
        let service = CaseService(catalog: importer.catalog)
        for header in try importer.store.cases() {
            let loaded = try service.load(header.caseID)
            #expect(loaded.definition.id == ImportedWorkflow.id)
            #expect(loaded.state.outcome == "ended")
            #expect(loaded.state.current.state == "decide")
        }
        // Nothing more can happen to a case imported as history.
        let first = try #require(try importer.store.cases().first)
        #expect(throws: Refusal.self) {
            try service.fire(caseID: first.caseID, event: "end", actor: "x", role: "importer")
        }
    }

    @Test(.requires(.sharedData)) func importedCasesLastAsLongAsTheLogSays() throws {
        let importer = try ImportFixtures.importer()
        let path = ImportFixtures.sharedLog("receipt.xes.gz")
        try importer.run(path: path, options: .init())
        var durations: [Double] = []
        for header in try importer.store.cases() {
            let state = try #require(CaseState.replay(try importer.store.events(of: header.caseID).map(\.event)))
            let closed = try #require(state.closedAt)
            durations.append(Double(state.openedAt.microseconds(to: closed)) / 1e6)
        }
        let expected = try ImportFixtures.figures(path)
        let mean = durations.reduce(0, +) / Double(durations.count)
        guard case let .double(reference)? = expected["case_duration_s"]?["mean"] else {
            Issue.record("no mean case duration in \(String(describing: expected["case_duration_s"]))")
            return
        }
        #expect(durations.count == 1_434)
        #expect(abs(mean - reference) <= 1e-9 * reference)
    }

    @Test(.requires(.sharedData)) func theReportOfAnImportShowsTheDurationsAnalyzeComputesOnTheFile() throws {
        let store = try SQLiteEventStore(path: temporaryDatabase())
        let path = ImportFixtures.sharedLog("receipt.xes.gz")
        try LogImporter(catalog: WorkflowCatalog(store: store)).run(path: path, options: .init())
        let projections = SQLiteProjectionStore(log: store)
        try ProjectionUpdater(projections, calendars: .alwaysWorking).catchUp()
        let report = try ProjectionReporter(projections, calendars: .alwaysWorking)
            .report(ReportScope(workflowID: "imported", measure: .wall, asOf: Timestamp(seconds: 2_000_000_000)))
        let workflow = try #require(report.workflows.first)
        let figures = try ImportFixtures.figures(path)
        func number(_ value: JSONValue?) -> Double? {
            switch value {
            case let .double(d)?: d
            case let .int(i)?: Double(i)
            default: nil
            }
        }
        func close(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return false }
            return abs(a - b) <= 1e-9 * max(1, abs(b))
        }
        // Case durations: decision time of the imported cases.
        let decision = workflow.timeToDecision.wall
        let durations = figures["case_duration_s"]
        #expect(decision.count == 1_434)
        #expect(close(decision.mean, number(durations?["mean"])))
        #expect(close(decision.p50, number(durations?["median"])))
        #expect(close(decision.p90, number(durations?["p90"])))
        #expect(close(decision.max, number(durations?["max"])))
        // Transitions between activities: the performance DFG, edge by edge.
        guard case let .array(edges)? = figures["performance_dfg"]?["edges"] else {
            Issue.record("no DFG edges")
            return
        }
        var rows: [String: TransitionRow] = [:]
        for row in workflow.transitions { rows[row.from + " -> " + row.to] = row }
        #expect(rows.count == edges.count + 1)  // and started -> the first activity, in no time
        for edge in edges {
            guard case let .array(pair)? = edge["edge"], case let .string(from) = pair[0], case let .string(to) = pair[1],
                  let row = rows[from + " -> " + to]
            else {
                Issue.record("edge \(String(describing: edge["edge"])) is not in the report")
                continue
            }
            #expect(Double(row.summary.count) == number(edge["count"]))
            #expect(close(row.summary.mean, number(edge["mean_s"])), "\(from) -> \(to)")
            #expect(close(row.summary.p50, number(edge["median_s"])), "\(from) -> \(to)")
            #expect(close(row.summary.max, number(edge["max_s"])), "\(from) -> \(to)")
        }
    }

    @Test func caseIDsCarryTheFilesHashUnlessAPrefixIsGiven() throws {
        let importer = try ImportFixtures.importer()
        let path = ImportFixtures.file(ImportFixtures.sixCases())
        let summary = try importer.run(path: path, options: .init())
        try importer.run(path: path, options: .init(casePrefix: "legacy-"))
        let ids = Set(try importer.store.cases().map(\.caseID))
        #expect(ids.contains(String(summary.sha256.prefix(8)) + "/case-1"))
        #expect(ids.contains("legacy-case-6"))
        #expect(ids.count == 12)
    }

    @Test func aCaseIDTakenByAnotherWorkflowIsRefusedBeforeAnythingIsAppended() throws {
        let cases = try service()
        _ = try cases.open(workflowID: "permit-check", caseID: "x-case-6", actor: "a", role: "applicant")
        let importer = LogImporter(catalog: cases.catalog)
        let before = try importer.store.lastPosition()
        #expect {
            try importer.run(path: ImportFixtures.file(ImportFixtures.sixCases()), options: .init(batchSize: 100, casePrefix: "x-"))
        } throws: { ($0 as? ServiceError)?.code == .caseExists }
        #expect(try importer.store.lastPosition() == before)
    }

    @Test(arguments: [
        ("a timestamp that does not parse", "2020-13-45T99:00:00Z", "unparsable timestamp"),
        ("malformed XML at the very end", "2020-03-02T10:00:00Z", "trace"),
    ])
    func aBadFileImportsNothing(_ what: String, _ lastTime: String, _ message: String) throws {
        let importer = try ImportFixtures.importer()
        var text = ImportFixtures.xes(
            (1...30).map { ("c-\($0)", [ImportFixtures.Step(activity: "a", at: "2020-03-02T10:00:00Z")]) }
                + [("last", [ImportFixtures.Step(activity: "a", at: lastTime)])])
        if what.hasPrefix("malformed") { text = text.replacingOccurrences(of: "</log>", with: "</trace></log>") }
        let path = ImportFixtures.file(text)
        #expect {
            try importer.run(path: path, options: .init(batchSize: 1))
        } throws: { error in
            guard let error = error as? LogReadError else { return false }
            return error.line != nil && error.description.hasPrefix("\(path):") && error.description.contains(message)
        }
        #expect(try importer.store.lastPosition() == 0)
        #expect(try importer.store.deployment(.workflow, id: "imported", version: 1) == nil)
    }

    @Test func aCSVLogImportsCasesInIdOrderWithEventsInTimeOrder() throws {
        let importer = try ImportFixtures.importer()
        let csv = """
            case:concept:name,concept:name,time:timestamp,org:resource
            b,second,2020-03-02 11:00:00,r
            a,only,2020-03-01 09:00:00,r
            b,first,2020-03-02 10:00:00,r

            """
        let summary = try importer.run(path: ImportFixtures.file(csv, name: "log.csv"), options: .init(casePrefix: ""))
        #expect(summary.logCases == 2)
        #expect(try importer.store.cases().map(\.caseID) == ["a", "b"])
        #expect(try importer.store.events(of: "b").compactMap(\.payload.transition) == ["first", "second"])
    }

    // MARK: Into a named workflow

    @Test func aMappedImportReplaysEachTraceThroughTheEngine() throws {
        let importer = try ImportFixtures.importer()
        let summary = try importer.run(
            path: ImportFixtures.file(ImportFixtures.permitCheckLog()),
            options: .init(workflowID: "permit-check", casePrefix: ""))
        // fits-1, fits-2 and open replay; the five others deviate.
        #expect(summary.importedCases == 3)
        #expect(summary.openCases == 1)
        #expect(Set(summary.notFitting.map(\.caseID)) == ["skips", "skips-2", "late", "odd", "twice"])
        let events = try importer.store.events(of: "fits-1").map(\.event)
        #expect(events.map(\.type) == [.caseOpened, .transitionFired, .transitionFired])
        #expect(events.map(\.payload.to) == ["submitted", "review", "approved"])
        #expect(events.map(\.role) == [nil, "clerk", "approver"])
        #expect(events[2].payload.documents == ["site_photos"])
        #expect(events[0].payload.source?.hasPrefix("log.xes sha256:") == true)
        let open = try CaseService(catalog: importer.catalog).load("open")
        #expect(open.state.current.state == "review")
        #expect(!open.state.isClosed)
    }

    @Test func theMapTranslatesActivitiesAndRolesAndSkipsWhatItIgnores() throws {
        let importer = try ImportFixtures.importer()
        let map = try ActivityMap.load(text: """
            workflow: permit-check
            activities:
              Application accepted: accept
              Site photos checked: ~
              Permit granted: approve
            roles:
              CLERK: clerk
            """, file: "permit.map.yaml", checkingAgainst: try importer.catalog.definition("permit-check"))
        let text = ImportFixtures.xes([("p-1", [
            .init(activity: "Application accepted", at: "2020-03-02T10:00:00Z", role: "CLERK"),
            .init(activity: "Site photos checked", at: "2020-03-02T11:00:00Z"),
            .init(activity: "Permit granted", at: "2020-03-02T12:00:00Z", role: "BOSS", lifecycle: "start"),
            .init(activity: "Permit granted", at: "2020-03-02T12:30:00Z", role: "BOSS", lifecycle: "complete"),
        ])])
        let summary = try importer.run(path: ImportFixtures.file(text), options: .init(workflowID: "permit-check", map: map, casePrefix: ""))
        #expect(summary.importedCases == 1)
        let fired = try importer.store.events(of: "p-1").map(\.event).filter { $0.type == .transitionFired }
        #expect(fired.map(\.payload.transition) == ["accept", "approve"])
        #expect(fired.map(\.role) == ["clerk", "approver"])  // BOSS is not mapped: the transition's role
        #expect(fired.map(\.occurredAt) == [Timestamp.parse(iso8601: "2020-03-02T10:00:00Z"), Timestamp.parse(iso8601: "2020-03-02T12:30:00Z")])
        #expect(fired.map(\.payload.lifecycle) == [nil, "complete"])
    }

    @Test func aMapNamingWhatTheWorkflowLacksIsRefusedWithPositions() throws {
        let definition = try DefinitionLoader.load(text: permitCheck, file: "permit-check.yaml").get()
        let text = """
            workflow: permit-check
            activities:
              Accepted: acept
              Granted: approve
            roles:
              CLERK: clerc
            colour: red
            """
        #expect {
            try ActivityMap.load(text: text, file: "m.yaml", checkingAgainst: definition)
        } throws: { error in
            let lines = (error as? FileProblems)?.lines ?? []
            return lines == [
                "m.yaml:3:13: error: workflow 'permit-check' has no event 'acept'; did you mean 'accept'?",
                "m.yaml:6:10: error: workflow 'permit-check' declares no role 'clerc'; roles: applicant, clerk, approver",
                "m.yaml:7:1: error: unknown key 'colour' in an activity map; known keys: workflow, activities, roles, lifecycles",
            ]
        }
    }

    /// Wrong types, a wrong workflow, and bad entries: all reported in one go, each at its node.
    @Test func everyProblemOfAMapIsReportedAtItsNode() throws {
        let definition = try DefinitionLoader.load(text: permitCheck, file: "permit-check.yaml").get()
        let text = """
            workflow: permit-chek
            activities:
              Accepted: [accept]
              Granted: aprove
              Checked: ~
            roles:
              CLERK: { role: clerk }
              BOSS: approver
            lifecycles: complete
            """
        let error = #expect(throws: FileProblems.self) {
            try ActivityMap.load(text: text, file: "m.yaml", checkingAgainst: definition)
        }
        #expect(error?.lines == [
            "m.yaml:1:11: error: this map is written for workflow 'permit-chek', not 'permit-check'",
            "m.yaml:3:13: error: expected one workflow event for activity 'Accepted' (or ~ to skip it), found a list",
            "m.yaml:4:12: error: workflow 'permit-check' has no event 'aprove'; did you mean 'approve'?",
            "m.yaml:7:10: error: expected a workflow role for log role 'CLERK', found a mapping",
            "m.yaml:9:13: error: expected 'lifecycles' as a list of lifecycle transitions to replay, e.g. [complete], found 'complete'",
        ])
    }

    @Test func aMapWithoutActivitiesOrNotYAMLIsRefusedWithPositions() {
        let missing = #expect(throws: FileProblems.self) { try ActivityMap.load(text: "roles:\n  CLERK: clerk\n", file: "m.yaml") }
        #expect(missing?.lines == ["m.yaml:1:1: error: missing 'activities': list 'log activity: workflow event' lines"])
        let broken = #expect(throws: FileProblems.self) { try ActivityMap.load(text: "activities:\n  a: b\n   c: d\n", file: "m.yaml") }
        #expect(broken?.diagnostics.map(\.position.line) == [3])
        #expect(broken?.lines.first?.contains(": error: YAML syntax error:") == true)
    }

    @Test(.requires(.sharedData)) func theBPIC2020MapNamesEveryActivityOfTheLogAndOnlyEventsOfItsWorkflow() throws {
        let definition = try DefinitionLoader.load(
            text: try String(contentsOfFile: workflowsFolder + "/bpic2020-declarations.yaml", encoding: .utf8),
            file: "bpic2020-declarations.yaml").get()
        let map = try ActivityMap.load(
            text: try String(contentsOfFile: workflowsFolder + "/maps/bpic2020-declarations.map.yaml", encoding: .utf8),
            file: "bpic2020-declarations.map.yaml", checkingAgainst: definition)
        var activities: Set<String> = []
        try EventLogFile(path: ImportFixtures.sharedLog("bpic2020_DomesticDeclarations.xes.gz")).forEachBatch { batch in
            for e in batch { activities.insert(e.activity) }
        }
        #expect(activities.count == 14)
        #expect(Set(map.activities.keys) == activities)
    }
}
