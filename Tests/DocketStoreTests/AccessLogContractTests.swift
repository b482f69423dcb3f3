import DocketCore
import DocketPostgres
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What every `AccessLog` promises, for each implementation: reads recorded in order, with the
/// clock's time and the principal as the event log records principals.
@Suite struct AccessLogContractTests {
    func make(_ kind: StoreKind) throws -> (log: any AccessLog, fixture: StoreFixture) {
        let fixture = try kind.make()
        switch kind {
        case .sqlite: return (SQLiteAccessLog(log: fixture.store as! SQLiteEventStore, clock: fixture.clock), fixture)
        case .inMemory: return (InMemoryAccessLog(clock: fixture.clock), fixture)
        case .postgres: return (PostgresAccessLog(log: fixture.store as! PostgresEventStore, clock: fixture.clock), fixture)
        }
    }

    @Test(arguments: StoreKind.allCases)
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

extension AccessLogContractTests {
    @Test(arguments: StoreKind.allCases)
    func aNewAccessLogIsEmptyAndALimitOfNothingReadsNothing(_ kind: StoreKind) throws {
        let (log, _) = try make(kind)
        #expect(try log.records(caseID: nil, limit: 10).isEmpty)
        try log.record(principal: Principal(method: .jwt, id: "li.wei"), action: "read_case", caseID: "C-1", requestID: nil)
        #expect(try log.records(caseID: nil, limit: 0).isEmpty)
        #expect(try log.records(caseID: "C-9", limit: 10).isEmpty)
    }

    /// What was recorded reads back exactly: the id given, the time to the microsecond, absent
    /// values as absent, ids growing in the order of recording.
    @Test(arguments: StoreKind.allCases)
    func aRecordReadsBackAsItWasReturned(_ kind: StoreKind) throws {
        let (log, _) = try make(kind)
        let first = try log.record(principal: Principal(method: .apiToken, id: "portal"), action: "export", caseID: nil, requestID: nil)
        let second = try log.record(principal: Principal(method: .jwt, id: "zhao.min"), action: "read_events", caseID: "C-7", requestID: "r-2")
        #expect(try log.records(caseID: nil, limit: 10) == [first, second])
        #expect(try #require(first.id) < #require(second.id))
        #expect(try log.records(caseID: "C-7", limit: 10) == [second])
    }

    /// Many readers at once (the server's requests): each read recorded once, none lost.
    @Test(arguments: StoreKind.allCases)
    func concurrentReadsAreEachRecordedOnce(_ kind: StoreKind) throws {
        let (log, _) = try make(kind)
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                try log.record(principal: Principal(method: .jwt, id: "reader-\(i)"), action: "read_case", caseID: "C-\(i % 4)", requestID: "r-\(i)")
            } catch {
                failures.update { $0.append("\(error)") }
            }
        }
        #expect(failures.value.isEmpty)
        let all = try log.records(caseID: nil, limit: 1_000)
        #expect(Set(all.compactMap(\.requestID)) == Set((0..<40).map { "r-\($0)" }))
        #expect(Set(all.compactMap(\.id)).count == 40)
        #expect(try log.records(caseID: "C-1", limit: 1_000).count == 10)
    }
}
