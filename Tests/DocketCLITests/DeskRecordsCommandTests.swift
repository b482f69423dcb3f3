import DocketTestSupport
import Foundation
import Testing

/// Issue 15, the desk's records, through the real binary: corrections and voids that never
/// rewrite the log, and documents' files kept beside it, given back by hash and checked by verify.
@Suite("Corrections, voids and documents' files through the CLI", .serialized, .requires(.sqlite3))
struct DeskRecordsCommandTests {
    /// P1 opened 09:00, accepted 10:00, approved 15:00 (Beijing time) with its site photos.
    func approved(photo: String? = nil) throws -> DocketBench {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--at", "2020-03-02T10:00:00+08:00")
        try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", photo.map { "site_photos=\($0)" } ?? "site_photos",
                     "--at", "2020-03-02T15:00:00+08:00")
        return bench
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    // MARK: Corrections

    @Test func aMistypedTimeIsCorrectedTheOriginalStaysAndShowAndHistoryUseTheCorrection() throws {
        let bench = try approved()
        let head = try bench.sqlite("SELECT hash FROM events WHERE case_id = 'P1' AND version = 3")
        let corrected = try bench.ok("correct", "P1", "--event", "3", "--at", "2020-03-02T14:00:00+08:00", "--by", "zhao",
                                     "--reason", "the paper form says 14:00")
        #expect(corrected.stdout.contains("v4"), "\(corrected.stdout)")
        // permit-check names no calendar: times print in UTC.
        #expect(corrected.stdout.contains("corrects v3: time 2020-03-02T06:00:00Z"), "\(corrected.stdout)")
        // The original is untouched: same hash, same business time.
        #expect(try bench.sqlite("SELECT hash FROM events WHERE case_id = 'P1' AND version = 3") == head)
        let show = try #require(try json(try bench.ok("show", "P1", "--format", "json").stdout) as? [String: Any])
        #expect(show["closed_at"] as? String == "2020-03-02T06:00:00Z", "\(show)")
        let history = try bench.ok("history", "P1").stdout
        #expect(history.contains("[corrected by v4]"), "\(history)")
        #expect(history.contains("the paper form says 14:00"), "\(history)")
        let events = try #require(try json(try bench.ok("history", "P1", "--format", "json").stdout) as? [[String: Any]])
        #expect(events.count == 4)
        #expect(events[2]["corrected_by"] as? [Int] == [4])
        #expect(events[2]["occurred_at"] as? String == "2020-03-02T07:00:00Z")
        #expect(events[3]["type"] as? String == "event_corrected")
        #expect(events[3]["corrects"] as? Int == 3)
        #expect(try bench.ok("verify").stdout.hasPrefix("OK: 4 events"))
    }

