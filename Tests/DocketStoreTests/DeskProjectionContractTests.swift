import DocketAnalytics
import DocketCore
import DocketStore
import Testing

/// The desk's tables (worklists, case search): every ``ProjectionStore`` selects and orders the
/// same rows.
@Suite("ProjectionStore contract: the desk")
struct DeskProjectionContractTests {
    static let permit = WorkflowKey(id: "permit", version: 1)
    static func t(_ hours: Int64) -> Timestamp { Timestamp(microseconds: 1_600_000_000_000_000 + hours * 3_600_000_000) }

    static func update(_ id: String, _ position: Int64, applicant: String?, channel: String?, data: [String: String],
                       work: [(branch: String?, state: String, department: String?, holder: String?, due: Timestamp?)],
                       outcome: String? = nil) -> DeskUpdate {
        let deskCase = DeskCase(caseID: id, position: position, workflow: permit, openedAt: t(position), openedBy: "clerk",
                                applicant: applicant, channel: channel, state: work.isEmpty ? "approved" : "verification",
                                whereabouts: "verification", outcome: outcome, nextDueAt: work.compactMap(\.due).min(), holder: nil)
        return DeskUpdate(deskCase: deskCase, data: data, work: work.map {
            DeskWorkItem(caseID: id, position: position, workflow: permit, region: $0.branch == nil ? nil : "verification",
                         branch: $0.branch, state: $0.state, department: $0.department, enteredAt: t(position), holder: $0.holder,
                         heldSince: $0.holder == nil ? nil : t(position), dueAt: $0.due, deadline: $0.due == nil ? nil : "state",
                         openedAt: t(position), applicant: applicant)
        })
    }

    static let rows: [DeskUpdate] = [
        update("A", 1, applicant: "ma", channel: "window", data: ["centre": "rizhao"],
               work: [("fire", "inspecting", "fire", "liu", t(50)), ("health", "inspecting", "health", nil, t(50))]),
        update("B", 2, applicant: "huang", channel: "online", data: ["centre": "qingdao"],
               work: [("fire", "inspecting", "fire", nil, t(30))]),
        update("C", 3, applicant: "ma", channel: "online", data: ["centre": "rizhao"], work: [(nil, "review", "licensing", nil, nil)]),
        update("D", 4, applicant: "ma", channel: "window", data: [:], work: [], outcome: "approved"),
    ]

