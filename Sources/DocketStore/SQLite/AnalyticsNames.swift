import GRDB

/// The names the fact tables keep as small integers (``AnalyticsTables/names``: workflow ids,
/// states, regions, branches, departments, roles, channels, outcomes, transitions, deadlines,
/// limits, triggers, party kinds), for one transaction.
///
/// A fact row then holds a number of one or two bytes where it held the text, and a report reads
/// an integer and takes the one shared `String` of that number, instead of making a string per row.
/// There are few such names (a few hundred in a province), so a transaction loads them all; names
/// that are many and each used once or twice (the parties acted for, case ids) stay text.
final class Names {
    private var ids: [String: Int64] = [:]
    /// Index = id; 0 is no name.
    private var byID: [String] = [""]
    /// Names numbered in this transaction and not yet saved.
    private var pending: [NameRow] = []

    init() {}

    /// The names saved in `db`.
    init(_ db: Database) throws {
        let statement = RawStatement(try db.cachedStatement(sql: "SELECT id, name FROM \(AnalyticsTables.names.name) ORDER BY id"))
        defer { statement.reset() }
        while try statement.step(db) {
            let id = statement.int64(0), name = statement.string(1) ?? ""
            guard id > 0, id < 1 << 31 else { continue }
            while byID.count < Int(id) { byID.append("") }
            if byID.count == Int(id) { byID.append(name) } else { byID[Int(id)] = name }
            ids[name] = id
        }
    }

    /// The number of `name`, numbering it when it is new (saved by ``save(_:)``).
    func id(_ name: String) -> Int64 {
        if let id = ids[name] { return id }
        let id = Int64(byID.count)
        byID.append(name)
        ids[name] = id
        pending.append(NameRow(id: id, name: name))
        return id
    }

    /// The number of `name` when some fact has it.
    func existingID(_ name: String) -> Int64? { ids[name] }

    /// The name numbered `id` ("" for none).
    func name(_ id: Int64) -> String {
        id > 0 && id < byID.count ? byID[Int(id)] : ""
    }

    /// Saves the names numbered since the last save, in the caller's transaction.
    func save(_ db: Database) throws {
        guard !pending.isEmpty else { return }
        let insert = RawStatement(try db.cachedStatement(sql: AnalyticsTables.names.insertHead("INSERT") + " VALUES (?, ?)"))
        for row in pending {
            AnalyticsTables.names.bind(insert, offset: 0, row)
            try insert.execute(db)
        }
        pending = []
    }
}
