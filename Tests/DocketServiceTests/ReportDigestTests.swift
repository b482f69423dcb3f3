import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation
import GRDB
import Testing

/// A report of whole workflows is merged from its cohorts' digests, kept between reports and
/// forgotten when their facts change; it must give exactly the report built from every fact.
@Suite struct ReportDigestTests {
    static let asOf = at("2021-01-01T00:00:00Z")

    func reporter(_ fixture: ProjectionFixture) -> ProjectionReporter {
        ProjectionReporter(fixture.projections, calendars: testCalendars)
    }

    /// A approved on 2 March; B opened on 3 March and approved, or waiting for materials; caught up.
    func twoDays(_ kind: ProjectionKind, bWaits: Bool) throws -> (ProjectionFixture, StoreDriver) {
        let fixture = try ProjectionFixture(kind)
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T09:00:00Z")
        try driver.fire("A", "approve", by: "dan", as: "approver", at: "2020-03-02T10:00:00Z")
        try driver.open("B", "tolerant", channel: "window", at: "2020-03-03T09:00:00Z")
        if bWaits {
            try driver.fire("B", "ask_materials", as: "clerk", at: "2020-03-03T09:30:00Z")
        } else {
            try driver.fire("B", "approve", by: "dan", as: "approver", at: "2020-03-03T10:00:00Z")
        }
        try fixture.updater().catchUp()
        return (fixture, driver)
    }

    func cohorts(_ fixture: ProjectionFixture, _ measure: TimeMeasure = .working) throws -> [ReportCohort] {
        try fixture.projections.read { try $0.reportCohorts(workflowID: nil, version: nil, measure: measure) }
    }

    /// Catching up a history with corrections in steps, with reports (keeping digests) between
    /// them: each report equals the one built from the facts, and the last equals a rebuild's.
    @Test(arguments: ProjectionKind.allCases)
    func digestsKeptBetweenCatchUpsGiveTheReportOfEveryFact(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 21)
        history.corrections = true
        let reporter = reporter(fixture)
        var everKept = 0
        for _ in 0..<4 {
            try fixture.store.append(batch: history.appends(events: 400))
            try fixture.updater().catchUp(batchSize: 150)
            let before = try cohorts(fixture)
            for measure in TimeMeasure.allCases {
                let scope = ReportScope(measure: measure, asOf: Self.asOf)
                #expect(try reporter.report(scope) == (try reporter.reportFromFacts(scope)), "\(measure)")
                // Twice: the second merges only kept digests.
                #expect(try reporter.report(scope) == (try reporter.reportFromFacts(scope)), "\(measure), kept")
            }
            // Opening times that cut days: whole days from their digests, the cut ones from facts.
            for (from, to) in [("2020-03-03T07:30:00Z", "2020-03-06T13:15:00Z"), ("2020-03-04T00:00:00Z", nil), (nil, "2020-03-03T19:00:00Z")] {
                var cut = ReportScope(measure: .working, asOf: Self.asOf)
                cut.from = from.map(at)
                cut.to = to.map(at)
                #expect(try reporter.report(cut) == (try reporter.reportFromFacts(cut)), "\(from ?? "-")...\(to ?? "-")")
            }
            let after = try cohorts(fixture)
            #expect(after.count == before.count)
            #expect(after.allSatisfy { $0.digest != nil })
            everKept += before.filter { $0.digest != nil }.count
        }
        // Some cohorts kept their digests across a catch-up (those whose cases saw no new event).
        #expect(everKept > 0)
        let scope = ReportScope(workflowID: "tolerant", measure: .statutory, asOf: Self.asOf)
        let incremental = try reporter.report(scope)
        try fixture.updater().rebuild()
        #expect(try cohorts(fixture).allSatisfy { $0.digest == nil })
        #expect(try reporter.report(scope) == incremental)

