import ArgumentParser
import DocketAuth
import DocketCore
import DocketService
import DocketStore
import Foundation

/// `docket token`: the bearer tokens of the HTTP API. API tokens for service accounts (create,
/// list, revoke), development JWTs signed with a local key (issue, dev-jwks), and a check of
/// any token (verify).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens of service accounts, and development JWTs.",
        discussion: """
            An API token (dkt_ID_SECRET) authenticates a service account to the HTTP API; Docket \
            stores only the SHA-256 of its secret, so the token is shown once, when created. A JWT \
            comes from the identity provider; for development, 'issue' signs one with a local key and \
            'dev-jwks' prints that key's JWKS for 'docket serve --jwks' to trust. Docs/security.md \
            says what is stored and logged.
            """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self, TokenIssue.self, TokenDevJWKS.self, TokenVerify.self])
}

/// `docket token create --for PERSON`: a new API token, printed once.
struct TokenCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API token for a service account and print it, once.",
        discussion: """
            The token alone goes to stdout (TOKEN=$(docket token create --for portal) captures it), \
            what it is to stderr. Docket keeps only the SHA-256 of the secret: a lost token cannot be \
            shown again; revoke it and create another. The operating-system user running the command \
            is recorded as its creator.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("The service account (or person) the token authenticates.", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("How long the token lives: 30m, 12h, 90d, 2w, or never.", valueName: "lifetime"))
    var expires: String = "90d"

    @Option(help: ArgumentHelp("Who creates it, once a directory is deployed: a person holding token_admin.", valueName: "person"))
    var by: String?

    func run() throws {
        let asJSON = try output.isJSON()
        let lifetime = try TokenLifetime(parsing: expires, allowsNever: true)
        let session = try Session(store, create: false)
        // The operator is recorded as the creator; with a directory deployed, `--by` must hold
        // token_admin, checked before the token exists.
        try session.directories.authorizer().authorize(Operator.principal, administer: .tokenAdmin, by: by)
        let created = try APITokens(store: try LogCompanions.apiTokens(of: session.store))
            .create(for: person, lifetime: lifetime, by: Operator.principal)
        let record = created.record
        if asJSON {
            print(try JSONOutput.text(IssuedTokenView(token: created.token, tokenID: record.tokenID, person: record.person, expiresAt: record.expiresAt)))
        } else {
            print(created.token)
            Terminal.printError(
                "API token \(record.tokenID) for \(record.person), "
                    + (record.expiresAt.map { "expires \($0)" } ?? "never expires")
                    + ". Keep it now: Docket stores only its hash and cannot show it again.")
        }
    }
}

/// `docket token list`: every API token, never a secret.
struct TokenList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the API tokens: id, person, status, created, expires, revoked (never a secret).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let asJSON = try output.isJSON()
        let session = try Session(store, create: false)
        let now = SystemWallClock().now()
        let views = try APITokens(store: try LogCompanions.apiTokens(of: session.store)).list().map { APITokenView($0, now: now) }
        if asJSON {
            print(try JSONOutput.text(views))
            return
        }
        guard !views.isEmpty else {
            print("no API tokens (docket token create --for ACCOUNT creates one)")
            return
        }
        var table = TextTable(["id", "person", "status", "created", "created by", "expires", "revoked", "revoked by"])
        for view in views {
            table.append([view.tokenID, view.person, view.status, Self.toTheSecond(view.createdAt), view.createdBy,
                          view.expiresAt.map(Self.toTheSecond) ?? "never", view.revokedAt.map(Self.toTheSecond) ?? "", view.revokedBy ?? ""])
        }
        print(table.render())
    }

    /// `2026-12-06T06:58:30Z` for `2026-12-06T06:58:30.229731Z`: a table has no use for microseconds.
    static func toTheSecond(_ time: String) -> String {
        guard let dot = time.firstIndex(of: "."), let zone = time[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        else { return time }
        return String(time[..<dot]) + time[zone...]
    }
}

/// `docket token revoke ID`: an API token no longer accepted.
struct TokenRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an API token: it is refused from now on, and stays listed.",
        discussion: "Revoking a revoked token changes nothing. The operating-system user running the command is recorded.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The token's id (the part after dkt_, as 'docket token list' shows it).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Who revokes it, once a directory is deployed: a person holding token_admin.", valueName: "person"))
    var by: String?

    func run() throws {
        let asJSON = try output.isJSON()
        let session = try Session(store, create: false)
        let tokens = APITokens(store: try LogCompanions.apiTokens(of: session.store))
        let already = try tokens.store.token(id: id)?.revokedAt != nil
        // As for create: with a directory deployed, `--by` must hold token_admin.
        try session.directories.authorizer().authorize(Operator.principal, administer: .tokenAdmin, by: by)
        let record = try tokens.revoke(id: id, by: Operator.principal)
        let view = APITokenView(record, now: SystemWallClock().now())
        if asJSON {
            print(try JSONOutput.text(view))
        } else {
            print("API token \(view.tokenID) of \(view.person) \(already ? "was already revoked" : "revoked") at \(view.revokedAt ?? "?") by \(view.revokedBy ?? "?")")
        }
    }
}

/// `docket token issue --for PERSON`: a development JWT, signed with a local key.
struct TokenIssue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Sign a development JWT (ES256) with a local key, creating the key if missing.",
        discussion: """
            For development and tests only: in production the identity provider issues JWTs. The \
            key file (a P-256 private key in PEM) is created with mode 0600 when missing; 'docket \
            token dev-jwks --key FILE' prints its JWKS for 'docket serve --jwks'. The token alone \
            goes to stdout.
            """)

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("The person the token names.", valueName: "person"))
    var person: String

    @Option(help: ArgumentHelp("The signing key file (created when missing).", valueName: "file"))
    var key: String = TokenDevJWKS.defaultKey

    @Option(help: ArgumentHelp("How long the token lives: 30m, 1h, 7d...", valueName: "lifetime"))
    var expires: String = "1h"

    @Option(help: ArgumentHelp("The token's issuer (iss).", valueName: "issuer"))
    var issuer: String = "docket-dev"

    @Option(help: ArgumentHelp("The token's audience (aud).", valueName: "audience"))
    var audience: String = "docket"

    @Option(help: ArgumentHelp("The claim naming the person, besides sub (as the server is configured).", valueName: "claim"))
    var claim: String = "sub"

    func run() throws {
        let asJSON = try output.isJSON()
        let lifetime = try TokenLifetime(parsing: expires, allowsNever: false)
        try APITokensCLI.checkPerson(person)
        let (signingKey, created) = try DevelopmentSigningKey.loadOrCreate(path: key)
        if created {
            Terminal.printError("created signing key \(key) (mode 0600); trust it with: docket token dev-jwks --key \(key) > jwks.json")
        }
        let now = SystemWallClock().now()
        let seconds = lifetime.seconds ?? 3_600
        let token = try signingKey.issue(for: person, claim: claim, issuer: issuer, audience: audience, lifetimeSeconds: seconds, now: now)
        let expiresAt = Timestamp(seconds: now.microseconds / 1_000_000 + seconds)
        if asJSON {
            print(try JSONOutput.text(IssuedTokenView(
                token: token, person: person, expiresAt: expiresAt, issuer: issuer, audience: audience, keyID: signingKey.keyID)))
        } else {
            print(token)
        }
    }
}

/// `docket token dev-jwks --key FILE`: the JWKS of the development key.
struct TokenDevJWKS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-jwks",
        abstract: "Print the JWKS (public key) of the development signing key, for 'docket serve --jwks'.",
        discussion: "The output is a JWKS document, JSON whatever the format; the key file must exist ('docket token issue' creates it).")

    static let defaultKey = "docket-dev-key.pem"

    @Option(help: ArgumentHelp("The signing key file.", valueName: "file"))
    var key: String = defaultKey

    func run() throws {
        print(try DevelopmentSigningKey.load(path: key).jwks)
    }
}

/// `docket token verify`: who a token proves, as the server would decide it.
struct TokenVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a bearer token read from stdin and print the principal it proves.",
        discussion: """
            The token is read from standard input (never an argument: arguments show in the process \
            list and the shell's history). An API token is checked against --db; a JWT against the \
            keys of --jwks with --issuer and --audience. Exits 1 with the reason when it is refused.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var jwt: JWTOptions

    func run() throws {
        let asJSON = try output.isJSON()
        let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let token = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw UsageFailure("no token on stdin: docket token verify < token.txt") }
        let principal: Principal
        if token.hasPrefix(APITokenText.prefix) {
            let session = try Session(store, create: false)
            principal = try APITokenVerifier(store: try LogCompanions.apiTokens(of: session.store)).verify(token)
        } else {
            guard let verifier = try jwt.verifier() else {
                throw UsageFailure("a JWT is checked against an identity provider's keys: pass --jwks FILE (and --issuer, --audience)")
            }
            principal = try Blocking.run { try await verifier.principal(forBearer: token) }
        }
        print(asJSON ? try JSONOutput.text(PrincipalView(principal)) : principal.recorded)
    }
}

/// Checks on values the token commands take, shared by create and issue.
enum APITokensCLI {
    static func checkPerson(_ person: String) throws {
        guard !person.isEmpty, !person.contains(where: { $0.isWhitespace }) else {
            throw UsageFailure("--for '\(person)' is not a person or service account id")
        }
    }
}
