import DocketStore
import Foundation

/// Commands that arrive together share one write transaction and one sync to disk.
///
/// SQLite has one writer, and a durable commit costs a sync whatever it holds. Each caller hands
/// its command (a unit of work: read the case, decide, append) to the queue and waits; whichever
/// caller finds no commit running becomes the leader, runs every waiting unit in one transaction
/// (``EventStore/writeTogether(_:)``, each unit all or nothing on its own), and wakes the others
/// with their results. Nobody is answered before the transaction holding their events committed.
/// A lone command (the CLI) is its own leader: one transaction, as before, minus a read.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: `pending` and `committing` are only touched while holding `condition`.
    private let store: any EventStore
    private let condition = NSCondition()
    private var pending: [Waiter] = []
    private var committing = false
    private var transactions = 0
    private var committedUnits = 0

    /// The most units one transaction takes, so that one commit's latency stays bounded.
    static let maximumBatch = 256

    private final class Waiter {
        let unit: (any LogTransaction) throws -> CommandOutcome
        var result: Result<CommandOutcome, any Error>?
        init(_ unit: @escaping (any LogTransaction) throws -> CommandOutcome) { self.unit = unit }
    }

    init(store: any EventStore) {
        self.store = store
    }

    /// The write transactions run so far (each one sync to disk when it appended something) and
    /// the commands they carried: commands per sync is the second over the first.
    var counts: (transactions: Int, commands: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (transactions, committedUnits)
    }

    /// Runs `unit` in the next group's transaction and returns its outcome once that committed;
    /// throws its own error (a refusal rolls back only its unit) or the commit's.
    func commit(_ unit: @escaping (any LogTransaction) throws -> CommandOutcome) throws -> CommandOutcome {
        let mine = Waiter(unit)
        condition.lock()
        pending.append(mine)
        while mine.result == nil {
            if committing {
                condition.wait()
                continue
            }
            committing = true
            let group = Array(pending.prefix(Self.maximumBatch))
            pending.removeFirst(group.count)
            condition.unlock()
            let results: [Result<CommandOutcome, any Error>]
            do {
                results = try store.writeTogether(group.map(\.unit))
            } catch {
                results = group.map { _ in .failure(error) }
            }
            condition.lock()
            transactions += 1
            committedUnits += group.count
            for (waiter, result) in zip(group, results) { waiter.result = result }
            committing = false
            condition.broadcast()
        }
        condition.unlock()
        return try mine.result!.get()
    }
}
