import CSV
import DocketCore

/// Reads an event log exported as CSV (one event per row, a header row naming the columns).
///
/// The delimiter is detected among `,` `;` tab and `|` from the header row. Columns are found by
/// their pm4py or Disco names unless named explicitly; see ``Columns``. Like pm4py (which reads
/// CSV with `keep_default_na=False`), every cell is text: a case id `NA` is the case `NA`.
/// Rows whose timestamp cell is empty are skipped, as pm4py drops them; an unparsable timestamp
/// is an error. Rows of a case need not be contiguous.
///
/// Parsing is done by yaslab/CSV.swift, fed whole rows a few hundred kilobytes at a time
/// (its string input is twice as fast as its stream input); gzip is inflated on a second thread.
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

        public init(naiveTimeZone: NaiveTimeZone = .utc, columns: Columns = Columns(), delimiter: Character? = nil, collectsAttributes: Bool = false) {
            self.naiveTimeZone = naiveTimeZone
            self.columns = columns
            self.delimiter = delimiter
            self.collectsAttributes = collectsAttributes
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
        let source = try FileBytes(path: path, displayName: displayName)
        var segments = CSVSegments(source: source, explicitDelimiter: options.delimiter.flatMap(\.unicodeScalars.first).map { UInt8(truncatingIfNeeded: $0.value) })
        var state: RowState?
        var batch: [LogEvent] = []
        batch.reserveCapacity(4096)
        while let segment = try segments.next() {
            guard let text = String(validating: segment.bytes, as: UTF8.self) else {
                throw LogReadError(.malformedCSV, file: displayName, line: (state?.line ?? 0) + 1, message: "the file is not valid UTF-8")
            }
            let reader: CSVReader
            do {
                reader = try CSVReader(string: text, hasHeaderRow: state == nil, delimiter: Unicode.Scalar(segments.delimiter))
            } catch {
                throw LogReadError(.malformedCSV, file: displayName, line: 1, message: "cannot read the header row (\(error))")
            }
            if state == nil {
                var header = reader.headerRow ?? []
                if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }
                state = RowState(header: header, columns: try ColumnIndices(header: header, columns: options.columns, file: displayName))
            }
            while let row = reader.next() {
                if let event = try state!.event(from: row, reader: self) {
                    batch.append(event)
                    if batch.count == 4096 {
                        try body(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            if let error = reader.error {
                throw LogReadError(.malformedCSV, file: displayName, line: state!.line + 1, message: "cannot read the CSV (\(error))")
            }
        }
        guard let state else {
            throw LogReadError(.missingColumn, file: displayName, line: 1, message: "the file has no header row")
        }
        if !batch.isEmpty { try body(batch) }
        return Summary(
            rows: state.rows, skippedRows: state.skipped, caseColumn: state.header[state.columns.caseID],
            activityColumn: state.header[state.columns.activity], timestampColumn: state.header[state.columns.timestamp])
    }

    /// Turns rows into events, counting lines (header = line 1; one line per record, which is
    /// the physical line unless a quoted field spans lines).
    private struct RowState {
        let header: [String]
        let columns: ColumnIndices
        var line = 1
        var rows = 0
        var skipped = 0
        var interner: [String: String] = [:]

        init(header: [String], columns: ColumnIndices) {
            self.header = header
            self.columns = columns
        }

        mutating func shared(_ s: String) -> String {
            if let known = interner[s] { return known }
            if interner.count < 1 << 16 { interner[s] = s }
            return s
        }

        func time(_ text: String, column: Int, reader: CSVLogReader) throws -> Timestamp {
            var text = text
            let parsed = text.withUTF8 { bytes -> Timestamp? in
                var lo = 0, hi = bytes.count
                while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
                while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
                return reader.options.naiveTimeZone.parse(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
            }
            guard let parsed else {
                throw LogReadError(
                    .unparsableTimestamp, file: reader.displayName, line: line,
                    message: "unparsable timestamp \"\(text)\" in column \"\(header[column])\" (expected ISO 8601, e.g. 2014-10-22 11:15:41.000 or 2014/10/22 11:15:41)")
            }
            return parsed
        }

        mutating func event(from row: [String], reader: CSVLogReader) throws -> LogEvent? {
            line += 1
            if row.count == 1 && row[0].isEmpty { return nil }  // blank line
            rows += 1
            if row.count > header.count {
                throw LogReadError(.malformedCSV, file: reader.displayName, line: line, message: "\(row.count) fields where the header has \(header.count)")
            }
            func cell(_ index: Int?) -> String? {
                guard let index, index < row.count else { return nil }
                return row[index]
            }
            guard let caseID = cell(columns.caseID), let activity = cell(columns.activity),
                let timeText = cell(columns.timestamp), !timeText.isEmpty
            else {
                skipped += 1
                return nil
            }
            var event = LogEvent(caseID: caseID, activity: shared(activity), timestamp: try time(timeText, column: columns.timestamp, reader: reader))
            if let v = cell(columns.lifecycle), !v.isEmpty { event.lifecycle = shared(v) }
            if let v = cell(columns.resource), !v.isEmpty { event.resource = shared(v) }
            if let v = cell(columns.group), !v.isEmpty { event.group = shared(v) }
            if let v = cell(columns.role), !v.isEmpty { event.role = shared(v) }
            if let v = cell(columns.instance), !v.isEmpty { event.instance = shared(v) }
            if let index = columns.startTimestamp, let v = cell(index), !v.isEmpty {
                event.startTimestamp = try time(v, column: index, reader: reader)
            }
            if reader.options.collectsAttributes {
                for (i, value) in row.enumerated() where !columns.used.contains(i) && !value.isEmpty {
                    event.attributes[header[i]] = value
                }
            }
            return event
        }
    }

    /// The most frequent of `,` `;` tab `|` outside quotes in the header line (`,` on ties).
    static func detectDelimiter(_ header: [UInt8]) -> Unicode.Scalar {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        for b in header {
            if b == 0x22 { quoted.toggle() }
            if quoted { continue }
            if let i = candidates.firstIndex(of: b) { counts[i] += 1 }
        }
        var best = 0
        for i in 1..<candidates.count where counts[i] > counts[best] { best = i }
        return Unicode.Scalar(candidates[best])
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
