/// The one CSV quoting rule of Docket's output (RFC 4180), for logs (`export`) and figures
/// (`report --format csv`) alike: a field is quoted when it holds a comma, a quote or a line
/// break, or begins or ends with a space or a tab (which spreadsheet programs would trim); a
/// quote inside is doubled.
package enum CSVField {
    /// Whether a field of these UTF-8 bytes must be quoted.
    package static func needsQuotes<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        if let first = bytes.first, first == 0x20 || first == 0x09 { return true }
        var last: UInt8 = 0
        for b in bytes {
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D { return true }
            last = b
        }
        return last == 0x20 || last == 0x09
    }

    /// `text` as a CSV field, quoted when the rule says so.
    package static func text(_ text: String) -> String {
        guard needsQuotes(text.utf8) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
