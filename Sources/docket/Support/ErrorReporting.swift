import DocketCore
import DocketInterop
import DocketService
import DocketStore

extension Refusal: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { [message] }
}

extension StoreError: ReportableError {
    var exitCode: Int32 {
        switch code {
        case .conflict: ExitStatus.conflict
        case .locked, .readOnly, .diskFull, .schemaTooNew, .schemaOutdated, .cannotOpen, .ioError, .corrupt: ExitStatus.unavailable
        default: ExitStatus.badInput
        }
    }
    var reportLines: [String] {
        code == .conflict ? [message + " (retry the command, or pass --retry N)"] : [message]
    }
}

extension ServiceError: ReportableError {
    var exitCode: Int32 {
        switch code {
        case .retriesExhausted: ExitStatus.conflict
        // The database itself is damaged (or from a newer docket): not the user's input.
        case .invalidDeployment: ExitStatus.unavailable
        default: ExitStatus.badInput
        }
    }
    var reportLines: [String] { [message] }
}

extension ValidationFailure: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { lines }
}

/// Every problem in a definition, calendar or activity map the user wrote, one line each.
extension FileProblems: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { lines }
}

extension LogReadError: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { [description] }
}

extension LogWriteError: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { [description] }
}

extension ImportError: ReportableError {
    var exitCode: Int32 { ExitStatus.badInput }
    var reportLines: [String] { [message] }
}
