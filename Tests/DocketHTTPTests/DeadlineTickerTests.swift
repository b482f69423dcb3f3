import DocketCore
import DocketHTTP
import DocketService
import DocketStore
import Foundation
import HummingbirdTesting
import Testing

@Suite struct DeadlineTickerTests {
    /// A workflow whose first state must be left within a day.
    static let timed = """
        workflow: timed-permit
        version: 1
        roles: [applicant, clerk]
        states:
          submitted: { initial: true, within: 1 days }
          done: { final: true, outcome: approved }
        transitions:
          - { event: accept, from: submitted, to: done, roles: [clerk] }
        """

    /// Two servers on one log, each ticking every 20 ms: every breach is recorded exactly once.
    @Test func twoServersOnOneLogRecordEachBreachOnce() async throws {
        let first = try TestServer(tickEvery: .milliseconds(20), now: "2026-03-02T09:00:00Z")
        let second = try TestServer(path: first.path, tickEvery: .milliseconds(20), now: "2026-03-02T09:00:00Z")
        try Deployer(catalog: first.server.services.catalog).deploy([ArtifactFile(path: "timed.yaml", text: Self.timed)])
        let cases = CaseService(catalog: WorkflowCatalog(store: first.log), clock: first.clock)
        let count = 40
        for i in 1...count {
            try cases.open(workflowID: "timed-permit", caseID: "T\(i)", actor: "a", role: "applicant",
                           at: Timestamp.parse(iso8601: "2026-02-20T09:00:00Z"))
        }
        @Sendable func breaches() throws -> Int {
            let log: SQLiteEventStore = first.log
            return try log.events(after: 0, limit: 10_000).filter { $0.event.type == .deadlineBreached }.count
        }
        try await first.test(.live) { _ in
            try await second.test(.live) { _ in
                // Both tickers run; and two ticks at the very same moment on top of them.
                async let a = first.server.ticker!.tick()
                async let b = second.server.ticker!.tick()
                _ = try await (a, b)
                let deadline = ContinuousClock.now + .seconds(10)
                while try breaches() < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(try breaches() == count)
        #expect(try first.log.verify().isOK)
    }

    /// While the tick is someone else's (another server's turn), a tick skips the round: it
    /// records nothing and says so with nil; the next round, free, records what is due.
    @Test func aTickWhileAnotherRunsSkipsTheRound() async throws {
        let server = try TestServer(now: "2026-03-02T09:00:00Z")
        try Deployer(catalog: server.server.services.catalog).deploy([ArtifactFile(path: "timed.yaml", text: Self.timed)])
        let cases = CaseService(catalog: WorkflowCatalog(store: server.log), clock: server.clock)
        try cases.open(workflowID: "timed-permit", caseID: "T1", actor: "a", role: "applicant", at: Timestamp.parse(iso8601: "2026-02-20T09:00:00Z"))
        let ticker = DeadlineTicker(services: server.server.services, interval: .seconds(60))
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let jobs = server.server.services.jobs
        DispatchQueue.global().async {
            _ = try? jobs.runIfFree(.deadlineTick) {
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        let skipped = try await ticker.tick()
        release.signal()
        done.wait()
        #expect(skipped == nil)
        #expect(try server.log.events(of: "T1").count == 1)
        #expect(try await ticker.tick() == 1)
        #expect(try server.log.events(of: "T1").map(\.event.type) == [.caseOpened, .deadlineBreached])
    }
}
