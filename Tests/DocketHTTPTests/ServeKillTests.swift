import DocketTestSupport
import Foundation
import Testing

/// The short version of `Scripts/serve-kill9` (issue 14 §4), so CI exercises it: three kill -9s
/// of `docket serve` under four clients of keyed commands, each followed by a restart, then
/// SIGTERM under load. The script checks every answered command is in the log exactly once,
/// none is half there, a keyed retry gets the original answer, and `verify` passes.
@Suite(.requires(.tool("python3"), .docketBinary))
struct ServeKillTests {
    @Test(.timeLimit(.minutes(2)))
    func killNineUnderLoadLosesNothingAndDoublesNothing() throws {
        let script = Repository.root.appendingPathComponent("Scripts/serve-kill9").path
        let result = try Processes.run(tool: "python3", [script, "--kills", "3", "--clients", "4",
                                                          "--min-interval", "0.4", "--max-interval", "0.9",
                                                          "--docket", DocketBinary.url.path], timeout: 110)
        #expect(result.status == 0, "serve-kill9: \(result.stderr.suffix(4000))")
        let line = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("{") })
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(figures["failures"] as? Int == 0)
        #expect(figures["kills"] as? Int == 3)
        #expect(figures["verify"] as? Bool == true)
        #expect(figures["sigterm_exit"] as? Int == 0)
        #expect(figures["answers_lost_at_sigterm"] as? Int == 0)
        let answered = figures["commands_answered_2xx"] as? Int ?? 0
        #expect(answered > 10, "too little load to mean anything: \(line)")
        #expect(figures["replays_ok"] as? Int == answered)
    }
}
