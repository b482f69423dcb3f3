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
        scan: while let chunk = try source.nextChunk() {
            for b in chunk {
                // Skip a UTF-8 byte-order mark and blanks.
                if b == 0xEF || b == 0xBB || b == 0xBF || b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { continue }
                firstByte = b
                break scan
            }
        }
        guard let firstByte else {
            throw LogReadError(.unsupportedFormat, file: name, message: "the file is empty")
        }
        format = firstByte == UInt8(ascii: "<") ? .xes : .csv
    }
}

extension EventLogFile {
    /// How to read a log of either format.
    public struct ReadOptions: Sendable {
        public var naiveTimeZone: NaiveTimeZone
        /// Column names for CSV logs (ignored for XES).
        public var csvColumns: CSVLogReader.Columns
        /// Whether to fill ``LogEvent/attributes``.
        public var collectsAttributes: Bool

        public init(naiveTimeZone: NaiveTimeZone = .utc, csvColumns: CSVLogReader.Columns = .init(), collectsAttributes: Bool = false) {
            self.naiveTimeZone = naiveTimeZone
            self.csvColumns = csvColumns
            self.collectsAttributes = collectsAttributes
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
                options: .init(naiveTimeZone: options.naiveTimeZone, collectsAttributes: options.collectsAttributes))
            try reader.forEachBatch(body)
            return nil
        case .csv:
            let reader = CSVLogReader(
                path: path, displayName: displayName,
                options: .init(naiveTimeZone: options.naiveTimeZone, columns: options.csvColumns, collectsAttributes: options.collectsAttributes))
            return try reader.forEachBatch(body)
        }
    }
}
