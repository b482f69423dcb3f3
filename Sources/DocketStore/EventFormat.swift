/// The format of the events this Docket writes, for `docket --version` and operators comparing
/// binaries: the encoding new events are hashed under, and its tag.
public enum EventFormat {
    /// The encoding of new events (1: before principals were recorded; 2: with them).
    public static let encoding = EventRow.currentEncoding
    /// The tag the hash of an event of ``encoding`` starts from.
    public static var hashTag: String { EventRow.encodingTag(encoding) }
}
