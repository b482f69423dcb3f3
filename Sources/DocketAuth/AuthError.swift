import DocketCore

/// Why a bearer token was refused, or why authentication could not be set up: a stable ``Code``
/// and a message a person can act on.
///
/// Every refusal of a token is ``FailureKind/unauthenticated`` (the server answers 401). No
/// message ever contains the token: at most the parts of it that are public by design (a JWT's
/// algorithm, key id, issuer and audience, an API token's id), shortened and stripped of
/// anything unprintable, so that a log line or an error response leaks nothing that
/// authenticates.
package struct AuthError: DocketError, CodedError, Hashable, Sendable {
    package enum Code: String, Hashable, Sendable, CaseIterable {
        // A token refused (unauthenticated).
        /// Not a JWT, not an API token, or a part that does not decode.
        case malformedToken = "malformed_token"
        /// A JWT whose `alg` is not ES256 or RS256 (`none`, HS256, ...), or not its key's.
        case algorithmRefused = "algorithm_refused"
        /// A JWT naming a key id the trusted key set does not hold (or naming none among several).
        case unknownKey = "unknown_key"
        /// A JWT whose signature does not verify with the key it names.
        case badSignature = "bad_signature"
        /// A token past its expiry.
        case expired = "token_expired"
        /// A JWT before its `nbf`.
        case notYetValid = "token_not_yet_valid"
        /// A JWT from an issuer not trusted.
        case issuerNotTrusted = "issuer_not_trusted"
        /// A JWT for another audience.
        case wrongAudience = "wrong_audience"
        /// A JWT without a claim Docket needs (`exp`, the person's).
        case missingClaim = "missing_claim"
        /// An API token whose id Docket never issued.
        case unknownToken = "unknown_token"
        /// An API token whose secret does not match.
        case wrongSecret = "wrong_secret"
        /// An API token that was revoked.
        case revoked = "token_revoked"
        /// A kind of token no verifier is configured for (a JWT on a server without a JWKS).
        case notAccepted = "token_not_accepted"

        // Setting up.
        /// A JWKS that cannot be used (not JSON, no ES256/RS256 key, a private key in it).
        case invalidKeySet = "invalid_key_set"
        /// A key file that cannot be read, written or used.
        case keyFile = "key_file"
        /// `token revoke` of an id Docket never issued.
        case tokenNotFound = "token_not_found"
        /// A bad option value (a lifetime, a person, an issuer).
        case invalidArgument = "invalid_argument"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    package var kind: FailureKind {
        switch code {
        case .malformedToken, .algorithmRefused, .unknownKey, .badSignature, .expired, .notYetValid, .issuerNotTrusted,
             .wrongAudience, .missingClaim, .unknownToken, .wrongSecret, .revoked, .notAccepted:
            .unauthenticated
        case .invalidKeySet, .invalidArgument, .keyFile: .invalidInput
        case .tokenNotFound: .notFound
        }
    }
}

/// A value taken from a token, fit to quote in a message: printable ASCII only, at most 40
/// characters. Used for the parts that are public (an algorithm, a key id, an issuer); a message
/// never quotes a whole token or a secret.
func quoted(_ value: String) -> String {
    let printable = value.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? Character($0) : "?" }
    let text = printable.count > 40 ? String(printable.prefix(40)) + "..." : String(printable)
    return "'\(text)'"
}
