import Foundation
import ArgumentParser
import DocketService

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

/// What a command prints: a table (or lines) for people, JSON for programs, CSV where a command
/// has rows worth a spreadsheet, and an HTML page where it has pictures (`report`, `analyze`).
/// One option for every command, `--format`, as SwiftPM spells it; `--json` is kept as a hidden
/// synonym of `--format json` for existing scripts.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv, html
    }

    @Option(help: ArgumentHelp(
        "Output: table for people, json for programs (csv and html where the command has them: report, analyze).",
        valueName: "table|json|csv|html"))
    var format: Format = .table

    @Flag(name: .customLong("json"), help: .hidden)
    var jsonSynonym = false

    /// The format asked for.
    var chosen: Format { jsonSynonym ? .json : format }

    /// The format asked for; a command without CSV (or HTML) output refuses it.
    func checked(csv supported: Bool, html htmlSupported: Bool = false) throws -> Format {
        if chosen == .csv, !supported {
            throw UsageFailure("this command has no CSV output; use --format table or --format json")
        }
        if chosen == .html, !htmlSupported {
            throw UsageFailure("this command has no HTML page (report and analyze have one); use --format table or --format json")
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

/// Where a command that makes a file-sized output (a page, a diagram, a report) writes it.
struct OutputFileOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Write the output to this file instead of standard output (whole or not at all: written beside it, then renamed).",
        valueName: "file"))
    var out: String?

    /// Prints `text`, or writes it to `--out`.
    func emit(_ text: String) throws {
        guard let out else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        try write(to: out) { sink in try sink(ArraySlice(text.utf8)) }
    }

    /// Prints `value` as JSON (``JSONOutput``), or writes it to `--out`, as ``emit(_:)`` would its
    /// text, but piece by piece: a report listing hundreds of thousands of open cases is never
    /// held whole.
    func emitJSON<T: Encodable>(_ value: T) throws {
        guard let out else {
            fflush(nil)  // anything print() buffered goes first
            let output = FileHandle.standardOutput
            try JSONOutput.write(value) { try output.write(contentsOf: $0) }
            try output.write(contentsOf: [0x0A])
            return
        }
        try write(to: out) { sink in try JSONOutput.write(value, to: sink) }
    }

    /// Writes what `body` hands its sink to the file `out`, whole or not at all: into a file
    /// beside it, renamed onto it only when complete.
    private func write(to out: String, _ body: ((ArraySlice<UInt8>) throws -> Void) throws -> Void) throws {
        let target = URL(fileURLWithPath: out)
        let partial = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).partial")
        do {
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: partial.path])
            }
            defer { try? FileManager.default.removeItem(at: partial) }
            let file = try FileHandle(forWritingTo: partial)
            do {
                try body { try file.write(contentsOf: $0) }
                try file.synchronize()
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            // rename(2) replaces the target in one step: a reader sees the old file or the new one.
            guard rename(partial.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch let error as EncodingError {
            throw error
        } catch {
            throw UsageFailure("cannot write --out \(out): \(error.localizedDescription)")
        }
    }
}
