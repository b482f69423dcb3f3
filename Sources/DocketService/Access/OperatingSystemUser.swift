import DocketCore
import Foundation

extension Principal {
    /// The operating-system user running this process, as a principal (`os:NAME`): who records
    /// the CLI's commands, and the server's own ticks and signed heads.
    public static let operatingSystemUser: Principal = Principal(method: .operatingSystem, id: currentUserName())

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(geteuid())"
    }
}
