import DocketCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an event log exported as CSV (one event per row, a header row naming the columns).
///
/// The delimiter is detected among `,` `;` tab and `|` from the header row. Columns are found by
/// their pm4py or Disco names unless named explicitly; see ``Columns``. Like pm4py (which reads
/// CSV with `keep_default_na=False`), every cell is text: a case id `NA` is the case `NA`.
/// Rows whose timestamp cell is empty are skipped, as pm4py drops them; an unparsable timestamp
/// is an error. Rows of a case need not be contiguous.
///
/// Rows are split at byte level by `CSVRecords` (RFC 4180 quoting, as yaslab/CSV.swift read
/// it), and strings are made only for the columns used, one shared `String` per distinct
/// activity, lifecycle, resource...; gzip is inflated on a second thread.
public struct CSVLogReader: Sendable {
    /// Which column holds what. `nil` means "find it by its usual names".
    public struct Columns: Sendable, Equatable {
        /// Column names for each field; `nil` finds the column by its usual names.
        public var caseID: String?
        public var activity: String?
        public var timestamp: String?
        public var lifecycle: String?
        public var resource: String?
        public var group: String?
        public var role: String?
        public var instance: String?
        public var startTimestamp: String?
        /// Names tried, in order, for the start timestamp when ``startTimestamp`` is `nil`.
        public var startTimestampCandidates: [String]

        /// Columns found by name, except those given.
        public init(
            caseID: String? = nil, activity: String? = nil, timestamp: String? = nil, lifecycle: String? = nil,
            resource: String? = nil, group: String? = nil, role: String? = nil, instance: String? = nil,
            startTimestamp: String? = nil,
            startTimestampCandidates: [String] = ["start_timestamp", "Start Timestamp"]
        ) {
            self.caseID = caseID
            self.activity = activity
            self.timestamp = timestamp
            self.lifecycle = lifecycle
            self.resource = resource
            self.group = group
            self.role = role
            self.instance = instance
            self.startTimestamp = startTimestamp
            self.startTimestampCandidates = startTimestampCandidates
        }

        static let caseIDCandidates = ["case:concept:name", "Case ID", "case_id", "Case"]
        static let activityCandidates = ["concept:name", "Activity", "activity"]
        static let timestampCandidates = ["time:timestamp", "Complete Timestamp", "Timestamp", "timestamp"]
        static let lifecycleCandidates = ["lifecycle:transition"]
        static let resourceCandidates = ["org:resource", "Resource"]
        static let groupCandidates = ["org:group"]
        static let roleCandidates = ["org:role", "Role"]
        static let instanceCandidates = ["concept:instance"]
    }

    /// How to read the file.
    public struct Options: Sendable {
        /// How to read timestamps without an offset (pm4py: UTC).
        public var naiveTimeZone: NaiveTimeZone
        public var columns: Columns
        /// The field separator; `nil` detects it from the header row.
        public var delimiter: Character?
        /// Whether to fill ``LogEvent/attributes`` with every other column.
        public var collectsAttributes: Bool
        /// Columns kept in ``LogEvent/attributes`` even without ``collectsAttributes``.
        public var keptAttributes: Set<String>
        /// The longest record and the most fields the reader holds.
        public var limits: LogReadLimits

        public init(naiveTimeZone: NaiveTimeZone = .utc, columns: Columns = Columns(), delimiter: Character? = nil, collectsAttributes: Bool = false,
                    keptAttributes: Set<String> = [], limits: LogReadLimits = .init()) {
            self.naiveTimeZone = naiveTimeZone
            self.columns = columns
            self.delimiter = delimiter
            self.collectsAttributes = collectsAttributes
            self.keptAttributes = keptAttributes
            self.limits = limits
        }
    }

    /// What a read found besides the events.
    public struct Summary: Sendable, Equatable {
        /// Data rows read (not counting the header or blank lines).
        public var rows: Int
        /// Rows skipped because their timestamp, case or activity cell is missing.
        public var skippedRows: Int
        /// The header column chosen for each role, for messages.
        public var caseColumn: String
        /// The header column chosen for the activity.
        public var activityColumn: String
        /// The header column chosen for the timestamp.
        public var timestampColumn: String
    }

