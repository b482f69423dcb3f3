import DocketCore
import DocketService
import DocketStore
import Foundation
import Hummingbird
import HTTPTypes

/// A document's file named in a command's body: uploaded before (`POST /v1/attachments`), by hash.
struct AttachmentReference: Decodable, Sendable {
    var document: String
    var sha256: String
    var mediaType: String?

    enum CodingKeys: String, CodingKey {
        case document, sha256, mediaType = "media_type"
    }

    /// The attachment the event records: the file must be in the store and match its hash.
    func resolved(in documents: DocumentFiles) throws -> DocumentAttachment {
        try documents.reference(document: document, sha256: sha256, mediaType: mediaType)
    }
}

/// What `POST /v1/attachments` kept.
struct StoredAttachmentView: Encodable {
    var sha256: String
    var size: Int64
    var mediaType: String
}

/// Documents' files: upload one (its bytes as the body, its media type as `Content-Type`), then
/// name it by hash in a fired event or a correction; read one back through the case that names it.
struct AttachmentRoutes {
    let services: ServerServices

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.post, "/v1/attachments", in: table, upload)
        router.route(.get, "/v1/cases/{id}/attachments/{sha256}", in: table, download)
    }

    /// `POST /v1/attachments`: keeps the body (at most the server's `--max-attachment-size`, 413
    /// beyond) under its SHA-256, synced to disk, before any event names it. Uploading the same
    /// bytes again finds them there.
    @Sendable func upload(_ request: Request, context: DocketRequestContext) async throws -> Response {
        _ = try ReadAccess.principal(context)
        let documents = try services.documents()
        let maximum = documents.store.maximumSize
        let mediaType = request.headers[.contentType].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
            ?? "application/octet-stream"
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > maximum {
            throw HTTPProblem(.contentTooLarge, code: "attachment_too_large", "the file is \(length) bytes; attachments are at most \(maximum) bytes")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Int(clamping: maximum))
        } catch {
            throw HTTPProblem(.contentTooLarge, code: "attachment_too_large", "the file is larger than \(maximum) bytes, the most an attachment may be")
        }
        let bytes = Data(buffer.readableBytesView)
        let stored = try await services.blocking { try documents.attach(document: "upload", bytes: bytes, mediaType: mediaType) }
        var headers = HTTPFields()
        headers[.location] = "/v1/attachments/\(stored.sha256)"
        return try Reply.json(StoredAttachmentView(sha256: stored.sha256, size: stored.size, mediaType: stored.mediaType),
                              status: .created, headers: headers)
    }

    /// `GET /v1/cases/{id}/attachments/{sha256}`: the file, to whoever may read the case, when one
    /// of the case's events names it (404 otherwise); the read is recorded in the access log.
    @Sendable func download(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let sha256 = try context.parameters.require("sha256").lowercased()
        let principal = try ReadAccess.principal(context)
        let services = self.services
        let (bytes, mediaType) = try await services.blocking { () throws -> (Data, String) in
            let loaded = try ReadAccess.check(try services.cases.load(caseID), by: principal, try services.authorizer())
            guard let named = loaded.events.lazy.compactMap({ $0.event.payload.attachments?.first { $0.sha256 == sha256 } }).first else {
                throw AttachmentError(.notFound, "no event of case \(caseID) names attachment \(sha256)")
            }
            try ReadAccess.record(.readAttachment, caseID: caseID, by: principal, request: context, in: services)
            return (try services.documents().bytes(sha256), named.mediaType)
        }
        var headers = HTTPFields()
        headers[.contentType] = mediaType
        headers[.eTag] = "\"\(sha256)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
