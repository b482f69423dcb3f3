/// Text that reaches a clerk's terminal: what may not be in it, and how it is shown when an old
/// log already holds it.
///
/// A control character (ESC starts the sequences that clear a screen or move the cursor), a C1
/// control, DEL, or a bidirectional override or isolate (U+202E prints what follows right to
/// left, so `exe.txt` reads `txt.exe`) changes what a person sees. New input holding one is
/// refused (``TerminalSafety/firstUnsafeScalar(in:)``); what is already in a log is printed
/// escaped (``TerminalSafety/escaped(_:keepingLineBreaks:)``), never raw.
public enum TerminalSafety {
    /// Whether `scalar` changes what a terminal shows instead of being shown.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        // Arabic letter mark; LRM, RLM; LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI.
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        // Line and paragraph separators end a line on some terminals.
        case 0x2028, 0x2029: true
        default: false
        }
    }

    /// The first scalar of `text` that ``isUnsafe(_:)``, if any.
    public static func firstUnsafeScalar(in text: String) -> Unicode.Scalar? {
        // Every unsafe scalar is a C0 byte, DEL, or starts with 0xC2, 0xD8 or 0xE2 in UTF-8.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE2 }) else { return nil }
        return text.unicodeScalars.first(where: isUnsafe)
    }

    /// `scalar` as it is named in messages: `U+001B`.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `text` with every unsafe scalar written as `\u001B` (a JSON escape, so JSON stays JSON and
    /// a table shows it), and line feeds and tabs kept when `keepingLineBreaks`.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        // Only these bytes can start an unsafe scalar: text without them (a JSON document's line
        // breaks and indentation among it, when they are kept) is returned as it is, unscanned.
        guard text.utf8.contains(where: { byte in
            (byte < 0x20 && !(keepingLineBreaks && (byte == 0x0A || byte == 0x09)))
                || byte == 0x7F || byte == 0xC2 || byte == 0xD8 || byte == 0xE2
        }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if keepingLineBreaks, scalar == "\n" || scalar == "\t" {
                out.append(scalar)
            } else if isUnsafe(scalar) {
                out.append(contentsOf: "\\u".unicodeScalars)
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out.append(contentsOf: (String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