    func filled(_ kind: ProjectionStoreKind) throws -> ProjectionStoreFixture {
        let fixture = try kind.make()
        try fixture.projections.write { tables throws in
            try tables.recreate()
            try tables.saveDesk(Self.rows)
        }
        return fixture
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func worklistsFilterAndOrderAlike(_ kind: ProjectionStoreKind) throws {
        let fixture = try filled(kind)
        func ids(_ change: (inout WorkQuery) -> Void) throws -> (ids: [String], total: Int) {
            var query = WorkQuery()
            change(&query)
            let page = try fixture.projections.read { try $0.worklist(query) }
            return (page.items.map { $0.caseID + ($0.branch.map { "/" + $0 } ?? "") }, page.total)
        }
        #expect(try ids { $0.department = "fire" } == (["B/fire", "A/fire"], 2))
        #expect(try ids { $0.department = "fire"; $0.order = .oldest } == (["A/fire", "B/fire"], 2))
        #expect(try ids { $0.holder = "liu" } == (["A/fire"], 1))
        #expect(try ids { $0.unheldOnly = true } == (["B/fire", "A/health", "C"], 3))
        #expect(try ids { $0.limit = 1 } == (["B/fire"], 4))
        #expect(try ids { $0.states = [WorkState(workflow: Self.permit, state: "review")] } == (["C"], 1))
        #expect(try ids { $0.states = [WorkState(workflow: Self.permit, branch: "health", state: "inspecting")] } == (["A/health"], 1))
        #expect(try ids { $0.states = [WorkState(workflow: Self.permit, state: "inspecting")] } == ([], 0))
        #expect(try ids { $0.states = [] } == ([], 0))
        #expect(try ids { $0.dueBy = [Self.permit: Self.t(40)] } == (["B/fire"], 1))
        #expect(try ids { $0.dueBy = [WorkflowKey(id: "other", version: 1): Self.t(100)] } == ([], 0))
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func aSearchStreamedFindsWhatItsAnswerHoldsInTheSameOrder(_ kind: ProjectionStoreKind) throws {
        let fixture = try filled(kind)
        // Two cases due at one instant: the earlier opened first.
        try fixture.projections.write { tables in
            try tables.saveDesk([Self.update("E", 5, applicant: "ma", channel: "online", data: [:],
                                             work: [(nil, "review", "licensing", nil, Self.t(30))])])
        }
        let queries: [(inout CaseQuery) -> Void] = [
            { _ in }, { $0.overdueAt = Self.t(60); $0.soonestDueFirst = true; $0.openOnly = true },
            { $0.overdueAt = Self.t(40); $0.soonestDueFirst = true }, { $0.soonestDueFirst = true },
            { $0.applicant = "ma"; $0.limit = 2 }, { $0.overdueAt = Self.t(60); $0.soonestDueFirst = true; $0.limit = 2 },
        ]
        var answers: [[String]] = []
        for change in queries {
            var query = CaseQuery()
            change(&query)
            let whole = try fixture.projections.read { try $0.searchCases(query) }.map(\.caseID)
            var streamed: [String] = []
            try fixture.projections.read { try $0.searchCases(query) { streamed.append($0.caseID) } }
            #expect(streamed == whole)
            answers.append(whole)
        }
        #expect(answers[1] == ["B", "E", "A"])
        #expect(answers[2] == ["B", "E"])
        #expect(answers[5] == ["B", "E"])
    }

    @Test(arguments: ProjectionStoreKind.allCases)
    func searchesFilterAlikeAndAReplacedCaseKeepsNoOldRows(_ kind: ProjectionStoreKind) throws {
        let fixture = try filled(kind)
        func ids(_ change: (inout CaseQuery) -> Void) throws -> [String] {
            var query = CaseQuery()
            change(&query)
            return try fixture.projections.read { try $0.searchCases(query) }.map(\.caseID)
        }
        #expect(try ids { _ in } == ["A", "B", "C", "D"])
        #expect(try ids { $0.applicant = "ma" } == ["A", "C", "D"])
        #expect(try ids { $0.data = ["centre": "rizhao"] } == ["A", "C"])
        #expect(try ids { $0.data = ["centre": "rizhao"]; $0.channel = "online" } == ["C"])
        #expect(try ids { $0.openedFrom = Self.t(2); $0.openedBefore = Self.t(4) } == ["B", "C"])
        #expect(try ids { $0.openOnly = true } == ["A", "B", "C"])
        #expect(try ids { $0.state = "inspecting" } == ["A", "B"])
        #expect(try ids { $0.overdueAt = Self.t(60) } == ["A", "B"])
        #expect(try ids { $0.overdueAt = Self.t(60); $0.soonestDueFirst = true } == ["B", "A"])
        #expect(try ids { $0.soonestDueFirst = true } == ["B", "A", "C", "D"])
        #expect(try ids { $0.afterPosition = 2 } == ["C", "D"])
        #expect(try ids { $0.limit = 2 } == ["A", "B"])
        let values = { (field: DeskField, matching: String?) in try fixture.projections.read { try $0.deskValues(field, matching: matching, limit: 10) } }
        #expect(try values(.channel, nil) == ["online", "window"])
        #expect(try values(.applicant, "ma") == ["ma"])
        #expect(try values(.applicant, "nobody") == [])
        #expect(try values(.dataKey, nil) == ["centre"])
        #expect(try values(.dataValue(key: "centre"), nil) == ["qingdao", "rizhao"])
        #expect(try fixture.projections.read { try $0.deskValues(.channel, matching: nil, limit: 1) } == ["online"])
        // A case decided later: its work is gone, its data replaced.
        try fixture.projections.write { try $0.saveDesk([Self.update("A", 1, applicant: "ma", channel: "window", data: [:], work: [], outcome: "approved")]) }
        #expect(try ids { $0.data = ["centre": "rizhao"] } == ["C"])
        #expect(try fixture.projections.read { try $0.worklist(WorkQuery()) }.total == 2)
        let contents = try fixture.projections.read { try $0.contents() }
        #expect(contents.desk.map(\.deskCase.caseID) == ["A", "B", "C", "D"])
    }
}
