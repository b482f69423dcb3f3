/// Why an event log could not be read, and where.
///
/// The description reads `FILE:LINE: message` (or `FILE: byte N: message` when no line is known),
/// the shape compilers use, so editors and terminals can jump to the spot.
public struct LogReadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem it is; stable, for programs to branch on.
    public enum Code: String, Sendable {
        /// The file cannot be opened or read.
        case unreadableFile
        /// The gzip data ends before its end-of-stream marker.
        case truncatedCompressedData
        /// The gzip data is damaged.
        case corruptCompressedData
        /// The XML is not well-formed.
        case malformedXML
        /// Well-formed XML using a feature this reader does not handle (a DTD internal subset,
        /// an encoding other than UTF-8).
        case unsupportedXML
        /// The XML is well-formed but is not a usable XES log (an event without a timestamp,
        /// a trace without a case id, ...).
        case invalidLog
        /// A timestamp that is not an ISO 8601 date-time.
        case unparsableTimestamp
        /// A CSV column named on the command line is not in the header.
        case unknownColumn
        /// A CSV column the figures need (case, activity, timestamp) could not be found.
        case missingColumn
        /// A CSV row that cannot be split into fields.
        case malformedCSV
        /// The file is neither XES nor CSV.
        case unsupportedFormat
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

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        if let byteOffset { return "\(file): byte \(byteOffset): \(message)" }
        return "\(file): \(message)"
    }
}