    @Test func aCorrectionThatWouldPutTimesOutOfOrderIsRefusedWithNothingAppended() throws {
        let bench = try approved()
        let refused = try bench.docket("correct", "P1", "--event", "3", "--at", "2020-03-02T09:30:00+08:00", "--by", "zhao", "--reason", "typo")
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: the corrected time would put event 3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("before event 2"), "\(refused.stderr)")
        let noReason = try bench.docket("correct", "P1", "--event", "3", "--actor", "dan", "--by", "zhao", "--reason", " ")
        #expect(noReason.status == 1 && noReason.stderr.contains("needs a reason"))
        let missing = try bench.docket("correct", "P1", "--event", "7", "--actor", "dan", "--by", "zhao", "--reason", "typo")
        #expect(missing.status == 1 && missing.stderr.contains("has no event 7"))
        #expect(try bench.eventCount() == 3)
    }

    @Test func aMistakenApprovalIsVoidedAndTheCaseGoesOnFromReview() throws {
        let bench = try approved()
        let notLast = try bench.docket("void", "P1", "--event", "2", "--by", "zhao", "--reason", "wrong case")
        #expect(notLast.status == 1 && notLast.stderr.contains("not the case's last act"), "\(notLast.stderr)")
        try bench.ok("void", "P1", "--event", "3", "--by", "zhao", "--reason", "approved the wrong file")
        let show = try #require(try json(try bench.ok("show", "P1", "--format", "json").stdout) as? [String: Any])
        #expect(show["state"] as? String == "review")
        #expect(show["outcome"] == nil)
        let history = try bench.ok("history", "P1").stdout
        #expect(history.contains("[voided by v4]"), "\(history)")
        #expect(history.contains("voids v3"), "\(history)")
        try bench.ok("fire", "P1", "reject", "--by", "carol", "--as", "approver", "--reason", "incomplete")
        let after = try #require(try json(try bench.ok("show", "P1", "--format", "json").stdout) as? [String: Any])
        #expect(after["outcome"] as? String == "rejected")
        #expect(try bench.ok("verify").stdout.hasPrefix("OK: 5 events"))
    }

    @Test func theReportCountsTheCorrectedTimeAsAReplayDoes() throws {
        let bench = try approved()
        try bench.ok("report", "--format", "json")  // the projection catches up before the correction
        try bench.ok("correct", "P1", "--event", "3", "--at", "2020-03-02T11:00:00+08:00", "--by", "zhao", "--reason", "typo")
        // The report's figures, without the instant it was made.
        func figures() throws -> String {
            try bench.ok("report", "--format", "json").stdout.split(separator: "\n").filter { !$0.contains("\"as_of\"") }.joined(separator: "\n")
        }
        let incremental = try figures()
        try bench.ok("replay")
        #expect(try figures() == incremental)
        #expect(incremental.contains("\"p50\" : 7200"))  // 09:00 to 11:00, as corrected (not 15:00)
        #expect(try bench.sqlite("""
            SELECT s.left_at FROM analytics_stays s JOIN analytics_case_keys k ON k.case_key = s.case_key
            JOIN analytics_names n ON n.id = s.state WHERE k.case_id = 'P1' AND n.name = 'review'
            """) == "1583118000000000")
    }

    @Test func withADirectoryOnlyACorrectorMayCorrect() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("deploy", Repository.shandongDirectory)
        try bench.ok("start", "permit-check", "--case", "C-1", "--by", "ma.lin", "--as", "applicant",
                     "--data", "centre=rizhao", "--data", "channel=window", "--at", "2020-02-10T09:00:00+08:00")
        try bench.ok("fire", "C-1", "accept", "--by", "li.wei", "--as", "clerk", "--at", "2020-02-10T10:00:00+08:00")
        let refused = try bench.docket("correct", "C-1", "--event", "2", "--at", "2020-02-10T09:30:00+08:00", "--by", "li.wei", "--reason", "typo")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("li.wei holds no corrector role in scope rizhao"), "\(refused.stderr)")
        #expect(try bench.eventCount(scope: "C-1") == 2)
        try bench.ok("directory", "grant", "wang.fang", "--role", "corrector", "--scope", "rizhao", "--from", "2019-01-01", "--by", "zhang.min")
        try bench.ok("correct", "C-1", "--event", "2", "--at", "2020-02-10T09:30:00+08:00", "--by", "wang.fang", "--reason", "typo")
        #expect(try bench.eventCount(scope: "C-1") == 3)
        // A corrected centre moves the case: from then on its staff act on it, not rizhao's.
        try bench.ok("correct", "C-1", "--event", "1", "--data", "centre=qingdao", "--by", "wang.fang", "--reason", "filed at the wrong centre")
        let rizhao = try bench.docket("fire", "C-1", "approve", "--by", "wang.fang", "--as", "approver", "--doc", "site_photos")
        #expect(rizhao.status == 1 && rizhao.stderr.contains("wang.fang holds no approver role in scope qingdao"), "\(rizhao.stderr)")
        try bench.ok("fire", "C-1", "approve", "--by", "zhao.lei", "--as", "approver", "--doc", "site_photos")
    }

    // MARK: Documents' files

    @Test func anAttachedFileIsKeptBesideTheLogRecordedByHashAndGivenBack() throws {
        let bench = DocketBench()
        let photo = bench.directory.appendingPathComponent("photo.jpg").path
        let bytes = Data((0..<5_000).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: photo))
        let sha = sha256(of: photo)
        let setUp = try approvedFrom(bench, photo: photo)
        let events = try #require(try json(try setUp.ok("history", "P1", "--format", "json").stdout) as? [[String: Any]])
        let attachments = try #require(events[2]["attachments"] as? [[String: Any]])
        #expect(attachments.count == 1)
        #expect(attachments[0]["document"] as? String == "site_photos")
        #expect(attachments[0]["sha256"] as? String == sha)
        #expect(attachments[0]["size"] as? Int == 5_000)
        #expect(attachments[0]["media_type"] as? String == "image/jpeg")
        #expect(events[2]["documents"] as? [String] == ["site_photos"])
        let kept = bench.database + ".attachments/sha256/\(sha.prefix(2))/\(sha)"
        #expect(FileManager.default.contents(atPath: kept) == bytes)
        let out = bench.directory.appendingPathComponent("back.jpg").path
        try bench.ok("attachment", "get", sha, "--out", out)
        #expect(FileManager.default.contents(atPath: out) == bytes)
        #expect(try bench.docket("attachment", "get", sha, "--out", out).status == 1)  // never over another file
        #expect(try bench.ok("verify").stdout.hasPrefix("OK: "))
    }

    @Test func aBackupCarriesTheFilesItsEventsNameAndVerifies() throws {
        let bench = DocketBench()
        let photo = bench.directory.appendingPathComponent("photo.jpg").path
        try Data("a photo of the site".utf8).write(to: URL(fileURLWithPath: photo))
        try approvedFrom(bench, photo: photo)
        let copy = bench.directory.appendingPathComponent("copy.sqlite").path
        let backup = try bench.ok("backup", "--to", copy)
        #expect(backup.stdout.contains("3 event(s), 1 document file(s) in \(copy).attachments"), "\(backup.stdout)")
        #expect(try bench.ok("verify", "--db", copy).stdout.hasPrefix("OK: 3 events"))
        let sha = sha256(of: photo)
        #expect(FileManager.default.contents(atPath: "\(copy).attachments/sha256/\(sha.prefix(2))/\(sha)") == Data("a photo of the site".utf8))
    }

    @Test func verifyNamesAMissingOrDamagedFile() throws {
        let bench = DocketBench()
        let photo = bench.directory.appendingPathComponent("photo.png").path
        try Data("not really a png".utf8).write(to: URL(fileURLWithPath: photo))
        let sha = sha256(of: photo)
        try approvedFrom(bench, photo: photo)
        let kept = bench.database + ".attachments/sha256/\(sha.prefix(2))/\(sha)"
        try FileManager.default.removeItem(atPath: kept)
        let missing = try bench.docket("verify")
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("FAILED: event 3 of case P1 names document site_photos: no attachment \(sha)"), "\(missing.stdout)")
        let json = try bench.docket("verify", "--format", "json")
        #expect(json.stdout.contains("\"attachment_missing\""))
        try Data("not really a pnG".utf8).write(to: URL(fileURLWithPath: kept))
        let damaged = try bench.docket("verify")
        #expect(damaged.status == 1)
        #expect(damaged.stdout.contains("no longer matches its hash"), "\(damaged.stdout)")
        let get = try bench.docket("attachment", "get", sha, "--out", "-")
        #expect(get.status == 4 && get.stdout.isEmpty && get.stderr.contains("no longer matches its hash"), "\(get.status) \(get.stderr)")
    }

    @Test func aFileTooLargeOrMissingIsRefusedWithNothingAppended() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk")
        let video = bench.directory.appendingPathComponent("inspection.mp4").path
        try Data(count: 2_048).write(to: URL(fileURLWithPath: video))
        let large = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos=\(video)",
                                     "--max-attachment-size", "1K")
        #expect(large.status == 1)
        #expect(large.stderr.contains("is 2048 bytes; attachments are at most 1024 bytes"), "\(large.stderr)")
        let absent = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos=nosuch.jpg")
        #expect(absent.status == 1 && absent.stderr.contains("site_photos=nosuch.jpg: no such file"), "\(absent.stderr)")
        #expect(try bench.eventCount() == 2)
        #expect(!FileManager.default.fileExists(atPath: bench.database + ".attachments/sha256"))
    }

    // MARK: Helpers

    @discardableResult
    func approvedFrom(_ bench: DocketBench, photo: String) throws -> DocketBench {
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant", "--at", "2020-03-02T09:00:00+08:00")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk", "--at", "2020-03-02T10:00:00+08:00")
        try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos=\(photo)", "--at", "2020-03-02T15:00:00+08:00")
        return bench
    }

    func sha256(of path: String) -> String {
        let result = try? Processes.run(tool: "sha256sum", [path])
        return String(result?.stdout.prefix(64) ?? "")
    }
}

extension DocketBench {
    /// The number of events of case `caseID`.
    func eventCount(scope caseID: String) throws -> Int {
        Int(try sqlite("SELECT count(*) FROM events WHERE case_id = '\(caseID)'")) ?? -1
    }
}

/// The attachment store on a small file system of the test's own that the test fills: a file
/// that cannot be written is a clear error, and nothing is appended.
@Suite(.requires(.sqlite3, .rootWithMountForAttachments), .serialized)
struct AttachmentDiskFaultTests {
    @Test func aFullDiskRefusesTheFileAndAppendsNothing() throws {
        let bench = DocketBench()
        try bench.ok("deploy", DocketBench.workflows + "/permit-check.yaml")
        try bench.ok("start", "permit-check", "--case", "P1", "--by", "alice", "--as", "applicant")
        try bench.ok("fire", "P1", "accept", "--by", "bob", "--as", "clerk")
        // The attachment store's own folder is a small tmpfs; the log stays on the ordinary disk.
        let disk = bench.database + ".attachments"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try Processes.run(tool: "mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", disk])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? Processes.run(tool: "umount", ["-l", disk]) }
        let video = bench.directory.appendingPathComponent("inspection.mp4").path
        try Data((0..<(1 << 20)).map { UInt8($0 % 253) }).write(to: URL(fileURLWithPath: video))
        // Fill the disk to the last byte: dd stops with "No space left on device", the point.
        _ = try Processes.run(tool: "dd", ["if=/dev/zero", "of=\(disk)/filler", "bs=64k"])
        let full = try bench.docket("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos=\(video)")
        #expect(full.status == 4, "\(full.stderr)")
        #expect(full.stderr.hasPrefix("error: could not "), "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device") && full.stderr.contains("nothing was recorded"), "\(full.stderr)")
        #expect(try bench.eventCount() == 2)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: disk).filter { $0.contains(".incoming-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        try FileManager.default.removeItem(atPath: "\(disk)/filler")
        try bench.ok("fire", "P1", "approve", "--by", "carol", "--as", "approver", "--doc", "site_photos=\(video)")
        #expect(try bench.ok("verify").stdout.hasPrefix("OK: 3 events"))
    }
}

extension Prerequisite {
    /// Root, with `mount` and `umount`: the test mounts a small tmpfs of its own.
    static var rootWithMountForAttachments: Prerequisite {
        Prerequisite("root, with mount and umount on PATH (a small tmpfs of the test's own holds the log and its attachments)",
                     remedy: "run the tests as root (CI does), with util-linux installed") {
            getuid() == 0 && Processes.tool("mount") != nil && Processes.tool("umount") != nil
        }
    }
}
