import DocketCore
import Foundation

/// The principal of a command run from the CLI: the operating-system user running `docket` on the
/// machine that holds the log (an operator), recorded on every event the command appends.
///
/// The CLI cannot prove more than that: whoever can run it can open the file. What the operator
/// may claim with `--by` and `--as` is checked against the directory, when one is deployed.
enum Operator {
    static let principal: Principal = Principal(method: .operatingSystem, id: userName())

    private static func userName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(geteuid())"
    }
}
