import DocketCore
@testable import DocketStore
import Foundation
import Testing

/// The store writes and reads payloads without Foundation's coders on the common path; the stored
/// text is hashed, so it must be byte for byte what JSONEncoder writes, and reading it back must
/// give what JSONDecoder gives.
@Suite struct PayloadJSONTests {
    private func foundation(_ payload: EventPayload) throws -> String {
        String(decoding: try CanonicalJSON.makeEncoder().encode(payload), as: UTF8.self)
    }

    private func fast(_ payload: EventPayload) throws -> String {
        var coder = PayloadCoder()
        return try coder.encode(payload)
    }

    private func decoded(_ text: String) throws -> EventPayload {
        var coder = PayloadCoder()
        return try coder.decode(text)
    }

    /// Every field set, with values that need escaping.
    private var everyField: EventPayload {
        EventPayload(
            transition: "send_back", from: "review", to: "submitted", region: "verification", branch: "fire",
            documents: ["site_photos", "floor plan/2020"], reason: "signature missing: \"seal\"\n\\ page 2",
            vote: "reject", outcome: "rejected", dueAt: Timestamp(microseconds: -1_583_107_200_000_001),
            data: ["channel": "window", "district": "市南区"], department: "licensing", state: "review",
            trigger: "deadline", round: 3, approvals: 0, rejections: Int.max, limit: "2 working days",
            deadline: "statutory", calendar: "cn-2020", lifecycle: "complete", instance: "i-7",
            startedAt: Timestamp(microseconds: 1_583_107_200_000_000),
            attributes: ["org:group": "Group 1", "cost": "12.5", "Amount": "x"], actorUnknown: true,
            source: "receipt.xes.gz sha256:00ff", person: "li.wei", role: "approver", scope: "rizhao",
            validFrom: "2020-02-12", validUntil: "2020-12-31", futureAllowed: true, corrects: 4,
            correctedAt: Timestamp(microseconds: 1_583_107_300_000_000))
    }

    @Test func theFieldListNamesEveryFieldOfTheEventPayload() {
        let labels = Mirror(reflecting: EventPayload()).children.compactMap(\.label)
        #expect(labels.sorted() == PayloadJSON.fieldNames.sorted())
        #expect(PayloadJSON.knowsEveryField)
        #expect(PayloadJSON.fieldNames == PayloadJSON.fieldNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func everyFieldIsReadUnderItsOwnName() {
        // Attachments (nested objects) are left to JSONDecoder on purpose.
        for (index, name) in PayloadJSON.fieldNames.enumerated() where name != "attachments" {
            let value = ["approvals", "dueAt", "rejections", "round", "startedAt", "corrects", "correctedAt"].contains(name) ? "7"
                : name == "documents" ? #"["x"]"# : ["data", "attributes"].contains(name) ? #"{"k":"v"}"#
                : ["actorUnknown", "futureAllowed"].contains(name) ? "false" : #""x""#
            var text = "{\"\(name)\":\(value)}"
            let read = text.withUTF8 { PayloadJSON.read($0) }
            #expect(read != nil && read != EventPayload(), "field \(index) \(name)")
        }
    }

    @Test func aPayloadWithEveryFieldIsWrittenAsJSONEncoderWritesIt() throws {
        var out: [UInt8] = []
        #expect(PayloadJSON.write(everyField, to: &out))
        #expect(String(decoding: out, as: UTF8.self) == (try foundation(everyField)))
    }

    @Test func attachmentsAreWrittenAndReadByFoundationAndRoundTrip() throws {
        var payload = everyField
        payload.attachments = [DocumentAttachment(document: "site_photos", sha256: String(repeating: "ab", count: 32), size: 12, mediaType: "image/jpeg")]
        var out: [UInt8] = []
        #expect(!PayloadJSON.write(payload, to: &out))
        var coder = PayloadCoder()
        let text = try coder.encode(payload)
        #expect(text == (try foundation(payload)))
        #expect(text.contains(#""attachments":[{"document":"site_photos","mediaType":"image/jpeg","sha256":"#))
        #expect(try coder.decode(text) == payload)
    }

    @Test func anEmptyPayloadIsAnEmptyObject() throws {
        #expect(try fast(EventPayload()) == "{}")
        #expect(try foundation(EventPayload()) == "{}")
    }