        // A newly deployed calendar changes figures already digested: the catch-up on it rebuilds,
        // and the report on it is the one from its facts, not the old calendar's digests.
        let changed = ProjectionReporter(fixture.projections, calendars: .alwaysWorking)
        #expect(try fixture.updater(.alwaysWorking).catchUp().rebuilt)
        let onNewCalendar = try changed.report(scope)
        #expect(onNewCalendar == (try changed.reportFromFacts(scope)))
        #expect(onNewCalendar != incremental)
    }

    /// On a random history with corrections, each breach group's first breaches in their cases
    /// are exactly its distinct cases, as the projection holds them after catching up in steps.
    @Test(arguments: ProjectionKind.allCases)
    func firstBreachesInCasesAreTheDistinctCases(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 5)
        history.corrections = true
        for _ in 0..<3 {
            try fixture.store.append(batch: history.appends(events: 500))
            try fixture.updater().catchUp(batchSize: 120)
        }
        let breaches = try fixture.dump().breaches
        #expect(breaches.count > 20)
        #expect(breaches.contains { !$0.firstInCase })
        let groups = Dictionary(grouping: breaches) { "\($0.workflow) \($0.group)" }
        for (group, facts) in groups {
            #expect(facts.filter(\.firstInCase).count == Set(facts.map(\.caseID)).count, "\(group)")
        }
    }

    /// A new fact of a cohort keeps its digests (new facts come at later positions than they hold);
    /// the next report adds it, and keeps the digest up to the new checkpoint. A cohort without
    /// new facts is left alone.
    @Test(arguments: ProjectionKind.allCases)
    func aNewFactIsAddedToItsCohortsKeptDigest(_ kind: ProjectionKind) throws {
        var (fixture, driver) = try twoDays(kind, bWaits: true)
        let scope = ReportScope(measure: .wall, asOf: Self.asOf)
        _ = try reporter(fixture).report(scope)
        let kept = try cohorts(fixture, .wall)
        #expect(kept.map(\.day) == [ReportCohort.day(of: at("2020-03-02T09:00:00Z")), ReportCohort.day(of: at("2020-03-03T09:00:00Z"))])
        let before = try fixture.checkpoint()
        #expect(try kept.map { try ReportDigest(bytes: #require($0.digest)).position } == [before, before])

        try driver.fire("B", "supply", by: "cai", as: "applicant", documents: ["materials"], at: "2020-03-05T10:00:00Z")
        try fixture.updater().catchUp()
        let stale = try cohorts(fixture, .wall)
        #expect(stale.map(\.stamp) == kept.map(\.stamp))
        #expect(stale.map(\.digest) == kept.map(\.digest))
        let report = try reporter(fixture).report(scope)
        #expect(report == (try reporter(fixture).reportFromFacts(scope)))
        #expect(report.workflows.first?.dwell.first { $0.state == "waiting" }?.summary.count == 1)  // B's new stay
        let after = try fixture.checkpoint()
        #expect(after > before)
        // B's is brought up to the new checkpoint; A's, which has no new fact, is left as it was.
        let now = try cohorts(fixture, .wall)
        #expect(try now.map { try ReportDigest(bytes: #require($0.digest)).position } == [before, after])
        #expect(now[0].digest == kept[0].digest)
        #expect(now.map(\.lastFactPosition) == [kept[0].lastFactPosition, after])
    }

    /// A digest built from facts read before a writer replaced some of them (a correction's
    /// refold) is not kept: the stamp moved.
    @Test(arguments: ProjectionKind.allCases)
    func aDigestOfFactsAWriterReplacedIsNotKept(_ kind: ProjectionKind) throws {
        let (fixture, _) = try twoDays(kind, bWaits: false)
        _ = try reporter(fixture).report(ReportScope(measure: .working, asOf: Self.asOf))
        let read = try cohorts(fixture)
        #expect(read.allSatisfy { $0.digest != nil })
        try fixture.projections.write { try $0.deleteFacts(of: ["A"]) }
        let now = try cohorts(fixture)
        #expect(now[0].digest == nil && now[0].stamp != read[0].stamp, "A's cohort lost its digests")
        #expect(now[1].digest != nil && now[1].stamp == read[1].stamp, "B's is untouched")
        try fixture.projections.write { try $0.keepDigest([1, 2, 3], of: read[0], measure: .working) }
        #expect(try cohorts(fixture).first?.digest == nil)
        // With the stamp it has now, the same call keeps it.
        try fixture.projections.write { try $0.keepDigest([1, 2, 3], of: now[0], measure: .working) }
        #expect(try cohorts(fixture).first?.digest == [1, 2, 3])
        #expect(try cohorts(fixture, .wall).first?.digest == nil)
    }

    /// A kept digest that is not one (a damaged file) is an error naming the remedy, not a wrong report.
    @Test func aDamagedDigestIsAnErrorThatSaysToReplay() throws {
        let (fixture, _) = try twoDays(.sqlite, bWaits: false)
        let scope = ReportScope(measure: .working, asOf: Self.asOf)
        let good = try reporter(fixture).report(scope)
        try fixture.sqlite.write { db in try db.execute(sql: "UPDATE analytics_cohorts SET working = x'0102'") }
        #expect {
            _ = try reporter(fixture).report(scope)
        } throws: { error in
            let error = error as? StoreError
            return error?.code == .corrupt && error?.message.contains("docket replay") == true
        }
        try fixture.updater().rebuild()
        #expect(try reporter(fixture).report(scope) == good)
    }

    func partyCohorts(_ fixture: ProjectionFixture, _ party: DigestedParty, _ measure: TimeMeasure = .working) throws -> [ReportCohort] {
        try fixture.projections.read { try $0.reportCohorts(workflowID: nil, version: nil, measure: measure, party: party) }
    }

    static func scope(_ party: DigestedParty, measure: TimeMeasure = .working) -> ReportScope {
        ReportScope(department: party.kind == .department ? party.value : nil, role: party.kind == .role ? party.value : nil,
                    measure: measure, asOf: asOf)
    }

    /// Reports filtered by one department or one role merge that party's digests in each cohort
    /// and read the breaches and open cases whole. Caught up in steps on a random history with
    /// corrections (cases breach in review, then enter the applicant's department, after a
    /// report kept its digests), each equals the report of the facts, on every clock, kept or
    /// built, with cut days; a rebuild forgets them. (Two clocks: the third adds time, not cases.)
    @Test(arguments: ProjectionKind.allCases)
    func partyDigestsGiveTheReportOfThePartysFacts(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var history = try RandomHistory(seed: 33)
        history.corrections = true
        let reporter = reporter(fixture)
        var everKept = 0
        var parties: Set<DigestedParty> = [DigestedParty(kind: .department, value: "nowhere")]
        for _ in 0..<4 {
            try fixture.store.append(batch: history.appends(events: 400))
            try fixture.updater().catchUp(batchSize: 150)
            for fact in try fixture.dump().parties where fact.kind != .onBehalfOf {
                parties.insert(DigestedParty(kind: fact.kind, value: fact.value))
            }
            for party in parties.sorted(by: { "\($0)" < "\($1)" }) {
                everKept += try partyCohorts(fixture, party).filter { $0.digest != nil }.count
                for measure in [TimeMeasure.working, .statutory] {
                    let scope = Self.scope(party, measure: measure)
                    #expect(try reporter.report(scope) == (try reporter.reportFromFacts(scope)), "\(party) \(measure)")
                    #expect(try reporter.report(scope) == (try reporter.reportFromFacts(scope)), "\(party) \(measure), kept")
                }
                var cut = Self.scope(party)
                cut.from = at("2020-03-03T07:30:00Z")
                cut.to = at("2020-03-06T13:15:00Z")
                #expect(try reporter.report(cut) == (try reporter.reportFromFacts(cut)), "\(party), cut")
                #expect(try partyCohorts(fixture, party).allSatisfy { $0.digest != nil }, "\(party)")
            }
        }
        #expect(parties.count > 6)
        #expect(parties.contains(DigestedParty(kind: .department, value: "applicant")))
        // Digests were kept from one catch-up to the next.
        #expect(everKept > 0)
        // A party's digests are not the whole cases' ones.
        #expect(try cohorts(fixture).allSatisfy { $0.digest == nil })
        let party = DigestedParty(kind: .department, value: "licensing")
        let incremental = try reporter.report(Self.scope(party))
        try fixture.updater().rebuild()
        #expect(try partyCohorts(fixture, party).allSatisfy { $0.digest == nil })
        #expect(try reporter.report(Self.scope(party)) == incremental)
    }

    /// A case that breached before it entered a department brings that breach into the
    /// department's report when it enters, though the department's digests were kept before.
    @Test(arguments: ProjectionKind.allCases)
    func aBreachBeforeACaseEntersTheDepartmentCountsWhenItEnters(_ kind: ProjectionKind) throws {
        let fixture = try ProjectionFixture(kind)
        var driver = try StoreDriver(store: fixture.store, workflows: [tolerantYAML])
        try driver.open("A", "tolerant", channel: "online", at: "2020-03-02T09:00:00Z")
        try driver.tick("A", at: "2020-03-02T13:00:00Z")  // review's 3 hours are over
        try driver.open("B", "tolerant", channel: "online", at: "2020-03-02T09:30:00Z")
        try driver.fire("B", "ask_materials", as: "clerk", at: "2020-03-02T09:45:00Z")
        try fixture.updater().catchUp()
        let applicant = DigestedParty(kind: .department, value: "applicant")
        let scope = Self.scope(applicant, measure: .wall)
        let before = try reporter(fixture).report(scope)
        #expect(before.workflows.first?.breaches.isEmpty == true)
        #expect(try partyCohorts(fixture, applicant, .wall).allSatisfy { $0.digest != nil })

        try driver.fire("A", "ask_materials", as: "clerk", at: "2020-03-02T14:00:00Z")
        try fixture.updater().catchUp()
        let after = try reporter(fixture).report(scope)
        #expect(after == (try reporter(fixture).reportFromFacts(scope)))
        #expect(after.workflows.first?.breaches.map(\.cases) == [1])
    }

    /// A party digest is kept only at the cohort's present stamp, and only for its party and clock.
    @Test(arguments: ProjectionKind.allCases)
    func aPartyDigestIsKeptForItsPartyAtTheCohortsStamp(_ kind: ProjectionKind) throws {
        let (fixture, _) = try twoDays(kind, bWaits: false)
        let clerk = DigestedParty(kind: .role, value: "clerk"), approver = DigestedParty(kind: .role, value: "approver")
        let read = try partyCohorts(fixture, clerk)
        #expect(read.count == 2 && read.allSatisfy { $0.digest == nil })
        try fixture.projections.write { try $0.keepDigest([7], of: read[0], measure: .working, party: clerk) }
        #expect(try partyCohorts(fixture, clerk).map(\.digest) == [[7], nil])
        #expect(try partyCohorts(fixture, approver).map(\.digest) == [nil, nil])
        #expect(try partyCohorts(fixture, clerk, .wall).map(\.digest) == [nil, nil])
        #expect(try cohorts(fixture).map(\.digest) == [nil, nil])
        try fixture.projections.write { try $0.deleteFacts(of: ["A"]) }
        #expect(try partyCohorts(fixture, clerk).map(\.digest) == [nil, nil], "a new stamp: the digest is gone")
        try fixture.projections.write { try $0.keepDigest([8], of: read[0], measure: .working, party: clerk) }
        #expect(try partyCohorts(fixture, clerk).first?.digest == nil, "kept at the old stamp: refused")
    }
}
