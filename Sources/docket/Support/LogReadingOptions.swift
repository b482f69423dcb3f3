import ArgumentParser
import DocketInterop

/// The reading flags `analyze`, `import` and `conform` share.
struct LogReadingOptions: ParsableArguments {
    @Option(help: "Zone for timestamps without an offset: UTC (default, as pm4py), +08:00, or a name like Asia/Shanghai.")
    var timezone: String?

    @Option(help: "CSV: the case id column (default: case:concept:name or Case ID).")
    var caseColumn: String?

    @Option(help: "CSV: the activity column (default: concept:name or Activity).")
    var activityColumn: String?

    @Option(help: "CSV: the timestamp column (default: time:timestamp or Complete Timestamp).")
    var timestampColumn: String?

    @Option(help: "CSV: the lifecycle transition column (default: lifecycle:transition).")
    var lifecycleColumn: String?

    @Option(help: "CSV: the resource column (default: org:resource or Resource).")
    var resourceColumn: String?

    /// - Parameter startColumn: a CSV start-timestamp column to read besides `start_timestamp`.
    func readOptions(collectsAttributes: Bool = false, startColumn: String? = nil) throws -> EventLogFile.ReadOptions {
        var zone = NaiveTimeZone.utc
        if let timezone {
            guard let parsed = NaiveTimeZone(timezone) else {
                throw UsageFailure("unknown time zone \"\(timezone)\" (use UTC, an offset like +08:00, or a name like Asia/Shanghai)")
            }
            zone = parsed
        }
        var columns = CSVLogReader.Columns(
            caseID: caseColumn, activity: activityColumn, timestamp: timestampColumn,
            lifecycle: lifecycleColumn, resource: resourceColumn, startTimestamp: startColumn)
        columns.startTimestampCandidates = ["start_timestamp"]
        return EventLogFile.ReadOptions(naiveTimeZone: zone, csvColumns: columns, collectsAttributes: collectsAttributes)
    }
}
