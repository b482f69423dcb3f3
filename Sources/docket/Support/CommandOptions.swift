import ArgumentParser

/// Options every command that changes a case shares: business time, idempotency, retries, output.
struct WriteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Business time of the command, ISO 8601 (default: now). For back-filling.", valueName: "time"))
    var at: String?

    @Option(name: .customLong("key"), help: ArgumentHelp(
        "Idempotency key: a retry with the same key returns the first result and appends nothing.", valueName: "key"))
    var idempotencyKey: String?

    @Option(help: ArgumentHelp("On a conflict with another writer, read the case again and retry up to N times.", valueName: "n"))
    var retry: Int = 0

    @Flag(help: "Print the case and the recorded events as JSON.")
    var json = false
}
