import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation
import GRDB
import Testing

/// Keeping the analytics tables up to date in the event log's SQLite file.
@Suite struct ProjectionUpdaterTests {
    /// A linear approval and a case left open in review.
    func twoCases() throws -> ProjectionFixture {
        let fixture = try ProjectionFixture()
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T08:00:00Z")
        try driver.fire("A", "approve", by: "dan", as: "approver", at: "2020-03-02T10:00:00Z")
        try driver.open("B", "tolerant", channel: "window", at: "2020-03-02T09:00:00Z")
        return fixture
    }

    @Test func catchUpFoldsTheWholeLogAndSavesTheCheckpoint() throws {
        let fixture = try twoCases()
        let run = try ProjectionUpdater(store: fixture.store, calendars: testCalendars).catchUp()
        #expect(run.events == 3)
        #expect(run.rebuilt)
        #expect(try fixture.checkpoint() == 3)
        let dump = try fixture.dump()
        #expect(dump["analytics_cases"]?.count == 1)
        #expect(dump["analytics_stays"]?.count == 1)
        #expect(dump["analytics_open_cases"]?.count == 1)
    }

    @Test func catchUpWithNothingNewChangesNothing() throws {
        let fixture = try twoCases()
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        try updater.catchUp()
        let before = try fixture.dump()
        let run = try updater.catchUp()
        #expect(run.events == 0)
        #expect(run.rebuilt == false)
        #expect(try fixture.dump() == before)
    }

    @Test func pendingEventsCountsWhatTheCheckpointHasNotSeen() throws {
        let fixture = try twoCases()
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        #expect(try updater.pendingEvents() == 3)
        try updater.catchUp()
        #expect(try updater.pendingEvents() == 0)
    }

    @Test func aDecidedCaseLeavesTheOpenCasesTable() throws {
        let fixture = try twoCases()
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        try updater.catchUp()
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        driver.states["B"] = CaseState.replay(try fixture.store.events(of: "B").map(\.event))
        try driver.fire("B", "reject", by: "dan", as: "approver", at: "2020-03-02T11:00:00Z")
        try updater.catchUp()
        let dump = try fixture.dump()
        #expect(dump["analytics_open_cases"]?.isEmpty == true)
        #expect(dump["analytics_cases"]?.count == 2)
    }

    @Test func aChangedSchemaVersionRebuildsTheTables() throws {
        let fixture = try twoCases()
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        try updater.catchUp()
        let before = try fixture.dump()
        try fixture.store.write { db in
            try db.execute(sql: "UPDATE analytics_meta SET value = '0' WHERE key = 'schema_version'")
            try db.execute(sql: "DELETE FROM analytics_cases")  // what an older schema would not have had
        }
        let run = try updater.catchUp()
        #expect(run.rebuilt)
        #expect(run.rebuildReason?.contains("schema") == true)
        #expect(try fixture.dump() == before)
    }

    @Test func aChangedCalendarRebuildsWithTheNewOne() throws {
        let fixture = try twoCases()
        try ProjectionUpdater(store: fixture.store, calendars: .alwaysWorking).catchUp()
        let run = try ProjectionUpdater(store: fixture.store, calendars: testCalendars).catchUp()
        #expect(run.rebuilt)
        #expect(run.rebuildReason?.contains("calendar of tolerant v1") == true)
        let working = try fixture.store.read { db in try Int64.fetchOne(db, sql: "SELECT working_us FROM analytics_cases") }
        #expect(working == 3_600_000_000)  // 09:00-10:00 on the new calendar, not 2 hours
    }

    @Test func rebuildEqualsCatchUp() throws {
        let fixture = try twoCases()
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        try updater.catchUp()
        let caughtUp = try fixture.dump()
        let run = try updater.rebuild()
        #expect(run.rebuildReason == "asked to rebuild")
        #expect(try fixture.dump() == caughtUp)
    }

    @Test func progressIsReportedPerBatchUpToTheTotal() throws {
        let fixture = try twoCases()
        var seen: [ProjectionProgress] = []
        try ProjectionUpdater(store: fixture.store, calendars: testCalendars).catchUp(batchSize: 2) { seen.append($0) }
        #expect(seen.map(\.done) == [0, 2, 3])
        #expect(seen.allSatisfy { $0.total == 3 })
    }

