import Foundation
import Testing

/// What a fuzz or property test did with its generated inputs: how many were accepted (read,
/// loaded, allowed) and how many refused. A generator that drifts so that every input lands on
/// one side no longer tests the other, so tests end with ``expectBoth(atLeast:)``.
public struct FuzzOutcomes: Sendable, CustomStringConvertible {
    public var accepted = 0
    public var refused = 0

    public init() {}

    public var total: Int { accepted + refused }

    public var description: String { "\(accepted) accepted, \(refused) refused of \(total)" }

    /// Counts one input.
    public mutating func record(accepted wasAccepted: Bool) {
        if wasAccepted { accepted += 1 } else { refused += 1 }
    }

    /// Expects at least `share` of the inputs (and at least one) in each class.
    public func expectBoth(atLeast share: Double = 0.1, _ what: String = "inputs", sourceLocation: SourceLocation = #_sourceLocation) {
        expectAccepted(atLeast: share, what, sourceLocation: sourceLocation)
        expectRefused(atLeast: share, what, sourceLocation: sourceLocation)
    }

    /// Expects at least `share` of the inputs (and at least one) accepted.
    public func expectAccepted(atLeast share: Double, _ what: String = "inputs", sourceLocation: SourceLocation = #_sourceLocation) {
        expectShare(accepted, of: total, atLeast: share, "too few \(what) accepted to test acceptance: \(self)", sourceLocation: sourceLocation)
    }

    /// Expects at least `share` of the inputs (and at least one) refused.
    public func expectRefused(atLeast share: Double, _ what: String = "inputs", sourceLocation: SourceLocation = #_sourceLocation) {
        expectShare(refused, of: total, atLeast: share, "too few \(what) refused to test refusal: \(self)", sourceLocation: sourceLocation)
    }
}

/// Expects `count` to be at least `share` of `total`, and at least one.
private func expectShare(_ count: Int, of total: Int, atLeast share: Double, _ message: String, sourceLocation: SourceLocation) {
    #expect(total > 0 && count >= max(1, Int((Double(total) * share).rounded(.up))),
            "\(message), expected at least \(Int(share * 100))%", sourceLocation: sourceLocation)
}

/// Expects `count` of `total` generated inputs (at least `share`, and at least one) to have
/// exercised `what`: a property that held only on trivial inputs was not tested.
public func expectExercised(_ count: Int, of total: Int, atLeast share: Double, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    expectShare(count, of: total, atLeast: share, "only \(count) of \(total) generated inputs \(what)", sourceLocation: sourceLocation)
}

/// Where fuzz tests keep the inputs that broke an expectation, to replay them (`docket validate`,
/// `docket analyze`): `$TMPDIR/docket-fuzz-failures/`, which outlives the test run on purpose.
public enum FuzzFailures {
    public static var directory: URL { FileManager.default.temporaryDirectory.appendingPathComponent("docket-fuzz-failures") }

    /// Saves `bytes` as `name` and returns its path. Call it only from a failing expectation's message.
    public static func keep(_ bytes: [UInt8], as name: String) -> String {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try? Data(bytes).write(to: file)
        return file.path
    }
}