    @Test func emptyDocumentsAndDataAreWrittenAsEmptyContainers() throws {
        let payload = EventPayload(documents: [], data: [:])
        #expect(try fast(payload) == foundation(payload))
    }

    @Test func controlCharactersAndQuotesAreEscapedAsJSONEncoderEscapesThem() throws {
        var text = ""
        for scalar in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        text += "é中\u{2028}\u{2029}\u{FEFF}😀"
        let payload = EventPayload(reason: text)
        var out: [UInt8] = []
        #expect(PayloadJSON.write(payload, to: &out))
        #expect(String(decoding: out, as: UTF8.self) == (try foundation(payload)))
    }

    @Test func extremeIntegersAreWrittenAsJSONEncoderWritesThem() throws {
        for value in [Int.min, -1, 0, 9, 10, 1_583_107_200_000_000, Int.max] {
            let payload = EventPayload(dueAt: Timestamp(microseconds: Int64(value)), round: value)
            #expect(try fast(payload) == foundation(payload))
        }
    }

    @Test func keysWithDigitsCapitalsAndPunctuationAreSortedAsJSONEncoderSortsThem() throws {
        let payload = EventPayload(
            data: ["a10": "x", "a9": "y", "B": "z", "_k": "w", "aB": "u", "a_b": "t"],
            attributes: ["org:resource": "Pete", "concept:name": "register", "Amount": "10", "cost": "2"])
        #expect(try fast(payload) == foundation(payload))
    }

    @Test func nonASCIIKeysAreLeftToJSONEncoder() throws {
        let payload = EventPayload(data: ["é": "v", "e": "w", "f": "x"])
        var out: [UInt8] = []
        #expect(!PayloadJSON.write(payload, to: &out))
        #expect(try fast(payload) == foundation(payload))
    }

    @Test func manyDataKeysAreSortedAsJSONEncoderSortsThem() throws {
        let keys = ["channel", "district", "b", "ab", "a", "zz", "abc", "business", "bus"]
        let payload = EventPayload(data: Dictionary(uniqueKeysWithValues: keys.map { ($0, $0.uppercased()) }))
        var out: [UInt8] = []
        #expect(PayloadJSON.write(payload, to: &out))
        #expect(String(decoding: out, as: UTF8.self) == (try foundation(payload)))
    }

    @Test func whatIsWrittenReadsBackToTheSamePayload() throws {
        var text = try fast(everyField)
        #expect(text.withUTF8 { PayloadJSON.read($0) } == everyField)
    }

    @Test func everyEscapeJSONEncoderWritesIsReadBack() throws {
        var text = ""
        for scalar in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let payload = EventPayload(reason: text, data: ["k": "\u{0}\"\\"])
        var json = try foundation(payload)
        #expect(json.withUTF8 { PayloadJSON.read($0) } == payload)
    }

    @Test func textOutsideTheCanonicalShapeIsReadAsJSONDecoderReadsIt() throws {
        let texts = [
            #"{ "to" : "review" }"#,                       // whitespace
            #"{"to":"review","unknown":[1,{"x":null}]}"#,   // a field this docket does not know
            #"{"to":null,"round":2}"#,                      // explicit null
            #"{"to":"a\/b\u0041\ud83d\ude00"}"#,            // escapes JSONEncoder never writes
            #"{"round":2.0}"#,                              // an integer written as a decimal
        ]
        for text in texts {
            var copy = text
            #expect(copy.withUTF8 { PayloadJSON.read($0) } == nil)
            #expect(try decoded(text) == JSONDecoder().decode(EventPayload.self, from: Data(text.utf8)))
        }
    }

    @Test func brokenTextFailsOrSucceedsExactlyAsWithJSONDecoder() {
        for text in [#"{"to":"review""#, #"{"round":"two"}"#, #"{"to":"review","to":"closed"}"#, "[]", "", #"{"round":99999999999999999999}"#] {
            let expected = try? JSONDecoder().decode(EventPayload.self, from: Data(text.utf8))
            let actual = try? decoded(text)
            #expect(actual == expected, "\(text)")
        }
        #expect(throws: (any Error).self) { try decoded(#"{"to":"review""#) }
    }
}
