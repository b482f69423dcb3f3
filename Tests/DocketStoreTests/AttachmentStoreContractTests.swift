import DocketCore
import DocketStore
import DocketTestSupport
import Foundation
import Testing

/// The kinds of ``AttachmentStore``; every contract test runs on each.
enum AttachmentStoreKind: String, CaseIterable, CustomTestStringConvertible {
    case files, memory

    var testDescription: String { rawValue }

    /// A fresh store (and, for files, the folder it lives in, removed when released).
    func make(maximumSize: Int64 = 1 << 20) -> (store: any AttachmentStore, folder: TemporaryDirectory?) {
        switch self {
        case .files:
            let folder = TemporaryDirectory("attachments")
            return (FileAttachmentStore(besideLog: folder.path("docket.sqlite"), maximumSize: maximumSize), folder)
        case .memory:
            return (InMemoryAttachmentStore(maximumSize: maximumSize), nil)
        }
    }
}

/// What every ``AttachmentStore`` promises.
@Suite("AttachmentStore contract")
struct AttachmentStoreContractTests {
    let photo = Data((0..<3_000).map { UInt8($0 % 256) })

    @Test(arguments: AttachmentStoreKind.allCases)
    func aFileIsKeptUnderItsSHA256AndGivenBackAsIs(_ kind: AttachmentStoreKind) throws {
        let (store, folder) = kind.make()
        let stored = try store.put(photo)
        #expect(stored.sha256 == AttachmentLimits.sha256(photo))
        #expect(stored.size == 3_000)
        #expect(AttachmentLimits.isHash(stored.sha256))
        #expect(try store.get(stored.sha256) == photo)
        #expect(store.problem(stored.sha256, size: 3_000) == nil)
        _ = folder
    }

    @Test(arguments: AttachmentStoreKind.allCases)
    func keepingTheSameBytesAgainIsANoOp(_ kind: AttachmentStoreKind) throws {
        let (store, folder) = kind.make()
        let first = try store.put(photo)
        let second = try store.put(photo)
        #expect(first == second)
        #expect(try store.get(first.sha256) == photo)
        _ = folder
    }

    @Test(arguments: AttachmentStoreKind.allCases)
    func aFileLargerThanTheMaximumIsRefused(_ kind: AttachmentStoreKind) throws {
        let (store, folder) = kind.make(maximumSize: 2_999)
        #expect(throws: AttachmentError.self) { try store.put(photo) }
        do {
            _ = try store.put(photo)
        } catch let error as AttachmentError {
            #expect(error.code == .tooLarge)
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("3000 bytes; attachments are at most 2999 bytes"))
        }
        #expect(try store.put(Data(count: 2_999)).size == 2_999)
        _ = folder
    }

    @Test(arguments: AttachmentStoreKind.allCases)
    func anUnknownHashIsNotFoundAndABadOneIsInvalid(_ kind: AttachmentStoreKind) throws {
        let (store, folder) = kind.make()
        let unknown = String(repeating: "ab", count: 32)
        do { _ = try store.get(unknown) } catch let error as AttachmentError { #expect(error.code == .notFound) }
        do { _ = try store.get("../../etc/passwd") } catch let error as AttachmentError { #expect(error.code == .invalidHash) }
        #expect(store.problem(unknown, size: 1)?.code == .notFound)
        _ = folder
    }

    @Test(arguments: AttachmentStoreKind.allCases)
    func aSizeOtherThanTheEventsIsAProblem(_ kind: AttachmentStoreKind) throws {
        let (store, folder) = kind.make()
        let stored = try store.put(photo)
        #expect(store.problem(stored.sha256, size: 2_999)?.code == .damaged)
        _ = folder
    }

    // MARK: The file store

    @Test func filesLiveBesideTheLogUnderTheirHashAndAreReadOnly() throws {
        let folder = TemporaryDirectory("attachments")
        let store = FileAttachmentStore(besideLog: folder.path("docket.sqlite"))
        let stored = try store.put(photo)
        let path = folder.path("docket.sqlite.attachments/sha256/\(stored.sha256.prefix(2))/\(stored.sha256)")
        #expect(store.path(of: stored.sha256) == path)
        #expect(FileManager.default.contents(atPath: path) == photo)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o444)
        let folderContents = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(folderContents == [stored.sha256])  // no temporary file left behind
    }

    @Test func aFileChangedOnDiskIsDamagedAndNotOverwritten() throws {
        let folder = TemporaryDirectory("attachments")
        let store = FileAttachmentStore(besideLog: folder.path("docket.sqlite"))
        let stored = try store.put(photo)
        let path = store.path(of: stored.sha256)
        chmod(path, 0o644)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        do { _ = try store.get(stored.sha256) } catch let error as AttachmentError { #expect(error.code == .damaged) }
        do { _ = try store.put(photo) } catch let error as AttachmentError { #expect(error.code == .damaged) }
        #expect(FileManager.default.contents(atPath: path) == Data("tampered".utf8))
        #expect(store.problem(stored.sha256, size: 3_000)?.code == .damaged)
    }
}
