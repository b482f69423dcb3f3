import Foundation

// Case data declared per workflow (`data:`), the conditions transitions route on (`when:`), and
// display titles (`title:`). Values travel as text, as they always have in events
// (`EventPayload.data`); a declaration says what text each field accepts.

/// What values a case data field takes (`type:` or `values:` in `data:`).
public enum DataType: Hashable, Sendable {
    /// Any single-line text (`type: string`).
    case string
    /// A whole number, e.g. `-3`, `12000` (`type: integer`).
    case integer
    /// A decimal number, e.g. `0.5`, `12000` (`type: number`).
    case number
    /// `true` or `false` (`type: boolean`).
    case boolean
    /// A calendar date, `YYYY-MM-DD` (`type: date`).
    case date
    /// One of the listed values (`values: [low, medium, high]`).
    case enumeration([String])

    /// The names `type:` accepts.
    public static let names = ["string", "integer", "number", "boolean", "date", "enum"]

    /// `integer`, or `one of low, medium, high`.
    public var description: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .date: "date (YYYY-MM-DD)"
        case let .enumeration(values): "one of " + values.joined(separator: ", ")
        }
    }

    /// Whether values of this type are ordered, so that `at_least` and `below` apply.
    public var isOrdered: Bool {
        switch self {
        case .integer, .number, .date: true
        default: false
        }
    }

    /// Why `value` is not a value of this type (what to write instead), or nil when it is.
    public func problem(with value: String) -> String? {
        switch self {
        case .string:
            return value.contains(where: \.isNewline) ? "a single line of text" : nil
        case .integer:
            return Int(value) == nil ? "a whole number such as 12" : nil
        case .number:
            guard let number = Double(value), number.isFinite, !value.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
                return "a number such as 12 or 0.5"
            }
            return nil
        case .boolean:
            return value == "true" || value == "false" ? nil : "true or false"
        case .date:
            return DataType.dateOrdinal(value) == nil ? "a date written YYYY-MM-DD, e.g. 2026-01-05" : nil
        case let .enumeration(values):
            guard !values.contains(value) else { return nil }
            var text = "one of " + values.joined(separator: ", ")
            if let guess = Diagnostic.nearest(to: value, in: values) { text += " (did you mean '\(guess)'?)" }
            return text
        }
    }

    /// How `a` compares with `b` (both valid values of this type): negative, zero or positive.
    /// Numbers compare as numbers (`10` equals `10.0`), dates by day, other values as text.
    public func compare(_ a: String, _ b: String) -> Int {
        switch self {
        case .integer, .number:
            guard let x = Double(a), let y = Double(b) else { return a == b ? 0 : (a < b ? -1 : 1) }
            return x == y ? 0 : (x < y ? -1 : 1)
        case .date:
            guard let x = DataType.dateOrdinal(a), let y = DataType.dateOrdinal(b) else { return a == b ? 0 : (a < b ? -1 : 1) }
            return x == y ? 0 : (x < y ? -1 : 1)
        default:
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    /// `YYYY-MM-DD` as a number that orders dates, or nil when it is not a real date.
    static func dateOrdinal(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        return year * 10_000 + month * 100 + day
    }
}

/// One declared field of a case's data (`data:`).
public struct DataField: Hashable, Sendable {
    /// The field's name, the key of `--data NAME=VALUE`.
    public var name: String
    public var type: DataType
    /// It must be given when the case is opened (`required: true`).
    public var requiredAtOpening: Bool
    /// It must be known (given now or before) when one of these events fires (`required_on:`).
    public var requiredOn: [String]
    /// A display label (`title:`).
    public var title: Title?

    public init(name: String, type: DataType, requiredAtOpening: Bool = false, requiredOn: [String] = [], title: Title? = nil) {
        self.name = name
        self.type = type
        self.requiredAtOpening = requiredAtOpening
        self.requiredOn = requiredOn
        self.title = title
    }
}

/// A display label in one or more languages (`title: 受理` or `title: { zh: 受理, en: Acceptance }`).
/// Tables and the API show ``text``, the first one written; ids stay as they are.
public struct Title: Hashable, Sendable {
    /// The label in each language as written, in file order; `("", text)` for a plain `title: text`.
    public var languages: [Language]

    public struct Language: Hashable, Sendable {
        /// A language tag (`zh`, `en`, `zh-Hant`), empty for a title written without one.
        public var tag: String
        public var text: String

        public init(tag: String, text: String) {
            self.tag = tag
            self.text = text
        }
    }

    public init(_ text: String) { languages = [Language(tag: "", text: text)] }

    public init(languages: [Language]) { self.languages = languages }

    /// The label shown: the first written.
    public var text: String { languages.first?.text ?? "" }

    /// The label in language `tag` (`zh`, or `zh` for `zh-Hans`), else ``text``.
    public func text(in tag: String?) -> String {
        guard let tag, !tag.isEmpty else { return text }
        if let exact = languages.first(where: { $0.tag.lowercased() == tag.lowercased() }) { return exact.text }
        let primary = tag.lowercased().split(separator: "-").first.map(String.init) ?? tag
        return languages.first { $0.tag.lowercased().split(separator: "-").first.map(String.init) == primary }?.text ?? text
    }
}

/// When a transition applies, as far as the case's data goes (`when: { risk: high, amount: { at_least: 10000 } }`):
/// every clause holds. Several transitions of one event from one state are an exclusive gateway:
/// the first in declaration order whose condition holds is taken; one without `when` is the default.
public struct Condition: Hashable, Sendable {
    public var clauses: [Clause]

    public init(clauses: [Clause]) { self.clauses = clauses }

    /// One field's test.
    public struct Clause: Hashable, Sendable {
        public var field: String
        public var test: Test

        public init(field: String, test: Test) {
            self.field = field
            self.test = test
        }
    }

    public enum Test: Hashable, Sendable {
        /// The field has one of these values (`risk: high`, `risk: [high, critical]`).
        case oneOf([String])
        /// The field is at least `atLeast` and below `below` (either may be missing):
        /// `amount: { at_least: 10000, below: 50000 }`. Integers, numbers and dates only.
        case range(atLeast: String?, below: String?)
    }

    /// Whether it holds for `data`, typed by `fields` (a field that is absent never matches).
    public func holds(for data: [String: String], fields: [DataField]) -> Bool {
        clauses.allSatisfy { clause in
            guard let value = data[clause.field] else { return false }
            let type = fields.first { $0.name == clause.field }?.type ?? .string
            if type.problem(with: value) != nil { return false }
            switch clause.test {
            case let .oneOf(values):
                return values.contains { type.compare(value, $0) == 0 }
            case let .range(atLeast, below):
                if let atLeast, type.compare(value, atLeast) < 0 { return false }
                if let below, type.compare(value, below) >= 0 { return false }
                return true
            }
        }
    }

    /// `risk is high`, `amount at least 10000 and below 50000`: for refusals and `show`.
    public var description: String {
        clauses.map { clause in
            switch clause.test {
            case let .oneOf(values):
                return values.count == 1 ? "\(clause.field) is \(values[0])" : "\(clause.field) is one of \(values.joined(separator: ", "))"
            case let .range(atLeast, below):
                return [atLeast.map { "\(clause.field) at least \($0)" }, below.map { "\(clause.field) below \($0)" }]
                    .compactMap { $0 }.joined(separator: " and ")
            }
        }.joined(separator: " and ")
    }
}

extension WorkflowDefinition {
    /// The declared field called `name`.
    public func dataField(named name: String) -> DataField? { dataFields?.first { $0.name == name } }

    /// The display title of state `name` (case-level or a branch's), if it has one.
    public func stateTitle(_ name: String) -> String? {
        if let title = state(named: name)?.title { return title.text }
        for (_, branch) in branches {
            if let title = branch.state(named: name)?.title { return title.text }
        }
        return nil
    }

    /// The display title of event `name`: the first transition of that event with a `title`.
    public func eventTitle(_ name: String) -> String? {
        if let title = transitions.first(where: { $0.event == name && $0.title != nil })?.title { return title.text }
        for (_, branch) in branches {
            if let title = branch.transitions.first(where: { $0.event == name && $0.title != nil })?.title { return title.text }
        }
        return nil
    }

    /// `accepted` or `accepted (受理)`: a state for a table cell.
    public func labelled(state name: String) -> String {
        stateTitle(name).map { "\(name) (\($0))" } ?? name
    }

    /// `accept` or `accept (受理)`: an event for a table cell.
    public func labelled(event name: String) -> String {
        eventTitle(name).map { "\(name) (\($0))" } ?? name
    }
}
