import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation
import GRDB
import Testing

/// Keeping the analytics projection up to date with the log: every test runs on SQLite and in
/// memory (``ProjectionKind``); going behind the tables' back is SQLite's alone.
@Suite struct ProjectionUpdaterTests {
    /// A linear approval and a case left open in review.
    func twoCases(_ kind: ProjectionKind) throws -> ProjectionFixture {
        let fixture = try ProjectionFixture(kind)
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T08:00:00Z")
        try driver.fire("A", "approve", by: "dan", as: "approver", at: "2020-03-02T10:00:00Z")
        try driver.open("B", "tolerant", channel: "window", at: "2020-03-02T09:00:00Z")
        return fixture
    }

    @Test(arguments: ProjectionKind.allCases)
    func catchUpFoldsTheWholeLogAndSavesTheCheckpoint(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        let run = try fixture.updater().catchUp()
        #expect(run.events == 3)
        #expect(run.rebuilt)
        #expect(try fixture.checkpoint() == 3)
        let dump = try fixture.dump()
        #expect(dump.cases.count == 1)
        #expect(dump.stays.count == 1)
        #expect(dump.openCases.count == 1)
    }

    @Test(arguments: ProjectionKind.allCases)
    func catchUpWithNothingNewChangesNothing(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        let updater = fixture.updater()
        try updater.catchUp()
        let before = try fixture.dump()
        let run = try updater.catchUp()
        #expect(run.events == 0)
        #expect(run.rebuilt == false)
        #expect(try fixture.dump() == before)
    }

    @Test(arguments: ProjectionKind.allCases)
    func pendingEventsCountsWhatTheCheckpointHasNotSeen(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        let updater = fixture.updater()
        #expect(try updater.pendingEvents() == 3)
        try updater.catchUp()
        #expect(try updater.pendingEvents() == 0)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aDecidedCaseLeavesTheOpenCasesTable(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        let updater = fixture.updater()
        try updater.catchUp()
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        driver.states["B"] = CaseState.replay(try fixture.store.events(of: "B").map(\.event))
        try driver.fire("B", "reject", by: "dan", as: "approver", at: "2020-03-02T11:00:00Z")
        try updater.catchUp()
        let dump = try fixture.dump()
        #expect(dump.openCases.isEmpty)
        #expect(dump.cases.count == 2)
    }

    /// An older Docket's tables (SQLite only: the test edits them behind the store's back).
    @Test func aChangedSchemaVersionRebuildsTheTables() throws {
        let fixture = try twoCases(.sqlite)
        let updater = fixture.updater()
        try updater.catchUp()
        let before = try fixture.dump()
        try fixture.sqlite.write { db in
            try db.execute(sql: "UPDATE analytics_meta SET value = '0' WHERE key = 'schema_version'")
            try db.execute(sql: "DELETE FROM analytics_cases")  // what an older schema would not have had
        }
        let run = try updater.catchUp()
        #expect(run.rebuilt)
        #expect(run.rebuildReason?.contains("schema") == true)
        #expect(try fixture.dump() == before)
    }

