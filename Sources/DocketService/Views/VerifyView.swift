import DocketStore

/// What `verify` found (`verify`, `POST /v1/verify`).
package struct VerifyView: Encodable, Sendable {
    package struct ProblemView: Encodable, Sendable {
        package var kind: String
        package var position: Int64?
        package var caseID: String?
        package var message: String
    }

    package var ok: Bool
    package var eventCount: Int
    package var caseCount: Int
    package var deploymentCount: Int
    package var headPosition: Int64
    package var headHash: String
    package var problems: [ProblemView]
    package var problemsTruncated: Bool

    package init(_ report: VerifyReport) {
        ok = report.isOK
        eventCount = report.eventCount
        caseCount = report.caseCount
        deploymentCount = report.deploymentCount
        headPosition = report.headPosition
        headHash = report.headHash
        problems = report.problems.map { ProblemView(kind: $0.kind.rawValue, position: $0.position, caseID: $0.caseID, message: $0.message) }
        problemsTruncated = report.problemsTruncated
    }
}
