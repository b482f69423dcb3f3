import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// `LocalExclusiveJobs`: the turns an SQLite log's server takes within its process (the
/// PostgreSQL ones, across processes, are in `PostgresServerTablesTests`).
@Suite struct LocalExclusiveJobsTests {
    @Test func whileAJobRunsItIsSkippedOrWaitedForAndOtherJobsAreFree() throws {
        let jobs = LocalExclusiveJobs()
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let order = Locked<[String]>([])
        DispatchQueue.global().async {
            _ = try? jobs.runAlone(.deadlineTick) {
                holding.signal()
                release.wait()
                order.update { $0.append("holder done") }
            }
            done.signal()
        }
        holding.wait()
        #expect(try jobs.runIfFree(.deadlineTick) { 1 } == nil)
        #expect(try jobs.runIfFree(.projectionCatchUp) { 2 } == 2)
        let waited = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? jobs.runAlone(.deadlineTick) { order.update { $0.append("waiter ran") } }
            waited.signal()
        }
        release.signal()
        done.wait()
        waited.wait()
        #expect(order.value == ["holder done", "waiter ran"])
        #expect(try jobs.runIfFree(.deadlineTick) { 3 } == 3)
    }

    @Test func aFailingJobGivesItsTurnBack() throws {
        struct Failure: Error {}
        let jobs = LocalExclusiveJobs()
        #expect(throws: Failure.self) { try jobs.runIfFree(.projectionCatchUp) { throw Failure() } }
        #expect(try jobs.runIfFree(.projectionCatchUp) { 1 } == 1)
    }
}
