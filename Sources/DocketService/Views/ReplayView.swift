/// How a rebuild of the projections went (`replay`).
package struct ReplayView: Encodable, Sendable {
    package var events: Int64
    package var seconds: Double
    package var eventsPerSecond: Double
    package var openCases: Int
    package var ignoredEvents: Int64

    package init(_ run: ProjectionRun, seconds: Double) {
        events = run.events
        self.seconds = seconds
        eventsPerSecond = seconds > 0 ? Double(run.events) / seconds : 0
        openCases = run.openCases
        ignoredEvents = run.ignoredEvents
    }
}
