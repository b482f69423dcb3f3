import DocketCore
import DocketService
import Foundation

/// A bearer-token verifier read from a file of API tokens, one `TOKEN PRINCIPAL-ID` a line
/// (`#` starts a comment): what `docket serve --tokens FILE` authenticates with until the
/// identity provider's JWTs and Docket-issued API tokens are verified (another
/// `BearerTokenVerifier`). Each token proves an `api_token` principal.
package struct TokenFileVerifier: BearerTokenVerifier {
    private let principals: [(token: [UInt8], principal: Principal)]

    /// Reads `path`.
    ///
    /// - Throws: `ServiceError` `unreadable_file`, or `invalid_argument` naming the line that is not `TOKEN ID`.
    package init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ServiceError(.unreadableFile, "cannot read the token file \(path): no such file, or not readable UTF-8 text")
        }
        var principals: [(token: [UInt8], principal: Principal)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { continue }
            guard fields.count == 2, fields[0].count >= 16 else {
                throw ServiceError(.invalidArgument, "\(path):\(number + 1): expected 'TOKEN PRINCIPAL-ID', with a token of at least 16 characters")
            }
            principals.append((Array(fields[0].utf8), Principal(method: .apiToken, id: String(fields[1]))))
        }
        self.principals = principals
    }

    /// No token at all: every request that needs one is refused (the server was started without
    /// `--tokens`).
    package init() {
        principals = []
    }

    package func principal(forBearer token: String) async throws -> Principal {
        let presented = Array(token.utf8)
        // Every entry compared in full, whatever matches: the time taken tells nothing about the tokens.
        var found: Principal?
        for entry in principals where Self.equal(entry.token, presented) { found = entry.principal }
        guard let found else {
            throw TokenRefused(principals.isEmpty
                ? "this server accepts no token: it was started without --tokens"
                : "the bearer token is not one this server knows")
        }
        return found
    }

    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// A token the verifier does not accept.
struct TokenRefused: DocketError {
    var description: String
    var errorCode: String { "invalid_token" }
    var kind: FailureKind { .refused }

    init(_ description: String) { self.description = description }
}
