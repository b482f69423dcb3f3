import DocketCore
import Foundation

/// A plain-text table with aligned columns, for people; machines get `--json`.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned (numbers, durations).
    var rightAligned: Set<Int> = []

    init(_ headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    func render() -> String {
        // A cell is one line: a line feed or tab in it would break the columns, an escape sequence
        // would act on the terminal. Escaped before measuring, so the escapes are counted.
        let headers = self.headers.map { TerminalSafety.escaped($0) }
        let rows = self.rows.map { $0.map { TerminalSafety.escaped($0) } }
        var widths = headers.map(\.terminalWidth)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.terminalWidth) }
        }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: max(0, widths[i] - cell.terminalWidth))
                return rightAligned.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ")
            // No trailing blanks. (A regular expression did this: compiling it was a tenth of a
            // `docket history`.)
            while text.last?.isWhitespace == true { text.removeLast() }
            return text
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}


extension String {
    /// Columns this text takes on a terminal, character (grapheme cluster) by character: East
    /// Asian wide characters (汉字, kana, hangul, full-width forms) and emoji take two; combining
    /// marks, variation selectors and zero-width joiners add nothing to the character they join,
    /// so that tables of Chinese names and of names with emoji (👩‍💼, ✅) align.
    var terminalWidth: Int {
        // Plain ASCII, the common case: one column a byte.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return utf8.count }
        return reduce(0) { $0 + $1.terminalWidth }
    }
}

extension Character {
    /// Columns this character takes on a terminal: 0, 1 or 2.
    var terminalWidth: Int {
        let scalars = unicodeScalars
        guard let first = scalars.first else { return 0 }
        // An emoji shown as an emoji (by default, or asked for with U+FE0F, or a sequence of
        // them) is two columns wide, however many scalars make it.
        if first.properties.isEmojiPresentation { return 2 }
        if scalars.count > 1, first.properties.isEmoji,
           scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) }) {
            return 2
        }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: return first.isWide ? 2 : 1
        }
    }
}

extension Unicode.Scalar {
    /// Wide (two columns) in East Asian text, after Unicode's EastAsianWidth W and F ranges.
    fileprivate var isWide: Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1B000...0x1B2FF, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}
