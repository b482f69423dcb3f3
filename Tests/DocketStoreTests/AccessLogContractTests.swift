import DocketCore
import DocketStore
import DocketTestSupport
import Testing

/// What every `AccessLog` promises, for each implementation: reads recorded in order, with the
/// clock's time and the principal as the event log records principals.
@Suite struct AccessLogContractTests {
    func make(_ kind: StoreKind) throws -> (log: any AccessLog, fixture: StoreFixture) {
        let fixture = try kind.make()
        switch kind {
        case .sqlite: return (SQLiteAccessLog(log: fixture.store as! SQLiteEventStore, clock: fixture.clock), fixture)
        case .inMemory: return (InMemoryAccessLog(clock: fixture.clock), fixture)
        // The access log is kept in SQLite only so far (Docs/store.md, "PostgreSQL").
        case .postgres: throw StoreError(.invalidArgument, "the access log is not kept on PostgreSQL yet")
        }
    }

    @Test(arguments: [StoreKind.sqlite, .inMemory])
    func readsAreRecordedInOrderWithThePrincipalAndTheCase(_ kind: StoreKind) throws {
        let (log, fixture) = try make(kind)
        let first = try log.record(principal: Principal(method: .jwt, id: "li.wei"), action: "read_case", caseID: "C-1", requestID: "r-1")
        try log.record(principal: Principal(method: .operatingSystem, id: "root"), action: "report", caseID: nil, requestID: nil)
        try log.record(principal: Principal(method: .apiToken, id: "portal"), action: "read_case", caseID: "C-2", requestID: "r-3")
        #expect(first.principal == "jwt:li.wei" && first.id != nil)
        let all = try log.records(caseID: nil, limit: 10)
        #expect(all.map(\.principal) == ["jwt:li.wei", "os:root", "api_token:portal"])
        #expect(all.map(\.action) == ["read_case", "report", "read_case"])
        #expect(all[0].at < all[1].at)
        #expect(try log.records(caseID: "C-2", limit: 10).map(\.requestID) == ["r-3"])
        #expect(try log.records(caseID: nil, limit: 2).count == 2)
        // The case log is untouched: reads are not facts of a case.
        #expect(try fixture.store.lastPosition() == 0)
    }
}
