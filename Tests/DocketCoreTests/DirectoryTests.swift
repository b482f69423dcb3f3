import DocketCore
import DocketTestSupport
import Foundation
import Testing

/// The directory: its file (every mistake at its place), the fold of its change events, and who
/// could act on a date.
@Suite struct DirectoryTests {
    static let small = """
        directory: test
        version: 1
        time_zone: Asia/Shanghai
        units:
          shandong: { name: Province }
          rizhao: { parent: shandong }
          rizhao.licensing: { parent: rizhao }
          qingdao: { parent: shandong }
        people:
          admin: { kind: staff }
          li.wei: { kind: staff, unit: rizhao }
          chen.jing: { kind: staff, unit: qingdao }
          ma.lin: { kind: applicant }
        grants:
          - { person: admin, role: directory_admin, scope: shandong }
          - { person: li.wei, role: clerk, scope: rizhao, from: 2020-01-01 }
          - { person: chen.jing, role: approver, scope: qingdao, from: 2020-01-01, until: 2020-12-31 }

        """

    static func load(_ text: String = small) throws(FileProblems) -> Directory { try DirectoryLoader.load(text: text, file: "d.yaml") }

    func problems(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            _ = try Self.load(text)
            Issue.record("expected problems", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.lines
        }
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(parsing: text)! }
    /// Noon in Shanghai on `text`.
    static func noon(_ text: String) -> Timestamp {
        let d = date(text)
        return Timestamp(seconds: Int64(d.daysSinceEpoch) * 86_400 + 4 * 3_600)
    }

    // MARK: The file

    @Test func theShippedDirectoryLoads() throws {
        let text = try String(contentsOfFile: Repository.shandongDirectory, encoding: .utf8)
        let directory = try DirectoryLoader.load(text: text, file: "shandong.yaml")
        #expect(directory.name == "shandong")
        #expect(directory.root?.id == "shandong")
        #expect(directory.units.contains { $0.id == "rizhao" && $0.parent == "shandong" })
        #expect(directory.people.contains { $0.id == "portal" && $0.kind == .service })
        #expect(DirectoryLoader.isDirectory(text))
    }

    @Test func aMisspeltUnitIsReportedAtItsValueWithASuggestion() {
        let text = Self.small.replacingOccurrences(of: "role: clerk, scope: rizhao", with: "role: clerk, scope: rizao")
        let lines = problems(text)
        #expect(lines == ["d.yaml:16:43: error: unknown unit 'rizao'; did you mean 'rizhao'?"])
    }

    @Test func aMisspeltPersonIsReportedAtItsValueWithASuggestion() {
        let text = Self.small.replacingOccurrences(of: "person: li.wei,", with: "person: li.wie,")
        #expect(problems(text) == ["d.yaml:16:15: error: unknown person 'li.wie'; did you mean 'li.wei'?"])
    }

