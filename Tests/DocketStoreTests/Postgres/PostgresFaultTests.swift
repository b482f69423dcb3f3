import DocketCore
@testable import DocketPostgres
@testable import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// What happens to a writer when the database server goes away or its disk fills up: each test
/// has a cluster of its own (the shared one serves the other tests meanwhile). The promise is the
/// same for every fault: a command that was acknowledged is in the log once; one that failed
/// failed with an error saying what to do and left nothing behind; once the fault is gone, the
/// same store (its pool) writes again, and the chain verifies.
@Suite("PostgreSQL faults", .requires(.postgreSQL), .serialized)
struct PostgresFaultTests {
    /// Opens `caseID` with its key, retrying (as a client would, with the same key) while the
    /// server is away; returns the errors seen, and nil when it gave up.
    static func open(_ caseID: String, on store: PostgresEventStore, errors: inout [StoreError]) -> Bool {
        let key = IdempotencyKey(key: "open-\(caseID)", fingerprint: "open \(caseID)")
        for _ in 0..<600 {
            do {
                try store.append([Sample.opened(caseID)], to: caseID, expectedVersion: 0, idempotency: key)
                return true
            } catch let error as StoreError {
                errors.append(error)
                usleep(50_000)
            } catch {
                return false
            }
        }
        return false
    }

    /// The whole cluster is restarted twice while a writer runs keyed commands: once with a fast
    /// shutdown (transactions in flight rolled back), once immediately (every backend killed, crash
    /// recovery on the way up). The writer's commands fail while the server is away, with errors
    /// that say so, and succeed on retry; every one is in the log once, and the chain verifies.
    @Test func aRestartOfTheWholeClusterUnderLoadLosesNoAcknowledgedCommand() throws {
        let cluster = try PostgresCluster.startPrivate()
        defer { cluster.stop() }
        let url = try cluster.createDatabase("restart")
        let store = try PostgresEventStore(url: url, options: .init(connectTimeout: 30, maximumConnections: 2))
        defer { store.close() }
        let opened = Locked(0)
        let restarts = Locked(0)
        let done = DispatchSemaphore(value: 0)
        let restartFailure = Locked<String?>(nil)
        Thread.detachNewThread {
            defer { done.signal() }
            for immediately in [false, true] {
                // Under load: the writer has been going for a while.
                let target = opened.value + 20
                while opened.value < target { usleep(10_000) }
                do {
                    try cluster.restart(immediately: immediately)
                    restarts.update { $0 += 1 }
                } catch {
                    restartFailure.set("\(error)")
                    return
                }
            }
        }
        var errors: [StoreError] = []
        var caseIDs: [String] = []
        var gaveUp: [String] = []
        // The writer goes on until both restarts are over, and a little beyond.
        var after = 0
        while after < 20 {
            let caseID = "R-\(caseIDs.count)"
            if Self.open(caseID, on: store, errors: &errors) { caseIDs.append(caseID) } else { gaveUp.append(caseID) }
            opened.update { $0 += 1 }
            if restarts.value == 2 || restartFailure.value != nil { after += 1 }
        }
        done.wait()
        #expect(restartFailure.value == nil)
        #expect(restarts.value == 2)
        #expect(gaveUp.isEmpty)
        // The fault was felt, and said as what it is: the server went away, retry.
        #expect(!errors.isEmpty)
        for error in errors {
            #expect([.ioError, .cannotOpen].contains(error.code), "\(error)")
            #expect(!error.message.contains(cluster.password))
        }
        let cases = try store.cases().map(\.caseID)
        #expect(cases.sorted() == caseIDs.sorted())
        #expect(try store.lastPosition() == Int64(caseIDs.count))
        let report = try store.verify()
        #expect(report.isOK, "\(report.problems)")
    }

