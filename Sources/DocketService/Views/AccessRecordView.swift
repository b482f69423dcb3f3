import DocketStore

/// One row of the access log (`docket access-log`, `GET /v1/access-log`).
package struct AccessRecordView: Encodable, Sendable {
    package var id: Int64?
    package var at: String
    package var principal: String
    package var action: String
    package var caseID: String?
    package var requestID: String?

    package init(_ record: AccessRecord) {
        id = record.id
        // A read belongs to no workflow's calendar: UTC.
        at = TimeText(calendar: nil)(record.at)
        principal = record.principal
        action = record.action
        caseID = record.caseID
        requestID = record.requestID
    }
}
