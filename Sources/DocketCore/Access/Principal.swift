/// Who was authenticated when something was recorded: the identity Docket vouches for, as opposed
/// to the actor an event names (who acted in the world) and the person acted for.
///
/// A principal is a person or service account of the directory, authenticated by a bearer token
/// (a JWT from the authority's identity provider, or an API token Docket issued), or the
/// operating-system user who ran the CLI on the server's machine (an operator). The log stores
/// ``recorded`` (`jwt:li.wei`, `api_token:portal`, `os:root`): how the identity was established,
/// then the identity, so that an audit can tell a signed-in clerk from an operator typing `--by`.
public struct Principal: Hashable, Sendable, Codable {
    /// How the principal was authenticated.
    public enum Method: String, Hashable, Sendable, Codable, CaseIterable {
        /// A JWT signed by the identity provider the server trusts (or, in development, by the
        /// local key `docket token issue` signs with).
        case jwt
        /// An API token Docket issued to a service account (`docket token create`).
        case apiToken = "api_token"
        /// The operating-system user running the CLI on the machine that holds the log.
        case operatingSystem = "os"
    }

    /// How the identity was established.
    public var method: Method
    /// The directory's person id (for ``Method/jwt`` and ``Method/apiToken``), or the
    /// operating-system user name (for ``Method/operatingSystem``).
    public var id: String

    public init(method: Method, id: String) {
        self.method = method
        self.id = id
    }

    /// The text the log records: `METHOD:ID`.
    public var recorded: String { "\(method.rawValue):\(id)" }

    /// The principal a recorded text names, or nil when it is not `METHOD:ID` with a known method.
    public init?(recorded: String) {
        guard let colon = recorded.firstIndex(of: ":"),
              let method = Method(rawValue: String(recorded[..<colon])) else { return nil }
        let id = String(recorded[recorded.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        self.init(method: method, id: id)
    }

    /// The person of the directory this principal is, when it was authenticated as one (an
    /// operator is an operating-system user, not a person of the directory).
    public var personID: String? { method == .operatingSystem ? nil : id }
}
