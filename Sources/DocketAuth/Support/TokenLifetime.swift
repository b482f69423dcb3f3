/// How long a token lives, as the CLI's `--expires` writes it: a whole number and a unit,
/// `30m`, `1h`, `90d`, `2w` (`s`, `m`, `h`, `d`, `w`), or `never` where a token may live for ever.
package struct TokenLifetime: Hashable, Sendable, CustomStringConvertible {
    /// The lifetime in seconds; `nil`: never expires.
    package var seconds: Int64?

    /// The longest lifetime accepted: ten years. A token meant to live longer should say `never`.
    package static let maximumSeconds: Int64 = 3_650 * 86_400

    package init(seconds: Int64?) {
        self.seconds = seconds
    }

    /// Parses `text`; `never` only when `allowsNever`.
    package init(parsing text: String, allowsNever: Bool) throws {
        if text == "never" {
            guard allowsNever else { throw AuthError(.invalidArgument, "--expires never is not allowed here; give a lifetime such as 1h") }
            seconds = nil
            return
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
              count <= Self.maximumSeconds / unit
        else {
            throw AuthError(
                .invalidArgument,
                "--expires '\(text)' is not a lifetime such as 30m, 1h, 90d or 2w (at most 3650d)" + (allowsNever ? ", or never" : ""))
        }
        seconds = count * unit
    }

    package var description: String {
        guard let seconds else { return "never" }
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
