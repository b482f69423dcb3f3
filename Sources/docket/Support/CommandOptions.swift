import ArgumentParser

/// Options every command that changes a case shares: business time, idempotency, retries.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Business time of the command, ISO 8601 (default: now), for back-filling; without an offset, in the workflow calendar's time zone.",
        valueName: "time"))
    var at: String?

    @Flag(help: ArgumentHelp("Accept a business time more than 10 minutes after the clock (recorded on the events)."))
    var allowFuture = false

    @Option(name: .customLong("key"), help: ArgumentHelp(
        "Idempotency key: a retry with the same key returns the first result and appends nothing.", valueName: "key"))
    var idempotencyKey: String?

    @Option(help: ArgumentHelp(
        "Kept for existing scripts: a command is decided under the log's write lock and no longer loses a race to another writer.",
        valueName: "n"))
    var retry: Int = 0
}

/// Who acts on an open case, shared by `fire` and `vote`: the person, the role they act in, and
/// the party they act for in assisted handling. (`start` names its own: opening a case may need no
/// role.)
struct ActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who acts.", valueName: "actor"))
    var by: String

    /// Optional to the parser so that a missing one is answered by the service, which names the
    /// roles that could act.
    @Option(name: .customLong("as"), help: ArgumentHelp("The role they act in (required).", valueName: "role"))
    var role: String?

    @Option(help: ArgumentHelp("The party they act for (assisted handling: an applicant, or the panel member a vote is cast for).", valueName: "who"))
    var onBehalfOf: String?
}

/// What a command prints: a table (or lines) for people, JSON for programs, and CSV where a
/// command has rows worth a spreadsheet. One option for every command, `--format`, as SwiftPM
/// spells it; `--json` is kept as a hidden synonym of `--format json` for existing scripts.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @Option(help: ArgumentHelp("Output: table for people, json for programs (csv where the command has one).", valueName: "table|json|csv"))
    var format: Format = .table

    @Flag(name: .customLong("json"), help: .hidden)
    var jsonSynonym = false

    /// The format asked for.
    var chosen: Format { jsonSynonym ? .json : format }

    /// The format asked for; a command without CSV output refuses `csv`.
    func checked(csv supported: Bool) throws -> Format {
        if chosen == .csv, !supported {
            throw UsageFailure("this command has no CSV output; use --format table or --format json")
        }
        return chosen
    }

    /// Whether JSON was asked for, by a command without CSV output.
    func isJSON() throws -> Bool {
        try checked(csv: false) == .json
    }

    func validate() throws {
        if jsonSynonym, format != .table, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) contradict each other")
        }
    }
}