    @Test func fromAfterUntilIsReportedAtUntil() {
        let text = Self.small.replacingOccurrences(of: "until: 2020-12-31", with: "until: 2019-12-31")
        let lines = problems(text)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("d.yaml:17:") == true)
        #expect(lines.first?.contains("'from' 2020-01-01 is after 'until' 2019-12-31") == true)
    }

    @Test func aUnitOrPersonWrittenTwiceIsReportedAtTheRepetition() {
        let text = Self.small.replacingOccurrences(of: "  ma.lin: { kind: applicant }", with: "  ma.lin: { kind: applicant }\n  li.wei: { kind: staff }")
        let lines = problems(text)
        #expect(lines.first?.hasPrefix("d.yaml:14:3: error: key 'li.wei' appears more than once") == true)
    }

    @Test func aGrantToAPersonWhoHasLeftIsRefused() {
        let text = Self.small.replacingOccurrences(of: "li.wei: { kind: staff, unit: rizhao }", with: "li.wei: { kind: staff, unit: rizhao, left: 2019-06-01 }")
        let lines = problems(text)
        #expect(lines.count == 1)
        #expect(lines.first?.contains("'li.wei' left on 2019-06-01; a grant from 2020-01-01 would start after they left") == true)
    }

    @Test func anApplicantHoldsNoRolesAndAnUnknownKindIsNamed() {
        var text = Self.small + "  - { person: ma.lin, role: clerk, scope: rizhao }\n"
        text = text.replacingOccurrences(of: "admin: { kind: staff }", with: "admin: { kind: staf }")
        let lines = problems(text)
        #expect(lines.contains { $0.hasPrefix("d.yaml:10:") && $0.contains("unknown kind 'staf'; did you mean 'staff'?") })
        #expect(lines.contains { $0.hasPrefix("d.yaml:18:") && $0.contains("'ma.lin' is an applicant") })
    }

    @Test func aDirectoryWithoutAnAdministratorIsRefused() {
        let text = Self.small.replacingOccurrences(of: "  - { person: admin, role: directory_admin, scope: shandong }\n", with: "")
        #expect(problems(text).contains { $0.contains("no one holds 'directory_admin'") })
    }

    @Test func aSecondRootAndAnUnknownParentAreReported() {
        let text = Self.small.replacingOccurrences(of: "qingdao: { parent: shandong }", with: "qingdao: { parent: shandog }\n  weifang: {}")
        let lines = problems(text)
        #expect(lines.contains { $0.contains("unknown unit 'shandog'; did you mean 'shandong'?") })
        #expect(lines.contains { $0.contains("unit 'weifang' has no parent, but 'shandong' is the root already") })
    }

    // MARK: The fold

    @Test func aGrantInAUnitCoversTheUnitsBelowItOnlyWithinItsDates() throws {
        let state = DirectoryState(try Self.load())
        #expect(state.grant(of: "li.wei", role: "clerk", covering: "rizhao.licensing", on: Self.date("2020-02-12")) != nil)
        #expect(state.grant(of: "li.wei", role: "clerk", covering: "qingdao", on: Self.date("2020-02-12")) == nil)
        #expect(state.grant(of: "li.wei", role: "clerk", covering: "rizhao", on: Self.date("2019-12-31")) == nil)
        #expect(state.grant(of: "chen.jing", role: "approver", covering: "qingdao", on: Self.date("2020-12-31")) != nil)
        #expect(state.grant(of: "chen.jing", role: "approver", covering: "qingdao", on: Self.date("2021-01-01")) == nil)
    }

    @Test func grantRevokeAndLeaveFoldWithTheirDates() throws {
        let directory = try Self.load()
        var state = DirectoryState(directory)
        let granted = try state.decide(.grant(person: "li.wei", role: "approver", scope: "rizhao", from: Self.date("2020-02-01"), until: nil),
                                       actor: "admin", at: Self.noon("2020-01-20"))
        #expect(granted.type == .roleGranted && granted.caseID == "@directory:test" && granted.payload.validFrom == "2020-02-01")
        state.apply(granted, position: 7)
        #expect(state.grant(of: "li.wei", role: "approver", covering: "rizhao", on: Self.date("2020-01-31")) == nil)
        let grant = state.grant(of: "li.wei", role: "approver", covering: "rizhao", on: Self.date("2020-02-12"))
        #expect(grant?.source == .event(actor: "admin", position: 7, on: Self.date("2020-01-20")))

        let revoked = try state.decide(.revoke(person: "li.wei", role: "approver", scope: "rizhao", from: Self.date("2020-03-01")),
                                       actor: "admin", at: Self.noon("2020-02-20"))
        state.apply(revoked, position: 8)
        #expect(state.grant(of: "li.wei", role: "approver", covering: "rizhao", on: Self.date("2020-02-29")) != nil)
        #expect(state.grant(of: "li.wei", role: "approver", covering: "rizhao", on: Self.date("2020-03-01")) == nil)
        #expect(state.grant(of: "li.wei", role: "clerk", covering: "rizhao", on: Self.date("2020-03-01")) != nil)

        state.apply(try state.decide(.leave(person: "li.wei", on: Self.date("2020-04-01")), actor: "admin", at: Self.noon("2020-03-20")))
        #expect(state.grant(of: "li.wei", role: "clerk", covering: "rizhao", on: Self.date("2020-03-31")) != nil)
        #expect(state.grantsInForce(of: "li.wei", on: Self.date("2020-04-01")).isEmpty)
        #expect(state.changes == 3)

        // The same events, read back from the log, fold to the same answers.
        let replayed = DirectoryState.fold(directory, [(granted, 7), (revoked, 8)])
        #expect(replayed.grant(of: "li.wei", role: "approver", covering: "rizhao", on: Self.date("2020-03-01")) == nil)
    }

    @Test func changesThatCannotBeMadeAreRefused() throws {
        var state = DirectoryState(try Self.load())
        let at = Self.noon("2020-02-01")
        #expect(throws: DirectoryRefusal.self) { try state.decide(.grant(person: "li.wie", role: "clerk", scope: "rizhao", from: nil, until: nil), actor: "admin", at: at) }
        #expect(throws: DirectoryRefusal.self) { try state.decide(.grant(person: "li.wei", role: "clerk", scope: "rizao", from: nil, until: nil), actor: "admin", at: at) }
        #expect(throws: DirectoryRefusal.self) { try state.decide(.grant(person: "ma.lin", role: "clerk", scope: "rizhao", from: nil, until: nil), actor: "admin", at: at) }
        #expect(throws: DirectoryRefusal.self) { try state.decide(.revoke(person: "li.wei", role: "approver", scope: "rizhao", from: Self.date("2020-02-01")), actor: "admin", at: at) }
        state.apply(try state.decide(.leave(person: "li.wei", on: Self.date("2020-02-01")), actor: "admin", at: at))
        do {
            _ = try state.decide(.grant(person: "li.wei", role: "approver", scope: "rizhao", from: nil, until: nil), actor: "admin", at: at)
            Issue.record("a person who left was granted a role")
        } catch {
            #expect(error.description == "'li.wei' left on 2020-02-01; a person who has left cannot be granted a role")
        }
        let added = try state.decide(.add(Person(id: "xu.na", name: "徐娜", kind: .staff, unit: "qingdao")), actor: "admin", at: at)
        state.apply(added)
        #expect(state.person("xu.na")?.name == "徐娜")
        #expect(throws: DirectoryRefusal.self) { try state.decide(.add(Person(id: "xu.na", kind: .staff)), actor: "admin", at: at) }
    }

    // MARK: Who

    @Test func whoAnswersWhoCouldActInAScopeOnADateAndWhoGrantedIt() throws {
        var state = DirectoryState(try Self.load())
        state.apply(try state.decide(.grant(person: "li.wei", role: "approver", scope: "rizhao.licensing", from: Self.date("2020-02-01"), until: Self.date("2020-02-29")),
                                     actor: "admin", at: Self.noon("2020-01-20")), position: 3)
        let onTheTwelfth = state.who(role: "approver", scope: "rizhao.licensing", on: Self.date("2020-02-12"))
        #expect(onTheTwelfth.map(\.person) == ["li.wei"])
        #expect(onTheTwelfth.first?.source == .event(actor: "admin", position: 3, on: Self.date("2020-01-20")))
        #expect(state.who(role: "approver", scope: "rizhao", on: Self.date("2020-02-12")).isEmpty)  // held below, not above
        #expect(state.who(role: "approver", scope: "qingdao", on: Self.date("2020-02-12")).map(\.person) == ["chen.jing"])
        #expect(state.who(role: "approver", scope: "rizhao.licensing", on: Self.date("2020-03-01")).isEmpty)
    }

    @Test func theRecordingDateIsTheDirectorysLocalDate() throws {
        let directory = try Self.load()
        // 2020-02-11T16:30Z is already 2020-02-12 in Shanghai.
        #expect(directory.date(at: Timestamp(seconds: 1_581_438_600)) == Self.date("2020-02-12"))
    }
}
