import DocketCore
/// Why an event log could not be read, and where.
///
/// The description reads `FILE:LINE: message` (or `FILE: byte N: message` when no line is known),
/// the shape compilers use, so editors and terminals can jump to the spot.
public struct LogReadError: DocketError, CodedError, Sendable, Equatable {
    /// What kind of problem it is; stable, for programs to branch on.
    public enum Code: String, Sendable {
        /// The file cannot be opened or read.
        case unreadableFile = "unreadable_file"
        /// The gzip data ends before its end-of-stream marker.
        case truncatedCompressedData = "truncated_compressed_data"
        /// The gzip data is damaged.
        case corruptCompressedData = "corrupt_compressed_data"
        /// The XML is not well-formed.
        case malformedXML = "malformed_x_m_l"
        /// Well-formed XML using a feature this reader does not handle (a DTD internal subset,
        /// an encoding other than UTF-8).
        case unsupportedXML = "unsupported_x_m_l"
        /// The XML is well-formed but is not a usable XES log (an event without a timestamp,
        /// a trace without a case id, ...).
        case invalidLog = "invalid_log"
        /// A timestamp that is not an ISO 8601 date-time.
        case unparsableTimestamp = "unparsable_timestamp"
        /// A CSV column named on the command line is not in the header.
        case unknownColumn = "unknown_column"
        /// A CSV column the figures need (case, activity, timestamp) could not be found.
        case missingColumn = "missing_column"
        /// A CSV row that cannot be split into fields.
        case malformedCSV = "malformed_c_s_v"
        /// The file is neither XES nor CSV.
        case unsupportedFormat = "unsupported_format"
        /// One record, element or nesting is beyond what the reader holds in memory
        /// (``LogReadLimits``): the file is not an event log, or not one this reader takes.
        case limitExceeded = "limit_exceeded"
    }

    public var code: Code
    /// The file as the user named it.
    public var file: String
    /// The 1-based line in the (decompressed) text, when known.
    public var line: Int?
    /// The 0-based byte offset, when no line is known (in the compressed file for gzip errors).
    public var byteOffset: Int64?
    /// What is wrong, in words a person can act on.
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, byteOffset: Int64? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.message = message
    }

    public var kind: FailureKind { .invalidInput }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        if let byteOffset { return "\(file): byte \(byteOffset): \(message)" }
        return "\(file): \(message)"
    }
}
