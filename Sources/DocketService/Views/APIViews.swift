import DocketCore
import DocketStore

// The documents only the HTTP API serves (`docket serve`, Docs/api.md); encoded, like every
// other view, through `JSONOutput`.

/// An RFC 9457 problem (`application/problem+json`): every failed request's body.
package struct ProblemView: Encodable, Sendable {
    /// `urn:docket:problem:CODE`: one type per error code.
    package var type: String
    /// The status's reason phrase.
    package var title: String
    package var status: Int
    /// The words the CLI prints for the same error (`DocketError.description`).
    package var detail: String
    /// The stable `errorCode` to branch on.
    package var code: String
    /// The request's id (`X-Request-Id`), to find its log lines.
    package var requestID: String?

    package init(status: Int, title: String, code: String, detail: String, requestID: String?) {
        type = "urn:docket:problem:" + code
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.requestID = requestID
    }
}

/// One deployed workflow version (`GET /v1/workflows`).
package struct WorkflowView: Encodable, Sendable {
    package var id: String
    package var version: Int
    package var title: String?
    package var calendar: String?
    package var roles: [String]
    package var states: [String]
    package var summary: String

    package init(_ definition: WorkflowDefinition) {
        id = definition.id
        version = definition.version
        title = definition.title
        calendar = definition.calendar
        roles = definition.roles
        states = definition.states.map(\.name)
        summary = definition.summary
    }
}

/// One page of a case list (`GET /v1/cases`): `next` is the cursor of the following page, absent
/// on the last one.
package struct CasePageView: Encodable, Sendable {
    package var cases: [CaseSummaryView]
    package var next: String?

    package init(cases: [CaseSummaryView], next: String?) {
        self.cases = cases
        self.next = next
    }
}

/// A probe's answer (`/healthz`, `/readyz`).
package struct HealthView: Encodable, Sendable {
    package var status: String
    /// For `/readyz`: the log's last position.
    package var lastPosition: Int64?

    package init(status: String, lastPosition: Int64? = nil) {
        self.status = status
        self.lastPosition = lastPosition
    }
}
