/// Which clock a duration is measured on.
public enum TimeMeasure: String, Hashable, Sendable, Codable, CaseIterable {
    /// Wall-clock time: every second counts.
    case wall
    /// Working time on the workflow's calendar (office hours of working days).
    case working
    /// Working time with the intervals during which the statutory clock was stopped left out.
    case statutory
}
