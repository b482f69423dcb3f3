import DocketCore
import DocketService

/// The principal of a command run from the CLI: the operating-system user running `docket` on the
/// machine that holds the log (an operator), recorded on every event the command appends.
///
/// The CLI cannot prove more than that: whoever can run it can open the file. What the operator
/// may claim with `--by` and `--as` is checked against the directory, when one is deployed.
enum Operator {
    static var principal: Principal { .operatingSystemUser }
}
