import ArgumentParser
import DocketAuth

/// How JWTs are verified: the identity provider's keys and the claims a token must carry.
/// Shared by every command that accepts JWTs (`token verify`; the server's `serve`).
struct JWTOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The identity provider's JWKS: a file, or an https:// (or http://) URL fetched once at start. Without it, JWTs are refused.",
        valueName: "file|url"))
    var jwks: String?

    @Option(name: .customLong("issuer"), help: ArgumentHelp("The issuer (iss) a JWT must carry.", valueName: "issuer"))
    var jwtIssuer: String = "docket-dev"

    @Option(name: .customLong("audience"), help: ArgumentHelp("The audience (aud) a JWT must name.", valueName: "audience"))
    var jwtAudience: String = "docket"

    @Option(name: .customLong("person-claim"), help: ArgumentHelp("The JWT claim naming the person: sub, preferred_username...", valueName: "claim"))
    var personClaim: String = "sub"

    @Option(help: ArgumentHelp("How far exp and nbf may be off, in seconds (0-600).", valueName: "seconds"))
    var leeway: Int64 = 60

    /// The verifier these options describe, or `nil` without `--jwks`.
    func verifier() throws -> JWTBearerVerifier? {
        guard let jwks else { return nil }
        let configuration = JWTBearerVerifier.Configuration(issuer: jwtIssuer, audience: jwtAudience, personClaim: personClaim,
                                                            leewaySeconds: leeway)
        if jwks.hasPrefix("https://") || jwks.hasPrefix("http://") {
            return try JWTBearerVerifier(jwks: try JWKSDownload.fetch(jwks), source: jwks, configuration: configuration)
        }
        return try JWTBearerVerifier(jwksFile: jwks, configuration: configuration)
    }
}
