import DocketTestSupport
import Foundation
import Testing

/// `--jwks` takes the identity provider's URL as well as a file: the keys are fetched once at start.
@Suite(.requires(.tool("python3")))
struct JWKSURLCommandTests {
    @Test func theKeysAreFetchedFromAURLAndABadURLIsAClearError() throws {
        let docket = DocketBench()
        let token = try docket.ok("token", "issue", "--for", "li.wei", "--key", "dev.pem").stdout
        docket.file("jwks.json", try docket.ok("token", "dev-jwks", "--key", "dev.pem").stdout)
        // A one-file web server on a free loopback port, in the bench's folder.
        let python = try #require(Processes.tool("python3"))
        let web = try Processes.start(python, ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", docket.directory.path])
        defer { web.signal(SIGKILL); _ = try? web.wait(timeout: 10) }
        try web.waitForOutput(containing: "port ")
        let port = try #require(web.stdoutSoFar.split(separator: " ").compactMap { Int($0) }.first)

        let verified = try docket.docket(["token", "verify", "--jwks", "http://127.0.0.1:\(port)/jwks.json"], stdin: Data(token.utf8))
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout == "jwt:li.wei\n")

        let missing = try docket.docket(["token", "verify", "--jwks", "http://127.0.0.1:\(port)/nothing.json"], stdin: Data(token.utf8))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("answered 404"), "\(missing.stderr)")
    }
}