    /// The file, the name errors use for it, and the reading options.
    public let path: String
    public let displayName: String
    public let options: Options

    /// A reader of the CSV file at `path`; errors name it `displayName` (default: `path`).
    public init(path: String, displayName: String? = nil, options: Options = Options()) {
        self.path = path
        self.displayName = displayName ?? path
        self.options = options
    }

    /// Reads the whole file, calling `body` with consecutive batches of events in file order.
    @discardableResult
    public func forEachBatch(_ body: ([LogEvent]) throws -> Void) throws -> Summary {
        let delimiter = try explicitDelimiter()
        let source = try FileBytes(path: path, displayName: displayName)
        let records = CSVRecords(source: source, explicitDelimiter: delimiter, limits: options.limits)
        let header = try records.next { record in (0..<record.count).map { record.string($0) } }
        guard let header else {
            throw LogReadError(.missingColumn, file: displayName, line: 1, message: "the file has no header row")
        }
        var state = RowState(
            header: header, columns: try ColumnIndices(header: header, columns: options.columns, file: displayName), kept: options.keptAttributes)
        var batch: [LogEvent] = []
        batch.reserveCapacity(4096)
        try records.forEach { record in
            try state.appendEvent(from: record, to: &batch, reader: self)
            if batch.count == 4096 {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
        return Summary(
            rows: state.rows, skippedRows: state.skipped, caseColumn: state.header[state.columns.caseID],
            activityColumn: state.header[state.columns.activity], timestampColumn: state.header[state.columns.timestamp])
    }

    /// The delimiter given in the options as a byte, or `nil` to detect it.
    private func explicitDelimiter() throws -> UInt8? {
        guard let given = options.delimiter else { return nil }
        guard given.unicodeScalars.count == 1, let byte = given.asciiValue, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            throw LogReadError(
                .malformedCSV, file: displayName,
                message: "the delimiter must be one ASCII character other than a quote or a line break, not \"\(given)\"")
        }
        return byte
    }

    /// Turns records into events, counting lines (header = line 1; one line per record, which
    /// is the physical line unless a quoted field spans lines).
    private struct RowState {
        let header: [String]
        let columns: ColumnIndices
        /// Whether each column goes into ``LogEvent/attributes`` (not one the event has a field for).
        let isAttribute: [Bool]
        /// The columns of ``Options/keptAttributes`` (when not collecting every attribute).
        let kept: [Int]
        var line = 1
        var rows = 0
        var skipped = 0
        /// Activity names, lifecycle transitions, resources...: one `String` each.
        var interner = StringInterner()
        /// The last case id, reused while rows of a case follow each other.
        var lastCaseID = ""
        var lastCaseBytes: [UInt8] = []

        init(header: [String], columns: ColumnIndices, kept keptNames: Set<String> = []) {
            self.header = header
            self.columns = columns
            isAttribute = header.indices.map { !columns.used.contains($0) }
            kept = header.indices.filter { keptNames.contains(header[$0]) && !columns.used.contains($0) }
        }

        mutating func caseID(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            let same = lastCaseBytes.count == bytes.count && lastCaseBytes.withUnsafeBufferPointer { known in
                bytes.isEmpty || memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            if same { return lastCaseID }
            lastCaseBytes = Array(bytes)
            lastCaseID = String(decoding: bytes, as: UTF8.self)
            return lastCaseID
        }

        func time(_ bytes: UnsafeBufferPointer<UInt8>, column: Int, reader: CSVLogReader) throws -> Timestamp {
            var lo = 0, hi = bytes.count
            while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
            while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
            guard let parsed = reader.options.naiveTimeZone.parse(UnsafeBufferPointer(rebasing: bytes[lo..<hi])) else {
                let text = String(decoding: bytes, as: UTF8.self)
                throw LogReadError(
                    .unparsableTimestamp, file: reader.displayName, line: line,
                    message: "unparsable timestamp \"\(text)\" in column \"\(header[column])\" (expected ISO 8601, e.g. 2014-10-22 11:15:41.000 or 2014/10/22 11:15:41)")
            }
            return parsed
        }

        /// Appends the event of `row` to `batch`, unless the row is blank or lacks a cell the
        /// event needs (then it is counted as skipped).
        mutating func appendEvent(from row: CSVRecord, to batch: inout [LogEvent], reader: CSVLogReader) throws {
            line += 1
            if row.count == 1 && row[0].isEmpty { return }  // blank line
            rows += 1
            if row.count > header.count {
                throw LogReadError(.malformedCSV, file: reader.displayName, line: line, message: "\(row.count) fields where the header has \(header.count)")
            }
            func cell(_ index: Int?) -> UnsafeBufferPointer<UInt8>? {
                guard let index, index < row.count else { return nil }
                return row[index]
            }
            guard let caseID = cell(columns.caseID), let activity = cell(columns.activity),
                let timeText = cell(columns.timestamp), !timeText.isEmpty
            else {
                skipped += 1
                return
            }
            var event = LogEvent(
                caseID: self.caseID(caseID), activity: interner.string(activity),
                timestamp: try time(timeText, column: columns.timestamp, reader: reader))
            if let v = cell(columns.lifecycle), !v.isEmpty { event.lifecycle = interner.string(v) }
            if let v = cell(columns.resource), !v.isEmpty { event.resource = interner.string(v) }
            if let v = cell(columns.group), !v.isEmpty { event.group = interner.string(v) }
            if let v = cell(columns.role), !v.isEmpty { event.role = interner.string(v) }
            if let v = cell(columns.instance), !v.isEmpty { event.instance = interner.string(v) }
            if let index = columns.startTimestamp, let v = cell(index), !v.isEmpty {
                event.startTimestamp = try time(v, column: index, reader: reader)
            }
            if reader.options.collectsAttributes {
                for i in 0..<row.count where isAttribute[i] && !row[i].isEmpty {
                    event.attributes[header[i]] = row.string(i)
                }
            } else if !kept.isEmpty {
                for i in kept where i < row.count && !row[i].isEmpty {
                    event.attributes[header[i]] = interner.string(row[i])
                }
            }
            batch.append(event)
        }
    }

    /// Header positions of the columns, found by name.
    struct ColumnIndices {
        var caseID: Int
        var activity: Int
        var timestamp: Int
        var lifecycle: Int?
        var resource: Int?
        var group: Int?
        var role: Int?
        var instance: Int?
        var startTimestamp: Int?
        var used: Set<Int>

        init(header: [String], columns: Columns, file: String) throws {
            func named(_ name: String) throws -> Int {
                guard let i = header.firstIndex(of: name) else {
                    throw LogReadError(
                        .unknownColumn, file: file, line: 1,
                        message: "no column \"\(name)\"; the header has \(header.map { "\"\($0)\"" }.joined(separator: ", "))")
                }
                return i
            }
            func find(_ explicit: String?, _ candidates: [String]) throws -> Int? {
                if let explicit { return try named(explicit) }
                for name in candidates { if let i = header.firstIndex(of: name) { return i } }
                return nil
            }
            func required(_ explicit: String?, _ candidates: [String], _ role: String, _ flag: String) throws -> Int {
                guard let i = try find(explicit, candidates) else {
                    throw LogReadError(
                        .missingColumn, file: file, line: 1,
                        message: "no \(role) column (looked for \(candidates.map { "\"\($0)\"" }.joined(separator: ", ")); name it with \(flag))")
                }
                return i
            }
            caseID = try required(columns.caseID, Columns.caseIDCandidates, "case id", "--case-column")
            activity = try required(columns.activity, Columns.activityCandidates, "activity", "--activity-column")
            timestamp = try required(columns.timestamp, Columns.timestampCandidates, "timestamp", "--timestamp-column")
            lifecycle = try find(columns.lifecycle, Columns.lifecycleCandidates)
            resource = try find(columns.resource, Columns.resourceCandidates)
            group = try find(columns.group, Columns.groupCandidates)
            role = try find(columns.role, Columns.roleCandidates)
            instance = try find(columns.instance, Columns.instanceCandidates)
            startTimestamp = try find(columns.startTimestamp, columns.startTimestampCandidates)
            used = Set([caseID, activity, timestamp] + [lifecycle, resource, group, role, instance, startTimestamp].compactMap { $0 })
        }
    }
}
