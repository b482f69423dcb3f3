/// What `import` did.
package struct ImportView: Encodable, Sendable {
    package var source: String
    package var workflow: String
    package var workflowVersion: Int
    package var logCases: Int
    package var logEvents: Int
    package var importedCases: Int
    package var appendedEvents: Int
    /// The file's events among them, and the events Docket added (openings, ...).
    package var importedLogEvents: Int
    package var addedEvents: Int
    package var alreadyImported: Int
    package var notFitting: Int
    package var openCases: Int
    package var transactions: Int
    package var seconds: Double
    package var eventsPerSecond: Double

    package init(_ s: LogImportSummary, seconds: Double) {
        source = s.source
        workflow = s.workflowID
        workflowVersion = s.workflowVersion
        logCases = s.logCases
        logEvents = s.logEvents
        importedCases = s.importedCases
        appendedEvents = s.appendedEvents
        importedLogEvents = s.importedLogEvents
        addedEvents = s.addedEvents
        alreadyImported = s.alreadyImported
        notFitting = s.notFitting.count
        openCases = s.openCases
        transactions = s.batches
        self.seconds = seconds
        eventsPerSecond = seconds > 0 ? Double(s.appendedEvents) / seconds : 0
    }
}
