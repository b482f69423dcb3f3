import DocketCore
import DocketPostgres
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// The implementations every API token store contract test runs against.
enum APITokenStoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case inMemory
    /// In the event log's database on the test process's throwaway PostgreSQL cluster.
    case postgres

    var description: String { rawValue }

    /// Every kind; PostgreSQL as ``StoreKind/allCases`` has it (where installed or required).
    static var allCases: [APITokenStoreKind] {
        StoreKind.allCases.contains(.postgres) ? [.sqlite, .inMemory, .postgres] : [.sqlite, .inMemory]
    }

    /// A fresh, empty store of this kind (SQLite: in a new event log in a temporary directory).
    func make() throws -> APITokenFixture {
        switch self {
        case .sqlite:
            let directory = TemporaryDirectory("tokens")
            let log = try SQLiteEventStore(path: directory.path("docket.sqlite"))
            return APITokenFixture(tokens: SQLiteAPITokenStore(log: log), directory: directory)
        case .inMemory:
            return APITokenFixture(tokens: InMemoryAPITokenStore(), directory: nil)
        case .postgres:
            let url = try PostgresCluster.require().createDatabase("tokens")
            return APITokenFixture(tokens: PostgresAPITokenStore(log: try PostgresEventStore(url: url)), directory: nil)
        }
    }
}

/// A token store under test, with the directory it lives in (kept alive with it).
struct APITokenFixture {
    let tokens: any APITokenStore
    let directory: TemporaryDirectory?
}

/// What every ``APITokenStore`` promises. A new implementation joins by adding a case to
/// ``APITokenStoreKind``.
@Suite("APITokenStore contract")
struct APITokenStoreContractTests {
    static let day = Timestamp(seconds: 1_583_107_200)  // 2020-03-02T00:00:00Z

    static func record(_ id: String = "0123456789abcdef", person: String = "portal", at created: Timestamp = day,
                       expires: Timestamp? = day.adding(seconds: 90 * 86_400)) -> APITokenRecord {
        APITokenRecord(
            tokenID: id, person: person, secretHash: String(repeating: "ab", count: 32), createdAt: created.adding(microseconds: 7),
            createdBy: "os:root", expiresAt: expires)
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func aNewStoreHoldsNoTokens(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        #expect(try fixture.tokens.tokens().isEmpty)
        #expect(try fixture.tokens.token(id: "0123456789abcdef") == nil)
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func aTokenReadsBackExactly(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        let expiring = Self.record()
        let forever = Self.record("fedcba9876543210", person: "batch", expires: nil)
        try fixture.tokens.insert(expiring)
        try fixture.tokens.insert(forever)
        #expect(try fixture.tokens.token(id: expiring.tokenID) == expiring)
        #expect(try fixture.tokens.token(id: forever.tokenID) == forever)
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func tokensAreListedOldestFirstThenById(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        let late = Self.record("0000000000000001", at: Self.day.adding(seconds: 60))
        let earlyB = Self.record("000000000000000b")
        let earlyA = Self.record("000000000000000a")
        for token in [late, earlyB, earlyA] { try fixture.tokens.insert(token) }
        #expect(try fixture.tokens.tokens() == [earlyA, earlyB, late])
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func anIdIsUsedOnce(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        let first = Self.record()
        try fixture.tokens.insert(first)
        let error = #expect(throws: StoreError.self) { try fixture.tokens.insert(Self.record(person: "intruder")) }
        #expect(error?.code == .invalidArgument)
        #expect(try fixture.tokens.tokens() == [first])
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func aHashThatIsNotSHA256HexIsRefused(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        for hash in ["", "abc", String(repeating: "AB", count: 32), String(repeating: "g", count: 64), String(repeating: "a", count: 65)] {
            var token = Self.record()
            token.secretHash = hash
            let error = #expect(throws: StoreError.self) { try fixture.tokens.insert(token) }
            #expect(error?.code == .invalidArgument)
        }
        var noPerson = Self.record()
        noPerson.person = ""
        #expect(throws: StoreError.self) { try fixture.tokens.insert(noPerson) }
        #expect(try fixture.tokens.tokens().isEmpty)
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func revokingRecordsWhoAndWhenAndKeepsTheToken(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        try fixture.tokens.insert(Self.record())
        let at = Self.day.adding(seconds: 3_600)
        let revoked = try #require(try fixture.tokens.revoke(id: "0123456789abcdef", at: at, by: "os:alice"))
        var expected = Self.record()
        expected.revokedAt = at
        expected.revokedBy = "os:alice"
        #expect(revoked == expected)
        #expect(try fixture.tokens.token(id: "0123456789abcdef") == expected)
        #expect(try fixture.tokens.tokens() == [expected])
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func theFirstRevocationStands(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        try fixture.tokens.insert(Self.record())
        let first = try fixture.tokens.revoke(id: "0123456789abcdef", at: Self.day.adding(seconds: 1), by: "os:alice")
        let again = try fixture.tokens.revoke(id: "0123456789abcdef", at: Self.day.adding(seconds: 2), by: "os:bob")
        #expect(first == again)
        #expect(again?.revokedBy == "os:alice")
    }

    @Test(arguments: APITokenStoreKind.allCases)
    func revokingAnUnknownTokenFindsNothing(_ kind: APITokenStoreKind) throws {
        let fixture = try kind.make()
        #expect(try fixture.tokens.revoke(id: "0123456789abcdef", at: Self.day, by: "os:alice") == nil)
        #expect(try fixture.tokens.tokens().isEmpty)
    }
}