    /// A randomised history of a few thousand events, appended in chunks with a catch-up (in small
    /// batches) after each, gives exactly the tables a rebuild from the whole log gives.
    @Test func incrementalCatchUpEqualsRebuildOnARandomHistory() throws {
        let fixture = try ProjectionFixture()
        var history = try RandomHistory(seed: 20_200_302)
        let appends = history.appends(events: 3_000)
        let updater = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        var rng = SeededGenerator(seed: 7)
        var index = 0
        var catchUps = 0
        while index < appends.count {
            let chunk = Int.random(in: 1...120, using: &rng)
            try fixture.store.append(batch: Array(appends[index..<min(appends.count, index + chunk)]))
            index += chunk
            try updater.catchUp(batchSize: Int.random(in: 1...97, using: &rng))
            catchUps += 1
        }
        let incremental = try fixture.dump()
        try updater.rebuild()
        let rebuilt = try fixture.dump()
        #expect(catchUps > 20)
        #expect((rebuilt["analytics_stays"]?.count ?? 0) > 1_000)
        #expect((rebuilt["analytics_breaches"]?.count ?? 0) > 10)
        #expect(!(rebuilt["analytics_open_cases"]?.isEmpty ?? true))
        // The history exercises every kind of fact the fold produces.
        let coverage = try fixture.store.read { db in
            try [
                "SELECT COUNT(*) FROM analytics_stays WHERE branch IS NOT NULL",
                "SELECT COUNT(*) FROM analytics_stays WHERE cancelled = 1",
                "SELECT COUNT(*) FROM analytics_stays WHERE waiting_wall_us IS NOT NULL",
                "SELECT COUNT(*) FROM analytics_transitions WHERE send_back_round IS NOT NULL",
                "SELECT COUNT(*) FROM analytics_transitions WHERE trigger = 'vote'",
                "SELECT COUNT(*) FROM analytics_cases WHERE clock_stops > 0",
                "SELECT COUNT(*) FROM analytics_parties WHERE kind = 'on_behalf_of'",
            ].map { try Int.fetchOne(db, sql: $0) ?? 0 }
        }
        #expect(coverage.allSatisfy { $0 > 0 }, "\(coverage)")
        for table in rebuilt.keys.sorted() {
            #expect(incremental[table] == rebuilt[table], "\(table) differs")
        }
    }

    @Test func aRunThatAnotherProcessOvertakesContinuesFromItsCheckpoint() throws {
        let fixture = try ProjectionFixture()
        var history = try RandomHistory(seed: 99)
        try fixture.store.append(batch: history.appends(events: 300))
        let later = history.appends(events: 300)
        let mine = ProjectionUpdater(store: fixture.store, calendars: testCalendars)
        let theirs = ProjectionUpdater(store: try fixture.reopen(), calendars: testCalendars)
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
    @Test func theTablesReadBackAsTheFactsTheFoldEmitted() throws {
        let fixture = try ProjectionFixture()
        var history = try RandomHistory(seed: 4)
        try fixture.store.append(batch: history.appends(events: 1_500))
        try ProjectionUpdater(store: fixture.store, calendars: testCalendars).catchUp(batchSize: 100)

        var fold = CaseFlowFold(calendars: { testCalendars($0).calendar })
        var facts: [ProjectionFact] = []
        try fixture.store.scan { fold.apply($0.event, position: $0.position, into: &facts) }
        for measure in TimeMeasure.allCases {
            let scope = ReportScope(measure: measure, asOf: at("2021-01-01T00:00:00Z"))
            var builder = ReportBuilder(scope: scope, calendars: { testCalendars($0) })
            for fact in facts {
                switch fact {
                case let .stay(f): builder.add(f)
                case let .transition(f): builder.add(f)
                case let .decided(f): builder.add(f)
                case let .breach(f): builder.add(f)
                case .party: break
                }
            }
            for progress in fold.openCases.values.sorted(by: { $0.caseID < $1.caseID }) { builder.add(progress) }
            let fromTables = try ProjectionReporter(store: fixture.store, calendars: testCalendars).report(scope)
            #expect(fromTables == builder.build(), "\(measure)")
        }
    }
}
