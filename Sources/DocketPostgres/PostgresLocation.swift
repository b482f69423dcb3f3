import DocketStore
import Foundation

/// Where a PostgreSQL event log lives, read from a `postgres://` (or `postgresql://`) URL as
/// libpq reads it: `postgres://user[:password]@host[:port]/database?sslmode=require`.
///
/// The password comes from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, else
/// `~/.pgpass`, in libpq's `host:port:database:user:password` format). It is never part of
/// ``description``, of an error message or of a log line.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted (the URL's `sslmode`, with libpq's meanings).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's `allow`
        /// and `prefer`, the default).
        case prefer
        /// TLS always, without checking the server's certificate: the line is encrypted, the
        /// server is not authenticated (as libpq's `require`).
        case require
        /// TLS always; the server's certificate must be signed by the CA in `sslrootcert`.
        case verifyCA = "verify-ca"
        /// TLS always; the certificate must be signed by the CA and name the host.
        case verifyFull = "verify-full"
    }

    /// The host name or address (absent with ``socketDirectory``).
    public var host: String
    /// The TCP port (5432 unless the URL names another).
    public var port: Int
    /// The directory of the server's Unix socket (`?host=/var/run/postgresql`), if any.
    public var socketDirectory: String?
    /// The role to connect as.
    public var user: String
    /// The database.
    public var database: String
    /// How the connection is encrypted.
    public var tls: TLSMode
    /// The CA certificate file (PEM) `verify-ca` and `verify-full` check the server against.
    public var rootCertificate: String?
    /// The password, from wherever it was found; nil when the server needs none.
    package var password: String?
    /// Where the password came from, for an authentication error: "the URL", "PGPASSWORD", a file.
    package var passwordSource: String?

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `url`; `environment` and `home` supply `PGPASSWORD`, `PGPASSFILE`, `PGUSER` and `~`.
    ///
    /// - Throws: ``StoreError/Code/invalidArgument`` naming what is wrong with the URL (never
    ///   repeating a password it holds).
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                home: String = FileManager.default.homeDirectoryForCurrentUser.path) throws {
        guard Self.isPostgresURL(url), let components = URLComponents(string: url) else {
            throw StoreError(.invalidArgument, "'\(Self.redacted(url))' is not a PostgreSQL URL: write postgres://user@host:port/database")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let known: Set = ["sslmode", "sslrootcert", "host", "port", "user", "password", "dbname", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw StoreError(.invalidArgument, "the PostgreSQL URL has a parameter '\(unknown)' docket does not know; it knows \(known.sorted().joined(separator: ", "))")
        }
        let queryHost = query["host"].flatMap { $0.isEmpty ? nil : $0 }
        if let queryHost, queryHost.hasPrefix("/") {
            socketDirectory = queryHost
            host = "localhost"
        } else {
            socketDirectory = nil
            host = queryHost ?? components.host.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? "localhost"
        }
        if let text = query["port"] {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw StoreError(.invalidArgument, "the PostgreSQL URL's port '\(text)' is not a port number (1-65535)")
            }
            port = value
        } else {
            port = components.port ?? 5432
        }
        guard (1...65535).contains(port) else {
            throw StoreError(.invalidArgument, "the PostgreSQL URL's port \(port) is not a port number (1-65535)")
        }
        let urlUser = components.percentEncodedUser?.removingPercentEncoding
        user = query["user"] ?? urlUser ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let path = components.percentEncodedPath.removingPercentEncoding ?? ""
        let pathDatabase = path.hasPrefix("/") ? String(path.dropFirst()) : path
        database = query["dbname"] ?? (pathDatabase.isEmpty ? user : pathDatabase)
        guard !database.contains("/") else {
            throw StoreError(.invalidArgument, "the PostgreSQL URL's database '\(database)' contains a '/': write postgres://user@host:port/database")
        }
        let mode = query["sslmode"] ?? "prefer"
        switch mode {
        case "allow", "prefer": tls = .prefer
        default:
            guard let known = TLSMode(rawValue: mode) else {
                throw StoreError(.invalidArgument, "the PostgreSQL URL's sslmode '\(mode)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
            }
            tls = known
        }
        rootCertificate = query["sslrootcert"]
        if tls == .verifyCA || tls == .verifyFull, rootCertificate == nil {
            let standard = (home as NSString).appendingPathComponent(".postgresql/root.crt")
            guard FileManager.default.fileExists(atPath: standard) else {
                throw StoreError(.invalidArgument, "sslmode=\(tls.rawValue) checks the server against a CA certificate: name it with sslrootcert=FILE in the URL (or put it at \(standard))")
            }
            rootCertificate = standard
        }
        if let password = query["password"] ?? components.percentEncodedPassword?.removingPercentEncoding {
            self.password = password
            passwordSource = "the URL"
        } else if let password = environment["PGPASSWORD"] {
            self.password = password
            passwordSource = "PGPASSWORD"
        } else {
            let file = environment["PGPASSFILE"] ?? (home as NSString).appendingPathComponent(".pgpass")
            if let password = Self.passwordFromFile(file, host: socketDirectory == nil ? host : "localhost", port: port, database: database, user: user) {
                self.password = password
                passwordSource = file
            }
        }
    }

    /// The URL without its password: what messages name.
    public var description: String {
        let query = [socketDirectory.map { "host=\($0)" }, tls == .prefer ? nil : "sslmode=\(tls.rawValue)"].compactMap { $0 }
        return "postgres://\(user)@\(socketDirectory == nil ? host : "")\(socketDirectory == nil ? ":\(port)" : "")/\(database)"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// `url` with any password replaced by `***`, for an error about a URL that did not parse.
    static func redacted(_ url: String) -> String {
        guard let at = url.range(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at.lowerBound else { return url }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at.lowerBound...])
    }

    /// The password for (host, port, database, user) in a libpq password file: the first line
    /// whose fields match (`*` matches anything; `\:` and `\\` escape). As libpq does, a file
    /// others may read or write is ignored.
    static func passwordFromFile(_ path: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for character in line {
                if escaped {
                    field.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