    /// The database's tables live on a small disk (a tablespace on a tmpfs) that fills up while a
    /// writer appends: the write that does not fit fails as a full disk, saying so, and leaves
    /// nothing behind; the log verifies. Once space is freed the same store writes again.
    @Test(.requires(.mountableDisk))
    func aFullDiskRefusesTheWriteCleanlyAndTheStoreWritesAgainOnceSpaceIsFreed() throws {
        let cluster = try PostgresCluster.startPrivate()
        let disk = try SmallDisk(megabytes: 24, inside: cluster.directory)
        defer {
            cluster.stop()
            disk.unmount()
        }
        let tablespace = (disk.path as NSString).appendingPathComponent("tablespace")
        try FileManager.default.createDirectory(atPath: tablespace, withIntermediateDirectories: true)
        try Unprivileged.handOver([tablespace])
        _ = try cluster.sql("CREATE TABLESPACE small LOCATION '\(tablespace)'", database: "postgres")
        _ = try cluster.sql("CREATE DATABASE full_disk TABLESPACE small", database: "postgres")
        let store = try PostgresEventStore(url: cluster.url(database: "full_disk"), options: .init(maximumConnections: 2))
        defer { store.close() }
        var acknowledged: [String] = []
        for index in 0..<20 {
            let caseID = "F-\(index)"
            try store.append([Sample.opened(caseID)], to: caseID, expectedVersion: 0)
            acknowledged.append(caseID)
        }
        try disk.fill()
        // Appending until the disk refuses: a batch of many cases at a time, so that new pages
        // are needed soon (the tables' last pages had room left).
        var refusal: StoreError?
        var batchNumber = 0
        while refusal == nil, batchNumber < 1000 {
            let batch = (0..<200).map { offset in
                let caseID = "F-\(batchNumber)-\(offset)"
                return CaseAppend(caseID: caseID, expectedVersion: 0, events: [Sample.opened(caseID)])
            }
            do {
                try store.append(batch: batch)
                acknowledged.append(contentsOf: batch.map(\.caseID))
            } catch let error as StoreError {
                refusal = error
            }
            batchNumber += 1
        }
        let error = try #require(refusal)
        #expect(error.code == .diskFull, "\(error)")
        #expect(error.message.contains("full disk") || error.message.contains("out of resources"), "\(error.message)")
        // Nothing of the refused batch is there, and what was acknowledged is.
        #expect(try store.cases().map(\.caseID).sorted() == acknowledged.sorted())
        #expect(try store.lastPosition() == Int64(acknowledged.count))
        #expect(try store.verify().isOK)
        // Space freed: the same store writes again, with the same pool.
        try disk.free()
        try store.append([Sample.opened("F-after")], to: "F-after", expectedVersion: 0)
        #expect(try store.lastPosition() == Int64(acknowledged.count + 1))
        #expect(try store.verify().isOK)
    }
}

/// TLS as the URL asks for it (`sslmode`, with libpq's meanings), against a server with a
/// certificate of a CA made for the test.
@Suite("PostgreSQL over TLS", .requires(.postgreSQL, .tool("openssl")), .serialized)
struct PostgresTLSTests {
    /// A CA, and a server certificate it signed for 127.0.0.1, in the cluster's directory.
    static func certificates(in directory: String) throws -> [String: String] {
        func openssl(_ arguments: [String]) throws {
            let result = try Processes.run(tool: "openssl", arguments)
            guard result.status == 0 else { throw PostgresCommandFailed(command: "openssl \(arguments.first ?? "")", output: result.stderr) }
        }
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Docket test CA",
                     "-keyout", file("ca.key"), "-out", file("ca.crt")])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", file("server.key"), "-out", file("server.csr")])
        let extensions = file("server.ext")
        try "subjectAltName = IP:127.0.0.1\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial",
                     "-days", "2", "-extfile", extensions, "-out", file("server.crt")])
        // Another CA, which signed nothing of this server's.
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Someone else's CA",
                     "-keyout", file("other.key"), "-out", file("other.crt")])
        // The server reads its key only when nobody else may.
        try Unprivileged.handOver([file("server.key"), file("server.crt")])
        chmod(file("server.key"), 0o600)
        return ["ssl": "on", "ssl_cert_file": file("server.crt"), "ssl_key_file": file("server.key")]
    }

    /// Whether the store's connections are encrypted (the server's own view).
    static func isEncrypted(_ store: PostgresEventStore) throws -> Bool {
        try store.connector.withConnection { session in
            try session.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.decode(Bool.self) ?? false
        }
    }

    @Test func theURLsSSLModeDecidesAndACertificateOfAnotherCAIsRefused() throws {
        let cluster = try PostgresCluster.startPrivate { try Self.certificates(in: $0.directory) }
        defer { cluster.stop() }
        _ = try cluster.createDatabase("tls")
        let base = cluster.url(database: "tls_1")
        let ca = (cluster.directory as NSString).appendingPathComponent("ca.crt")
        let other = (cluster.directory as NSString).appendingPathComponent("other.crt")

        let required = try PostgresEventStore(url: base + "?sslmode=require")
        defer { required.close() }
        #expect(try Self.isEncrypted(required))
        try required.append([Sample.opened("T-1")], to: "T-1", expectedVersion: 0)

        let verified = try PostgresEventStore(url: base + "?sslmode=verify-full&sslrootcert=\(ca)")
        defer { verified.close() }
        #expect(try Self.isEncrypted(verified))
        #expect(try verified.events(of: "T-1").count == 1)

        let plain = try PostgresEventStore(url: base + "?sslmode=disable")
        defer { plain.close() }
        #expect(try !Self.isEncrypted(plain))

        // A server whose certificate another CA signed is not the server meant: refused, saying why.
        let error = #expect(throws: StoreError.self) {
            try PostgresEventStore(url: base + "?sslmode=verify-full&sslrootcert=\(other)")
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("127.0.0.1") == true)
        #expect(error?.message.contains(cluster.password) == false)
    }

    @Test func requiringTLSOfAServerWithoutItIsRefusedSayingSo() throws {
        let cluster = try PostgresCluster.require()
        let url = try cluster.createDatabase("notls")
        let error = #expect(throws: StoreError.self) {
            try PostgresEventStore(url: url + "?sslmode=require")
        }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("TLS") == true, "\(error?.message ?? "")")
    }
}