    /// A run of many batches checkpoints SQLite's write-ahead log less often while it writes, and
    /// leaves the writer connection as it found it, whether the run ends well or fails; a run of
    /// one batch (the catch-up after a command) writes as every other write does.
    @Test func aRunOfManyBatchesWritesInBulkAndRestoresTheWriter() throws {
        let fixture = try twoCases(.sqlite)
        func interval() throws -> Int? { try fixture.sqlite.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } }
        #expect(try interval() == 1_000)
        var during: [Int?] = []
        try fixture.updater().rebuild(batchSize: 1) { _ in during.append(try? interval()) }
        #expect(during.dropFirst().allSatisfy { $0 == SQLiteEventStore.bulkCheckpointPages } && during.count == 4)
        #expect(try interval() == 1_000)
        during = []
        try fixture.updater().rebuild(batchSize: 10) { _ in during.append(try? interval()) }
        #expect(during.allSatisfy { $0 == 1_000 } && during.count == 2)
        // A run that fails half way (a row of saved progress unreadable) restores it too.
        try fixture.sqlite.write { db in try db.execute(sql: "UPDATE analytics_open_cases SET progress = '{' WHERE case_id = 'B'") }
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        driver.states["B"] = CaseState.replay(try fixture.store.events(of: "B").map(\.event))
        try driver.fire("B", "reject", by: "dan", as: "approver", at: "2020-03-02T11:00:00Z")
        try driver.open("C", "tolerant", channel: "online", at: "2020-03-02T12:00:00Z")
        #expect(throws: StoreError.self) { try fixture.updater().catchUp(batchSize: 1) }
        #expect(try interval() == 1_000)
    }

    /// Saved progress that cannot be read back stops a catch-up with a `corrupt` error saying to
    /// replay, and a replay mends it (SQLite only: the test edits a row behind the store's back).
    @Test func unreadableSavedProgressIsCorruptUntilAReplay() throws {
        let fixture = try twoCases(.sqlite)
        let updater = fixture.updater()
        try updater.catchUp()
        try fixture.sqlite.write { db in try db.execute(sql: "UPDATE analytics_open_cases SET progress = '{' WHERE case_id = 'B'") }
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        driver.states["B"] = CaseState.replay(try fixture.store.events(of: "B").map(\.event))
        try driver.fire("B", "reject", by: "dan", as: "approver", at: "2020-03-02T11:00:00Z")
        let error = #expect(throws: StoreError.self) { try updater.catchUp() }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("docket replay") == true)
        try updater.rebuild()
        #expect(try fixture.dump().cases.count == 2)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aChangedCalendarRebuildsWithTheNewOne(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        try fixture.updater(.alwaysWorking).catchUp()
        let run = try fixture.updater().catchUp()
        #expect(run.rebuilt)
        #expect(run.rebuildReason?.contains("calendar of tolerant v1") == true)
        let working = try fixture.dump().cases.map(\.durations.working)
        #expect(working == [3_600_000_000])  // 09:00-10:00 on the new calendar, not 2 hours
    }

    @Test(arguments: ProjectionKind.allCases)
    func rebuildEqualsCatchUp(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        let updater = fixture.updater()
        try updater.catchUp()
        let caughtUp = try fixture.dump()
        let run = try updater.rebuild()
        #expect(run.rebuildReason == "asked to rebuild")
        #expect(try fixture.dump() == caughtUp)
    }

    @Test(arguments: ProjectionKind.allCases)
    func progressIsReportedPerBatchUpToTheTotal(_ kind: ProjectionKind) throws {
        let fixture = try twoCases(kind)
        var seen: [ProjectionProgress] = []
        try fixture.updater().catchUp(batchSize: 2) { seen.append($0) }
        #expect(seen.map(\.done) == [0, 2, 3])
        #expect(seen.allSatisfy { $0.total == 3 })
    }

    /// A randomised history of a few thousand events, with corrections (times, actors) and voids
    /// of cases' last acts among them, appended in chunks with a catch-up (in small batches) after
    /// each, gives exactly the tables a rebuild from the whole log gives; also when a new calendar
    /// is deployed part way (the first chunks are counted on another calendar, and what they
    /// counted must be counted again).
    @Test(arguments: ProjectionKind.allCases)
    func incrementalCatchUpEqualsRebuildOnARandomHistory(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 20_200_302)
        history.corrections = true
        let appends = history.appends(events: 3_000)
        let recorded = appends.flatMap(\.events)
        #expect(recorded.count { $0.type == .eventCorrected && $0.payload.correctedAt != nil } > 5)
        #expect(recorded.count { $0.type == .eventCorrected && $0.payload.person != nil } > 5)
        #expect(recorded.count { $0.type == .eventVoided } > 5)
        let updater = fixture.updater()
        let before = fixture.updater(.alwaysWorking)
        var rng = SeededGenerator(seed: 7)
        var index = 0
        var catchUps = 0
        var recounted = false
        while index < appends.count {
            let chunk = Int.random(in: 1...120, using: &rng)
            try fixture.store.append(batch: Array(appends[index..<min(appends.count, index + chunk)]))
            index += chunk
            let calendarDeployed = index > appends.count / 3
            let run = try (calendarDeployed ? updater : before).catchUp(batchSize: Int.random(in: 1...97, using: &rng))
            if calendarDeployed, !recounted {
                #expect(run.rebuilt)
                recounted = true
            }
            catchUps += 1
        }
        #expect(recounted)
        let incremental = try fixture.dump()
        try updater.rebuild()
        let rebuilt = try fixture.dump()
        #expect(catchUps > 20)
        #expect(rebuilt.stays.count > 1_000)
        #expect(rebuilt.breaches.count > 10)
        #expect(!rebuilt.openCases.isEmpty)
        // The history exercises every kind of fact the fold produces.
        let coverage: [Int] = [
            rebuilt.stays.count { $0.branch != nil },
            rebuilt.stays.count { $0.cancelled },
            rebuilt.stays.count { $0.waiting != nil },
            rebuilt.transitions.count { $0.sendBackRound != nil },
            rebuilt.transitions.count { $0.trigger == "vote" },
            rebuilt.cases.count { $0.clockStops > 0 },
            rebuilt.parties.count { $0.kind == .onBehalfOf },
            rebuilt.stays.count { $0.attributed != nil && $0.branch != nil },
            rebuilt.cases.count { $0.statutoryStartedAt == nil },
            rebuilt.cases.count { ($0.statutoryStartedAt ?? $0.openedAt) > $0.openedAt },
        ]
        #expect(coverage.allSatisfy { $0 > 0 }, "\(coverage)")
        #expect(incremental.calendars == rebuilt.calendars)
        #expect(incremental.cases == rebuilt.cases)
        #expect(incremental.openCases == rebuilt.openCases)
        #expect(incremental.stays == rebuilt.stays)
        #expect(incremental.transitions == rebuilt.transitions)
        #expect(incremental.breaches == rebuilt.breaches)
        #expect(incremental.parties == rebuilt.parties)
    }

    @Test(arguments: ProjectionKind.allCases)
    func aRunThatAnotherProcessOvertakesContinuesFromItsCheckpoint(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 99)
        try fixture.store.append(batch: history.appends(events: 300))
        let later = history.appends(events: 300)
        let mine = fixture.updater()
        let theirs = ProjectionUpdater(try fixture.reopen(), calendars: testCalendars)
        var overtaken = false
        let run = try mine.catchUp(batchSize: 50) { progress in
            // Between two of my batches, another process catches up with the rest, and more is
            // appended: my next batch must continue from its state, not from mine.
            if progress.done == 100, !overtaken {
                overtaken = true
                _ = try? theirs.catchUp(batchSize: 200)
                _ = try? fixture.store.append(batch: later)
            }
        }
        #expect(overtaken)
        #expect(run.events > 100 + 200)  // my own first batches, then the later appends
        #expect(run.toPosition == (try fixture.store.lastPosition()))
        let incremental = try fixture.dump()
        try mine.rebuild()
        #expect(try fixture.dump() == incremental)
    }

    /// What the tables hold reads back as exactly the facts the fold emitted: the report built
    /// from SQLite equals the report built from the fold's own output.
    @Test(arguments: ProjectionKind.allCases)
    func theTablesReadBackAsTheFactsTheFoldEmitted(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 4)
        try fixture.store.append(batch: history.appends(events: 1_500))
        try fixture.updater().catchUp(batchSize: 100)

        var fold = CaseFlowFold(calendars: { testCalendars($0).calendar }, statutoryStartsOn: { testCalendars($0).statutoryStartsOn })
        var facts: [ProjectionFact] = []
        try fixture.store.scan { fold.apply($0.event, position: $0.position, into: &facts) }
        for measure in TimeMeasure.allCases {
            let scope = ReportScope(measure: measure, asOf: at("2021-01-01T00:00:00Z"))
            var builder = ReportBuilder(scope: scope, calendars: { testCalendars($0) })
            for fact in facts { builder.add(fact) }
            for progress in fold.openCases.values.sorted(by: { $0.caseID < $1.caseID }) { builder.add(progress.summary) }
            let fromTables = try ProjectionReporter(fixture.projections, calendars: testCalendars).report(scope)
            #expect(fromTables == builder.build(), "\(measure)")
        }
    }
}
