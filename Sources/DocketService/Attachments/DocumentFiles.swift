import DocketCore
import DocketStore
import Foundation

/// The files of documents supplied with commands: kept in the log's `AttachmentStore` (DocketStore) before
/// the command that names them is recorded, given back by hash, checked by `verify`.
///
/// One service for the CLI (`fire --doc NAME=FILE`, `attachment get`) and the HTTP API
/// (`POST /v1/attachments`, a fired event naming the uploaded file by hash,
/// `GET /v1/attachments/{sha256}`).
public struct DocumentFiles: Sendable {
    public let store: any AttachmentStore

    public init(store: any AttachmentStore) {
        self.store = store
    }

    /// Keeps `bytes` as the file of document `document`, and returns what the event records.
    public func attach(document: String, bytes: Data, mediaType: String) throws -> DocumentAttachment {
        try Self.checkDocumentName(document)
        try Self.checkMediaType(mediaType)
        let stored = try store.put(bytes)
        return DocumentAttachment(document: document, sha256: stored.sha256, size: stored.size, mediaType: mediaType)
    }

    /// Keeps the file at `path` as the file of document `document`; its media type from its name.
    public func attach(document: String, file path: String) throws -> DocumentAttachment {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw AttachmentError(.unreadableFile, "--doc \(document)=\(path): no such file (give the path of the file to attach)")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw AttachmentError(.unreadableFile, "--doc \(document)=\(path): not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        // Refused before reading it: a stray video of gigabytes must not fill the memory first.
        guard size <= store.maximumSize else {
            throw AttachmentError(.tooLarge, "--doc \(document)=\(path) is \(size) bytes; attachments are at most \(store.maximumSize) bytes (raise it with --max-attachment-size)")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw AttachmentError(.unreadableFile, "--doc \(document)=\(path): the file could not be read")
        }
        return try attach(document: document, bytes: bytes, mediaType: Self.mediaType(ofFileNamed: path))
    }

    /// The attachment a request names by hash: the file must already be in the store (uploaded
    /// before) and match.
    public func reference(document: String, sha256: String, mediaType: String?) throws -> DocumentAttachment {
        try Self.checkDocumentName(document)
        let mediaType = mediaType ?? "application/octet-stream"
        try Self.checkMediaType(mediaType)
        let bytes = try store.get(sha256.lowercased())
        return DocumentAttachment(document: document, sha256: sha256.lowercased(), size: Int64(bytes.count), mediaType: mediaType)
    }

    /// The bytes of the file `sha256`, checked against it.
    public func bytes(_ sha256: String) throws -> Data {
        try store.get(sha256)
    }

    /// Every attachment the log's events name that is missing or damaged, in log order.
    public func problems(in log: any EventStore, batchSize: Int = 10_000) throws -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        var after: Int64 = 0
        var checked: Set<String> = []
        while true {
            let events = try log.events(after: after, limit: batchSize)
            guard let last = events.last else { break }
            for recorded in events {
                for attachment in recorded.event.payload.attachments ?? [] where checked.insert("\(attachment.sha256)/\(attachment.size)").inserted {
                    guard let problem = store.problem(attachment.sha256, size: attachment.size) else { continue }
                    problems.append(VerifyProblem(
                        kind: problem.code == .notFound ? .attachmentMissing : .attachmentDamaged, position: recorded.position, caseID: recorded.event.caseID,
                        message: "event \(recorded.version) of case \(recorded.event.caseID) names document \(attachment.document): \(problem)"))
                }
            }
            if events.count < batchSize { break }
            after = last.position
        }
        return problems
    }

    /// Copies every file the log's events name into `other` (a backup's store), each checked
    /// against its hash; returns how many files it holds, or throws the first that cannot be copied.
    public func copy(namedIn log: any EventStore, to other: any AttachmentStore, batchSize: Int = 10_000) throws -> Int {
        var copied: Set<String> = []
        var after: Int64 = 0
        while true {
            let events = try log.events(after: after, limit: batchSize)
            guard let last = events.last else { break }
            for recorded in events {
                for attachment in recorded.event.payload.attachments ?? [] where copied.insert(attachment.sha256).inserted {
                    _ = try other.put(try store.get(attachment.sha256))
                }
            }
            if events.count < batchSize { break }
            after = last.position
        }
        return copied.count
    }

    // MARK: Checks

    static func checkDocumentName(_ name: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "=" }) else {
            throw AttachmentError(.unreadableFile, "'\(name.prefix(80))' is not a document name (give it as the workflow's requires: lists it)")
        }
    }

    static func checkMediaType(_ type: String) throws {
        let token: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$&^_.+-".contains($0)) }
        let parts = type.split(separator: "/", omittingEmptySubsequences: false)
        guard type.count <= 127, parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(token) }) else {
            throw AttachmentError(.unreadableFile, "'\(type.prefix(80))' is not a media type such as image/jpeg or application/pdf")
        }
    }

    /// The media type of a file, from its name's extension; `application/octet-stream` when unknown.
    public static func mediaType(ofFileNamed name: String) -> String {
        let known = [
            "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
            "heic": "image/heic", "tif": "image/tiff", "tiff": "image/tiff", "pdf": "application/pdf",
            "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "txt": "text/plain", "csv": "text/csv",
            "doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "odt": "application/vnd.oasis.opendocument.text", "ofd": "application/ofd", "zip": "application/zip",
            "json": "application/json", "xml": "application/xml",
        ]
        return known[(name as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}
