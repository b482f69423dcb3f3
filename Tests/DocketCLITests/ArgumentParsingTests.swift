import ArgumentParser
import DocketService
import Testing
@testable import docket

@Suite struct ArgumentParsingTests {
    @Test func fireTakesRepeatedDocumentsAndTheGlobalDatabase() throws {
        let parsed = try Docket.parseAsRoot(["fire", "P1", "approve", "--by", "carol", "--as", "approver",
                                             "--doc", "site_photos", "--doc", "fire_certificate", "--db", "x.sqlite", "--retry", "3"])
        let fire = try #require(parsed as? Fire)
        #expect(fire.caseID == "P1")
        #expect(fire.event == "approve")
        #expect(fire.documents == ["site_photos", "fire_certificate"])
        #expect(fire.store.path == "x.sqlite")
        #expect(fire.write.retry == 3)
    }

    @Test func startTakesDataPairsAndAnOnBehalfOf() throws {
        let parsed = try Docket.parseAsRoot(["start", "permit-check", "--case", "P1", "--by", "clerk-1", "--as", "clerk",
                                             "--on-behalf-of", "applicant-7", "--data", "channel=assisted", "--at", "2020-02-09T19:00:00+08:00"])
        let start = try #require(parsed as? Start)
        #expect(start.caseID == "P1")
        #expect(start.onBehalfOf == "applicant-7")
        #expect(start.data == ["channel=assisted"])
        #expect(start.write.at == "2020-02-09T19:00:00+08:00")
    }

    /// The parser lets a missing `--as` through: the service refuses it, naming the roles that
    /// could fire the event (DeskInputCommandTests).
    @Test func fireWithoutARoleIsLeftToTheServiceToRefuse() throws {
        let fire = try #require(try Docket.parseAsRoot(["fire", "P1", "approve", "--by", "carol"]) as? Fire)
        #expect(fire.actor.role == nil)
    }

    @Test func graphAcceptsOnlyKnownFormats() throws {
        #expect(throws: (any Error).self) { try Docket.parseAsRoot(["graph", "permit-check", "--format", "png"]) }
        let graph = try #require(try Docket.parseAsRoot(["graph", "permit-check", "--format", "dot"]) as? Graph)
        #expect(graph.format == .dot)
    }

    @Test func malformedDataPairsAreRefused() {
        #expect(throws: UsageFailure.self) { try parsePairs(["channel"], option: "--data") }
    }

    @Test func timesWithoutAnOffsetAreRefusedWhenUnparsable() {
        #expect(throws: ServiceError.self) { try BusinessTime("next tuesday", field: "--at") }
    }
}
