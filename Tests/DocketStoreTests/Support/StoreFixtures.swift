import DocketCore
import DocketPostgres
import DocketStore
import DocketTestSupport
import Foundation

/// A clock that starts at 2020-03-02T00:00:00Z and moves one second per reading, so recorded
/// times are predictable and distinct.
/// A clock one second later at every reading: every recorded time differs.
final class SteppingClock: WallClock, @unchecked Sendable {
    // @unchecked: `next` is only touched under `lock`.
    private let lock = NSLock()
    private var next: Timestamp

    static let start = Timestamp(seconds: 1_583_107_200)  // 2020-03-02T00:00:00Z

    init(start: Timestamp = SteppingClock.start) {
        self.next = start
    }

    func now() -> Timestamp {
        lock.lock()
        defer { lock.unlock() }
        let current = next
        next = next.adding(seconds: 1)
        return current
    }
}

/// The implementations every contract test runs against.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case inMemory
    /// A database of its own on the test process's throwaway PostgreSQL cluster.
    case postgres

    var description: String { rawValue }

    /// Every kind; PostgreSQL only where its server is installed, or where a missing one must
    /// fail (`DOCKET_REQUIRE_PREREQUISITES=1`). Leaving it out is said loudly on stderr, and the
    /// gated "PostgreSQL is installed" test is reported as skipped.
    static var allCases: [StoreKind] {
        if Prerequisite.postgreSQL.isPresent || Prerequisite.areRequired { return [.sqlite, .inMemory, .postgres] }
        warnPostgresMissing
        return [.sqlite, .inMemory]
    }

    private static let warnPostgresMissing: Void = {
        FileHandle.standardError.write(Data("""
            warning: the EventStore contract suite and the PostgreSQL store tests did NOT run against PostgreSQL: \
            missing \(Prerequisite.postgreSQL.description) (\(Prerequisite.postgreSQL.remedy)); \
            DOCKET_REQUIRE_PREREQUISITES=1 makes this a failure.

            """.utf8))
    }()

    /// A fresh, empty store of this kind (SQLite: a real file in a new temporary directory).
    func make(clock: SteppingClock = SteppingClock()) throws -> StoreFixture {
        switch self {
        case .sqlite:
            let directory = TemporaryDirectory("store")
            let store = try SQLiteEventStore(path: directory.path("docket.sqlite"), clock: clock)
            return StoreFixture(store: store, clock: clock, directory: directory)
        case .inMemory:
            return StoreFixture(store: InMemoryEventStore(clock: clock), clock: clock, directory: nil)
        case .postgres:
            let url = try PostgresCluster.require().createDatabase("contract")
            return StoreFixture(store: try PostgresEventStore(url: url, clock: clock), clock: clock, directory: nil)
        }
    }
}

/// A store under test, with the clock and the directory it lives in (kept alive with it).
struct StoreFixture {
    let store: any EventStore
    let clock: SteppingClock
    let directory: TemporaryDirectory?
}

/// Events for the example workflow of issue 3, `permit-check` version 1.
enum Sample {
    static let day = Timestamp(seconds: 1_583_143_200)  // 2020-03-02T10:00:00Z

    static func opened(_ caseID: String, workflow: String = "permit-check", version: Int = 1, at: Timestamp = day) -> CaseEvent {
        CaseEvent(
            caseID: caseID, type: .caseOpened, workflowID: workflow, workflowVersion: version,
            actor: "li.wei", role: "applicant", occurredAt: at,
            payload: EventPayload(to: "submitted", data: ["channel": "online"]))
    }

    static func fired(
        _ caseID: String, _ transition: String, from: String, to: String,
        workflow: String = "permit-check", version: Int = 1, by actor: String = "zhang.min", as role: String = "clerk",
        at: Timestamp = day.adding(seconds: 3600)
    ) -> CaseEvent {
        CaseEvent(
            caseID: caseID, type: .transitionFired, workflowID: workflow, workflowVersion: version,
            actor: actor, role: role, occurredAt: at,
            payload: EventPayload(transition: transition, from: from, to: to))
    }

    static func accepted(_ caseID: String) -> CaseEvent {
        fired(caseID, "accept", from: "submitted", to: "review")
    }

    static let definition = """
        workflow: permit-check
        version: 1
        states:
          submitted: { initial: true }
        """
}

extension EventStore {
    /// Opens `caseID` and accepts it: a case at version 2.
    @discardableResult
    func openAndAccept(_ caseID: String) throws -> AppendResult {
        try append([Sample.opened(caseID), Sample.accepted(caseID)], to: caseID, expectedVersion: 0)
    }
}
