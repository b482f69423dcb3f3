/// What one piece of a log may hold before the reader refuses the file.
///
/// The readers stream: they hold a few chunks, one CSV record or one XML item (a tag, a text, a
/// comment) at a time, and the open elements' names. Without a bound, a file of one endless
/// record (a gzip bomb: 8.7 MB that inflates to 2 GB of zeros) would be held whole. Real logs
/// are far inside these limits: the longest record of the shared logs is under 2 KiB, the
/// deepest XES nesting 4 (log, trace, event, a list's attribute).
public struct LogReadLimits: Sendable, Equatable {
    /// The longest CSV record, or XML tag, text, comment or CDATA section, in (inflated) bytes.
    public var maxItemBytes: Int
    /// The most fields one CSV record may have.
    public var maxFields: Int
    /// The deepest nesting of XML elements (libxml2's default limit is 256 too).
    public var maxDepth: Int

    public init(maxItemBytes: Int = 16 << 20, maxFields: Int = 100_000, maxDepth: Int = 256) {
        self.maxItemBytes = maxItemBytes
        self.maxFields = maxFields
        self.maxDepth = maxDepth
    }

    /// `16 MiB`, `512 KiB`, `100 bytes`.
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
