/// An event log file of either supported format, recognised by its content.
public struct EventLogFile: Sendable {
    /// The formats Docket reads.
    public enum Format: String, Sendable {
        case xes, csv
    }

    /// The file, and the name errors use for it.
    public let path: String
    public let displayName: String
    public let format: Format
    /// Whether the file is gzip-compressed (by its magic bytes).
    public let isCompressed: Bool

    /// Opens `path` and tells XES from CSV by the first non-blank character (`<` for XML),
    /// after inflating if the file starts with the gzip magic bytes.
    public init(path: String, displayName: String? = nil) throws {
        self.path = path
        let name = displayName ?? path
        self.displayName = name
        let source = try FileBytes(path: path, displayName: name)
        isCompressed = source.isCompressed
        var firstByte: UInt8?
        var firstOffset: Int64 = 0
        var offset: Int64 = 0
        var zeros: Int64 = 0
        scan: while let chunk = try source.nextChunk() {
            for b in chunk {
                defer { offset += 1 }
                if b == 0 {
                    // A run of zero bytes (a gzip bomb inflates to one) is counted, not read to its
                    // end: what the file is is clear after the first megabyte.
                    zeros += 1
                    if zeros > Self.zeroRunReported { break scan }
                    continue
                }
                if zeros > 0 { break scan }
                // Skip a UTF-8 byte-order mark and blanks.
                if b == 0xEF || b == 0xBB || b == 0xBF || b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { continue }
                firstByte = b
                firstOffset = offset
                break scan
            }
        }
        if zeros > 0 {
            let run = zeros > Self.zeroRunReported ? "more than \(Self.zeroRunReported) zero bytes" : "\(zeros) zero bytes"
            throw Self.notALog(name: name, compressed: isCompressed, why: "starts with \(run)")
        }
        guard let firstByte else {
            if isCompressed { throw LogReadError(.unsupportedFormat, file: name, message: "the gzip data inflates to nothing: the log is empty") }
            throw LogReadError(.unsupportedFormat, file: name, message: "the file is empty")
        }
        // Control characters never begin a text log: binary data read as CSV would only fail later
        // with a misleading "no case id column", after reading the whole file.
        if firstByte < 0x20 || firstByte == 0x7F {
            throw Self.notALog(name: name, compressed: isCompressed, why: "byte \(firstOffset) is the control character 0x\(String(firstByte, radix: 16, uppercase: true)), not text")
        }
        format = firstByte == UInt8(ascii: "<") ? .xes : .csv
    }
}

extension EventLogFile {
    /// How many leading zero bytes are counted before the file is refused.
    static let zeroRunReported: Int64 = 1 << 20

    /// The error for a file that is not a log: says what the file was taken for (by its name) and
    /// what it holds instead, e.g. `x.xes.gz: gzip data inflates to something that is not XES:
    /// starts with 65536 zero bytes`.
    static func notALog(name: String, compressed: Bool, why: String) -> LogReadError {
        let lower = name.lowercased()
        let expected: String
        if lower.hasSuffix(".xes") || lower.hasSuffix(".xes.gz") {
            expected = "XES"
        } else if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") {
            expected = "CSV"
        } else {
            expected = "an event log (XES or CSV)"
        }
        let what = compressed ? "gzip data inflates to something that is not \(expected)" : "the file is not \(expected)"
        return LogReadError(.unsupportedFormat, file: name, message: "\(what): \(why)")
    }

    /// How to read a log of either format.
    public struct ReadOptions: Sendable {
        public var naiveTimeZone: NaiveTimeZone
        /// Column names for CSV logs (ignored for XES).
        public var csvColumns: CSVLogReader.Columns
        /// Whether to fill ``LogEvent/attributes``.
        public var collectsAttributes: Bool
        /// Attributes kept in ``LogEvent/attributes`` even without ``collectsAttributes``: event
        /// attributes (CSV columns) by name, and trace attributes as `case:NAME` (pm4py's name for
        /// them, and the CSV export's column).
        public var keptAttributes: Set<String>
        /// How large one record or element may be (memory stays bounded whatever the file).
        public var limits: LogReadLimits

        public init(naiveTimeZone: NaiveTimeZone = .utc, csvColumns: CSVLogReader.Columns = .init(), collectsAttributes: Bool = false,
                    keptAttributes: Set<String> = [], limits: LogReadLimits = .init()) {
            self.naiveTimeZone = naiveTimeZone
            self.csvColumns = csvColumns
            self.collectsAttributes = collectsAttributes
            self.keptAttributes = keptAttributes
            self.limits = limits
        }
    }

    /// Reads the whole log with the reader for its format, calling `body` with consecutive
    /// batches of events in file order. Returns the CSV summary for CSV logs.
    @discardableResult
    public func forEachBatch(options: ReadOptions = ReadOptions(), _ body: ([LogEvent]) throws -> Void) throws -> CSVLogReader.Summary? {
        switch format {
        case .xes:
            let reader = XESReader(
                path: path, displayName: displayName,
                options: .init(naiveTimeZone: options.naiveTimeZone, collectsAttributes: options.collectsAttributes,
                              keptAttributes: options.keptAttributes, limits: options.limits))
            try reader.forEachBatch(body)
            return nil
        case .csv:
            let reader = CSVLogReader(
                path: path, displayName: displayName,
                options: .init(naiveTimeZone: options.naiveTimeZone, columns: options.csvColumns, collectsAttributes: options.collectsAttributes,
                              keptAttributes: options.keptAttributes, limits: options.limits))
            return try reader.forEachBatch(body)
        }
    }
}
