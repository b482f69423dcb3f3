import DocketStore

/// A signed head of the log (`head sign`, `head list`).
package struct SignedHeadView: Encodable, Sendable {
    package var position: Int64
    package var hash: String
    package var signedAt: String
    package var keyID: String
    package var algorithm: String
    package var signature: String

    package init(_ head: SignedHead) {
        position = head.position
        hash = head.hash
        // A head belongs to the whole log, not to one workflow: UTC.
        signedAt = TimeText(calendar: nil)(head.signedAt)
        keyID = head.keyID
        algorithm = head.algorithm
        signature = head.signature
    }
}
