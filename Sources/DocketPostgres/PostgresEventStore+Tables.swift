import DocketStore

extension PostgresEventStore {
    /// A write transaction on a table of the log's database that is not the case log (API tokens,
    /// the access log): it never takes the log's head, so it neither waits for nor holds up the
    /// case log's writers. Refused on a read-only store or a standby.
    func writeOwnTable<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard !isReadOnly else {
            throw StoreError(.readOnly, "\(location) is open read-only (or is a standby): nothing can be written. Write to the primary.")
        }
        return try connector.withConnection { session in
            try session.transaction(lockTimeout: options.lockTimeout) { try body(session) }
        }
    }

    /// How long the readiness probe waits for a connection, in seconds.
    static let readinessTimeout: Double = 2

    /// Checks that the database answers and takes writes (a primary, not a standby, and this store
    /// not opened read-only), writing nothing: what `docket serve`'s readiness probe reports.
    package func checkWritable() throws {
        guard !isReadOnly else {
            throw StoreError(.readOnly, "\(location) is open read-only (or is a standby): nothing can be written. Write to the primary.")
        }
        // Two seconds, not the connect timeout: a probe that hangs is no answer to a load balancer.
        let standby = try connector.withConnection(waiting: Self.readinessTimeout) { session in
            try session.run("SELECT pg_is_in_recovery()").first?.decode(Bool.self) ?? false
        }
        if standby {
            throw StoreError(.readOnly, "\(location) is now a standby (in recovery): nothing can be written. Point docket at the new primary.")
        }
    }
}
